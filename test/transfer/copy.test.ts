import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyDisk, normalizeExtents, splitAligned } from '../../src/transfer/copy.js';
import { startNbdServer } from '../../src/transfer/nbd/server-process.js';
import { NbdSource } from '../../src/transfer/sources/nbd.js';
import { openTarget } from '../../src/transfer/target.js';
import type { Progress } from '../../src/transfer/types.js';
import { sha256OfPath, sha256OfSource } from '../../src/transfer/verify.js';
import { MiB, makeEmptyTarget, makeSparseImage, sha256File, tempDir } from './fixtures.js';

describe('copy pipeline', () => {
  const t = tempDir('copy');
  const size = 32 * MiB;
  const img = join(t.dir, 'disk.img');
  before(() => makeSparseImage(img, size, [{ start: 0, length: 3 * MiB }, { start: 9 * MiB + 512, length: 5 * MiB }, { start: 30 * MiB, length: 2 * MiB }]));
  after(() => t.cleanup());

  const slowSource = async (rdelay: string) => {
    const server = await startNbdServer({
      command: 'nbdkit',
      name: 'copy',
      baseDir: t.dir,
      args: (sock) => ['--readonly', '--exit-with-parent', '--foreground', '--unix', sock, '--filter=delay', 'file', img, `rdelay=${rdelay}`],
    });
    return NbdSource.open('nbd', server.socketPath, server);
  };

  it('merges and splits ranges on chunk boundaries', () => {
    assert.deepEqual(normalizeExtents([{ start: 10, length: 5 }, { start: 0, length: 4 }, { start: 12, length: 10 }, { start: 30, length: 100 }], 40), [
      { start: 0, length: 4 },
      { start: 10, length: 12 },
      { start: 30, length: 10 },
    ]);
    const parts: [number, number][] = [];
    splitAligned({ start: 4000, length: 10000 }, 4096, (s, l) => parts.push([s, l]));
    assert.deepEqual(parts, [[4000, 96], [4096, 4096], [8192, 4096], [12288, 1712]]);
  });

  it('reports progress at intervals and a final sample, with rate and ETA', async () => {
    const source = await slowSource('30ms');
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol1'), size) });
    const samples: Progress[] = [];
    try {
      await copyDisk({ source, target, assumeZero: true, allocated: [{ start: 0, length: size }], chunkSize: MiB, concurrency: 2, onProgress: (p) => samples.push(p), progressIntervalMs: 100 });
    } finally {
      await source.close();
      await target.close();
    }
    assert.ok(samples.length >= 3, `samples: ${samples.length}`);
    const last = samples[samples.length - 1]!;
    assert.equal(last.final, true);
    assert.equal(last.done, size);
    assert.equal(last.total, size);
    const mid = samples.find((p) => !p.final && p.done > 0)!;
    assert.ok(mid.bytesPerSecond > 0 && mid.etaSeconds !== undefined && mid.etaSeconds > 0);
    assert.ok(samples.every((p, i) => i === 0 || p.done >= samples[i - 1]!.done), 'monotonic');
    assert.equal(sha256File(join(t.dir, 'vol1')), sha256File(img));
  });

  it('hashes the source in disk order while copying out of order; verify helpers agree', async () => {
    const source = await slowSource('0ms');
    const vol = makeEmptyTarget(join(t.dir, 'vol2'), size);
    const target = await openTarget({ path: vol });
    try {
      const r = await copyDisk({ source, target, assumeZero: false, hashSource: true, chunkSize: 256 * 1024, concurrency: 8 });
      assert.equal(r.sourceSha256, sha256File(img));
      assert.equal(await sha256OfSource(source), sha256File(img));
      assert.equal(r.bytesRead + r.bytesZeroed, size);
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(await sha256OfPath(vol, size), sha256File(img));
  });

  it('refuses a target smaller than the disk', async () => {
    const source = await slowSource('0ms');
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'small'), size - MiB) });
    try {
      await assert.rejects(copyDisk({ source, target }), /is smaller than the source disk/);
    } finally {
      await source.close();
      await target.close();
    }
  });
});
