import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Session } from '../../../src/openstack/auth.js';
import { getFlavor } from '../../../src/openstack/flavors.js';
import { getServer } from '../../../src/openstack/servers.js';
import { getPort } from '../../../src/openstack/network.js';
import { toolDescription } from '../../../src/openstack/markers.js';
import { getVolume } from '../../../src/openstack/volume.js';
import { safeVmName } from '../../../src/util/names.js';
import { deleteUpstreamFlavors, deleteUpstreamServersAndPorts } from '../../../src/workflow/teardown.js';
import { UpstreamObjects, mac } from '../../helpers/upstream-objects.js';
import { cloudDict, expectFail, expectOk, labFacts, runModule, session, uniqueName } from './lab.js';

/**
 * Objects named as upstream's kit names them, without any marker, and decoys beside them: the delete modules and
 * teardown take the upstream-named objects of the VM they are given with accept_upstream_names, and nothing else.
 */

const wait = { timeoutMs: 180_000, intervalMs: 1000 };

type Kind = 'server' | 'port' | 'volume' | 'flavor';

async function exists(s: Session, kind: Kind, id: string): Promise<boolean> {
  const get = { server: getServer, port: getPort, volume: getVolume, flavor: getFlavor }[kind];
  return (await get(s, id)) !== undefined;
}

async function foreignSnapshot(admin: Session) {
  const foreign = labFacts().foreign;
  const srv = (await getServer(admin, foreign.server_id))!;
  const vol = (await getVolume(admin, foreign.volume_id))!;
  const port = (await getPort(admin, foreign.port_id))!;
  return [srv.status, srv.name, (srv as Record<string, unknown>).updated, vol.status, vol.name, (vol as Record<string, unknown>).updated_at, port.name, (port as Record<string, unknown>).revision_number];
}

