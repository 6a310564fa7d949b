/**
 * The lab's real guest (issue 8): the VMware-looking Debian disk built by lab/guest/build boots on pvscsi with its
 * vmxnet3 NIC named ens192, and does not boot on virtio unconverted (the control of the boot proof). The converted
 * boot is proven end to end through the playbook by test/playbooks/boot-proof.test.ts. Boots run under TCG (50-100 s).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(import.meta.url), '../../../..');
const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
const VMWARE_MAC = '00:50:56:8a:0c:01';

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
before(async () => {
  const build = await run(join(repo, 'lab/guest/build'), [], 1800);
  assert.equal(build.code, 0, `lab/guest/build failed:\n${build.stderr.slice(-4000)}`);
  image = (JSON.parse(build.stdout) as { image: string }).image;
  mkdirSync(join(labDir, 'guest', 'runs'), { recursive: true });
  work = mkdtempSync(join(labDir, 'guest', 'runs', 'proof-'));
});

let passed = 0;
after(() => {
  if (work === '') return;
  // Serial logs stay for diagnosis when a boot test failed.
  if (passed === 2) rmSync(work, { recursive: true, force: true });
});

// The two boots run side by side (each qemu is mostly one busy TCG thread): the proof's wall time is what CI pays.
describe('the unconverted VMware guest', { concurrency: 2 }, () => {
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
});
