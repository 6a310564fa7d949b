// Rollback against the lab: a VM migrated with its port and server, then rolled back (check mode, for real, twice,
// without vCenter, with rollback_delete_volumes). Run under the lab lock.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import { CBT_ENABLED_KEY, SOURCE_POWERED_OFF_KEY } from '../../src/openstack/markers.js';
import { createPort, deletePort, getPort, listPorts } from '../../src/openstack/network.js';
import { getServer } from '../../src/openstack/servers.js';
import { getVolume, updateVolumeMetadata } from '../../src/openstack/volume.js';
import { powerOff, powerState } from '../../src/vmware/power.js';
import { SNAPSHOT_NAME, createSnapshot, findSnapshots } from '../../src/vmware/snapshots.js';
import { migrateVm } from '../../src/workflow/migrate.js';
import { importWorkload } from '../../src/workflow/import-workloads.js';
import { ensurePorts } from '../../src/workflow/ports.js';
import { type RollbackOutcome, type RollbackRequest, findVmToolObjects, rollbackVm } from '../../src/workflow/rollback.js';
import { type MigrateRequest, MigrationFailure } from '../../src/workflow/migrate-request.js';
import { ensureServer } from '../../src/workflow/server.js';
import { deleteToolPort } from '../../src/workflow/teardown.js';
import { labFacts, session } from '../openstack/lab/lab.js';
import {
  deleteVmVolumes,
  ensurePoweredOn,
  localSource,
  openstack,
  request,
  testLogger,
  vmFacts,
  withOpenstack,
  withVsphere,
} from './migrate-lab.js';

const VM = 'osm-multinic';
const wait = { timeoutMs: 180_000, intervalMs: 1000 };
const log = testLogger();
const ref = () => ({ type: 'VirtualMachine', value: vmFacts(VM).moid });
const rq = (over: Partial<RollbackRequest> = {}): RollbackRequest => ({ vmName: VM, deleteVolumes: false, waitOpts: wait, checkMode: false, ...over });

/** Roll back with the vCenter (withSource) or without. */
const rollback = (over: Partial<RollbackRequest> = {}, withSource = true): Promise<RollbackOutcome> =>
  withOpenstack((s) => (withSource ? withVsphere((vs) => rollbackVm(s, { session: vs }, rq(over), log)) : rollbackVm(s, undefined, rq(over), log)));

/** The foreign project's server, volume and port as admin sees them, to prove they never change. */
async function foreignState(): Promise<unknown> {
  const f = labFacts().foreign;
  const admin = await session('admin');
  try {
    const srv = (await getServer(admin, f.server_id))!;
    const vol = (await admin.request('block-storage', 'get foreign volume', 'GET', `/volumes/${f.volume_id}`)).body as { volume: Record<string, unknown> };
    const port = (await getPort(admin, f.port_id))!;
    return [srv.status, srv.name, srv.metadata, vol.volume.status, vol.volume.attachments, vol.volume.metadata, vol.volume.updated_at, port.device_id, port.revision_number];
  } finally {
    await admin.close();
  }
}

async function toolPortsOf(s: Session): Promise<string[]> {
  const macs = vmFacts(VM).nics.map((n) => n.mac);
  return (await listPorts(s, { project_id: s.projectId })).filter((p) => macs.includes(p.mac_address) && p.description?.startsWith('osm=true')).map((p) => p.id);
}

async function cleanPorts(): Promise<void> {
  await withOpenstack(async (s) => {
    for (const id of await toolPortsOf(s)) await deleteToolPort(s, { name: id, wait: true, waitOpts: wait, checkMode: false });
  });
}

