import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session } from '../../../src/openstack/auth.js';
import { resolveCloud } from '../../../src/openstack/cloud-config.js';
import { OpenStackApiError } from '../../../src/openstack/errors.js';
import { createVolume, deleteVolume, listVolumesByName, setBootable, waitForVolumeGone } from '../../../src/openstack/volume.js';
import { cloudDict, expectFail, labFacts, runModule, session } from './lab.js';

const PROJECT = 'osm-quota-test';

async function adminToken(): Promise<string> {
  const f = labFacts();
  const res = await fetch(`${f.auth_url}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: f.admin.password } } },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  assert.equal(res.status, 201);
  return res.headers.get('x-subject-token')!;
}

/** A project where user osm is a member and the quotas are tiny (created once, idempotently). */
async function quotaProject(): Promise<string> {
  const f = labFacts();
  const token = await adminToken();
  const h = { 'content-type': 'application/json', 'x-auth-token': token };
  const found = (await (await fetch(`${f.auth_url}/projects?name=${PROJECT}`, { headers: h })).json()) as { projects: Array<{ id: string }> };
  let id = found.projects[0]?.id;
  if (!id) {
    const res = await fetch(`${f.auth_url}/projects`, { method: 'POST', headers: h, body: JSON.stringify({ project: { name: PROJECT, domain_id: 'default' } }) });
    assert.equal(res.status, 201);
    id = ((await res.json()) as { project: { id: string } }).project.id;
  }
  const roles = (await (await fetch(`${f.auth_url}/roles?name=member`, { headers: h })).json()) as { roles: Array<{ id: string }> };
  const grant = await fetch(`${f.auth_url}/projects/${id}/users/${f.osm.user_id}/roles/${roles.roles[0]!.id}`, { method: 'PUT', headers: h });
  assert.ok(grant.ok);
  const admin = await session('admin');
  try {
    await admin.request('block-storage', 'set quotas', 'PUT', `/os-quota-sets/${id}`, { body: { quota_set: { volumes: 1, gigabytes: 1 } } });
    await admin.request('compute', 'set quotas', 'PUT', `/os-quota-sets/${id}`, { body: { quota_set: { instances: 0 } } });
    await admin.request('network', 'set quotas', 'PUT', `/quotas/${id}`, { body: { quota: { port: 0 } } });
  } finally {
    await admin.close();
  }
  return id;
}

test('quota exceeded: Cinder 413, Neutron and Nova quota errors are reported with the service, call and fault', async () => {
  const f = labFacts();
  const projectId = await quotaProject();
  const cloud = { ...cloudDict(), auth: { ...(cloudDict().auth as object), project_name: PROJECT, project_id: projectId } };
  const s = await Session.connect(resolveCloud(cloud));
  const wait = { timeoutMs: 120_000, intervalMs: 1000 };
  try {
    for (const v of await listVolumesByName(s, 'quota-a')) await deleteVolume(s, v.id);
    const a = await createVolume(s, { name: 'quota-a', sizeGiB: 1 }, wait);
    await setBootable(s, a.id, true);
    await assert.rejects(createVolume(s, { name: 'quota-b', sizeGiB: 1 }, wait), (e: unknown) => {
      assert.ok(e instanceof OpenStackApiError);
      assert.equal(e.status, 413);
      assert.match(e.message, /^block-storage: create volume quota-b \(1 GiB\) \(POST http:\S+\/volumes\) failed: HTTP 413 overLimit: .*(quota|Quota|exceeded)/);
      return true;
    });

    const dir = mkdtempSync(join(tmpdir(), 'osm-q-'));
    writeFileSync(join(dir, 'nics.json'), JSON.stringify([{ vlan: 'frontier-net', mac: 'fa:16:3e:00:00:77' }]));
    expectFail(
      await runModule('create_network_port', { cloud, os_migrate_nics_file_path: join(dir, 'nics.json'), vm_name: 'quota-vm', used_mapped_networks: true }),
      /network: create port quota-vm-NIC-0-VLAN-frontier-net .* HTTP 409 OverQuota: Quota exceeded for resources: \['port'\]/,
      'port quota',
    );
    // Nova counts the port it would create before instances: give ports room, keep instances at 0.
    const admin = await session('admin');
    try {
      await admin.request('network', 'set quotas', 'PUT', `/quotas/${projectId}`, { body: { quota: { port: -1 } } });
    } finally {
      await admin.close();
    }
    expectFail(
      await runModule('create_server', { cloud, name: 'quota-vm', flavor: 'm1.small-bfv', boot_volume: a.id, nics: [{ 'net-id': f.networks['frontier-net']!.id }] }),
      /compute: create server quota-vm .* HTTP (403|413) (forbidden|overLimit): Quota exceeded for instances/,
      'instance quota',
    );
    await deleteVolume(s, a.id);
    await waitForVolumeGone(s, a.id, wait);
  } finally {
    await s.close();
  }
});
