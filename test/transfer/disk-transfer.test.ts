// transferDisk, the one path a disk's bytes take in a migration: real VMDK files on disk, a real HTTPS datastore
// server, real target files; every assertion is about the bytes that end up in the target and what the log says.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { transferDisk, type TransferMode } from '../../src/transfer/disk-transfer.js';
import { openHttpsSource } from '../../src/transfer/sources/https.js';
import { openLocalSource } from '../../src/transfer/sources/local.js';
import type { DiskSource } from '../../src/transfer/types.js';
import { createLogger, type Logger } from '../../src/util/log.js';
import { MiB, makeEmptyTarget, makeFlatVmdk, makeSparseImage, sha256File, tempDir } from './fixtures.js';
import { startDatastoreServer, type DatastoreServer } from './servers.js';

/** Open file descriptors of this process on `path`. */
function openFds(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

/** Fill a file with a non-zero byte, as a reused volume holding older data. */
function makeDirtyTarget(path: string, size: number): string {
  const fd = openSync(path, 'w');
  for (let p = 0; p < size; p += MiB) writeSync(fd, Buffer.alloc(MiB, 0xa5), 0, MiB, p);
  closeSync(fd);
  return path;
}

describe('transferDisk (one disk onto an attached volume)', () => {
  const t = tempDir('xfer');
  const size = 24 * MiB;
  const data = [
    { start: MiB, length: 2 * MiB },
    { start: 16 * MiB, length: 3 * MiB + 4096 },
  ];
  const dataBytes = data.reduce((s, e) => s + e.length, 0);
  const raw = join(t.dir, 'src.raw');
  let vmdk: string;
  let srv: DatastoreServer;
  let n = 0;

  const logger = (): Logger & { text: () => string } => {
    const file = join(t.dir, `log-${++n}`);
    return Object.assign(createLogger({ file, stderr: false }), { text: () => readFileSync(file, 'utf8') });
  };
  const local = (): Promise<DiskSource> => openLocalSource({ path: vmdk, name: 'vm-x' });
  const https = (): Promise<DiskSource> => openHttpsSource({ url: srv.url('vm/vm.vmdk'), tls: { thumbprint: srv.cert.sha256 } });
  async function transfer(source: DiskSource, targetPath: string, mode: TransferMode, verify: boolean, log: Logger = logger()) {
    try {
      return await transferDisk({ source, targetPath, mode, verify, label: 'disk 2000', log });
    } finally {
      await source.close();
    }
  }

  before(async () => {
    makeSparseImage(raw, size, data);
    mkdirSync(join(t.dir, 'ds', 'vm'), { recursive: true });
    vmdk = makeFlatVmdk(raw, join(t.dir, 'ds', 'vm'), 'vm');
    srv = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: t.dir });
  });
  after(async () => {
    await srv.close();
    t.cleanup();
  });

  it('full copy onto a new volume with verify: equal checksums, only the data read, progress and summary in the log', async () => {
    const vol = makeEmptyTarget(join(t.dir, 'vol1'), size);
    const log = logger();
    const r = await transfer(await local(), vol, { kind: 'full', targetIsZero: true }, true, log);
    assert.equal(r.mode, 'full');
    assert.equal(r.sourceSha256, sha256File(raw));
    assert.equal(r.targetSha256, sha256File(raw));
    assert.equal(sha256File(vol), sha256File(raw));
    assert.ok(r.bytesRead >= dataBytes && r.bytesRead < size / 2, `reads the allocated areas only (${r.bytesRead})`);
    assert.equal(r.bytesZeroed, 0, 'a new volume is not zeroed');
    assert.equal(r.direct, false, 'a local source asks for cached writes');
    const text = log.text();
    assert.match(text, /disk 2000 \(full\): 24\.0 MiB of 24\.0 MiB \(100%\), read 5\.\d MiB, .*\/s, done in \d+s/);
    assert.ok(text.includes(`disk 2000: full copy done: read ${r.bytesRead} bytes`), text);
    assert.ok(text.includes(`(cached writes to ${vol})`), text);
    assert.ok(text.includes(`disk 2000: sha256 source ${r.sourceSha256}, volume ${r.targetSha256}`), text);
    assert.equal(openFds(vol), 0, 'the target is closed');
  });

  it('full copy onto a volume holding older data zeroes what the source does not hold', async () => {
    const vol = makeDirtyTarget(join(t.dir, 'vol2'), size);
    const r = await transfer(await local(), vol, { kind: 'full', targetIsZero: false }, true);
    assert.equal(r.targetSha256, sha256File(raw));
    assert.equal(r.bytesZeroed + r.bytesWritten, size, 'every byte written or zeroed');
  });

  it('verify fails, naming the disk and the device, when the volume does not hold the source (targetIsZero on a dirty volume)', async () => {
    const vol = makeDirtyTarget(join(t.dir, 'vol3'), size);
    await assert.rejects(
      transfer(await local(), vol, { kind: 'full', targetIsZero: true }, true),
      new RegExp(`^Error: disk 2000: the volume \\(${vol}\\) does not hold the source's bytes \\(sha256 [0-9a-f]{64} != ${sha256File(raw)}\\); run again$`),
    );
    assert.equal(openFds(vol), 0);
  });

  it('full copy with the allocated areas CBT lists reads only those, and the rest reads as zeros', async () => {
    const vol = makeDirtyTarget(join(t.dir, 'vol4'), size);
    const allocated = [{ start: 0, length: 4 * MiB }];
    const r = await transfer(await local(), vol, { kind: 'full', targetIsZero: false, allocated }, false);
    assert.equal(r.bytesRead, 4 * MiB);
    assert.equal(r.sourceSha256, undefined);
    assert.equal(r.targetSha256, undefined);
    const out = readFileSync(vol);
    const src = readFileSync(raw);
    assert.ok(out.subarray(0, 4 * MiB).equals(src.subarray(0, 4 * MiB)), 'the allocated area is copied');
    assert.ok(out.subarray(4 * MiB).equals(Buffer.alloc(size - 4 * MiB)), 'the rest is zero, the second data area included (CBT said unallocated)');
  });

  it('delta with verify (https source): only the areas are fetched, the volume then equals the source', async () => {
    const vol = makeEmptyTarget(join(t.dir, 'vol5'), size);
    // The volume already holds the image except one changed area (as after an earlier sync).
    await transfer(await local(), vol, { kind: 'full', targetIsZero: true }, false);
    const fd = openSync(vol, 'r+');
    writeSync(fd, Buffer.alloc(65536, 7), 0, 65536, 17 * MiB);
    closeSync(fd);
    assert.notEqual(sha256File(vol), sha256File(raw));
    const served = srv.bytesServed;
    const log = logger();
    const r = await transfer(await https(), vol, { kind: 'delta', areas: [{ start: 17 * MiB, length: 65536 }] }, true, log);
    assert.equal(r.mode, 'delta');
    assert.equal(r.bytesRead, 65536);
    assert.equal(r.bytesWritten, 65536);
    assert.equal(r.sourceSha256, sha256File(raw));
    assert.equal(r.targetSha256, sha256File(raw));
    assert.equal(srv.bytesServed - served, statSync(vmdk).size + 65536 + size, 'descriptor, the delta, one verification pass');
    assert.ok(log.text().includes(`disk 2000: delta copy done: read 65536 bytes (source fetched 65536), wrote 65536`), log.text());
    assert.ok(log.text().includes(`(${r.direct ? 'direct' : 'cached'} writes to ${vol})`));
  });

  it('a delta writes changed areas that became zero, and nothing outside the areas', async () => {
    const vol = makeDirtyTarget(join(t.dir, 'vol6'), size);
    // 8 MiB is a hole in the source: the area is written as zeros over the old bytes.
    const r = await transfer(await https(), vol, { kind: 'delta', areas: [{ start: 8 * MiB, length: MiB }] }, false);
    assert.equal(r.bytesWritten, MiB);
    const out = readFileSync(vol);
    assert.ok(out.subarray(8 * MiB, 9 * MiB).equals(Buffer.alloc(MiB)));
    assert.ok(out.subarray(0, 8 * MiB).equals(Buffer.alloc(8 * MiB, 0xa5)), 'before the area: untouched');
    assert.ok(out.subarray(9 * MiB).equals(Buffer.alloc(size - 9 * MiB, 0xa5)), 'after the area: untouched');
  });

  it('an abort before or during the copy rejects with its reason and closes the target; the source stays the caller\'s', async () => {
    const vol = makeEmptyTarget(join(t.dir, 'vol7'), size);
    const before = new AbortController();
    before.abort(new Error('stopped before start'));
    const source = await local();
    await assert.rejects(
      transferDisk({ source, targetPath: vol, mode: { kind: 'full', targetIsZero: true }, verify: false, label: 'disk 2000', log: logger(), signal: before.signal }),
      /stopped before start/,
    );
    assert.equal(openFds(vol), 0);
    const during = new AbortController();
    let reads = 0;
    // The source as the copy sees it: the first read aborts the copy.
    const aborting: DiskSource = {
      kind: source.kind,
      size: source.size,
      parallelism: 1,
      maxReadSize: source.maxReadSize,
      chunkSize: 64 * 1024,
      targetWrites: source.targetWrites,
      stats: source.stats,
      read: async (buf, offset) => {
        if (++reads === 1) during.abort(new Error('stopped mid-copy'));
        await source.read(buf, offset);
      },
      allocatedExtents: () => source.allocatedExtents(),
      close: () => source.close(),
    };
    await assert.rejects(
      transferDisk({ source: aborting, targetPath: vol, mode: { kind: 'full', targetIsZero: true }, verify: true, label: 'disk 2000', log: logger(), signal: during.signal }),
      /stopped mid-copy/,
    );
    assert.ok(reads >= 1 && reads < 4, `stops after the read in flight (${reads} reads)`);
    assert.equal(openFds(vol), 0, 'the target is closed');
    const buf = Buffer.alloc(4096);
    await source.read(buf, MiB);
    assert.ok(!buf.equals(Buffer.alloc(4096)), 'the source is still open: closing it is the caller\'s job');
    await source.close();
  });
});