describe('rollback of a migrated VM (lab)', { timeout: 900_000 }, () => {
  let volumeId = '';
  let serverId = '';
  let portIds: string[] = [];
  let userPortId = '';
  let foreignBefore: unknown;

  before(async () => {
    foreignBefore = await foreignState();
    await deleteVmVolumes(VM);
    await cleanPorts();
    await ensurePoweredOn(VM);
    const migration = await migrateVm(
      { ...request(VM, { source: localSource(VM), instanceUuid: openstack().conversion_host.uuid }), vmName: VM },
      { log, signal: new AbortController().signal, checkMode: false },
    );
    volumeId = migration.ids[0]!;
    await withOpenstack(async (s) => {
      const ports = await ensurePorts(s, {
        vmName: VM,
        nics: vmFacts(VM).nics.map((n) => ({ vlan: 'frontier-net', mac: n.mac })),
        usedMappedNetworks: true,
        networkName: undefined,
        securityGroups: ['default'],
        useFixedIps: false,
        subnetUuid: undefined,
        checkMode: false,
      });
      portIds = ports.map((p) => p.id!);
      // The user's own port, named exactly like the tool's first port of the VM, without the marker.
      const user = await createPort(s, {
        name: ports[0]!.name,
        networkId: labFacts().networks['frontier-net']!.id,
        macAddress: `fa:16:3e:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`,
      });
      userPortId = user.id;
      const server = await ensureServer(s, {
        name: VM,
        flavor: 'm1.small-bfv',
        bootVolume: volumeId,
        volumes: [],
        nics: portIds.map((id) => ({ 'port-id': id })),
        securityGroups: ['default'],
        keyName: undefined,
        availabilityZone: undefined,
        userData: undefined,
        metadata: {},
        wait: true,
        timeoutMs: 300_000,
        intervalMs: 2000,
        checkMode: false,
      });
      serverId = server.id!;
      // What the source helper records when the tool powered the source off and enabled CBT.
      await updateVolumeMetadata(s, volumeId, { [SOURCE_POWERED_OFF_KEY]: 'true', [CBT_ENABLED_KEY]: 'true' });
    });
    await withVsphere(async (vs) => {
      await createSnapshot(vs, ref());
      await powerOff(vs, ref(), { timeoutMs: 1000, force: true });
    });
  });

  after(async () => {
    await withOpenstack(async (s) => {
      if (userPortId) await deletePort(s, userPortId);
    });
    await deleteVmVolumes(VM);
    await cleanPorts();
    await ensurePoweredOn(VM);
  });

  it('check mode reports each action and changes nothing', async () => {
    const out = await rollback({ checkMode: true });
    assert.equal(out.changed, true);
    const kinds = out.actions.filter((a) => a.changed).map((a) => `${a.kind}:${a.id}`);
    assert.deepEqual(
      kinds.sort(),
      [`server:${serverId}`, ...portIds.map((id) => `port:${id}`), `volume:${volumeId}`, `source:${vmFacts(VM).moid}`, kinds.find((k) => k.startsWith('snapshot:'))!].sort(),
    );
    assert.match(out.actions.find((a) => a.kind === 'source')!.msg, /would be powered on/);
    assert.match(out.msg, /^Check mode: osm-multinic would be rolled back/);
    await withOpenstack(async (s) => {
      assert.equal((await getServer(s, serverId))?.id, serverId);
      for (const id of portIds) assert.ok(await getPort(s, id));
      assert.equal((await getVolume(s, volumeId))!.status, 'in-use');
    });
    await withVsphere(async (vs) => {
      assert.equal(await powerState(vs, ref()), 'poweredOff');
      assert.equal((await findSnapshots(vs, ref(), SNAPSHOT_NAME)).length, 1);
    });
  });

  it('removes the server and ports, keeps the volume detached and marked, powers the source on, removes the snapshot', async () => {
    const out = await rollback();
    assert.equal(out.changed, true);
    assert.match(out.msg, /^osm-multinic rolled back: /);
    const byKind = (k: string) => out.actions.filter((a) => a.kind === k);
    assert.deepEqual(byKind('server').map((a) => [a.id, a.changed]), [[serverId, true]]);
    assert.deepEqual(byKind('port').map((a) => a.id).sort(), [...portIds].sort());
    assert.match(byKind('volume')[0]!.msg, new RegExp(`^detached from server ${serverId} and kept`));
    assert.deepEqual(byKind('snapshot').map((a) => a.msg), ['removed']);
    assert.deepEqual(byKind('source').map((a) => a.msg), ['powered on (the tool had powered it off)']);
    assert.equal(byKind('cbt')[0]!.changed, false);
    await withOpenstack(async (s) => {
      assert.equal(await getServer(s, serverId), undefined);
      for (const id of portIds) assert.equal(await getPort(s, id), undefined);
      const v = (await getVolume(s, volumeId))!;
      assert.equal(v.status, 'available');
      assert.equal(v.metadata.osm, 'true');
      assert.equal(v.metadata[SOURCE_POWERED_OFF_KEY], undefined, 'the power-off record is cleared once the source is on');
      assert.equal(v.metadata[CBT_ENABLED_KEY], 'true');
      assert.ok(await getPort(s, userPortId), "the user's own port, named like the tool's, is untouched");
    });
    await withVsphere(async (vs) => {
      assert.equal(await powerState(vs, ref()), 'poweredOn');
      assert.equal((await findSnapshots(vs, ref(), SNAPSHOT_NAME)).length, 0);
    });
  });

  it('a second run, with or without vCenter, reports no change', async () => {
    const again = await rollback();
    assert.equal(again.changed, false, JSON.stringify(again.actions));
    assert.equal(again.msg, 'nothing to roll back for osm-multinic');
    const noVc = await rollback({}, false);
    assert.equal(noVc.changed, false);
    assert.match(noVc.actions.find((a) => a.kind === 'source')!.msg, /source steps skipped: no vCenter given/);
  });

  it('without vCenter, rollback_delete_volumes is refused while the volumes record a power-off; nothing is deleted', async () => {
    await withOpenstack((s) => updateVolumeMetadata(s, volumeId, { [SOURCE_POWERED_OFF_KEY]: 'true' }));
    await assert.rejects(rollback({ deleteVolumes: true }, false), /the tool powered the source VM osm-multinic off .* Give the vCenter/);
    await withOpenstack(async (s) => assert.equal((await getVolume(s, volumeId))!.status, 'available'));
  });

  it('rollback_delete_volumes deletes the volumes (the source is already on), then reports no change', async () => {
    const out = await rollback({ deleteVolumes: true });
    assert.equal(out.changed, true);
    assert.deepEqual(out.actions.filter((a) => a.kind === 'volume').map((a) => [a.id, a.changed, a.msg]), [[volumeId, true, 'Volume deleted successfully']]);
    assert.deepEqual(out.actions.filter((a) => a.kind === 'source').map((a) => a.msg), ['already powered on']);
    await withOpenstack(async (s) => assert.equal(await getVolume(s, volumeId), undefined));
    assert.equal((await rollback({ deleteVolumes: true })).changed, false);
  });

  it("ffp-vdi-01, its volume and its port are unchanged throughout", async () => {
    assert.deepEqual(await foreignState(), foreignBefore);
  });
});

