import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPrivateDir, removeStalePrivateDirs } from '../../src/util/private-dir.js';
import { processStartTime } from '../../src/util/process.js';

test('a private directory is 0700 and names its owner by pid and start time', () => {
  const base = mkdtempSync(join(tmpdir(), 'osm-pd-test-'));
  const dir = createPrivateDir('osm-x-', base);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(readFileSync(join(dir, 'owner'), 'utf8'), `${process.pid} ${processStartTime(process.pid)}\n`);
});

test('a new private directory removes those of the same prefix whose owner ended or whose pid was reused; nothing else', () => {
  const base = mkdtempSync(join(tmpdir(), 'osm-pd-test-'));
  // A real process that has ended: its pid and start time.
  const ended = spawnSync('sh', ['-c', 'echo $$ $(cut -d" " -f22 /proc/$$/stat)'], { encoding: 'utf8' }).stdout.trim();
  const owners: Record<string, string | undefined> = {
    'osm-x-dead': ended,
    'osm-x-reused': `${process.pid} 1`,
    'osm-x-live': `${process.pid} ${processStartTime(process.pid)}`,
    'osm-x-unowned': undefined,
    'other-dead': ended,
  };
  for (const [name, owner] of Object.entries(owners)) {
    mkdirSync(join(base, name));
    if (owner !== undefined) writeFileSync(join(base, name, 'owner'), `${owner}\n`);
    writeFileSync(join(base, name, 'password'), 'x');
  }
  const mine = createPrivateDir('osm-x-', base);
  assert.deepEqual(readdirSync(base).sort(), ['osm-x-live', 'osm-x-unowned', 'other-dead', mine.split('/').pop()!].sort());
  assert.equal(readFileSync(join(base, 'osm-x-live', 'password'), 'utf8'), 'x');
  removeStalePrivateDirs('osm-x-', join(base, 'missing'));
});
