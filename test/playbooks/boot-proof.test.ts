/**
 * Boot proof through the collection's own playbook (issue 8): the lab's real Debian guest `osm-debian-guest`
 * (lab/guest, a VMware-looking disk whose initramfs has no virtio) is migrated with conversion on. The server the
 * tool creates boots in the lab's Nova, whose driver runs the boot volume under qemu (TCG) on virtio with a virtio NIC
 * carrying the MAC of the Neutron port the tool created, and serves the serial log as the server's console. The
 * migration's own verification (verify_console_pattern) must find the guest's report there, and the console must
 * show the NIC still named ens192 (our network script pinned the name to the MAC) with a DHCP address.
 * test/lab/guest.test.ts holds the control: unconverted, the disk does not boot on virtio.
 *
 * The plain case goes through `migration_target: image` (no conversion-host attachment: the disk is staged in a
 * file, converted there, uploaded to Glance and the volume made from the image); the CBT case keeps the volume path.
 * Both targets share the copy and the conversion, so one real conversion each proves both without a third one
 * (each costs ~250 s under TCG, and CI must stay under an hour).
 *
 *   ansible-playbook -i inventory.yml os_migrate.vmware_migration_kit.migration -e @secrets.yml -e @myvars.yml
 *     -e '{"vms_list": ["osm-debian-guest"], "skip_conversion": false, "disk_source": "https",
 *          "verify_console_pattern": "OSM-GUEST-DONE", ...}'
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { findToolImages } from '../../src/openstack/image.js';
import { listPorts } from '../../src/openstack/network.js';
import { getConsoleOutput } from '../../src/openstack/servers.js';
import type { Volume } from '../../src/openstack/volume.js';
import { type InstalledCollection, installCollection } from '../helpers/collection.js';
import {
  cleanLabVm,
  importResults,
  labDir,
  labDstCloud,
  labMigration,
  openstackFacts as openstack,
  toolServer,
  toolVolumes,
  vsphereFacts,
} from '../helpers/lab-migration.js';
import { repoRoot } from '../helpers/run-module.js';
import { ensurePoweredOn } from '../workflow/migrate-lab.js';

const VM = 'osm-debian-guest';
const GUEST_NIC = 'ens192';
const labVmFacts = vsphereFacts.vms.find((v) => v.name === VM);
const guest = JSON.parse(readFileSync(join(labDir, 'guest', 'guest.json'), 'utf8')) as { scratchOffsetBytes: number; scratchBytes: number };

const CONSOLE_PATTERN = 'OSM-GUEST-DONE';
let dataDir = '';
// The migration ends with its verification: the guest's console must show the pattern (the boot takes ~1 min on TCG).
const migration = (c: InstalledCollection, extra: Record<string, unknown>) =>
  labMigration(c, {
    vms_list: [VM],
    skip_conversion: false,
    disk_source: 'https',
    os_migrate_vmw_data_dir: dataDir,
    verify_console_pattern: CONSOLE_PATTERN,
    verify_guest_timeout: 420,
    ...extra,
  });

type Run = ReturnType<typeof migration>;

function importResult(run: Run): Record<string, unknown> {
  const results = importResults(run);
  assert.equal(results.length, 1, `one migration result: ${JSON.stringify(run.tasks.filter((t) => t.result.failed).map((t) => t.result.msg))}`);
  return results[0]!;
}

function assertOk(run: Run, what: string): void {
  const failed = run.tasks.filter((t) => t.result.failed === true).map((t) => `${t.task}: ${String(t.result.msg)}`);
  assert.equal(run.code, 0, `${what} failed: ${failed.join('\n')}\n${run.stderr.slice(-2000)}`);
}

const toolVolume = async (s: Session): Promise<Volume | undefined> => (await toolVolumes(s, VM))[0];

function nicLines(serial: string): Array<{ name: string; mac: string; ipv4: string }> {
  return [...serial.matchAll(/OSM-GUEST-NIC name=(\S+) mac=(\S+) ipv4=(\S+)/g)].map((m) => ({ name: m[1]!, mac: m[2]!, ipv4: m[3]! }));
}

interface VerificationReport {
  vms: Array<{ vm: string; passed: boolean; checks: Array<{ id: string; passed: boolean; observed: unknown }> }>;
}

/**
 * The migrated guest boots on virtio in the lab's Nova (its driver runs the server's boot volume under qemu with the
 * port's MAC and serves the serial log as the console): the migration's own verification found the console pattern,
 * and the console shows the guest's report with its NIC under the old name, the port's MAC and an IPv4 address.
 */
async function assertBoots(s: Session, run: Run): Promise<void> {
  const server = await toolServer(s, VM);
  assert.equal(server?.status, 'ACTIVE', 'the migrated server is ACTIVE');
  const ports = await listPorts(s, { device_id: server.id });
  assert.deepEqual(ports.map((p) => p.mac_address), labVmFacts!.nics.map((n) => n.mac), 'the tool created the port with the VMware MAC');
  assert.equal(run.code, 0);
  const report = JSON.parse(readFileSync(join(dataDir, 'verification.json'), 'utf8')) as VerificationReport;
  const verified = report.vms.find((v) => v.vm === VM);
  const console = verified?.checks.find((x) => x.id === 'guest.console');
  assert.equal(console?.passed, true, `verification found ${CONSOLE_PATTERN} on the console: ${JSON.stringify(verified?.checks.filter((x) => !x.passed))}`);
  assert.equal(verified?.passed, true);
  const serial = await getConsoleOutput(s, server.id, 400);
  assert.match(serial, /OSM-GUEST-READY host=osm-guest /);
  const [nic, ...more] = nicLines(serial);
  assert.equal(more.length, 0, 'one NIC');
  assert.equal(nic?.name, GUEST_NIC, 'the NIC keeps its VMware name (pinned to the MAC by the network script)');
  assert.equal(nic?.mac, ports[0]!.mac_address);
  assert.match(nic?.ipv4 ?? '', /^\d+\.\d+\.\d+\.\d+\/\d+$/, 'the NIC obtained an IPv4 address');
}

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    assert.equal(readSync(fd, buf, 0, length, offset), length);
    return buf;
  } finally {
    closeSync(fd);
  }
}