/** import_workloads of the VM (local source, ports on frontier-net, a server) with the data files of `dataDir`. */
function importVm(dataDir: string, over: Partial<MigrateRequest>, rollbackOnFailure: boolean) {
  const { vmName: _vm, folder: _folder, ...migrate } = request(VM, { source: localSource(VM), instanceUuid: openstack().conversion_host.uuid, ...over });
  return importWorkload(
    VM,
    {
      dataDir,
      migrate,
      ports: { create: true, usedMappedNetworks: false, networkName: 'frontier-net', securityGroups: ['default'], useFixedIps: false, subnet: undefined },
      server: { create: true, keyName: undefined, availabilityZone: undefined, userData: undefined, bootFromCinder: false, timeoutMs: 60_000, heat: { enabled: false, autoDeploy: true } },
      teardown: { enabled: false, server: true, volumes: true, ports: true, upstreamNames: false },
      rollbackOnFailure,
    },
    { log, signal: new AbortController().signal, checkMode: false },
  );
}

describe('rollback_on_failure in import_workloads (lab)', { timeout: 900_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'osm-rollback-data-'));
  let volumeId = '';

  /** import_workloads of the VM whose server cannot be created (no such flavor), after its ports were made. */
  const failingImport = (rollbackOnFailure: boolean) => importVm(dataDir, {}, rollbackOnFailure);

  before(async () => {
    mkdirSync(join(dataDir, VM));
    writeFileSync(join(dataDir, VM, 'import_workloads.json'), JSON.stringify({ vm_name: VM, openstack: { flavor_name_or_uuid: 'osm-no-such-flavor' } }));
    writeFileSync(join(dataDir, VM, 'macs.json'), JSON.stringify(vmFacts(VM).nics.map((n) => ({ vlan: 'frontier-net', mac: n.mac }))));
    await deleteVmVolumes(VM);
    await cleanPorts();
    await ensurePoweredOn(VM);
    const migration = await migrateVm(request(VM, { source: localSource(VM), instanceUuid: openstack().conversion_host.uuid }), {
      log,
      signal: new AbortController().signal,
      checkMode: false,
    });
    volumeId = migration.ids[0]!;
  });

  after(async () => {
    await deleteVmVolumes(VM);
    await cleanPorts();
    await ensurePoweredOn(VM);
  });

  // The migration step itself removes a snapshot an earlier run left, so none is left for the rollback.
  it('a failed server creation is rolled back: ports deleted, volume kept, source powered on; the message says so', async () => {
    const foreignBefore = await foreignState();
    await withOpenstack((s) => updateVolumeMetadata(s, volumeId, { [SOURCE_POWERED_OFF_KEY]: 'true' }));
    await withVsphere(async (vs) => {
      await createSnapshot(vs, ref());
      await powerOff(vs, ref(), { timeoutMs: 1000, force: true });
    });
    await assert.rejects(failingImport(true), (e: Error) => {
      assert.match(e.message, /osm-no-such-flavor/);
      assert.match(e.message, /; rolled back \(rollback_on_failure\): /);
      assert.equal((e.message.match(/port osm-multinic\S* Port deleted successfully/g) ?? []).length, vmFacts(VM).nics.length, e.message);
      assert.match(e.message, new RegExp(`volume osm-multinic-2000 kept`));
      assert.match(e.message, /source osm-multinic powered on \(the tool had powered it off\)/);
      // What exists after the failure: the volume (kept), and the run changed something (ports made, then deleted).
      assert.ok(e instanceof MigrationFailure);
      assert.deepEqual([e.ids, e.changed], [[volumeId], true]);
      return true;
    });
    await withOpenstack(async (s) => {
      assert.deepEqual(await toolPortsOf(s), []);
      const v = (await getVolume(s, volumeId))!;
      assert.deepEqual([v.status, v.metadata.osm, v.metadata.converted], ['available', 'true', 'true']);
    });
    await withVsphere(async (vs) => {
      assert.equal(await powerState(vs, ref()), 'poweredOn');
      assert.equal((await findSnapshots(vs, ref(), SNAPSHOT_NAME)).length, 0);
    });
    assert.deepEqual(await foreignState(), foreignBefore);
  });

  it('with rollback_on_failure false the failure leaves the ports, and says nothing about a rollback', async () => {
    await assert.rejects(failingImport(false), (e: Error) => {
      assert.match(e.message, /osm-no-such-flavor/);
      assert.doesNotMatch(e.message, /rolled back \(rollback_on_failure\)/);
      assert.match(e.message, new RegExp(`\\(the volumes ${volumeId} of osm-multinic exist\\); not rolled back \\(rollback_on_failure is false\\): the rollback playbook`));
      // The ports it made are a change: the failed result says changed, with the volume ids.
      assert.ok(e instanceof MigrationFailure);
      assert.deepEqual([e.ids, e.changed], [[volumeId], true]);
      return true;
    });
    await withOpenstack(async (s) => assert.equal((await toolPortsOf(s)).length, vmFacts(VM).nics.length));
  });
});

