/**
 * End to end through the collection's own playbook, as users run it:
 *   ansible-playbook -i inventory.yml os_migrate.vmware_migration_kit.migration -e @secrets.yml -e @myvars.yml
 * against the lab (lab/up, lab/env). Real vSphere simulator, real OpenStack, real bytes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceType, Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { type Server, getServer } from '../../src/openstack/servers.js';
import { listPorts } from '../../src/openstack/network.js';
import { getVolume, listVolumesByName } from '../../src/openstack/volume.js';
import { safeVmName } from '../../src/util/names.js';
import { powerOn } from '../../src/vmware/power.js';
import { withSession as withVSphere } from '../../src/vmware/session.js';
import { type InstalledCollection, installCollection } from '../helpers/collection.js';
import {
  cleanLabVm,
  importResults,
  labDstCloud,
  labMigration as migration,
  labVm,
  openstackFacts as openstack,
  reportLines,
  toolServer,
  vsphereFacts as vsphere,
} from '../helpers/lab-migration.js';
import { repoRoot } from '../helpers/run-module.js';

function readBytes(path: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  return buf;
}

async function sha256Prefix(path: string, bytes: number): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Everything in the project that a failed run must not have created. */
async function inventory(s: Session): Promise<string[]> {
  const ids = async (service: ServiceType, path: string, key: string) =>
    (await s.list<{ id: string }>(service, `list ${key}`, path, key, {})).map((x) => `${key} ${x.id}`);
  const all = await Promise.all([
    ids('block-storage', '/volumes/detail', 'volumes'),
    ids('network', '/ports', 'ports'),
    ids('compute', '/servers/detail', 'servers'),
  ]);
  return all.flat().sort();
}

const VMS = ['osm-single', 'osm-multidisk', 'osm-multinic', 'osm ñame é spaces'];

