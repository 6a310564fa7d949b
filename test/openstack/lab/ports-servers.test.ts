import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Session } from '../../../src/openstack/auth.js';
import { findServersByName, getServer } from '../../../src/openstack/servers.js';
import { listVolumeAttachments } from '../../../src/openstack/volume-attachments.js';
import { OpenStackApiError } from '../../../src/openstack/errors.js';
import { createPort, getPort, listPorts } from '../../../src/openstack/network.js';
import { createVolume, getVolume, setBootable } from '../../../src/openstack/volume.js';
import { safeVmName } from '../../../src/util/names.js';
import { deleteToolPort, deleteToolServer, deleteToolVolume } from '../../../src/workflow/teardown.js';
import { cloudDict, expectFail, expectOk, labFacts, runModule, session, uniqueName } from './lab.js';

const wait = { timeoutMs: 120_000, intervalMs: 1000 };

function nicsFile(nics: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'osm-nics-'));
  const path = join(dir, 'nics.json');
  writeFileSync(path, JSON.stringify(nics));
  return path;
}

/** A locally administered MAC unique to this run. */
function mac(n: number): string {
  const r = (process.pid * 7919 + Date.now()) % 0xffffff;
  return `fa:16:3e:${((r >> 16) & 0xff).toString(16).padStart(2, '0')}:${((r >> 8) & 0xff).toString(16).padStart(2, '0')}:${((r + n) & 0xff).toString(16).padStart(2, '0')}`;
}

async function migratedVolume(s: Session, name: string, bootable: boolean): Promise<string> {
  const v = await createVolume(s, { name, sizeGiB: 1, metadata: { converted: 'true' } }, wait);
  if (bootable) await setBootable(s, v.id, true);
  return v.id;
}

