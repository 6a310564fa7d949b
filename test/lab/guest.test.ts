/**
 * Boot proof of the lab's real guest (issue 8): the VMware-looking Debian disk built by lab/guest/build boots on
 * pvscsi, does not boot on virtio unconverted (control), and after virt-v2v-in-place plus our network script it
 * boots on virtio with its NIC still named ens192 (pinned to the preserved MAC) and a DHCP address from qemu.
 * Everything runs under TCG; boots take 50-100 s, the conversion 3-4 min.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { networkScript } from '../../src/conversion/network-script.js';
import { convertInPlace } from '../../src/conversion/virt-v2v.js';

const repo = resolve(fileURLToPath(import.meta.url), '../../../..');
const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
const VMWARE_MAC = '00:50:56:8a:0c:01';
const GUEST_NIC = 'ens192';

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
  return [...serial.matchAll(/OSM-GUEST-NIC name=(\S+) mac=(\S+) ipv4=(\S+)/g)].map((m) => ({
    name: m[1]!,
    mac: m[2]!,
    ipv4: m[3]!,
  }));
}

let image = '';
let work = '';
let scratch = { offset: 0, bytes: 0 };
let conversion: Promise<{ disk: string; seconds: number; commands: string[][] }>;

/**
 * Converts a copy of the image through the migrate workflow's conversion code: virt-v2v-in-place with our network
 * script (on virt-v2v 2.2, which has no --run, the script is applied by virt-customize after the conversion).
 */
async function convertCopy(): Promise<{ disk: string; seconds: number; commands: string[][] }> {
  const disk = join(work, 'converted.raw');
  const copy = await run('cp', ['--sparse=always', image, disk], 300);
  assert.equal(copy.code, 0, `copying ${image} failed: ${copy.stderr}`);
  const script = join(work, 'network_config.sh');
  writeFileSync(script, networkScript([{ mac: VMWARE_MAC, name: GUEST_NIC }]), { mode: 0o755 });
  const lines: string[] = [];
  const r = await convertInPlace({
    input: { kind: 'disk', path: disk },
    guestFamily: 'linux',
    networkScript: script,
    onLine: (l) => lines.push(l),
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n${lines.slice(-40).join('\n')}`);
  });
  // What a CBT test's guest writes may land on: the disk's unpartitioned tail must not matter to the guest.
  const fd = openSync(disk, 'r+');
  try {
    writeSync(fd, randomBytes(Math.min(scratch.bytes, 4 << 20)), 0, undefined, scratch.offset);
  } finally {
    closeSync(fd);
  }
  return { disk, seconds: Math.round(r.durationSeconds), commands: r.commands };
}

before(async () => {
  // /dev/kvm does not work on the lab machine: libguestfs (virt-v2v, virt-customize) must use TCG.
  process.env.LIBGUESTFS_BACKEND_SETTINGS = 'force_tcg';
  const build = await run(join(repo, 'lab/guest/build'), [], 1800);
  assert.equal(build.code, 0, `lab/guest/build failed:\n${build.stderr.slice(-4000)}`);
  const facts = JSON.parse(build.stdout) as { image: string; scratchOffsetBytes: number; scratchBytes: number };
  image = facts.image;
  scratch = { offset: facts.scratchOffsetBytes, bytes: facts.scratchBytes };
  assert.ok(scratch.bytes > 0 && scratch.offset > 0, 'guest.json has no scratch region');
  mkdirSync(join(labDir, 'guest', 'runs'), { recursive: true });
  work = mkdtempSync(join(labDir, 'guest', 'runs', 'proof-'));
  // The conversion runs while the two unconverted boots below run: the proof's wall time is what CI pays.
  conversion = convertCopy();
  conversion.catch(() => undefined);
});

let passed = 0;
after(() => {
  if (work === '') return;
  // Serial logs stay for diagnosis when a boot test failed; the disk copy never does.
  rmSync(passed === 3 ? work : join(work, 'converted.raw'), { recursive: true, force: true });
});

test('the unconverted VMware guest boots on pvscsi and prints its report', async (t) => {
  const r = await boot(image, 'pvscsi', 'vmxnet3', join(work, 'pvscsi.log'));
  t.diagnostic(`pvscsi boot: ${r.seconds}s`);
  assert.equal(r.code, 0, `${r.stdout}\n${r.serial.slice(-3000)}`);
  assert.match(r.serial, /OSM-GUEST-READY host=osm-guest /);
  assert.deepEqual(
    nicLines(r.serial).map((n) => n.mac),
    [VMWARE_MAC],
  );
  passed++;
});

test('control: the same unconverted disk does not boot on virtio (no virtio in its initramfs)', async (t) => {
  const r = await boot(image, 'virtio', 'virtio-net-pci', join(work, 'control.log'));
  t.diagnostic(`virtio control boot: ${r.seconds}s, exit ${r.code}`);
  assert.equal(r.code, 2, `expected a failed boot:\n${r.stdout}\n${r.serial.slice(-3000)}`);
  assert.match(r.serial, /Gave up waiting for root file system device/);
  assert.doesNotMatch(r.serial, /OSM-GUEST-READY/);
  passed++;
});

test('after conversion with our network script it boots on virtio, keeps ens192 and gets a DHCP address', async (t) => {
  const { disk, seconds, commands } = await conversion;
  t.diagnostic(`conversion with the network script: ${seconds}s: ${commands.map((c) => c.join(' ')).join(' && ')}`);
  const r = await boot(disk, 'virtio', 'virtio-net-pci', join(work, 'converted.log'));
  t.diagnostic(`converted virtio boot: ${r.seconds}s`);
  assert.equal(r.code, 0, `${r.stdout}\n${r.serial.slice(-3000)}`);
  assert.match(r.serial, /OSM-GUEST-READY host=osm-guest /);
  assert.deepEqual(nicLines(r.serial), [{ name: GUEST_NIC, mac: VMWARE_MAC, ipv4: '10.0.2.15/24' }]);
  passed++;
});
