// disk_source https straight from the ESXi host against the lab simulator: each HostSystem reports a management
// address where the host serves its datastores for vCenter tickets only (one-time, bound to a URL and a method).
// The disk is read from the VM's host when its certificate is trusted as vCenter's is, and through vCenter, saying
// why, when the host cannot be reached or trusted. Needs the lab (lab/vsphere with ESXi hosts).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sha256OfSource } from '../../src/transfer/verify.js';
import { datastoreUrl, parseDatastorePath } from '../../src/vmware/datastore.js';
import { TicketSupply, acquireHttpTicket, vmHost } from '../../src/vmware/service-ticket.js';
import { type VSphereSession, withSession } from '../../src/vmware/session.js';
import type { VmwareEndpoint } from '../../src/workflow/migrate-request.js';
import { openHttpsDisk } from '../../src/workflow/migrate-source-https.js';
import { tempDir } from '../transfer/fixtures.js';
import { freePort } from '../transfer/servers.js';
import { request, vmFacts, vsphere } from './migrate-lab.js';

const VM = 'osm-multidisk';
const v = vsphere();

function esxiHost(): { name: string; address: string; port: number; cert_path: string } {
  const host = v.esxi_hosts?.find((h) => h.name === vmFacts(VM).host.split('/').pop());
  assert.ok(host, `the lab facts list the ESXi host of ${VM} (${vmFacts(VM).host}) under esxi_hosts: restart the lab with this simulator`);
  return host;
}

const pinned: VmwareEndpoint = { server: `${v.host}:${v.port}`, user: v.user, password: v.password, insecure: false, thumbprint: v.thumbprint };
const caOnly: VmwareEndpoint = { ...pinned, thumbprint: undefined, caFile: v.cert_path };

function session<T>(endpoint: VmwareEndpoint, fn: (s: VSphereSession) => Promise<T>): Promise<T> {
  return withSession(
    {
      host: endpoint.server,
      username: endpoint.user,
      password: endpoint.password,
      ...(endpoint.thumbprint ? { thumbprint: endpoint.thumbprint } : {}),
      ...(endpoint.caFile ? { caFile: endpoint.caFile } : {}),
    },
    fn,
  );
}

/** Open and read every disk of the VM over https; the path each took and the log lines. */
async function readDisks(endpoint: VmwareEndpoint, https = { viaHost: true, hostPort: esxiHost().port }) {
  return session(endpoint, async (s) => {
    const out: { path: string; server: string; reason?: string | undefined; lines: string[] }[] = [];
    for (const d of vmFacts(VM).disks) {
      const lines: string[] = [];
      const { source, path } = await openHttpsDisk({
        settings: { ...request(VM).source, kind: 'https', https },
        endpoint,
        session: s,
        datacenter: 'DC0',
        vmMoid: vmFacts(VM).moid,
        fileName: d.file_name,
        onOutput: (l) => lines.push(l),
        signal: new AbortController().signal,
      });
      try {
        assert.equal(await sha256OfSource(source), d.sha256, `${d.file_name} reads back with its SHA-256 over ${path.path}`);
      } finally {
        await source.close();
      }
      out.push({ ...path, lines });
    }
    return out;
  });
}

