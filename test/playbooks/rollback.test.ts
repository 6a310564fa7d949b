/**
 * The rollback playbook, and os_migrate_tear_down of a migrated VM, through the collection as users run them:
 *   ansible-playbook -i inventory.yml os_migrate.vmware_migration_kit.rollback -e @secrets.yml -e @myvars.yml
 * against the lab. Run under the lab lock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { SOURCE_POWERED_OFF_KEY } from '../../src/openstack/markers.js';
import { getPort, listPorts } from '../../src/openstack/network.js';
import { getServer } from '../../src/openstack/servers.js';
import { getVolume, updateVolumeMetadata } from '../../src/openstack/volume.js';
import { powerOff, powerOn, powerState } from '../../src/vmware/power.js';
import { withSession as withVSphere } from '../../src/vmware/session.js';
import { SNAPSHOT_NAME, createSnapshot, findSnapshots } from '../../src/vmware/snapshots.js';
import { session } from '../openstack/lab/lab.js';
import { type InstalledCollection, type PlaybookRun, installCollection } from '../helpers/collection.js';
import {
  cleanLabVm,
  importResults,
  labDstCloud,
  labMigration,
  labVm,
  openstackFacts as openstack,
  toolServer,
  toolVolumes,
  vsphereFacts as vsphere,
} from '../helpers/lab-migration.js';

const VM = 'osm-single';
const ref = { type: 'VirtualMachine', value: labVm(VM).moid };
const vsphereOpts = () => {
  const v = vsphere;
  return { host: `${v.host}:${v.port}`, username: v.user, password: v.password, thumbprint: v.thumbprint };
};
const onSource = <T>(fn: Parameters<typeof withVSphere<T>>[1]) => withVSphere(vsphereOpts(), fn);

/** The rollback module's result for each VM of a rollback playbook run. */
const rollbackResults = (run: PlaybookRun): Record<string, unknown>[] =>
  run.tasks.filter((t) => t.task === 'Roll back each VM').flatMap((t) => (t.result.results as Record<string, unknown>[] | undefined) ?? [t.result]);

const toolPortIds = async (s: Session): Promise<string[]> =>
  (await listPorts(s, { mac_address: labVm(VM).nics[0]!.mac })).filter((p) => p.description?.startsWith('osm=true')).map((p) => p.id);

describe('the rollback playbook and os_migrate_tear_down against the lab', { timeout: 1_800_000 }, () => {
  let c: InstalledCollection;
  let s: Session;
  let foreignBefore: unknown;
  const foreign = async () => {
    const f = openstack.foreign;
    const admin = await session('admin');
    try {
      const srv = (await getServer(admin, f.server_id))!;
      const port = (await getPort(admin, f.port_id))!;
      const vol = (await admin.request('block-storage', 'get foreign volume', 'GET', `/volumes/${f.volume_id}`)).body as { volume: Record<string, unknown> };
      return [srv.status, srv.metadata, port.device_id, port.revision_number, vol.volume.status, vol.volume.updated_at, vol.volume.metadata];
    } finally {
      await admin.close();
    }
  };

  before(async () => {
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    foreignBefore = await foreign();
    await cleanLabVm(s, VM);
    await onSource((vs) => powerOn(vs, ref));
  });
  after(async () => {
    await cleanLabVm(s, VM);
    await onSource((vs) => powerOn(vs, ref));
    await s?.close();
  });

  let volumeId = '';
  let serverId = '';
  let portIds: string[] = [];

  it('migrates the VM (server, port, volume)', async () => {
    const run = labMigration(c, { vms_list: [VM] });
    assert.equal(run.code, 0, JSON.stringify(importResults(run)));
    serverId = (await toolServer(s, VM))!.id;
    volumeId = (await toolVolumes(s, VM))[0]!.id;
    portIds = await toolPortIds(s);
    assert.equal(portIds.length, 1);
    // What the source helper records when the tool powered the source off; and a snapshot the tool left.
    await updateVolumeMetadata(s, volumeId, { [SOURCE_POWERED_OFF_KEY]: 'true' });
    await onSource(async (vs) => {
      await createSnapshot(vs, ref);
      await powerOff(vs, ref, { timeoutMs: 1000, force: true });
    });
  });

  it('check mode (-C) reports the actions and changes nothing', async () => {
    const run = labMigration(c, { vms_list: [VM] }, 'rollback', ['-C']);
    assert.equal(run.code, 0, run.stderr);
    const [r] = rollbackResults(run);
    assert.equal(r!.changed, true);
    const kinds = (r!.actions as { kind: string; changed: boolean }[]).filter((a) => a.changed).map((a) => a.kind).sort();
    assert.deepEqual(kinds, ['port', 'server', 'snapshot', 'source', 'volume']);
    assert.ok(await getServer(s, serverId));
    await onSource(async (vs) => assert.equal(await powerState(vs, ref), 'poweredOff'));
  });

  it('rolls back: server and port gone, volume kept and marked, source on, snapshot removed; a rerun changes nothing', async () => {
    const run = labMigration(c, { vms_list: [VM] }, 'rollback');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(rollbackResults(run)[0]!.changed, true);
    assert.equal(await getServer(s, serverId), undefined);
    assert.deepEqual(await toolPortIds(s), []);
    const v = (await getVolume(s, volumeId))!;
    assert.deepEqual([v.status, v.metadata.osm, v.metadata[SOURCE_POWERED_OFF_KEY]], ['available', 'true', undefined]);
    await onSource(async (vs) => {
      assert.equal(await powerState(vs, ref), 'poweredOn');
      assert.equal((await findSnapshots(vs, ref, SNAPSHOT_NAME)).length, 0);
    });
    const again = labMigration(c, { vms_list: [VM] }, 'rollback');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(rollbackResults(again)[0]!.changed, false);
    assert.equal(again.stats['osm-conversion-host']!.changed, 0);
  });

  it('os_migrate_tear_down of the migrated VM deletes without copying again and without the vCenter', async () => {
    const remigrate = labMigration(c, { vms_list: [VM] });
    assert.equal(remigrate.code, 0, JSON.stringify(importResults(remigrate)));
    assert.equal(((await toolVolumes(s, VM))[0]!).id, volumeId, 'the kept volume is reused');
    // The import step alone, with a wrong vCenter password: the teardown of a migrated VM must not need the vCenter.
    const run = labMigration(c, { vms_list: [VM], os_migrate_tear_down: true, vcenter_password: 'wrong' }, 'run_migration_from_conversion_host');
    const [r] = importResults(run);
    assert.equal(run.code, 0, JSON.stringify(r));
    assert.match(String(r!.msg), /was migrated already \(1 final volumes\): torn down without copying again/);
    const kinds = (r!.teardown as { kind: string; changed: boolean }[]).filter((t) => t.changed).map((t) => t.kind).sort();
    assert.deepEqual(kinds, ['port', 'server', 'volume']);
    assert.equal(await toolServer(s, VM), undefined);
    assert.deepEqual(await toolVolumes(s, VM), []);
    assert.deepEqual(await toolPortIds(s), []);
  });

  it('ffp-vdi-01, its volume and its port are unchanged throughout', async () => {
    assert.deepEqual(await foreign(), foreignBefore);
  });
});