test('ports, server and teardown: idempotent reruns, check mode, markers, errors', async () => {
  const f = labFacts();
  const vm = uniqueName('osm test.vm');
  const safe = safeVmName(vm);
  const s = await session();
  try {
    const macs = [mac(1), mac(2)];
    const nics = nicsFile([
      { vlan: 'frontier-net', mac: macs[0], ipaddresses: ['192.168.50.201', 'fe80::1'], subnet: '' },
      { vlan: f.networks['frontier-net']!.id, mac: macs[1], ipaddresses: null },
    ]);
    const portArgs = { cloud: cloudDict(), os_migrate_nics_file_path: nics, vm_name: vm, used_mapped_networks: true, security_groups: ['osm-sg'], use_fixed_ips: true };

    // Check mode creates nothing.
    const check = expectOk(await runModule('create_network_port', portArgs, { check: true }), 'ports check');
    assert.equal(check.changed, true);
    assert.deepEqual(check.ports, [{ 'port-id': null }, { 'port-id': null }]);
    assert.equal((await listPorts(s, { mac_address: macs[0]! })).length, 0);

    const created = expectOk(await runModule('create_network_port', portArgs), 'ports');
    assert.equal(created.changed, true);
    const ports = (created.ports as Array<{ 'port-id': string }>).map((p) => p['port-id']);
    assert.equal(ports.length, 2);
    const p0 = (await getPort(s, ports[0]!))!;
    assert.equal(p0.mac_address, macs[0]);
    assert.equal(p0.name, `${safe}-NIC-0-VLAN-frontier-net`);
    assert.match(p0.description ?? '', /^osm=true /);
    assert.deepEqual(p0.fixed_ips.map((x) => x.ip_address), ['192.168.50.201']);
    assert.deepEqual(p0.security_groups, [f.security_groups['osm-sg']]);

    const again = expectOk(await runModule('create_network_port', portArgs), 'ports rerun');
    assert.equal(again.changed, false);
    assert.deepEqual((again.ports as Array<{ 'port-id': string }>).map((p) => p['port-id']), ports);
    assert.equal((await listPorts(s, { mac_address: macs[0]! })).length, 1, 'a rerun created a second port');

    expectFail(
      await runModule('create_network_port', { ...portArgs, os_migrate_nics_file_path: nicsFile([{ vlan: 'no-such-net', mac: mac(9) }]) }),
      /network 'no-such-net' not found/,
      'unknown network',
    );
    expectFail(await runModule('create_network_port', { ...portArgs, security_groups: ['no-such-sg'] }), /security group 'no-such-sg' not found/, 'unknown sg');

    // Volumes as migrate leaves them, then the server.
    const boot = await migratedVolume(s, `${safe}-2000`, true);
    const data = await migratedVolume(s, `${safe}-2001`, false);
    const serverArgs = {
      cloud: cloudDict(),
      name: vm,
      flavor: 'm2.medium-bfv',
      boot_volume: boot,
      volumes: [data, ''],
      nics: ports.map((id) => ({ 'port-id': id })),
      security_groups: ['osm-sg'],
      key_name: f.keypair.name,
      user_data: '#cloud-config\nhostname: migrated\n',
      timeout: 300,
    };
    expectFail(await runModule('create_server', { ...serverArgs, flavor: 'no-such-flavor' }), /flavor 'no-such-flavor' not found/, 'unknown flavor');
    expectFail(await runModule('create_server', { ...serverArgs, key_name: 'no-such-key' }), /key pair 'no-such-key' not found/, 'unknown key');
    expectFail(await runModule('create_server', { ...serverArgs, security_groups: ['no-such-sg'] }), /security group 'no-such-sg' not found/, 'unknown sg');
    expectFail(await runModule('create_server', { ...serverArgs, boot_volume: data, volumes: [] }), /Volume is not bootable/, 'non-bootable boot volume');
    const sCheck = expectOk(await runModule('create_server', serverArgs, { check: true }), 'server check');
    assert.equal(sCheck.changed, true);
    assert.equal((await findServersByName(s, safe)).length, 0, 'check mode created a server');

    const t0 = Date.now();
    const srv = expectOk(await runModule('create_server', serverArgs), 'server');
    const bootSeconds = (Date.now() - t0) / 1000;
    assert.equal(srv.changed, true);
    assert.equal((srv.server as { status: string }).status, 'ACTIVE');
    const id = srv.id as string;
    const server = (await getServer(s, id))!;
    assert.equal(server.name, safe);
    assert.equal(server.metadata?.osm, 'true');
    assert.equal(server.key_name, f.keypair.name);
    assert.deepEqual((await listVolumeAttachments(s, id)).map((a) => a.volumeId).sort(), [boot, data].sort());
    const srvAgain = expectOk(await runModule('create_server', serverArgs), 'server rerun');
    assert.equal(srvAgain.changed, false);
    assert.equal(srvAgain.id, id);
    assert.equal((await findServersByName(s, safe)).length, 1);
    console.error(`create_server to ACTIVE: ${bootSeconds.toFixed(1)} s`);

    const info = expectOk(await runModule('volume_info', { cloud: cloudDict(), name: `${safe}-2000` }), 'volume_info');
    assert.deepEqual((info.volumes as Array<{ id: string; bootable: string; owned: boolean }>).map((v) => [v.id, v.bootable, v.owned]), [[boot, 'true', true]]);
    const md = expectOk(await runModule('volume_metadata_info', { dst_cloud: cloudDict(), volume_id: boot }), 'volume_metadata_info');
    assert.equal(md.converted, true);
    assert.equal((md.metadata as Record<string, string>).osm, 'true');
    expectFail(await runModule('volume_info', { cloud: cloudDict(), name: `${safe}-9999` }), /volume not found/, 'volume not found');

    // Teardown in the role's order; each step twice.
    for (const [module, name] of [
      ['delete_server', id],
      ['delete_volume', boot],
      ['delete_volume', `${safe}-2001`],
      ['delete_port', ports[0]!],
      ['delete_port', `${safe}-NIC-1-VLAN-${f.networks['frontier-net']!.id}`],
    ] as const) {
      assert.equal(expectOk(await runModule(module, { cloud: cloudDict(), name }, { check: true }), `${module} check`).changed, true);
      assert.equal(expectOk(await runModule(module, { cloud: cloudDict(), name }), module).changed, true, `${module} ${name}`);
      assert.equal(expectOk(await runModule(module, { cloud: cloudDict(), name }), `${module} again`).changed, false, `${module} ${name} again`);
    }
    assert.equal(await getServer(s, id), undefined);
    assert.equal(await getVolume(s, boot), undefined);
    assert.equal(await getPort(s, ports[1]!), undefined);
  } finally {
    // Whatever failed above, leave the lab as it was (only the tool's objects of this run are touched).
    const req = (name: string) => ({ name, wait: true, waitOpts: { timeoutMs: 120_000, intervalMs: 1000 }, checkMode: false });
    await deleteToolServer(s, req(safe)).catch(() => undefined);
    for (const v of [`${safe}-2000`, `${safe}-2001`]) await deleteToolVolume(s, req(v)).catch(() => undefined);
    for (const p of await listPorts(s, { project_id: s.projectId })) if (p.name.startsWith(`${safe}-NIC-`)) await deleteToolPort(s, req(p.id)).catch(() => undefined);
    await s.close();
  }
});

