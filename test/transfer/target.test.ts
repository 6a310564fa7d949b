import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, readSync, closeSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { WRITEBACK_EVERY, findAttachedDevice, openTarget, virtioEntryName } from '../../src/transfer/target.js';
import { pageAlignedBuffers } from '../../src/util/aligned-buffer.js';
import { MiB, makeEmptyTarget, makeSparseImage, tempDir } from './fixtures.js';

const volumeId = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

describe('finding the attached volume', () => {
  const t = tempDir('byid');
  after(() => t.cleanup());

  it('uses the virtio serial: virtio-<first 20 characters of the volume id>', () => {
    assert.equal(virtioEntryName(volumeId), 'virtio-0f1e2d3c-4b5a-6978-8');
    assert.throws(() => virtioEntryName('short'), /too short/);
  });

  it('waits for the link to appear and resolves it; partition links and other volumes never match', async () => {
    const dir = join(t.dir, 'by-id-1');
    mkdirSync(dir);
    const vol = makeEmptyTarget(join(t.dir, 'volume-file'), MiB);
    const other = makeEmptyTarget(join(t.dir, 'other-file'), MiB);
    symlinkSync(other, join(dir, 'virtio-0f1e2d3c-4b5a-6978-9'));
    symlinkSync(other, join(dir, `${virtioEntryName(volumeId)}-part1`));
    setTimeout(() => symlinkSync(vol, join(dir, virtioEntryName(volumeId))), 400);
    const t0 = Date.now();
    assert.equal(await findAttachedDevice({ volumeId, byIdDir: dir, timeoutMs: 5000, pollMs: 50 }), vol);
    assert.ok(Date.now() - t0 >= 300);
  });

  it('gives up after the timeout with a message naming the volume and the expected link', async () => {
    const dir = join(t.dir, 'by-id-2');
    mkdirSync(dir);
    await assert.rejects(
      findAttachedDevice({ volumeId, byIdDir: dir, timeoutMs: 300, pollMs: 50 }),
      new RegExp(`volume ${volumeId} is attached but ${dir}/virtio-0f1e2d3c-4b5a-6978-8 did not appear within 0.3 s`),
    );
  });

  it('a dangling link is an error, not a guess', async () => {
    const dir = join(t.dir, 'by-id-3');
    mkdirSync(dir);
    symlinkSync(join(t.dir, 'gone'), join(dir, virtioEntryName(volumeId)));
    await assert.rejects(findAttachedDevice({ volumeId, byIdDir: dir, timeoutMs: 300 }), /does not resolve: ENOENT/);
  });
});

