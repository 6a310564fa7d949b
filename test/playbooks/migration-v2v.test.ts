/**
 * The legacy virt-v2v workflow through the collection's own playbook, against the lab:
 *   ansible-playbook -i inventory.yml os_migrate.vmware_migration_kit.migration_v2v -e @secrets.yml -e @myvars.yml
 * Real vSphere simulator (metadata), real OpenStack (volumes, ports, server). Only virt-v2v is a stand-in (no VDDK
 * here): it creates the volume virt-v2v -o openstack would, with the real openstack client.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { listVolumeAttachments } from '../../src/openstack/volume-attachments.js';
import { listPorts } from '../../src/openstack/network.js';
import { deleteVolume, listVolumesByName } from '../../src/openstack/volume.js';
import { deleteToolPort, deleteToolServer } from '../../src/workflow/teardown.js';
import { type InstalledCollection, installCollection } from '../helpers/collection.js';
import { labDir, labDstCloud, labMigration, toolServer, vsphereFacts } from '../helpers/lab-migration.js';
import { readRecord, writeStandIn } from '../conversion/virt-v2v-stand-in.js';

// A simulator VM in a cluster that no other test migrates: its cluster and ESXi host come from its metadata.
const VM = 'DC0_C0_RP0_VM7';
const base = (vsphereFacts as unknown as { base_vms: { name: string; nics: { mac: string }[] }[] }).base_vms.find((v) => v.name === VM);

const conversionHostUuid = (JSON.parse(readFileSync(join(labDir, 'openstack.json'), 'utf8')) as { conversion_host: { uuid: string } }).conversion_host.uuid;

async function clean(s: Session): Promise<void> {
  const wait = { name: '', wait: true, waitOpts: { timeoutMs: 120_000, intervalMs: 1000 }, checkMode: false };
  const server = await toolServer(s, VM);
  if (server) await deleteToolServer(s, { ...wait, name: server.id });
  for (const nic of base?.nics ?? []) {
    for (const p of await listPorts(s, { mac_address: nic.mac })) await deleteToolPort(s, { ...wait, name: p.id });
  }
  for (const v of await listVolumesByName(s, `${VM}-sda`)) await deleteVolume(s, v.id);
}

describe('migration_v2v.yml: the virt-v2v path, chosen by the playbook', () => {
  let c: InstalledCollection;
  let s: Session;
  let work: string;

  before(async () => {
    assert.ok(base, `${VM} is not in the lab's base_vms`);
    c = installCollection();
    s = await connect(labDstCloud());
    await clean(s);
    work = mkdtempSync(join(tmpdir(), 'osm-v2v-play-'));
    mkdirSync(join(work, 'vmware-vix-disklib'));
  });

  after(async () => {
    await clean(s);
    await s.close();
  });

  function run(standIn: { command: string }) {
    return labMigration(
      c,
      {
        vms_list: [VM],
        virt_v2v_path: standIn.command,
        libdir: join(work, 'vmware-vix-disklib'),
        vddk_thumbprint: vsphereFacts.thumbprint,
      },
      'migration_v2v',
    );
  }

  it('imports with virt-v2v (never the disk-copy path), then creates the ports and a server booting from <vm>-sda', async () => {
    const standIn = writeStandIn(mkdtempSync(join(work, 'first-')), { exitCode: 0, createVolumes: 1 });
    const r = run(standIn);
    assert.equal(r.code, 0, `playbook failed: ${r.stderr}\n${JSON.stringify(r.tasks.filter((t) => t.result.failed || t.result.msg).map((t) => [t.task, t.result.msg]))}`);
    console.error(`migration_v2v first run: ${r.seconds} s`);
    assert.ok(!r.tasks.some((t) => t.task.includes('Start the migration of each VM')), 'the disk-copy path ran');
    const caWarning = r.tasks.find((t) => t.task.includes('Warn that virt-v2v does not use vmware_ca_file'));
    assert.match(String(caWarning?.result.message), /libvirt verifies the vCenter certificate against \/etc\/pki\/CA\/cacert.pem/, 'lab myvars set vmware_ca_file');

    const record = readRecord(standIn.recordFile);
    const uri = record.argv[record.argv.indexOf('-ic') + 1];
    assert.match(uri!, /^vpx:\/\/[^@/]+@127\.0\.0\.1:\d+\/DC0\/host\/DC0_C0\/DC0_C0_H0$/, 'cluster and ESXi host from the VM metadata, TLS verified');
    assert.ok(record.argv.includes(`vddk-libdir=${join(work, 'vmware-vix-disklib')}`));
    assert.ok(record.argv.includes(`server-id=${conversionHostUuid}`), 'conversion_host_id from instance_uuid');
    assert.equal(record.passwordFileMode, '600');
    assert.equal(record.password, vsphereFacts.password);
    assert.equal(existsSync(record.passwordFile), false, 'password file left on the conversion host');
    const asWord = new RegExp(`(?<![A-Za-z0-9])${vsphereFacts.password.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`);
    assert.ok(!record.argv.some((a) => asWord.test(a)), 'the vCenter password on the command line');
    const importTask = r.tasks.find((t) => t.task.includes('Import the disks of'));
    assert.ok(importTask && !asWord.test(JSON.stringify(importTask.result)), 'the vCenter password in the task result');

    const server = await toolServer(s, VM);
    assert.ok(server, 'no server');
    assert.equal(server.status, 'ACTIVE');
    const [sda] = await listVolumesByName(s, `${VM}-sda`);
    const attached = await listVolumeAttachments(s, server.id);
    assert.deepEqual(attached.map((a) => a.volumeId), [sda!.id]);
    for (const nic of base!.nics) {
      const ports = await listPorts(s, { mac_address: nic.mac });
      assert.equal(ports.length, 1, `port for ${nic.mac}`);
      assert.equal(ports[0]!.device_id, server.id);
    }
  });

  it('a rerun changes nothing: virt-v2v does not run, ports and server are reused', () => {
    const standIn = writeStandIn(mkdtempSync(join(work, 'rerun-')), { exitCode: 0, createVolumes: 1 });
    const r = run(standIn);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(standIn.recordFile), false, 'virt-v2v ran again');
    for (const name of ['Import the disks of', 'Create the ports of', 'Create the server of']) {
      const t = r.tasks.find((x) => x.task.includes(name));
      assert.ok(t, `${name} did not run`);
      assert.equal(t.result.changed, false, `${name} changed on a rerun`);
    }
  });

  it('a failing virt-v2v fails the play naming the VM and its error, and leaves no password file', () => {
    // A VM not imported yet (its volume is removed first) with a virt-v2v that fails.
    const dir = mkdtempSync(join(work, 'fail-'));
    const standIn = writeStandIn(dir, { exitCode: 4 });
    const r = labMigration(
      c,
      { vms_list: ['DC0_C0_RP0_VM8'], virt_v2v_path: standIn.command, libdir: join(work, 'vmware-vix-disklib'), vddk_thumbprint: vsphereFacts.thumbprint },
      'migration_v2v',
    );
    assert.notEqual(r.code, 0);
    const fail = r.tasks.find((t) => t.task.endsWith('Fail when a VM did not migrate'));
    assert.match(String(fail?.result.msg), /1 of 1 VMs failed: DC0_C0_RP0_VM8 \(Command failed: virt-v2v exited with code 4: stand-in virt-v2v failing with 4\)/);
    const record = readRecord(standIn.recordFile);
    assert.equal(existsSync(record.passwordFile), false);
  });
});