describe('rollback_on_failure after a failed conversion (lab, a virt-v2v-in-place stand-in that fails)', { timeout: 900_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'osm-rollback-v2v-data-'));
  const standIn = mkdtempSync(join(tmpdir(), 'osm-failing-v2v-'));
  const path = process.env.PATH;

  /** import_workloads of the VM with conversion on; the conversion fails before any port or server exists. */
  const failingConversion = (rollbackOnFailure: boolean) => importVm(dataDir, { skipConversion: false }, rollbackOnFailure);
  const volumes = () => withOpenstack(async (s) => (await findVmToolObjects(s, VM)).volumes);
  const source = () => withVsphere((vs) => powerState(vs, ref()));

  before(async () => {
    mkdirSync(join(dataDir, VM));
    writeFileSync(join(dataDir, VM, 'import_workloads.json'), JSON.stringify({ vm_name: VM, openstack: { flavor_name_or_uuid: 'm1.small' } }));
    writeFileSync(join(dataDir, VM, 'macs.json'), JSON.stringify(vmFacts(VM).nics.map((n) => ({ vlan: 'frontier-net', mac: n.mac }))));
    writeFileSync(
      join(standIn, 'virt-v2v-in-place'),
      ['#!/bin/sh', '[ "$1" = --help ] && { echo "--run SCRIPT --firstboot SCRIPT"; exit 0; }', 'echo "stand-in virt-v2v-in-place: no operating system found" >&2', 'exit 1', ''].join('\n'),
    );
    chmodSync(join(standIn, 'virt-v2v-in-place'), 0o755);
    process.env.PATH = `${standIn}:${path}`;
    await deleteVmVolumes(VM);
    await cleanPorts();
    await ensurePoweredOn(VM);
  });

  after(async () => {
    process.env.PATH = path;
    await deleteVmVolumes(VM);
    await cleanPorts();
    await ensurePoweredOn(VM);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(standIn, { recursive: true, force: true });
  });

  it('rolled back: the source powered on again, no server or ports, the volume kept (marked, not converted); the message says so', async () => {
    const foreignBefore = await foreignState();
    await assert.rejects(failingConversion(true), (e: Error) => {
      assert.ok(e instanceof MigrationFailure);
      assert.match(e.message, /no operating system found/);
      assert.match(e.message, /; rolled back \(rollback_on_failure\): /);
      assert.match(e.message, /source osm-multinic powered on \(the tool had powered it off\)/);
      assert.match(e.message, /volume osm-multinic-2000 kept/);
      assert.equal(e.changed, true);
      assert.equal(e.ids.length, 1);
      return true;
    });
    assert.equal(await source(), 'poweredOn');
    await withOpenstack(async (s) => {
      const found = await findVmToolObjects(s, VM);
      assert.deepEqual([found.servers.length, found.ports.length], [0, 0]);
      assert.deepEqual(await toolPortsOf(s), []);
    });
    const [v] = await volumes();
    assert.deepEqual([v?.status, v?.metadata.osm, v?.metadata.converted === 'true', v?.metadata[SOURCE_POWERED_OFF_KEY]], ['available', 'true', false, undefined]);
    assert.deepEqual(await foreignState(), foreignBefore);
  });

  it('with rollback_on_failure false the source stays off, the volume kept, and the message says how to roll back', async () => {
    await assert.rejects(failingConversion(false), (e: Error) => {
      assert.match(e.message, /no operating system found/);
      assert.doesNotMatch(e.message, /rolled back \(rollback_on_failure\)/);
      assert.match(e.message, /not rolled back \(rollback_on_failure is false\): the rollback playbook \(os_migrate\.vmware_migration_kit\.rollback\) for osm-multinic undoes this run/);
      return true;
    });
    assert.equal(await source(), 'poweredOff');
    const [v] = await volumes();
    assert.deepEqual([v?.metadata.osm, v?.metadata.converted === 'true', v?.metadata[SOURCE_POWERED_OFF_KEY]], ['true', false, 'true']);
    await withOpenstack(async (s) => assert.deepEqual(await toolPortsOf(s), []));
  });
});
