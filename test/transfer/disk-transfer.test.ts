import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { transferDisk } from '../../src/transfer/disk-transfer.js';
import { progressLine } from '../../src/transfer/progress.js';
import { MiB, makeEmptyTarget, makeFlatVmdk, makeSparseImage, sha256File, tempDir } from './fixtures.js';
import { startDatastoreServer, type DatastoreServer } from './servers.js';

describe('transferDisk (the workflow entry point)', () => {
  const t = tempDir('xfer');
  const size = 24 * MiB;
  const raw = join(t.dir, 'src.raw');
  let vmdk: string;
  let srv: DatastoreServer;
  before(async () => {
    makeSparseImage(raw, size, [{ start: MiB, length: 2 * MiB }, { start: 16 * MiB, length: 3 * MiB + 4096 }]);
    mkdirSync(join(t.dir, 'ds', 'vm'), { recursive: true });
    vmdk = makeFlatVmdk(raw, join(t.dir, 'ds', 'vm'), 'vm');
    srv = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: t.dir });
  });
  after(async () => {
    await srv.close();
    t.cleanup();
  });

  it('full copy with verify returns both checksums, equal to the image', async () => {
    const vol = makeEmptyTarget(join(t.dir, 'vol1'), size);
    const lines: string[] = [];
    const r = await transferDisk({
      source: { kind: 'local', path: vmdk, name: 'vm-x' },
      targetPath: vol,
      mode: { kind: 'full', assumeZero: true },
      verify: true,
      onProgress: (p) => lines.push(progressLine('disk 2000', p)),
    });
    assert.equal(r.mode, 'full');
    assert.equal(r.sourceSha256, sha256File(raw));
    assert.equal(r.targetSha256, sha256File(raw));
    assert.match(lines[lines.length - 1]!, /^disk 2000: 24\.0 MiB of 24\.0 MiB \(100%\), read 5\.\d MiB, .*\/s, done in \d+s$/);
  });

  it('delta with verify (https source): only the areas are read, the volume then equals the source', async () => {
    const vol = join(t.dir, 'vol2');
    makeSparseImage(vol, size, []);
    // The volume already holds the image except one changed area (as after an earlier sync).
    const first = await transferDisk({ source: { kind: 'local', path: vmdk, name: 'vm-x' }, targetPath: vol, mode: { kind: 'full', assumeZero: true } });
    assert.equal(first.targetSha256, undefined);
    const fd = openSync(vol, 'r+');
    writeSync(fd, Buffer.alloc(65536, 7), 0, 65536, 17 * MiB);
    closeSync(fd);
    assert.notEqual(sha256File(vol), sha256File(raw));
    const served = srv.bytesServed;
    const r = await transferDisk({
      source: { kind: 'https', url: srv.url('vm/vm.vmdk'), tls: { thumbprint: srv.cert.sha256 } },
      targetPath: vol,
      mode: { kind: 'delta', areas: [{ start: 17 * MiB, length: 65536 }] },
      verify: true,
    });
    assert.equal(r.bytesRead, 65536);
    assert.equal(r.sourceSha256, sha256File(raw));
    assert.equal(r.targetSha256, sha256File(raw));
    assert.equal(srv.bytesServed - served, statSync(vmdk).size + 65536 + size, 'descriptor, the delta, one verification pass');
  });

  it('an abort mid-copy rejects and releases the source (no connection, no socket, no process)', async () => {
    const vol = makeEmptyTarget(join(t.dir, 'vol3'), size);
    const ac = new AbortController();
    ac.abort(new Error('stopped before start'));
    await assert.rejects(
      transferDisk({ source: { kind: 'local', path: vmdk, name: 'vm-x' }, targetPath: vol, mode: { kind: 'full', assumeZero: true }, signal: ac.signal }),
      /stopped before start/,
    );
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(new Error('stopped mid-copy')), 5);
    await assert.rejects(
      transferDisk({
        source: { kind: 'https', url: srv.url('vm/vm.vmdk'), tls: { insecure: true }, connections: 1 },
        targetPath: vol,
        mode: { kind: 'full', assumeZero: true, allocated: [{ start: 0, length: size }] },
        chunkSize: 64 * 1024,
        concurrency: 1,
        signal: ac2.signal,
      }),
      /stopped mid-copy/,
    );
    assert.deepEqual(readdirSync('/tmp').filter((f) => f.startsWith('osm-nbd-') && f.includes('vm-x')), []);
  });
});
