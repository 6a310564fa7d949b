// The progress file of a migration (<data_dir>/<vm>/progress.json): the VM's disks counted as one copy, replaced in
// one step at every sample, and a file that cannot be written never failing the run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Progress } from '../../src/transfer/types.js';
import type { Logger } from '../../src/util/log.js';
import { type ProgressRecord, progressFile } from '../../src/workflow/migrate-progress.js';

const MiB = 1024 * 1024;
const sample = (done: number, total: number, elapsedSeconds: number, final = false): Progress => ({
  done,
  total,
  bytesRead: done,
  elapsedSeconds,
  bytesPerSecond: done / elapsedSeconds,
  etaSeconds: undefined,
  final,
});

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => undefined;
  return { debug: none, info: none, error: none, warn: (m) => warnings.push(m), file: undefined, warnings };
}

describe('migration progress file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-progress-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'progress.json');
  const read = () => JSON.parse(readFileSync(path, 'utf8')) as ProgressRecord;

  it('counts every disk of the run: a disk not started with its capacity, the rate over the time spent copying', () => {
    const p = progressFile(path, 'web 01', recordingLog());
    p.phase('preparing');
    assert.deepEqual([read().vm, read().phase, read().done_bytes], ['web 01', 'preparing', undefined]);
    p.disks([
      { label: 'disk 2000', capacityBytes: 100 * MiB },
      { label: 'disk 2001', capacityBytes: 300 * MiB },
    ]);
    p.copy(0, sample(50 * MiB, 80 * MiB, 5));
    let r = read();
    assert.deepEqual([r.phase, r.disk, r.disk_number, r.disks], ['copying', 'disk 2000', 1, 2]);
    // 80 MiB to copy on the first disk (its allocated areas), the second counted at its capacity until it starts.
    assert.deepEqual([r.done_bytes, r.total_bytes, r.bytes_per_second, r.eta_seconds], [50 * MiB, 380 * MiB, 10 * MiB, 33]);
    p.copy(0, sample(80 * MiB, 80 * MiB, 8, true));
    p.copy(1, sample(20 * MiB, 200 * MiB, 2));
    r = read();
    assert.deepEqual([r.disk, r.disk_number, r.done_bytes, r.total_bytes, r.bytes_per_second, r.eta_seconds], ['disk 2001', 2, 100 * MiB, 280 * MiB, 10 * MiB, 18]);
    p.phase('converting the guest');
    assert.equal(read().phase, 'converting the guest');
    assert.deepEqual(readdirSync(dir), ['progress.json'], 'no temporary file left behind');
  });

  it('the ETA is unknown before any byte is copied', () => {
    const p = progressFile(path, 'db', recordingLog());
    p.disks([{ label: 'disk 2000', capacityBytes: 10 * MiB }]);
    p.copy(0, sample(0, 10 * MiB, 0));
    assert.deepEqual([read().bytes_per_second, read().eta_seconds], [0, null]);
  });

  it('a progress file that cannot be written is logged once and the run goes on', () => {
    const log = recordingLog();
    const p = progressFile(join(dir, 'no-such-vm', 'progress.json'), 'gone', log);
    p.phase('preparing');
    p.disks([{ label: 'disk 2000', capacityBytes: MiB }]);
    p.copy(0, sample(MiB / 2, MiB, 1));
    p.copy(0, sample(MiB, MiB, 2, true));
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0]!, /cannot write the progress file .*no-such-vm\/progress\.json: .*the migration goes on/);
  });
});
