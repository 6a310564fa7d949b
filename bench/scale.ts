/**
 * Scale benchmark on one conversion host (prints ratios; not a test). Needs the lab up and the module executables
 * built (`npm run build`); run it under the lab's lock:
 *   flock /tmp/osm-lab.lock node build/bench/scale.js [--data-gib 1]
 *
 * Migrates 1 VM, then 5 VMs at once (one batch), through the collection's migration playbook against the lab, as a
 * user runs it (lab/env's inventory and variables, the https disk source). The VMs are simulator VMs no test migrates
 * (DC0_C1_RP0_VM0..4, one 10 GiB disk each); before the runs CBT is turned on (so the copy reads the allocation map,
 * changeId "*", as on a CBT-enabled VM) and each disk gets `--data-gib` GiB of random data written through
 * lab/vsphere/disk-write (in 4 pieces spread over the disk); afterwards the data is removed again (holes punched),
 * the tool's servers, volumes and ports deleted, CBT turned off and the VMs powered on as they were.
 * While a playbook runs, /proc is sampled every 100 ms for the migration processes (the import_workloads module
 * executables) and their peak RSS (VmHWM) is kept. Prints each run's wall time and each migration's peak RSS, then
 * `RATIO 5 VMs vs 1 VM wall time: <x>` (goal <= 1.5) and the largest peak RSS against the 200 MB goal.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '../src/openstack/auth.js';
import { connect } from '../src/openstack/connect.js';
import { listPorts } from '../src/openstack/network.js';
import { listVolumesByName } from '../src/openstack/volume.js';
import { safeVmName } from '../src/util/names.js';
import { enableCbt } from '../src/vmware/cbt.js';
import { powerOn, powerState } from '../src/vmware/power.js';
import { type VSphereSession, withSession } from '../src/vmware/session.js';
import { waitForTask } from '../src/vmware/tasks.js';
import { deleteToolPort, deleteToolServer, deleteToolVolume } from '../src/workflow/teardown.js';
import { FQCN, installCollection, type InstalledCollection } from '../test/helpers/collection.js';
import { envDir, labDir, labDstCloud, toolServer, vsphereFacts } from '../test/helpers/lab-migration.js';
import { repoRoot } from '../test/helpers/run-module.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const i = process.argv.indexOf('--data-gib');
const dataBytes = (i > 0 ? Number(process.argv[i + 1]) : 1) * GiB;

const VMS = ['DC0_C1_RP0_VM0', 'DC0_C1_RP0_VM1', 'DC0_C1_RP0_VM2', 'DC0_C1_RP0_VM3', 'DC0_C1_RP0_VM4'];

interface BaseVm {
  name: string;
  moid: string;
  disks: { key: number; capacity_bytes: number; flat_path: string }[];
  nics: { mac: string }[];
}
const baseVms = (JSON.parse(readFileSync(join(labDir, 'vsphere.json'), 'utf8')) as { base_vms: BaseVm[] }).base_vms;
const vmFacts = (name: string): BaseVm => {
  const vm = baseVms.find((v) => v.name === name);
  if (!vm) throw new Error(`${name} is not among the lab's base_vms (${join(labDir, 'vsphere.json')}): run lab/up`);
  return vm;
};
const vsphereLogin = { host: `${vsphereFacts.host}:${vsphereFacts.port}`, username: vsphereFacts.user, password: vsphereFacts.password, thumbprint: vsphereFacts.thumbprint };

/** Write `dataBytes` of random data into the VM's first disk through the lab (so CBT sees it), in 4 spread pieces. */
function fillDisk(vm: BaseVm, dir: string): void {
  const piece = dataBytes / 4;
  const stride = Math.floor(vm.disks[0]!.capacity_bytes / 4 / MiB) * MiB;
  const file = join(dir, 'piece');
  const buf = Buffer.allocUnsafe(64 * MiB);
  for (let p = 0; p < 4; p++) {
    const fd = openSync(file, 'w');
    for (let n = 0; n < piece; n += buf.length) writeSync(fd, randomFillSync(buf), 0, Math.min(buf.length, piece - n));
    closeSync(fd);
    execFileSync(join(repoRoot, 'lab', 'vsphere', 'disk-write'), [vm.name, '0', String(p * stride), file], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  rmSync(file);
}

/** The disk holds no data again, as the lab made it. */
function emptyDisk(vm: BaseVm): void {
  const d = vm.disks[0]!;
  execFileSync('fallocate', ['--punch-hole', '--keep-size', '--offset', '0', '--length', String(d.capacity_bytes), d.flat_path]);
}

/** Only the tool's own server, volumes and ports of these VMs. */
async function clean(s: Session, names: string[]): Promise<void> {
  const del = (id: string) => ({ name: id, wait: true, waitOpts: { timeoutMs: 120_000, intervalMs: 1000 }, checkMode: false });
  for (const name of names) {
    const server = await toolServer(s, name);
    if (server) await deleteToolServer(s, del(server.id));
    for (const d of vmFacts(name).disks) {
      for (const v of await listVolumesByName(s, `${safeVmName(name)}-${d.key}`)) if (v.metadata.osm === 'true') await deleteToolVolume(s, del(v.id));
    }
    for (const nic of vmFacts(name).nics) for (const p of await listPorts(s, { mac_address: nic.mac })) await deleteToolPort(s, del(p.id));
  }
}

/**
 * Peak RSS (VmHWM, kB) of each import_workloads module process of this run seen in /proc so far: the module runs as
 * `node <ansible tmp>/AnsiballZ_import_workloads <args>`, and the run's processes carry its ANSIBLE_COLLECTIONS_PATH (Ansible's async
 * wrapper detaches them from ansible-playbook).
 */
function sampleModules(peaks: Map<number, number>, collections: string): void {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (!/(^|\/)node$/.test(argv[0]!) || !/\/(AnsiballZ_)?import_workloads$/.test(argv[1] ?? '')) continue;
      if (!readFileSync(`/proc/${e}/environ`, 'utf8').split('\0').includes(`ANSIBLE_COLLECTIONS_PATH=${collections}`)) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${e}/status`, 'utf8'));
      if (hwm) peaks.set(Number(e), Math.max(peaks.get(Number(e)) ?? 0, Number(hwm[1])));
    } catch {
      // The process exited between readdir and read.
    }
  }
}

/** CPU seconds the whole machine has spent busy (every process: the lab's services too), from /proc/stat. */
function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) / 100;
}

interface Run {
  seconds: number;
  /** CPU seconds the machine spent busy during the run. */
  busy: number;
  /** Peak RSS in MB of each migration process. */
  rssMb: number[];
}

/** The migration playbook for `vms`, as lab/env sets it up; fails unless every VM migrated. */
async function migrate(c: InstalledCollection, vms: string[]): Promise<Run> {
  const vars = join(c.work, `vars-${vms.length}.json`);
  writeFileSync(vars, JSON.stringify({ os_migrate_conversion_host_content_install: false, vms_list: vms }));
  const args = ['-i', join(envDir, 'inventory.yml'), `${FQCN}.migration`, '-e', `@${join(envDir, 'secrets.yml')}`, '-e', `@${join(envDir, 'myvars.yml')}`, '-e', `@${vars}`];
  const peaks = new Map<number, number>();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const child = spawn('ansible-playbook', args, { env: { ...c.env, ANSIBLE_STDOUT_CALLBACK: 'json' }, cwd: c.work, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setInterval(() => sampleModules(peaks, c.path), 100);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearInterval(timer);
  const seconds = (performance.now() - t0) / 1000;
  const busy = machineBusySeconds() - busy0;
  if (code !== 0) throw new Error(`the migration of ${vms.join(', ')} failed (exit ${String(code)}): ${out.slice(-3000)}`);
  if (peaks.size !== vms.length) throw new Error(`saw ${peaks.size} migration processes for ${vms.length} VMs`);
  return { seconds, busy, rssMb: [...peaks.values()].map((kb) => kb / 1024) };
}

/** Changed block tracking off again (as the lab made these VMs). */
async function disableCbt(v: VSphereSession, name: string): Promise<void> {
  const vm = { type: 'VirtualMachine', value: vmFacts(name).moid };
  await waitForTask(v, await v.invoke('ReconfigVM_Task', { _this: vm, spec: { changeTrackingEnabled: false } }), `ReconfigVM_Task(${vm.value}, changeTrackingEnabled=false)`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'osm-scale-'));
  const s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
  // CBT on, as on the VMs a migration with an allocation map reads (changeId "*"): only the data is copied.
  const { wasOn, cbtTurnedOn } = await withSession(vsphereLogin, async (v) => {
    const on: string[] = [];
    const cbt: string[] = [];
    for (const name of VMS) {
      const vm = { type: 'VirtualMachine', value: vmFacts(name).moid };
      if ((await powerState(v, vm)) === 'poweredOn') on.push(name);
      if (await enableCbt(v, vm)) cbt.push(name);
    }
    return { wasOn: on, cbtTurnedOn: cbt };
  });
  try {
    await clean(s, VMS);
    process.stderr.write(`writing ${dataBytes / GiB} GiB of random data into each of ${VMS.join(', ')}\n`);
    for (const name of VMS) fillDisk(vmFacts(name), dir);
    const c = installCollection();
    process.stderr.write('migrating 1 VM\n');
    const one = await migrate(c, VMS.slice(0, 1));
    await clean(s, VMS);
    process.stderr.write('migrating 5 VMs\n');
    const five = await migrate(c, VMS);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const mb = (r: Run): string => r.rssMb.map((x) => x.toFixed(0)).join(', ');
    console.log(`\nMigration playbook against the lab (https source, CBT on), ${dataBytes / GiB} GiB of data on a 10 GiB disk per VM; load average ${load}.`);
    const cores = availableParallelism();
    console.log(`Busy CPU: every process on the machine (the lab's vCenter simulator and OpenStack services included); at ${cores} cores a run takes at least busy/${cores}.`);
    console.log(`| run | wall time (s) | busy CPU (s) | busy/${cores} (s) | peak RSS of each migration (MB) |`);
    console.log('|---|---|---|---|---|');
    const row = (label: string, r: Run): string => `| ${label} | ${r.seconds.toFixed(1)} | ${r.busy.toFixed(1)} | ${(r.busy / cores).toFixed(1)} | ${mb(r)} |`;
    console.log(row('1 VM', one));
    console.log(row('5 VMs', five));
    const x = five.seconds / one.seconds;
    console.log(`RATIO 5 VMs vs 1 VM wall time: ${x.toFixed(2)} (goal <= 1.5: ${x <= 1.5 ? 'met' : 'NOT met'})`);
    console.log(`RATIO 5 VMs busy CPU / ${cores} cores vs 1 VM wall time: ${(five.busy / cores / one.seconds).toFixed(2)} (the least the ratio can be on this machine)`);
    const peak = Math.max(...one.rssMb, ...five.rssMb);
    console.log(`RATIO largest migration peak RSS vs 200 MB: ${(peak / 200).toFixed(2)} (${peak.toFixed(0)} MB; goal <= 1: ${peak <= 200 ? 'met' : 'NOT met'})`);
  } finally {
    await clean(s, VMS);
    for (const name of VMS) emptyDisk(vmFacts(name));
    await withSession(vsphereLogin, async (v) => {
      for (const name of wasOn) await powerOn(v, { type: 'VirtualMachine', value: vmFacts(name).moid });
      for (const name of cbtTurnedOn) await disableCbt(v, name);
    });
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