test('the foreign tenant\'s server ffp-vdi-01, its volume and port are never modified, even when names collide', async () => {
  const f = labFacts();
  const foreign = f.foreign;
  const admin = await session('admin');
  const osm = await session('osm');
  const snapshot = async () => {
    const srv = (await getServer(admin, foreign.server_id))!;
    const vol = (await admin.request('block-storage', 'get foreign volume', 'GET', `/volumes/${foreign.volume_id}`)).body as { volume: Record<string, unknown> };
    const port = (await getPort(admin, foreign.port_id))!;
    return {
      server: [srv.status, srv.name, JSON.stringify(srv.metadata), (srv as Record<string, unknown>).updated],
      volume: [vol.volume.status, vol.volume.name, JSON.stringify(vol.volume.metadata), vol.volume.updated_at],
      port: [port.name, port.mac_address, port.device_id, JSON.stringify(port.fixed_ips), (port as Record<string, unknown>).revision_number],
    };
  };
  try {
    const before = await snapshot();
    const cloud = cloudDict();
    // Teardown by the foreign names and IDs: refused or not found, never deleted.
    expectOk(await runModule('delete_server', { cloud, name: foreign.server_name }), 'delete_server by name (other project: not visible)');
    expectFail(await runModule('delete_server', { cloud, name: foreign.server_id }), /refusing to delete server/, 'delete_server by id');
    expectFail(await runModule('delete_volume', { cloud, name: foreign.volume_id }), /refusing to delete volume/, 'delete_volume by id');
    expectFail(await runModule('delete_port', { cloud, name: foreign.port_id }), /refusing to delete port/, 'delete_port by id');
    expectOk(await runModule('delete_port', { cloud, name: `${foreign.server_name}-port` }), 'delete_port by name (other project)');

    // A migrated VM with the same name and the foreign port's MAC: the MAC is refused, naming the owner.
    const foreignPort = (await getPort(admin, foreign.port_id))!;
    const nics = nicsFile([{ vlan: 'frontier-net', mac: foreignPort.mac_address }]);
    const r = await runModule('create_network_port', { cloud, os_migrate_nics_file_path: nics, vm_name: foreign.server_name, used_mapped_networks: true });
    expectFail(r, new RegExp(`MAC ${foreignPort.mac_address} is already used on network frontier-net .* by port ${foreign.port_id} 'ffp-vdi-01-port' of project ${foreign.project_id}, attached to compute:\\S* ${foreign.server_id}, which this tool did not create`), 'foreign MAC');
    // Neutron itself answers 409 MacAddressInUse for that MAC (what a project that cannot see the holder gets).
    await assert.rejects(
      createPort(osm, { name: 'osm-test-dup-mac', networkId: f.networks['frontier-net']!.id, macAddress: foreignPort.mac_address }),
      (e: unknown) => e instanceof OpenStackApiError && e.status === 409 && e.faultType === 'MacAddressInUse',
    );

    // Volume lookups by the foreign volume's name find nothing in our project.
    expectFail(await runModule('volume_info', { cloud, name: `${foreign.server_name}-root` }), /volume not found/, 'foreign volume name');

    assert.deepEqual(await snapshot(), before, 'a foreign resource was modified');
  } finally {
    await admin.close();
    await osm.close();
  }
});
