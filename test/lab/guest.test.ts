/**
 * Boot proof of the lab's real guest (issue 8): the VMware-looking Debian disk built by lab/guest/build boots on
 * pvscsi, does not boot on virtio unconverted (control), and after virt-v2v-in-place plus our network script it
 * boots on virtio with its NIC still named ens192 (pinned to the preserved MAC) and a DHCP address from qemu.
 * Everything runs under TCG; boots take 50-100 s, the conversion 3-4 min.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { networkScript } from '../../src/conversion/network-script.js';

const repo = resolve(fileURLToPath(import.meta.url), '../../../..');
const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
const VMWARE_MAC = '00:50:56:aa:0c:01';
const GUEST_NIC = 'ens192';
const libguestfsEnv = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(cmd: string, args: string[], timeoutSeconds: number, env: NodeJS.ProcessEnv = process.env): Promise<Exec> {
  const start = Date.now();
  return new Promise((done) => {
    execFile(cmd, args, { env, timeout: timeoutSeconds * 1000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr, seconds: Math.round((Date.now() - start) / 1000) });
    });
  });
}

interface Boot extends Exec {
  serial: string;
}

async function boot(disk: string, bus: 'pvscsi' | 'virtio', nic: 'vmxnet3' | 'virtio-net-pci', log: string): Promise<Boot> {
  const args = ['--disk', disk, '--bus', bus, '--nic', nic, '--mac', VMWARE_MAC, '--log', log, '--timeout', '420'];
  const r = await run(join(repo, 'lab/guest/boot'), args, 480);
  return { ...r, serial: readFileSync(log, 'latin1') };
}

function nicLines(serial: string): Array<{ name: string; mac: string; ipv4: string }> {
  return [...serial.matchAll(/^OSM-GUEST-NIC name=(\S+) mac=(\S+) ipv4=(\S+)\r?$/gm)].map((m) => ({
    name: m[1]!,
    mac: m[2]!,
    ipv4: m[3]!,
  }));
}

let image = '';
let work = '';
let conversion: Promise<{ disk: string; customize: Exec; convert: Exec }>;

/** Converts a copy of the image the way the migrate workflow does: network script inside the guest, then virt-v2v. */
async function convertCopy(): Promise<{ disk: string; customize: Exec; convert: Exec }> {
  const disk = join(work, 'converted.raw');
  const copy = await run('cp', ['--sparse=always', image, disk], 300);
  assert.equal(copy.code, 0, `copying ${image} failed: ${copy.stderr}`);
  const script = join(work, 'network_config.sh');
  writeFileSync(script, networkScript([{ mac: VMWARE_MAC, name: GUEST_NIC }]));
  chmodSync(script, 0o755);
  const customize = await run(
    'nice',
    ['-n', '10', 'virt-customize', '--format', 'raw', '-a', disk, '--no-network', '--run', script],
    900,
    libguestfsEnv,
  );
  assert.equal(customize.code, 0, `virt-customize --run failed:\n${customize.stdout}\n${customize.stderr}`);
  const convert = await run('nice', ['-n', '10', 'virt-v2v-in-place', '-i', 'disk', '-if', 'raw', disk], 900, libguestfsEnv);
  assert.equal(convert.code, 0, `virt-v2v-in-place failed:\n${convert.stdout}\n${convert.stderr}`);
  return { disk, customize, convert };
}

before(async () => {
  const build = await run(join(repo, 'lab/guest/build'), [], 1800);
  assert.equal(build.code, 0, `lab/guest/build failed:\n${build.stderr.slice(-4000)}`);
  const facts = JSON.parse(build.stdout) as { image: string; sha256: string };
  image = facts.image;
  mkdirSync(join(labDir, 'guest', 'runs'), { recursive: true });
  work = mkdtempSync(join(labDir, 'guest', 'runs', 'proof-'));
  // The conversion runs while the two unconverted boots below run: the proof's wall time is what CI pays.
  conversion = convertCopy();
  conversion.catch(() => undefined);
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

test('the unconverted VMware guest boots on pvscsi and prints its report', async (t) => {
  const r = await boot(image, 'pvscsi', 'vmxnet3', join(work, 'pvscsi.log'));
  t.diagnostic(`pvscsi boot: ${r.seconds}s`);
  assert.equal(r.code, 0, `${r.stdout}\n${r.serial.slice(-3000)}`);
  assert.match(r.serial, /^OSM-GUEST-READY host=osm-guest /m);
  assert.deepEqual(
    nicLines(r.serial).map((n) => n.mac),
    [VMWARE_MAC],
  );
});

test('control: the same unconverted disk does not boot on virtio (no virtio in its initramfs)', async (t) => {
  const r = await boot(image, 'virtio', 'virtio-net-pci', join(work, 'control.log'));
  t.diagnostic(`virtio control boot: ${r.seconds}s, exit ${r.code}`);
  assert.equal(r.code, 2, `expected a failed boot:\n${r.stdout}\n${r.serial.slice(-3000)}`);
  assert.match(r.serial, /Gave up waiting for root file system device/);
  assert.doesNotMatch(r.serial, /^OSM-GUEST-READY/m);
});

test('after conversion with our network script it boots on virtio, keeps ens192 and gets a DHCP address', async (t) => {
  const { disk, customize, convert } = await conversion;
  t.diagnostic(`network script (virt-customize --run): ${customize.seconds}s; virt-v2v-in-place: ${convert.seconds}s`);
  const r = await boot(disk, 'virtio', 'virtio-net-pci', join(work, 'converted.log'));
  t.diagnostic(`converted virtio boot: ${r.seconds}s`);
  assert.equal(r.code, 0, `${r.stdout}\n${r.serial.slice(-3000)}`);
  assert.match(r.serial, /^OSM-GUEST-READY host=osm-guest /m);
  assert.deepEqual(nicLines(r.serial), [{ name: GUEST_NIC, mac: VMWARE_MAC, ipv4: '10.0.2.15/24' }]);
});
