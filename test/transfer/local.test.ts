import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { openLocalSource, localDiskPath } from '../../src/transfer/sources/local.js';
import { openTarget } from '../../src/transfer/target.js';
import { copyDisk } from '../../src/transfer/copy.js';
import { sha256OfPath, sha256OfSource } from '../../src/transfer/verify.js';
import { MiB, makeEmptyTarget, makeFlatVmdk, makeSparseImage, sha256File, tempDir } from './fixtures.js';

describe('local source (datastore mounted on the conversion host)', () => {
  const t = tempDir('local');
  const raw = join(t.dir, 'src.raw');
  const size = 64 * MiB;
  before(() => {
    makeSparseImage(raw, size, [
      { start: 0, length: 1 * MiB },
      { start: 10 * MiB + 4096, length: 3 * MiB },
      { start: 63 * MiB, length: 1 * MiB },
    ]);
  });
  after(() => t.cleanup());

  it('maps a backing file name under the local mount', () => {
    assert.equal(localDiskPath('/mnt/ds1', '[datastore1] vm-1/vm-1.vmdk'), '/mnt/ds1/vm-1/vm-1.vmdk');
    assert.throws(() => localDiskPath('/mnt/ds1', '[ds] ../etc/passwd'), /unexpected backing file name/);
  });

  it('copies a flat VMDK to a zeroed file target byte for byte, skipping holes', async () => {
    const vmdk = makeFlatVmdk(raw, t.dir, 'flat');
    const source = await openLocalSource({ path: vmdk, name: 'flat' });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol1'), size) });
    try {
      assert.equal(source.size, size);
      const r = await copyDisk({ source, target, assumeZero: true, hashSource: true });
      assert.equal(r.sourceSha256, sha256File(raw));
      assert.ok(r.bytesRead >= 5 * MiB && r.bytesRead < 8 * MiB, `read only the allocated data (${r.bytesRead})`);
      // Local reads of 1 MiB keep the buffers in flight in the CPU caches (see LOCAL_CHUNK_SIZE).
      assert.equal(source.chunkSize, MiB);
      assert.ok(source.stats.requests * MiB >= r.bytesRead, `reads of at most 1 MiB (${source.stats.requests} for ${r.bytesRead} bytes)`);
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol1')), sha256File(raw));
  });

  it('overwrites a dirty target completely when it is not known to be zero', async () => {
    const vmdk = makeFlatVmdk(raw, t.dir, 'flat2');
    const dirty = join(t.dir, 'dirty');
    makeSparseImage(dirty, size, [{ start: 0, length: size }]);
    const source = await openLocalSource({ path: vmdk, name: 'flat2' });
    const target = await openTarget({ path: dirty });
    try {
      const r = await copyDisk({ source, target, assumeZero: false });
      assert.ok(r.bytesZeroed > 50 * MiB);
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(await sha256OfPath(dirty, size), sha256File(raw));
  });

  it('reads a sparse VMDK through qemu-nbd and stops it afterwards', async () => {
    const sparse = join(t.dir, 'sparse.vmdk');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=monolithicSparse', raw, sparse]);
    const source = await openLocalSource({ path: sparse, name: 'sparse' });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol3'), size) });
    try {
      assert.equal(source.kind, 'local');
      await copyDisk({ source, target, assumeZero: true });
      // A whole read crosses unallocated clusters, which qemu-nbd answers with hole chunks.
      assert.equal(await sha256OfSource(source), sha256File(raw));
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol3')), sha256File(raw));
  });
});