describe('the migration playbook against the lab', () => {
  let c: InstalledCollection;
  let s: Session;
  let foreignBefore: Server;

  before(async () => {
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    foreignBefore = (await getServer(s, openstack.foreign.server_id))!;
    for (const name of [...VMS, 'osm-efi']) await cleanLabVm(s, name);
  });
  after(async () => {
    for (const name of [...VMS, 'osm-efi']) await cleanLabVm(s, name);
    await s?.close();
  });

  it('fails early on a wrong vCenter password and creates nothing', async () => {
    const before = await inventory(s);
    const run = migration(c, { vms_list: ['osm-single'], vcenter_password: 'wrong-password' });
    assert.notEqual(run.code, 0);
    const failed = run.tasks.find((t) => t.result.failed === true);
    assert.ok(failed, 'a task failed');
    assert.match(String(failed.result.msg), /login|credentials|password/i);
    assert.equal(run.tasks.filter((t) => t.task.endsWith('Start the migration of each VM of the batch')).length, 0, 'no migration started');
    assert.deepEqual((await inventory(s)).filter((x) => !before.includes(x)), [], 'nothing was created');
  });

  it('fails early on an unknown VM, naming the closest existing ones', async () => {
    const before = await inventory(s);
    const run = migration(c, { vms_list: ['osm-singel'] });
    assert.notEqual(run.code, 0);
    const failed = run.tasks.find((t) => t.result.failed === true);
    assert.match(String(failed?.result.msg), /osm-singel.*osm-single/s);
    assert.equal(run.tasks.filter((t) => t.task.endsWith('Start the migration of each VM of the batch')).length, 0, 'no migration started');
    assert.deepEqual((await inventory(s)).filter((x) => !before.includes(x)), [], 'nothing was created');
  });

  it('migrates several VMs into ACTIVE servers with the VMware MACs and the source bytes', async () => {
    const run = migration(c, { vms_list: VMS });
    assert.equal(run.code, 0, JSON.stringify(importResults(run).map((r) => r.msg)));
    for (const name of VMS) {
      const vm = labVm(name);
      const server = await toolServer(s, name);
      assert.ok(server, `server of ${name}`);
      assert.equal(server.status, 'ACTIVE', name);
      const attached = (server['os-extended-volumes:volumes_attached'] ?? []).map((v) => v.id);
      assert.equal(attached.length, vm.disks.length, `${name}: one volume per disk`);
      for (const disk of vm.disks) {
        const [vol] = await listVolumesByName(s, `${safeVmName(name)}-${disk.key}`);
        assert.ok(vol && attached.includes(vol.id), `${name} disk ${disk.key} volume attached to its server`);
        const file = join(openstack.cinder_volumes_dir, `volume-${vol.id}`);
        assert.equal(await sha256Prefix(file, disk.capacity_bytes), disk.sha256, `${name} disk ${disk.key} bytes`);
      }
      const ports = await listPorts(s, { device_id: server.id });
      assert.deepEqual(
        ports.map((p) => p.mac_address).sort(),
        vm.nics.map((n) => n.mac).sort(),
        `${name}: ports carry the VMware MACs`,
      );
    }
  });

  it('a second run finds every VM migrated: it maps and starts none, reports each, and verifies them all', async () => {
    const servers = await Promise.all(VMS.map((n) => toolServer(s, n)));
    const run = migration(c, { vms_list: VMS });
    assert.equal(run.code, 0, run.displayed);
    const status = run.tasks.find((t) => t.task.endsWith('Ask OpenStack which VMs of this run are migrated already'));
    assert.deepEqual(status?.result.migrated, VMS);
    assert.equal(run.tasks.filter((t) => t.task.includes('Write import_workloads.json')).length, 0, 'nothing mapped again');
    assert.equal(run.tasks.filter((t) => t.task.endsWith('Start the migration of each VM of the batch')).length, 0, 'no migration started');
    const report = reportLines(run);
    for (const [i, name] of VMS.entries()) {
      assert.ok(report.some((l) => l.startsWith(`${name}: migrated already (server ${servers[i]!.id} is ACTIVE on the final volumes of its `)), JSON.stringify(report));
    }
    const summary = run.tasks.find((t) => t.task.endsWith('Summary of the verification'));
    for (const name of VMS) assert.match(JSON.stringify(summary?.result), new RegExp(`${name}: passed \\(\\d+ passed, 0 failed`));
    const changed = run.tasks.filter((t) => t.result.changed === true).map((t) => t.task);
    assert.deepEqual(changed, ['Write <os_migrate_vmw_data_dir>/verification.json on the migrator'], 'nothing else changed');
    const again = await Promise.all(VMS.map((n) => toolServer(s, n)));
    assert.deepEqual(again.map((x) => x?.id), servers.map((x) => x?.id));
  });

  it('with skip_migrated_vms false every VM runs again and changes nothing', async () => {
    const servers = await Promise.all(VMS.map((n) => toolServer(s, n)));
    const run = migration(c, { vms_list: VMS, skip_migrated_vms: false });
    assert.equal(run.code, 0);
    const status = run.tasks.filter((t) => t.task.endsWith('Ask OpenStack which VMs of this run are migrated already'));
    assert.ok(status.every((t) => t.result.skipped === true), JSON.stringify(status));
    const results = importResults(run);
    assert.equal(results.length, VMS.length);
    for (const r of results) assert.equal(r.changed, false, `${String(r.vm_name)}: ${String(r.msg)}`);
    const again = await Promise.all(VMS.map((n) => toolServer(s, n)));
    assert.deepEqual(again.map((x) => x?.id), servers.map((x) => x?.id));
  });

  it('tears down exactly what it created, and never the foreign tenant', async () => {
    const servers = await Promise.all(VMS.map((n) => toolServer(s, n)));
    const volumes = (
      await Promise.all(VMS.flatMap((n) => labVm(n).disks.map((d) => listVolumesByName(s, `${safeVmName(n)}-${d.key}`))))
    ).flat();
    const run = migration(c, { vms_list: VMS, os_migrate_tear_down: true });
    assert.equal(run.code, 0);
    for (const x of servers) assert.equal(await getServer(s, x!.id), undefined, `server ${x!.name} deleted`);
    for (const v of volumes) assert.equal(await getVolume(s, v.id), undefined, `volume ${v.name} deleted`);
    for (const name of VMS) {
      for (const nic of labVm(name).nics) assert.equal((await listPorts(s, { mac_address: nic.mac })).length, 0, `port ${nic.mac} deleted`);
    }
    const foreign = (await getServer(s, openstack.foreign.server_id))!;
    assert.equal(foreign.status, foreignBefore.status);
    assert.equal(foreign.updated, foreignBefore.updated);
    assert.ok(await getVolume(s, openstack.foreign.volume_id), 'foreign volume kept');
  });

  it('runs a CBT pre-sync, a delta sync and a cutover through the playbook', async () => {
    const name = 'osm-efi';
    const vm = labVm(name);
    const first = migration(c, { vms_list: [name], cbt_sync: true });
    assert.equal(first.code, 0);
    assert.equal(await toolServer(s, name), undefined, 'no server before the cutover');
    const [vol] = await listVolumesByName(s, `${safeVmName(name)}-${vm.disks[0]!.key}`);
    assert.ok(vol, 'pre-sync created the volume');
    const changeId = vol.metadata.changeID;
    assert.ok(changeId, 'pre-sync recorded the change ID');

    // The guest writes a block between two syncs; the test gives the disk its original bytes back afterwards, so
    // the lab's facts (sha256 of every disk) still hold for the tests that run later.
    const offset = 3 * 1024 * 1024;
    const block = Buffer.alloc(65536, 0x5a);
    const original = readBytes(vm.disks[0]!.flat_path, offset, block.length);
    const diskWrite = (bytes: Buffer) => {
      const file = join(c.work, `block-${Math.random().toString(36).slice(2)}.bin`);
      writeFileSync(file, bytes);
      execFileSync(join(repoRoot, 'lab', 'vsphere', 'disk-write'), [name, '0', String(offset), file]);
    };
    diskWrite(block);
    try {
      const delta = migration(c, { vms_list: [name], cbt_sync: true });
      assert.equal(delta.code, 0);
      const [disk] = importResults(delta)[0]!.disks as { mode: string; bytes_read: number }[];
      assert.equal(disk!.mode, 'delta');
      assert.equal(disk!.bytes_read, block.length, 'the delta reads only the written block');
      assert.notEqual((await getVolume(s, vol.id))!.metadata.changeID, changeId, 'the change ID moves on');

      const cutover = migration(c, { vms_list: [name], cbt_sync: true, cutover: true, os_migrate_tear_down: false });
      // A cutover stops the source before the last sync, also with skip_conversion (the lab's setting), so the
      // verification at the end of the playbook finds it off, as after every cutover.
      assert.ok(importResults(cutover).every((r) => r.failed !== true), JSON.stringify(importResults(cutover).map((r) => r.msg)));
      const summary = cutover.tasks.find((t) => t.task.endsWith('Summary of the verification'));
      assert.match(JSON.stringify(summary?.result), /osm-efi: passed \(\d+ passed, 0 failed/);
      assert.equal(cutover.code, 0);
      const server = await toolServer(s, name);
      assert.equal(server?.status, 'ACTIVE');
      const file = join(openstack.cinder_volumes_dir, `volume-${vol.id}`);
      assert.ok(readBytes(file, offset, block.length).equals(block), 'the written block reached the volume');

      const down = migration(c, { vms_list: [name], cbt_sync: true, cutover: true, os_migrate_tear_down: true });
      assert.equal(down.code, 0);
      assert.equal(await getVolume(s, vol.id), undefined);
    } finally {
      diskWrite(original);
      // The cutover shut the source VM down, as it must; give the lab back its running VM.
      await withVSphere(
        { host: `${vsphere.host}:${vsphere.port}`, username: vsphere.user, password: vsphere.password, thumbprint: vsphere.thumbprint },
        (v) => powerOn(v, { type: 'VirtualMachine', value: vm.moid }),
      );
    }
  });
});
