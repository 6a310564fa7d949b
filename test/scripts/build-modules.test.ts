import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoRoot } from '../helpers/run-module.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the module executable build', () => {
  it('gives identical bytes when run twice', () => {
    const builds = [1, 2].map(() => {
      const dir = mkdtempSync(join(tmpdir(), 'osm-build-'));
      execFileSync(process.execPath, [join(repoRoot, 'build/scripts/build-modules.js'), '--out', dir], { stdio: 'pipe' });
      return join(dir, 'module_dispatcher');
    });
    assert.equal(sha256(builds[0]!), sha256(builds[1]!));
    assert.equal(sha256(builds[0]!), sha256(join(repoRoot, 'plugins/modules/module_dispatcher')), 'the installed executable is the same build');
  });
});