/** One raw request to the host, with the cookie given; status and body length. */
function hostGet(url: string, method: 'GET' | 'HEAD', cookie?: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method, ca: readFileSync(esxiHost().cert_path), headers: { ...(method === 'GET' ? { range: 'bytes=0-1023' } : {}), ...(cookie ? { cookie } : {}) } },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('https straight from the ESXi host (lab)', { timeout: 300_000 }, () => {
  it('vCenter names the host of the VM at its management address', async () => {
    const host = esxiHost();
    const found = await session(pinned, (s) => vmHost(s, vmFacts(VM).moid));
    assert.deepEqual([found.name, found.address], [host.name, host.address]);
  });

  it('with vCenter pinned, each disk comes from the VM host (its thumbprint pinned from the ticket), bytes equal', async () => {
    const host = esxiHost();
    const server = `${host.address}:${host.port}`;
    for (const d of await readDisks(pinned)) {
      assert.deepEqual([d.path, d.server, d.reason], ['esxi host', server, undefined]);
      assert.match(d.lines.join('\n'), new RegExp(`reading straight from ESXi host ${host.name} at ${server.replace(/\./g, '\\.')}, with a ticket from vCenter per request`));
    }
  });

  it('with a CA file, the host is verified against it: trusted, read from the host; not trusted, read through vCenter and said why', async () => {
    const t = tempDir('esxi-ca');
    try {
      const bundle = join(t.dir, 'bundle.pem');
      writeFileSync(bundle, Buffer.concat([readFileSync(v.cert_path), readFileSync(esxiHost().cert_path)]));
      for (const d of await readDisks({ ...caOnly, caFile: bundle })) assert.equal(d.path, 'esxi host');
    } finally {
      t.cleanup();
    }
    for (const d of await readDisks(caOnly)) {
      assert.deepEqual([d.path, d.server], ['vcenter', `${v.host}:${v.port}`]);
      assert.match(d.reason ?? '', /certificate|SELF_SIGNED/i);
      assert.match(d.lines.join('\n'), /not read from the ESXi host \(.*\); reading through vCenter 127\.0\.0\.1:\d+ instead/);
    }
  });

  it('a host that is not reachable: read through vCenter, and the log and the path say so', async () => {
    const closed = await freePort();
    for (const d of await readDisks(pinned, { viaHost: true, hostPort: closed })) {
      assert.equal(d.path, 'vcenter');
      assert.match(d.reason ?? '', /ECONNREFUSED/);
      assert.match(d.lines.join('\n'), /not read from the ESXi host .*ECONNREFUSED.*reading through vCenter/);
    }
    for (const d of await readDisks(pinned, { viaHost: false, hostPort: 443 })) assert.deepEqual([d.path, d.reason], ['vcenter', 'https_via_esxi is false']);
  });

  it('the host serves a request only with a ticket vCenter issued for that URL and method, once', async () => {
    const host = esxiHost();
    const server = `${host.address}:${host.port}`;
    const [first, second] = vmFacts(VM).disks.map((d) => {
      const file = parseDatastorePath(d.file_name.replace(/\.vmdk$/, '-flat.vmdk'), 'ha-datacenter');
      return datastoreUrl(server, file);
    }) as [string, string];
    assert.equal((await hostGet(first, 'GET')).status, 401, 'no ticket');
    assert.equal((await hostGet(first, 'GET', 'vmware_cgi_ticket=made-up')).status, 403, 'a ticket vCenter did not issue');
    await session(pinned, async (s) => {
      const ticket = async (method: 'GET' | 'HEAD', url: string) => `vmware_cgi_ticket=${(await acquireHttpTicket(s, method, url)).id}`;
      assert.equal((await hostGet(second, 'GET', await ticket('GET', first))).status, 403, 'a ticket for another file');
      assert.equal((await hostGet(first, 'GET', await ticket('HEAD', first))).status, 403, 'a ticket for another method');
      const good = await ticket('GET', first);
      assert.deepEqual(await hostGet(first, 'GET', good), { status: 206, bytes: 1024 }, 'the ticket for this GET');
      assert.equal((await hostGet(first, 'GET', good)).status, 403, 'a ticket is good once');
      assert.equal((await hostGet(first, 'HEAD', await ticket('HEAD', first))).status, 200, 'HEAD with its own ticket');
      const issued = await acquireHttpTicket(s, 'GET', first);
      assert.equal(issued.hostName, host.address);
      assert.match(issued.sslThumbprint ?? '', /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    });
  });

  it('tickets asked for ahead are distinct, each good for its one request', async () => {
    const host = esxiHost();
    const url = datastoreUrl(`${host.address}:${host.port}`, parseDatastorePath(vmFacts(VM).disks[0]!.file_name, 'ha-datacenter'));
    await session(pinned, async (s) => {
      const supply = new TicketSupply(s, 3);
      const cookies = [];
      for (let i = 0; i < 5; i++) cookies.push(await supply.cookie('GET', url));
      assert.equal(new Set(cookies).size, 5);
      for (const c of cookies) assert.equal((await hostGet(url, 'GET', c)).status, 206, c);
      for (const c of cookies) assert.equal((await hostGet(url, 'GET', c)).status, 403, 'used');
    });
  });
});
