// The https source's choice of path (migrate-source-https.ts): straight from the ESXi host, or through vCenter and
// why, decided on real failures of real servers (refused port, untrusted certificate, wrong pin, HTTP 401/404), and
// the TLS policy the host is checked with.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openHttpsSource } from '../../src/transfer/sources/https.js';
import { ConnectionError, VSphereError } from '../../src/vmware/faults.js';
import { hostTls, httpsPath } from '../../src/workflow/migrate-source-https.js';
import { MiB, makeFlatVmdk, makeSparseImage, tempDir } from '../transfer/fixtures.js';
import { type DatastoreServer, freePort, startDatastoreServer } from '../transfer/servers.js';

const on = { viaHost: true, hostPort: 443 };
const vc = { settings: on, apiType: 'VirtualCenter' };

/** What opening the https source fails with. */
async function failureOf(open: () => Promise<{ close(): Promise<void> }>): Promise<unknown> {
  try {
    await (await open()).close();
  } catch (e) {
    return e;
  }
  assert.fail('the source opened');
}

describe('httpsPath: the ESXi host or vCenter', () => {
  const t = tempDir('https-path');
  const cookie = 'vmware_cgi_ticket=52-test';
  let srv: DatastoreServer;
  before(async () => {
    const raw = join(t.dir, 'src.raw');
    makeSparseImage(raw, 4 * MiB, [{ start: 0, length: MiB }]);
    mkdirSync(join(t.dir, 'ds', 'vm-1'), { recursive: true });
    makeFlatVmdk(raw, join(t.dir, 'ds', 'vm-1'), 'vm-1');
    mkdirSync(join(t.dir, 'ds', 'vm-sparse'));
    writeFileSync(join(t.dir, 'ds', 'vm-sparse', 'vm-sparse.vmdk'), Buffer.concat([Buffer.from('KDMV'), Buffer.alloc(508)]));
    srv = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: t.dir, cookie });
  });
  after(async () => {
    await srv.close();
    t.cleanup();
  });

  it('tries the host on a vCenter unless told not to; an ESXi server is its own host', () => {
    assert.deepEqual(httpsPath(vc), { path: 'esxi host' });
    assert.deepEqual(httpsPath({ ...vc, settings: { ...on, viaHost: false } }), { path: 'vcenter', reason: 'https_via_esxi is false' });
    assert.deepEqual(httpsPath({ ...vc, apiType: 'HostAgent' }), {
      path: 'vcenter',
      reason: 'vcenter_hostname is an ESXi host, which serves its own datastores',
    });
  });

  it('falls back when the host refuses the connection', async () => {
    const port = await freePort();
    const e = await failureOf(() => openHttpsSource({ url: `https://127.0.0.1:${port}/folder/vm-1/vm-1.vmdk?dsName=LocalDS_0`, cookie, tls: { insecure: true } }));
    const r = httpsPath({ ...vc, hostFailure: e });
    assert.equal(r.path, 'vcenter');
    assert.match((r as { reason: string }).reason, /ECONNREFUSED/);
  });

  it('falls back when the host does not answer within the connect timeout', async () => {
    // A port that takes the TCP connection but never answers the TLS handshake: a host behind a black hole.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const e = await failureOf(() => openHttpsSource({ url: `https://127.0.0.1:${port}/folder/vm-1/vm-1.vmdk`, cookie, connectTimeoutMs: 300 }));
      assert.ok(Date.now() - started < 5000, 'the connect timeout applies');
      const r = httpsPath({ ...vc, hostFailure: e });
      assert.equal(r.path, 'vcenter');
      assert.match((r as { reason: string }).reason, /UND_ERR_CONNECT_TIMEOUT/);
    } finally {
      silent.close();
    }
  });

  it('falls back when the host certificate is not trusted or not the pinned one', async () => {
    const untrusted = await failureOf(() => openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie }));
    assert.match((httpsPath({ ...vc, hostFailure: untrusted }) as { reason: string }).reason, /certificate|SELF_SIGNED/i);
    const pin = (srv.cert.sha1.startsWith('AA') ? 'BB' : 'AA') + srv.cert.sha1.slice(2);
    const mismatch = await failureOf(() => openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie, tls: { thumbprint: pin } }));
    assert.match((httpsPath({ ...vc, hostFailure: mismatch }) as { reason: string }).reason, /thumbprint .* was expected/);
  });

  it('falls back when the host refuses the ticket (401) or has no such file (404)', async () => {
    const refused = await failureOf(() => openHttpsSource({ url: srv.url('vm-1/vm-1.vmdk'), cookie: 'vmware_cgi_ticket=used', tls: { insecure: true } }));
    assert.match((httpsPath({ ...vc, hostFailure: refused }) as { reason: string }).reason, /HTTP 401/);
    const missing = await failureOf(() => openHttpsSource({ url: srv.url('vm-2/vm-2.vmdk'), cookie, tls: { insecure: true } }));
    assert.match((httpsPath({ ...vc, hostFailure: missing }) as { reason: string }).reason, /HTTP 404/);
  });

  it('falls back when vCenter gives no ticket or host', () => {
    const e = new VSphereError('AcquireGenericServiceTicket(SessionManager) failed on vc:443: NotSupported [NotSupported]', 'NotSupported');
    assert.match((httpsPath({ ...vc, hostFailure: e }) as { reason: string }).reason, /^no ticket or host from vCenter: .*NotSupported/);
    assert.equal(httpsPath({ ...vc, hostFailure: new ConnectionError('cannot reach', undefined) }).path, 'vcenter');
  });

  it('throws what the vCenter path would fail on as well: a disk the https source cannot read, a cancelled run', async () => {
    const sparse = await failureOf(() => openHttpsSource({ url: srv.url('vm-sparse/vm-sparse.vmdk'), cookie, tls: { insecure: true } }));
    assert.throws(() => httpsPath({ ...vc, hostFailure: sparse }), /sparse VMDK/);
    const abort = new AbortController();
    abort.abort();
    assert.throws(() => httpsPath({ ...vc, hostFailure: abort.signal.reason }), { name: 'AbortError' });
  });
});

describe('hostTls: the ESXi host checked as vCenter is', () => {
  const endpoint = { server: 'vc:443', user: 'u', password: 'p', insecure: false };
  const thumb = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01';
  const ca = Buffer.from('-----BEGIN CERTIFICATE-----');

  it('pins the thumbprint vCenter reports for the host when the user pinned vCenter', () => {
    assert.deepEqual(hostTls({ ...endpoint, thumbprint: '11'.repeat(20) }, undefined, thumb.toLowerCase()), { thumbprint: thumb });
  });

  it('verifies by CA without a pin from the user, or when vCenter reports no host thumbprint', () => {
    assert.deepEqual(hostTls({ ...endpoint, caFile: '/ca.pem' }, ca, thumb), { ca });
    assert.deepEqual(hostTls(endpoint, undefined, thumb), {});
    assert.deepEqual(hostTls({ ...endpoint, thumbprint: '11'.repeat(20) }, undefined, undefined), {});
  });

  it('skips verification only when the user opted out', () => {
    assert.deepEqual(hostTls({ ...endpoint, insecure: true }, ca, thumb), { insecure: true });
  });
});
