import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openHttpsSource } from '../../src/transfer/sources/https.js';
import { openTarget } from '../../src/transfer/target.js';
import { copyDisk } from '../../src/transfer/copy.js';
import { copyChangedAreas } from '../../src/transfer/delta.js';
import { fileAllocation } from '../../src/transfer/sources/local.js';
import { sha256OfSource } from '../../src/transfer/verify.js';
import { MiB, makeEmptyTarget, makeFlatVmdk, makeSparseImage, sha256File, tempDir } from './fixtures.js';
import { startDatastoreServer, type DatastoreServer } from './servers.js';

describe('https source (datastore file access)', () => {
  const t = tempDir('https');
  const size = 48 * MiB;
  const raw = join(t.dir, 'src.raw');
  const cookie = 'vmware_soap_session="52c1-test-session"';
  let srv: DatastoreServer;
  before(async () => {
    makeSparseImage(raw, size, [{ start: 0, length: 2 * MiB }, { start: 20 * MiB, length: 5 * MiB + 512 }]);
    mkdirSync(join(t.dir, 'ds', 'vm-1'), { recursive: true });
    makeFlatVmdk(raw, join(t.dir, 'ds', 'vm-1'), 'vm-1');
    srv = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: t.dir, cookie });
  });
  after(async () => {
    await srv.close();
    t.cleanup();
  });

  it('copies the disk through ranged GETs with the session cookie and a CA, identical to the source', async () => {
    const source = await openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie, tls: { ca: srv.cert.cert }, connections: 4 });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol1'), size) });
    try {
      assert.equal(source.size, size);
      const r = await copyDisk({ source, target, assumeZero: true });
      assert.equal(r.bytesRead, size, 'without an allocation map the whole disk is read');
      assert.equal(r.bytesSkipped, size - 12 * MiB, 'zero chunks are not written to a zeroed target');
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol1')), sha256File(raw));
  });

  it('reads only the allocated ranges when given them (QueryChangedDiskAreas with changeId "*")', async () => {
    const allocated = await fileAllocation(raw);
    const source = await openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie, tls: { thumbprint: srv.cert.sha1 } });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol2'), size) });
    const servedBefore = srv.bytesServed;
    try {
      const r = await copyDisk({ source, target, assumeZero: true, allocated, hashSource: true });
      assert.equal(r.sourceSha256, sha256File(raw));
      const expected = allocated.reduce((s, a) => s + a.length, 0);
      assert.equal(r.bytesRead, expected);
      assert.ok(srv.bytesServed - servedBefore <= expected + 64 * 1024, `served ${srv.bytesServed - servedBefore} for ${expected}`);
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol2')), sha256File(raw));
  });

  it('a CBT delta fetches exactly the changed bytes from the server (pinned by SHA-256)', async () => {
    const areas = [{ start: 3 * MiB, length: 65536 }, { start: 21 * MiB + 512, length: 3 * MiB }];
    const vol = makeEmptyTarget(join(t.dir, 'vol3'), size);
    const source = await openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie, tls: { thumbprint: srv.cert.sha256 } });
    const target = await openTarget({ path: vol });
    const servedBefore = srv.bytesServed;
    try {
      const r = await copyChangedAreas({ source, target, areas });
      assert.equal(r.bytesRead, 65536 + 3 * MiB);
      assert.equal(srv.bytesServed - servedBefore, 65536 + 3 * MiB);
      assert.equal(r.bytesWritten, 65536 + 3 * MiB);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it('retries reads the network dropped, and still copies identical bytes', async () => {
    mkdirSync(join(t.dir, 'flaky'));
    const flaky = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: join(t.dir, 'flaky'), cookie, dropRangedGets: 2 });
    const source = await openHttpsSource({ url: flaky.url('vm-1/vm-1.vmdk'), cookie, tls: { insecure: true }, connections: 2 });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol4'), size) });
    try {
      await copyDisk({ source, target, assumeZero: true });
      assert.equal(source.stats.requests, size / (4 * MiB) + 2);
    } finally {
      await source.close();
      await target.close();
      await flaky.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol4')), sha256File(raw));
  });

  it('copies from a server that closes the connection after every response (Connection: close)', async () => {
    mkdirSync(join(t.dir, 'closing'));
    const closing = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: join(t.dir, 'closing'), cookie, connectionClose: true });
    const source = await openHttpsSource({ url: closing.url('vm-1/vm-1.vmdk'), cookie, tls: { insecure: true }, connections: 2 });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol6'), size) });
    try {
      await copyDisk({ source, target, assumeZero: true });
      assert.equal(source.stats.requests, size / (4 * MiB), 'no read failed and was retried');
    } finally {
      await source.close();
      await target.close();
      await closing.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol6')), sha256File(raw));
  });

  it('a session expiring mid-copy fails with the log-in hint (answers other than a plain 206 go through undici)', async () => {
    mkdirSync(join(t.dir, 'expiring'));
    const expiring = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: join(t.dir, 'expiring'), cookie });
    const source = await openHttpsSource({ url: expiring.url('vm-1/vm-1.vmdk'), cookie, tls: { insecure: true } });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol5'), size) });
    try {
      await source.read(Buffer.alloc(MiB), 0);
      expiring.expireSession();
      await assert.rejects(copyDisk({ source, target, assumeZero: true }), /HTTP 401.*log in again/);
    } finally {
      await source.close();
      await target.close();
      await expiring.close();
    }
  });

  it('refuses a certificate that matches neither the CA store nor the pin, before sending the cookie', async () => {
    const requests = srv.requests;
    await assert.rejects(openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie }), /certificate|self.signed/i);
    for (const pin of [srv.cert.sha1, srv.cert.sha256]) {
      await assert.rejects(
        openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie, tls: { thumbprint: wrongPin(pin) } }),
        new RegExp(`thumbprint ${pin} but ${wrongPin(pin)} was expected; nothing was sent`),
      );
    }
    assert.equal(srv.requests, requests);
  });

  it('asks for a cookie per request when given a function (one-time tickets): GET for the descriptor and the data, HEAD for the extent', async () => {
    const calls: string[] = [];
    const perRequest = async (method: 'GET' | 'HEAD', url: URL): Promise<string> => {
      calls.push(`${method} ${decodeURIComponent(url.pathname)}`);
      return cookie;
    };
    const source = await openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie: perRequest, tls: { insecure: true } });
    try {
      assert.equal(await sha256OfSource(source), sha256File(raw));
    } finally {
      await source.close();
    }
    assert.deepEqual(calls.slice(0, 2), ['GET /folder/vm-1/vm-1.vmdk', 'HEAD /folder/vm-1/vm-1-flat.vmdk']);
    assert.equal(calls.length, 2 + source.stats.requests, 'one cookie for each request');
    assert.ok(calls.slice(2).every((c) => c === 'GET /folder/vm-1/vm-1-flat.vmdk'));
  });

  it('says what to do when the cookie is rejected or the path is wrong', async () => {
    await assert.rejects(openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie: 'x=1', tls: { insecure: true } }), /HTTP 401.*log in again/);
    await assert.rejects(openHttpsSource({ url: srv.url('vm-2/vm-2.vmdk'), cookie, tls: { insecure: true } }), /HTTP 404.*datastore path/);
  });
});

/** The same fingerprint with its first byte changed. */
function wrongPin(fp: string): string {
  return (fp.startsWith('AA') ? 'BB' : 'AA') + fp.slice(2);
}
