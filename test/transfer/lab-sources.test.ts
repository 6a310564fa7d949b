/**
 * Sources against the lab's vCenter simulator (lab/vsphere): its datastore HTTPS file access, its ESXi-like SSH
 * endpoint and its datastore directories mounted locally. Needs `lab/vsphere/up`; a missing lab fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { openHttpsSource } from '../../src/transfer/sources/https.js';
import { esxiDatastorePath, openSshSource } from '../../src/transfer/sources/ssh.js';
import { localDiskPath, openLocalSource } from '../../src/transfer/sources/local.js';
import { sha256OfSource } from '../../src/transfer/verify.js';
import type { DiskSource } from '../../src/transfer/types.js';

const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
const facts = z
  .object({
    host: z.string(),
    port: z.number(),
    thumbprint: z.string(),
    cert_path: z.string(),
    datacenter: z.string(),
    datastores: z.record(z.string(), z.string()),
    ssh: z.object({ host: z.string(), port: z.number(), user: z.string(), key_path: z.string(), known_hosts_path: z.string() }),
    vms: z.array(
      z.object({
        name: z.string(),
        disks: z.array(z.object({ datastore: z.string(), file_name: z.string(), capacity_bytes: z.number(), sha256: z.string() })),
      }),
    ),
  })
  .parse(JSON.parse(readFileSync(`${labDir}/vsphere.json`, 'utf8')));

/** SHA256 fingerprint of the host key in the lab's known_hosts. */
function hostKeyPin(): string {
  const line = readFileSync(facts.ssh.known_hosts_path, 'utf8').split('\n').find((l) => l.trim() && !l.startsWith('#'))!;
  return `SHA256:${createHash('sha256').update(Buffer.from(line.trim().split(/\s+/)[2]!, 'base64')).digest('base64')}`;
}

function datastoreUrl(fileName: string): string {
  const m = /^\[([^\]]+)\]\s*(.+)$/.exec(fileName)!;
  const path = m[2]!.split('/').map(encodeURIComponent).join('/');
  return `https://${facts.host}:${facts.port}/folder/${path}?dcPath=${encodeURIComponent(facts.datacenter)}&dsName=${encodeURIComponent(m[1]!)}`;
}

async function checkDisk(open: () => Promise<DiskSource>, disk: { capacity_bytes: number; sha256: string }): Promise<void> {
  const source = await open();
  try {
    assert.equal(source.size, disk.capacity_bytes);
    assert.equal(await sha256OfSource(source), disk.sha256);
  } finally {
    await source.close();
  }
}

const disks = facts.vms.flatMap((vm) => vm.disks.map((d) => ({ vm: vm.name, ...d })));
const picked = disks.filter((d) => ['osm-single', 'osm-multidisk', 'osm ñame é spaces'].includes(d.vm));

describe('sources against the lab vCenter simulator', () => {
  it('has test disks in its facts', () => assert.ok(picked.length >= 4));

  for (const d of picked) {
    it(`https: ${d.file_name} reads back with the facts' SHA-256 (CA trust and thumbprint pin)`, async () => {
      await checkDisk(() => openHttpsSource({ url: datastoreUrl(d.file_name), tls: { ca: readFileSync(facts.cert_path) } }), d);
      await checkDisk(() => openHttpsSource({ url: datastoreUrl(d.file_name), tls: { thumbprint: facts.thumbprint }, connections: 2 }), d);
    });

    it(`ssh: ${d.file_name} over SFTP with the pinned host key`, async () => {
      await checkDisk(
        () =>
          openSshSource({
            host: facts.ssh.host,
            port: facts.ssh.port,
            username: facts.ssh.user,
            privateKey: readFileSync(facts.ssh.key_path),
            hostKeySha256: hostKeyPin(),
            path: esxiDatastorePath(d.file_name),
            connections: 2,
          }),
        d,
      );
    });

    it(`local: ${d.file_name} from the datastore directory`, async () => {
      await checkDisk(() => openLocalSource({ path: localDiskPath(facts.datastores[d.datastore]!, d.file_name), name: 'lab' }), d);
    });
  }
});
