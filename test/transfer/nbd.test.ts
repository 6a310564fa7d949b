import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { startNbdServer } from '../../src/transfer/nbd/server-process.js';
import { groupMembers } from '../../src/util/process.js';
import { NbdClient } from '../../src/transfer/nbd/client.js';
import { NbdSource } from '../../src/transfer/sources/nbd.js';
import { fileAllocation } from '../../src/transfer/sources/local.js';
import { openTarget } from '../../src/transfer/target.js';
import { copyDisk } from '../../src/transfer/copy.js';
import { copyChangedAreas } from '../../src/transfer/delta.js';
import { MiB, makeEmptyTarget, makeSparseImage, sha256File, tempDir } from './fixtures.js';

/** Whether the server's process group (led by `pid`) still has a running process. */
const alive = (pgid: number): boolean => groupMembers(pgid).length > 0;

describe('NBD client and nbdkit lifecycle', () => {
  const t = tempDir('nbd');
  const size = 64 * MiB;
  const img = join(t.dir, 'disk.img');
  const data = [{ start: 0, length: MiB }, { start: 5 * MiB, length: 2 * MiB + 8192 }, { start: 40 * MiB, length: 4 * MiB }];
  before(() => makeSparseImage(img, size, data));
  after(() => t.cleanup());

  const serve = (filters: string[] = [], params: string[] = [], name = 'test') =>
    startNbdServer({
      command: 'nbdkit',
      name,
      baseDir: t.dir,
      args: (sock) => ['--readonly', '--exit-with-parent', '--foreground', '--unix', sock, ...filters, 'file', img, ...params],
    });

  it('reads an nbdkit file export byte for byte and reports its allocation through block status', async () => {
    const server = await serve();
    const source = await NbdSource.open('nbd', server.socketPath, server);
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol1'), size) });
    try {
      assert.equal(source.size, size);
      const alloc = await source.allocatedExtents();
      assert.deepEqual(alloc, await fileAllocation(img));
      const r = await copyDisk({ source, target, assumeZero: true, hashSource: true });
      assert.equal(r.sourceSha256, sha256File(img));
      assert.equal(r.bytesRead, alloc!.reduce((s, a) => s + a.length, 0));
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol1')), sha256File(img));
    assert.equal(alive(server.pid), false, 'nbdkit stopped');
    assert.equal(existsSync(server.socketPath), false, 'socket removed');
  });

  it('a delta copy receives exactly the changed bytes over NBD', async () => {
    const server = await serve();
    const source = await NbdSource.open('nbd', server.socketPath, server);
    const vol = join(t.dir, 'vol2');
    makeEmptyTarget(vol, size);
    const target = await openTarget({ path: vol });
    const areas = [{ start: 5 * MiB + 4096, length: 64 * 1024 }, { start: 12 * MiB, length: 6 * MiB + 512 }, { start: 12 * MiB + MiB, length: 512 }];
    try {
      const r = await copyChangedAreas({ source, target, areas, chunkSize: 2 * MiB });
      assert.equal(r.bytesRead, 64 * 1024 + 6 * MiB + 512);
      assert.equal(source.stats.bytesRead, 64 * 1024 + 6 * MiB + 512);
      assert.equal(r.bytesWritten, r.bytesRead, 'changed zeros are written too');
    } finally {
      await source.close();
      await target.close();
    }
    await assert.rejects(
      (async () => {
        const s2 = await serve();
        const src = await NbdSource.open('nbd', s2.socketPath, s2);
        const tg = await openTarget({ path: vol });
        try {
          await copyChangedAreas({ source: src, target: tg, areas: [{ start: size - 512, length: 1024 }] });
        } finally {
          await src.close();
          await tg.close();
        }
      })(),
      /outside the disk/,
    );
  });

  it('an abort mid-copy rejects promptly and leaves no process or socket behind', async () => {
    const server = await serve(['--filter=delay'], ['rdelay=200ms'], 'slow');
    const source = await NbdSource.open('nbd', server.socketPath, server);
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol3'), size) });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('cancelled by test')), 300);
    try {
      await assert.rejects(copyDisk({ source, target, allocated: [{ start: 0, length: size }], chunkSize: MiB, signal: ac.signal }), /cancelled by test/);
      assert.ok(Date.now() - started < 2000, 'prompt');
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(alive(server.pid), false);
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('osm-nbd-')), []);
  });

  it('times out a server that never listens, and kills it', async () => {
    const before = Date.now();
    await assert.rejects(
      startNbdServer({ command: 'sleep', name: 'never', baseDir: t.dir, readyTimeoutMs: 700, args: () => ['30'] }),
      /did not accept connections.*within 0.7 s/,
    );
    assert.ok(Date.now() - before < 5000);
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('osm-nbd-')), []);
  });

  it('reports why the server failed to start, with its own message', async () => {
    await assert.rejects(
      startNbdServer({ command: 'nbdkit', name: 'bad', baseDir: t.dir, args: (sock) => ['--foreground', '--unix', sock, 'file', join(t.dir, 'missing.img')] }),
      /nbdkit failed to start: exit code 1.*missing\.img/,
    );
    await assert.rejects(startNbdServer({ command: 'no-such-nbd-server', name: 'x', baseDir: t.dir, args: () => [] }), /install no-such-nbd-server/);
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('osm-nbd-')), []);
  });

  it('pipelines reads larger than the server maximum and rejects reads past the end', async () => {
    const server = await serve();
    const client = await NbdClient.connect({ socketPath: server.socketPath });
    try {
      const buf = Buffer.alloc(40 * MiB);
      await client.read(buf, 4 * MiB);
      const { readFileSync } = await import('node:fs');
      assert.ok(buf.equals(readFileSync(img).subarray(4 * MiB, 44 * MiB)));
      await assert.rejects(client.read(Buffer.alloc(1024), size - 512), /beyond the end/);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('after kill -9 of the migration: nbdkit and qemu-nbd exit with their parent, and the next start removes the left-over directories', async () => {
    const serverModule = new URL('../../src/transfer/nbd/server-process.js', import.meta.url).pathname;
    const owner = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { startNbdServer } from ${JSON.stringify(serverModule)};
const q = await startNbdServer({ command: 'qemu-nbd', name: 'q', baseDir: ${JSON.stringify(t.dir)}, args: (s) => ['--read-only', '--persistent', '--format=raw', '--socket=' + s, ${JSON.stringify(img)}] });
const k = await startNbdServer({ command: 'nbdkit', name: 'k', baseDir: ${JSON.stringify(t.dir)}, args: (s) => ['--readonly', '--exit-with-parent', '--foreground', '--unix', s, 'file', ${JSON.stringify(img)}] });
console.log(JSON.stringify({ q: q.pid, k: k.pid }));
setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const { q, k } = JSON.parse(await new Promise<string>((res) => createInterface({ input: owner.stdout! }).once('line', res))) as { q: number; k: number };
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    for (let i = 0; i < 40 && (alive(k) || alive(q)); i++) await sleep(50);
    assert.equal(alive(k), false, 'nbdkit exits with its parent');
    assert.equal(alive(q), false, 'qemu-nbd exits with its parent');
    assert.equal(readdirSync(t.dir).filter((f) => f.startsWith('osm-nbd-')).length, 2);
    const next = await startNbdServer({ command: 'nbdkit', name: 'n', baseDir: t.dir, args: (s) => ['--readonly', '--foreground', '--unix', s, 'file', img] });
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('osm-nbd-')), [next.socketPath.split('/').at(-2)]);
    await next.stop();
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('osm-nbd-')), []);
  });
});