test('delete modules with accept_upstream_names: exactly the upstream-named objects of vm_name, reported, check mode, reruns', async () => {
  const f = labFacts();
  // A space and a dot, which upstream sanitises in server and port names but not in flavor and virt-v2v volume names.
  const vm = uniqueName('osm up.vm');
  const safe = safeVmName(vm);
  const other = `${vm}-2`;
  assert.notEqual(safe, vm);
  const s = await session();
  const admin = await session('admin');
  const made = new UpstreamObjects(s);
  const cloud = cloudDict();
  const run = (module: string, args: Record<string, unknown>, check = false) => runModule(module, { cloud, ...args }, { check });
  const up = { accept_upstream_names: true, vm_name: vm };
  try {
    const foreignBefore = await foreignSnapshot(admin);
    const frontier = f.networks['frontier-net']!;
    const flavor = f.flavors['m1.small-bfv']!;

    // What upstream's kit leaves for the VM: volumes with osm=true, everything else unmarked.
    const bootVolume = await made.volume(`${safe}-2000`, { osm: 'true', converted: 'true' }, true);
    const port0 = await made.port(`${safe}-NIC-0-VLAN-frontier-net`, frontier.id, mac(1));
    const port11 = await made.port(`${safe}-NIC-11-VLAN-frontier-net`, frontier.id, mac(2));
    const port12 = await made.port(`${safe}-NIC-12-VLAN-${frontier.id}`, frontier.id, mac(3));
    const server = await made.server(safe, flavor, bootVolume, port0);
    const upstreamFlavor = await made.flavor(`osm-vmware-${vm}-1234`);
    const v2vVolume = await made.volume(`${vm}-sda`, { virt_v2v_guest_name: vm });

    // Decoys: another VM's server and port, near-miss port names, a user's own port, flavors outside the scheme, a
    // virt-v2v volume of another guest.
    const otherSafe = safeVmName(other);
    const otherPort = await made.port(`${otherSafe}-NIC-0-VLAN-frontier-net`, frontier.id, mac(4));
    const decoys: Array<[Kind, string, string]> = [
      ['server', await made.server(otherSafe, flavor, await made.volume(`${otherSafe}-2000`, { osm: 'true' }, true), otherPort), "another VM's server"],
      ['port', otherPort, "another VM's port"],
      ['port', await made.port(`${safe}-NIC-1-VLAN-public`, frontier.id, mac(5)), 'named after a network it is not on'],
      ['port', await made.port(`${safe}-nic-2-VLAN-frontier-net`, frontier.id, mac(6)), 'lower-case nic'],
      ['port', await made.port(`${safe}-NIC-03-VLAN-frontier-net`, frontier.id, mac(7)), 'NIC index with a leading zero'],
      ['port', await made.port(`${vm}-NIC-4-VLAN-frontier-net`, frontier.id, mac(8)), 'raw VM name (upstream sanitises it)'],
      ['port', await made.port(`${safe}-eth0`, frontier.id, mac(9)), "the user's own port"],
      ['flavor', await made.flavor(`osm-vmware-${vm}-12345`), 'N out of range'],
      ['flavor', await made.flavor(`osm-vmware-${safe}-77`), 'sanitised VM name (upstream uses the raw one)'],
      ['flavor', await made.flavor(`osm-vmware-${other}-5`), "another VM's flavor"],
      ['volume', await made.volume(`${vm}-sdb`, { virt_v2v_guest_name: other }), "another guest's virt-v2v volume"],
      ['volume', await made.volume(`${vm}-sdc`, {}), 'virt-v2v name without its property'],
    ];

    const upstreamObjects: Array<[string, string, Kind, string]> = [
      ['delete_server', safe, 'server', server],
      ['delete_port', `${safe}-NIC-0-VLAN-frontier-net`, 'port', port0],
      ['delete_port', port11, 'port', port11],
      ['delete_port', `${safe}-NIC-12-VLAN-${frontier.id}`, 'port', port12],
      ['delete_flavor', `osm-vmware-${vm}-1234`, 'flavor', upstreamFlavor],
      ['delete_volume', `${vm}-sda`, 'volume', v2vVolume],
    ];

    // By default: refused, with the way out in the message.
    for (const [module, name] of upstreamObjects) {
      expectFail(await run(module, { name }), /refusing to delete \w+ .*does not carry the tool's marker .*accept_upstream_names: true and vm_name/, `${module} ${name} by default`);
    }
    // The option and the VM go together.
    expectFail(await run('delete_server', { name: safe, accept_upstream_names: true }), /accept_upstream_names needs vm_name/, 'option without vm_name');
    expectFail(await run('delete_port', { name: port0, vm_name: vm }), /vm_name is used only with accept_upstream_names/, 'vm_name without option');

    // With the option, the decoys are still refused, by ID and by name.
    for (const [kind, id, why] of decoys) {
      expectFail(await run(`delete_${kind}`, { name: id, ...up }, true), new RegExp(`refusing to delete ${kind} .*not named as upstream's kit names the ${kind} of VM`), `${why} (check mode)`);
      expectFail(await run(`delete_${kind}`, { name: id, ...up }), new RegExp(`refusing to delete ${kind} `), why);
    }
    expectFail(await run('delete_server', { name: otherSafe, ...up }), /refusing to delete server/, "another VM's server by name");
    // The foreign tenant's VM: not even its own VM name lets anything of another project go.
    const foreign = { accept_upstream_names: true, vm_name: f.foreign.server_name };
    expectFail(await run('delete_server', { name: f.foreign.server_id, ...foreign }), /belongs to project .*not to this session's project/, 'foreign server');
    expectFail(await run('delete_port', { name: f.foreign.port_id, ...foreign }), /belongs to project/, 'foreign port');
    expectFail(await run('delete_volume', { name: f.foreign.volume_id, ...foreign }), /belongs to project/, 'foreign volume');
    assert.equal(expectOk(await run('delete_server', { name: f.foreign.server_name, ...foreign }), 'foreign server by name').changed, false);

    // Check mode: reported, not deleted.
    for (const [module, name, kind, id] of upstreamObjects) {
      const r = expectOk(await run(module, { name, ...up }, true), `${module} ${name} check`);
      assert.equal(r.changed, true);
      assert.equal(r.id, id);
      assert.equal(r.accepted, `upstream name for VM ${vm}`);
      assert.match(String(r.msg), new RegExp(`would be deleted \\(upstream name for VM `));
      assert.ok(await exists(s, kind, id), `check mode deleted ${kind} ${name}`);
    }

    // For real, each one reported with the reason; then the volume upstream marked, by its marker; then reruns.
    for (const [module, name, kind, id] of upstreamObjects) {
      const r = expectOk(await run(module, { name, ...up }), `${module} ${name}`);
      assert.deepEqual([r.changed, r.id, r.accepted], [true, id, `upstream name for VM ${vm}`], `${module} ${name}`);
      assert.match(String(r.msg), /deleted successfully \(upstream name for VM /);
      assert.equal(typeof r.name, 'string');
      assert.equal(await exists(s, kind, id), false, `${kind} ${name} still exists`);
    }
    const marked = expectOk(await run('delete_volume', { name: bootVolume, ...up }), 'upstream volume with osm=true');
    assert.deepEqual([marked.changed, marked.accepted], [true, 'tool marker']);
    for (const [module, name] of [...upstreamObjects, ['delete_volume', bootVolume] as const]) {
      const again = expectOk(await run(module, { name, ...up }), `${module} ${name} again`);
      assert.deepEqual([again.changed, again.id, again.accepted], [false, null, null], `${module} ${name} again`);
    }

    for (const [kind, id, why] of decoys) assert.ok(await exists(s, kind, id), `decoy deleted: ${why}`);
    assert.deepEqual(await foreignSnapshot(admin), foreignBefore, 'the foreign tenant was modified');
  } finally {
    await made.cleanup();
    await s.close();
    await admin.close();
  }
});

test('teardown with accept_upstream_names: the VM\'s upstream server, ports and flavors only, each reported; check mode; rerun', async () => {
  const f = labFacts();
  const vm = uniqueName('osm td.vm');
  const safe = safeVmName(vm);
  const s = await session();
  const made = new UpstreamObjects(s);
  const opts = (checkMode: boolean) => ({ wait: true, waitOpts: wait, checkMode });
  try {
    const frontier = f.networks['frontier-net']!;
    const flavor = f.flavors['m1.small-bfv']!;
    // Upstream's Heat template names the server with the raw VM name.
    const port0 = await made.port(`${safe}-NIC-0-VLAN-frontier-net`, frontier.id, mac(21));
    const port10 = await made.port(`${safe}-NIC-10-VLAN-${frontier.id}`, frontier.id, mac(22));
    const server = await made.server(vm, flavor, await made.volume(`${safe}-2000`, { osm: 'true' }, true), port0);
    const flavors = [await made.flavor(`osm-vmware-${vm}-0`), await made.flavor(`osm-vmware-${vm}-9998`)];
    // Not upstream's: the tool's own port (the tool's teardown handles it by ID), near misses, another VM's.
    const decoys: Array<[Kind, string]> = [
      ['port', await made.port(`${safe}-NIC-1-VLAN-frontier-net`, frontier.id, mac(23), toolDescription(`vm=${vm} nic=1`))],
      ['port', await made.port(`${safe}-NIC-2-VLAN-public`, frontier.id, mac(24))],
      ['port', await made.port(`${safe}x-NIC-0-VLAN-frontier-net`, frontier.id, mac(25))],
      ['flavor', await made.flavor(`osm-vmware-${vm}-9999`)],
      ['flavor', await made.flavor(`osm-vmware-${vm}x-1`)],
    ];
    const expected = [server, port0, port10].sort();

    // The per-resource switches hold for upstream's objects too.
    const portsOnly = await deleteUpstreamServersAndPorts(s, vm, opts(true), { servers: false, ports: true });
    assert.deepEqual(portsOnly.map((o) => o.id).sort(), [port0, port10].sort());

    const check = await deleteUpstreamServersAndPorts(s, vm, opts(true), { servers: true, ports: true });
    assert.deepEqual(check.map((o) => o.id).sort(), expected);
    for (const o of check) {
      assert.equal(o.changed, true);
      assert.equal(o.accepted, `upstream name for VM ${vm}`);
      assert.match(o.msg, /would be deleted/);
    }
    const checkFlavors = await deleteUpstreamFlavors(s, vm, opts(true), new Set());
    assert.deepEqual(checkFlavors.map((o) => o.id).sort(), [...flavors].sort());
    assert.deepEqual(checkFlavors.map((o) => o.kind), ['flavor', 'flavor']);
    for (const [kind, id] of [['server', server], ['port', port0], ['port', port10], ['flavor', flavors[0]!]] as const) {
      assert.ok(await exists(s, kind, id), `check mode deleted ${kind} ${id}`);
    }
    // Flavors already handled by the tool's own teardown are skipped.
    assert.deepEqual((await deleteUpstreamFlavors(s, vm, opts(true), new Set([flavors[0]!]))).map((o) => o.id), [flavors[1]]);

    const done = await deleteUpstreamServersAndPorts(s, vm, opts(false), { servers: true, ports: true });
    assert.deepEqual(done.map((o) => o.id).sort(), expected);
    assert.deepEqual(done.map((o) => o.kind).sort(), ['port', 'port', 'server']);
    for (const o of done) assert.deepEqual([o.changed, o.accepted], [true, `upstream name for VM ${vm}`]);
    assert.equal(done.find((o) => o.kind === 'server')!.name, vm);
    const doneFlavors = await deleteUpstreamFlavors(s, vm, opts(false), new Set());
    assert.deepEqual(doneFlavors.map((o) => o.id).sort(), [...flavors].sort());
    for (const id of expected) assert.equal((await exists(s, 'server', id)) || (await exists(s, 'port', id)), false, `${id} still exists`);
    for (const id of flavors) assert.equal(await exists(s, 'flavor', id), false);

    assert.deepEqual(await deleteUpstreamServersAndPorts(s, vm, opts(false), { servers: true, ports: true }), [], 'rerun found something');
    assert.deepEqual(await deleteUpstreamFlavors(s, vm, opts(false), new Set()), [], 'flavor rerun found something');
    for (const [kind, id] of decoys) assert.ok(await exists(s, kind, id), `decoy ${kind} ${id} deleted`);
  } finally {
    await made.cleanup();
    await s.close();
  }
});