describe('writing the target', () => {
  const t = tempDir('target');
  after(() => t.cleanup());
  const cachedBytes = (path: string): number =>
    Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim() || 0);

  it('a file target writes at offsets, punches holes for zero ranges and refuses writes past its end', async () => {
    const p = join(t.dir, 'vol');
    makeSparseImage(p, 8 * MiB, [{ start: 0, length: 8 * MiB }]);
    const blocksBefore = statSync(p).blocks;
    const target = await openTarget({ path: p });
    try {
      assert.equal(target.kind, 'file');
      assert.equal(target.size, 8 * MiB);
      await target.write(Buffer.alloc(4096, 0xab), 4096);
      await target.zero(2 * MiB, 4 * MiB);
      await target.zero(7 * MiB, 1000);
      await target.flush();
      await assert.rejects(target.write(Buffer.alloc(4096), 8 * MiB - 1024), /beyond the end .* volume is smaller than the disk/);
    } finally {
      await target.close();
    }
    const data = readFileSync(p);
    assert.ok(data.subarray(4096, 8192).equals(Buffer.alloc(4096, 0xab)));
    assert.ok(data.subarray(2 * MiB, 6 * MiB).equals(Buffer.alloc(4 * MiB)));
    assert.ok(data.subarray(7 * MiB, 7 * MiB + 1000).equals(Buffer.alloc(1000)));
    assert.notEqual(data[7 * MiB + 1000], undefined);
    assert.ok(statSync(p).blocks <= blocksBefore - (4 * MiB) / 512, 'the 4 MiB range was punched, not written');
  });

  it('a block device target (loop device) reports its size, writes and zeroes ranges', async () => {
    const backing = join(t.dir, 'loop-backing');
    makeSparseImage(backing, 16 * MiB, [{ start: 0, length: 16 * MiB }]);
    const dev = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
    try {
      const target = await openTarget({ path: dev });
      try {
        assert.equal(target.kind, 'block');
        assert.equal(target.size, 16 * MiB);
        await target.write(Buffer.alloc(MiB, 0x5a), MiB);
        await target.zero(4 * MiB, 8 * MiB);
        await target.flush();
      } finally {
        await target.close();
      }
      const data = readFileSync(dev);
      assert.ok(data.subarray(MiB, 2 * MiB).equals(Buffer.alloc(MiB, 0x5a)));
      assert.ok(data.subarray(4 * MiB, 12 * MiB).equals(Buffer.alloc(8 * MiB)));
      assert.ok(!data.subarray(12 * MiB, 13 * MiB).equals(Buffer.alloc(MiB)));
    } finally {
      execFileSync('losetup', ['--detach', dev]);
    }
  });

  it('writeback started in the background while writing drops written pages from the cache, never loses data, and close waits for it', async () => {
    const size = 3 * WRITEBACK_EVERY;
    const path = makeEmptyTarget(join(t.dir, 'writeback'), size);
    const target = await openTarget({ path });
    const piece = 4 * MiB;
    try {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let off = next; off < size; off = next) {
            next += piece;
            await target.write(Buffer.alloc(piece, (off / piece) % 251), off);
          }
        }),
      );
    } finally {
      await target.close();
    }
    const cached = cachedBytes(path);
    assert.ok(cached <= size - WRITEBACK_EVERY, `${cached} of ${size} written bytes still cached`);
    const fd = openSync(path, 'r');
    try {
      for (const off of [0, WRITEBACK_EVERY - piece, WRITEBACK_EVERY, size - piece]) {
        const b = Buffer.alloc(piece);
        readSync(fd, b, 0, piece, off);
        assert.ok(b.equals(Buffer.alloc(piece, (off / piece) % 251)), `bytes at ${off}`);
      }
    } finally {
      closeSync(fd);
    }
  });

  it('direct: page-aligned buffers at page-aligned offsets bypass the page cache; any other write is cached, and all land', async () => {
    const path = makeEmptyTarget(join(t.dir, 'direct'), 64 * MiB);
    const [aligned] = pageAlignedBuffers(1, 8 * MiB);
    aligned!.fill(0x3c);
    const target = await openTarget({ path, writes: 'direct' });
    try {
      assert.equal(target.direct, true);
      for (let off = 0; off < 32 * MiB; off += 8 * MiB) await target.write(aligned!, off);
      assert.equal(cachedBytes(path), 0, 'aligned writes left pages in the cache');
      await target.write(Buffer.alloc(8 * MiB, 0x4d), 40 * MiB); // malloc'd buffer: not page-aligned
      await target.write(aligned!.subarray(0, 1000), 50 * MiB + 100); // unaligned offset and length
      await target.zero(56 * MiB, 8 * MiB);
      await target.flush();
    } finally {
      await target.close();
    }
    const data = readFileSync(path);
    assert.ok(data.subarray(0, 32 * MiB).equals(Buffer.alloc(32 * MiB, 0x3c)));
    assert.ok(data.subarray(40 * MiB, 48 * MiB).equals(Buffer.alloc(8 * MiB, 0x4d)));
    assert.ok(data.subarray(50 * MiB + 100, 50 * MiB + 1100).equals(Buffer.alloc(1000, 0x3c)));
    assert.ok(data.subarray(50 * MiB, 50 * MiB + 100).equals(Buffer.alloc(100)));
    assert.ok(data.subarray(56 * MiB).equals(Buffer.alloc(8 * MiB)));
  });

  it('direct on a block device (loop device): written past the cache, bytes in place', async () => {
    const backing = join(t.dir, 'loop-direct');
    makeEmptyTarget(backing, 16 * MiB);
    const dev = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
    const [buf] = pageAlignedBuffers(1, 4 * MiB);
    buf!.fill(0x77);
    try {
      const target = await openTarget({ path: dev, writes: 'direct' });
      try {
        assert.equal(target.kind, 'block');
        assert.equal(target.direct, true);
        await target.write(buf!, 8 * MiB);
        await target.flush();
        assert.equal(cachedBytes(dev), 0);
      } finally {
        await target.close();
      }
      const data = readFileSync(dev);
      assert.ok(data.subarray(8 * MiB, 12 * MiB).equals(buf!));
      assert.ok(data.subarray(0, 8 * MiB).equals(Buffer.alloc(8 * MiB)));
    } finally {
      execFileSync('losetup', ['--detach', dev]);
    }
  });

  it('refuses what is neither a block device nor a regular file', async () => {
    await assert.rejects(openTarget({ path: t.dir }), /neither a block device nor a regular file/);
    await assert.rejects(openTarget({ path: join(t.dir, 'missing') }), /cannot open target .*ENOENT/);
  });
});