describe('boot proof: the real guest migrated through the playbook boots on virtio', () => {
  let c: InstalledCollection;
  let s: Session;
  let work = '';
  let passed = 0;

  before(async () => {
    assert.ok(labVmFacts, `${VM} is in ${join(labDir, 'vsphere.json')} (lab/vsphere/up places it)`);
    // /dev/kvm does not work on the lab machine: libguestfs (virt-v2v-in-place, virt-customize) must use TCG.
    process.env.LIBGUESTFS_BACKEND_SETTINGS = 'force_tcg';
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    await cleanLabVm(s, VM);
    mkdirSync(join(labDir, 'guest', 'runs'), { recursive: true });
    work = mkdtempSync(join(labDir, 'guest', 'runs', 'boot-proof-'));
    dataDir = join(work, 'data');
    mkdirSync(dataDir);
  });
  after(async () => {
    if (s) {
      await cleanLabVm(s, VM);
      await s.close();
    }
    // The cutover shut the source VM down; the lab's VMs stay powered on for the other tests.
    await ensurePoweredOn(VM);
    if (c) rmSync(c.work, { recursive: true, force: true });
    // Serial logs stay for diagnosis when a proof failed.
    if (work !== '' && passed === 2) rmSync(work, { recursive: true, force: true });
  });

  it('plain migration with conversion through migration_target image: the volume made from the image is marked converted and boots', async (t) => {
    const staging = join(work, 'staging');
    const run = migration(c, { migration_target: 'image', staging_dir: staging });
    assertOk(run, 'the migration');
    t.diagnostic(`migration with conversion (image target): ${run.seconds}s`);
    const result = importResult(run);
    assert.equal(result.converted, true, 'the migrate module reports the conversion');
    const volume = await toolVolume(s);
    assert.ok(volume, 'the migration created the volume');
    assert.equal(volume.metadata.converted, 'true');
    assert.equal(volume.metadata.osm_conversion, 'done');
    assert.ok(volume.volume_image_metadata?.image_id, 'the volume was made from an image');
    assert.deepEqual(await findToolImages(s, `${VM}-${labVmFacts!.disks[0]!.key}`), [], 'the image is deleted (keep_images false)');
    assert.deepEqual(readdirSync(staging), [], 'the staged file is removed');
    await assertBoots(s, run);
    await cleanLabVm(s, VM);
    // The migration shut the source VM down; the CBT pre-sync below runs against a running guest again.
    await ensurePoweredOn(VM);
    passed++;
  });

  it('CBT: pre-sync, the guest disk changes, delta sync, cutover with conversion: the volume boots and holds the change', async (t) => {
    const presync = migration(c, { cbt_sync: true });
    assertOk(presync, 'the CBT pre-sync');
    t.diagnostic(`pre-sync: ${presync.seconds}s`);
    assert.equal(await toolServer(s, VM), undefined, 'no server before the cutover');
    const volume = await toolVolume(s);
    assert.ok(volume?.metadata.changeID, 'the pre-sync recorded a change ID');

    // The guest writes to its disk's unpartitioned tail (outside every partition: harmless to the guest).
    const written = randomBytes(1 << 20);
    const offset = guest.scratchOffsetBytes + (4 << 20);
    assert.ok(offset + written.length <= guest.scratchOffsetBytes + guest.scratchBytes);
    const bytesFile = join(work, 'written.bin');
    writeFileSync(bytesFile, written);
    execFileSync(join(repoRoot, 'lab', 'vsphere', 'disk-write'), [VM, '0', String(offset), bytesFile]);

    const delta = migration(c, { cbt_sync: true });
    assertOk(delta, 'the CBT delta sync');
    t.diagnostic(`delta sync: ${delta.seconds}s`);
    const [disk] = importResult(delta).disks as { mode: string; bytes_read: number }[];
    assert.equal(disk?.mode, 'delta');
    assert.equal(disk?.bytes_read, written.length, 'the delta reads only what the guest wrote');

    const cutover = migration(c, { cbt_sync: true, cutover: true });
    assertOk(cutover, 'the cutover');
    t.diagnostic(`cutover with conversion: ${cutover.seconds}s`);
    assert.equal(importResult(cutover).converted, true);
    const converted = await toolVolume(s);
    assert.equal(converted?.id, volume.id, 'the cutover converts the synced volume');
    assert.equal(converted.metadata.converted, 'true');
    const file = join(openstack.cinder_volumes_dir, `volume-${volume.id}`);
    assert.ok(readAt(file, offset, written.length).equals(written), 'the bytes the guest wrote reached the volume');
    await assertBoots(s, cutover);
    passed++;
  });
});
