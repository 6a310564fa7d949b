// Benchmark (prints ratios; not a test): whole-inventory discovery with our client vs a pyvmomi peer asking for
// the same properties through the same container view, on the lab simulator and on a scale simulator with many
// VMs. Usage: node build/bench/discovery.js [VMS=5000]   (BENCH_RUNS=3 at scale, 9 on the lab; BENCH_SCALE_PORT=18990)
// Needs the lab up (lab/vsphere/up); builds and starts the scale simulator itself and stops it by PID.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INVENTORY_TYPES, inventorySpecs } from '../src/vmware/inventory.js';
import { VM_DETAIL_PATHS } from '../src/vmware/vm.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const vms = Number(process.argv[2] ?? 5000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const scalePort = Number(process.env.BENCH_SCALE_PORT ?? 18990);
const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';

interface Target {
  host: string;
  port: number;
  user: string;
  password: string;
  cafile: string;
}
interface Run {
  ms: number;
  vms: number;
  disks: number;
  nics: number;
  maxrss_kb: number;
}

function measure(cmd: string, args: string[], target: Target, peer: boolean): Run {
  const input = JSON.stringify(peer ? { ...target, types: INVENTORY_TYPES, specs: inventorySpecs(VM_DETAIL_PATHS) } : target);
  const p = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (p.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${p.status}): ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as Run;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function compare(name: string, target: Target, runs: number): string[] {
  const ours: Run[] = [];
  const peer: Run[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(measure(process.execPath, [join(here, 'discovery-ours.js')], target, false));
    peer.push(measure('/usr/bin/python3', [join(repo, 'bench', 'discovery_peer.py')], target, true));
  }
  const o = ours[0] as Run;
  const p = peer[0] as Run;
  if (o.vms !== p.vms || o.disks !== p.disks || o.nics !== p.nics) {
    throw new Error(`${name}: ours found ${o.vms} VMs/${o.disks} disks/${o.nics} NICs, the peer ${p.vms}/${p.disks}/${p.nics}`);
  }
  const om = median(ours.map((r) => r.ms));
  const pm = median(peer.map((r) => r.ms));
  const orss = Math.max(...ours.map((r) => r.maxrss_kb)) / 1024;
  const prss = Math.max(...peer.map((r) => r.maxrss_kb)) / 1024;
  return [name, String(o.vms), String(om), String(pm), `${(pm / om).toFixed(2)}x`, orss.toFixed(0), prss.toFixed(0)];
}

async function withScaleSimulator<T>(count: number, fn: (t: Target) => T): Promise<T> {
  const state = execFileSync(join(repo, 'bench', 'vcsim-scale', 'build'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'osm-bench-'));
  const password = randomBytes(12).toString('hex');
  writeFileSync(join(dir, 'password'), password, { mode: 0o600 });
  const sim = spawn(join(state, 'vcsim-scale'), [
    '-vms', String(count), '-listen', `127.0.0.1:${scalePort}`,
    '-cert', join(state, 'cert.pem'), '-key', join(state, 'key.pem'), '-password-file', join(dir, 'password'),
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('the scale simulator did not start within 10 minutes')), 600_000);
      sim.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('listening')) {
          clearTimeout(timer);
          ok();
        }
      });
      sim.on('exit', (code) => fail(new Error(`the scale simulator exited (${code})`)));
    });
    return fn({ host: '127.0.0.1', port: scalePort, user: 'user', password, cafile: join(state, 'cert.pem') });
  } finally {
    sim.kill('SIGTERM');
    await new Promise((r) => (sim.exitCode !== null ? r(undefined) : sim.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The assessment of every VM (vCenter read as discovery does, plus the checks and the lab's OpenStack listed once)
 * against discovery alone, interleaved runs on the same simulator; `readDisks` also opens each disk over https.
 */
function assessmentRatio(target: Target, runs: number, readDisks: boolean): string {
  const o = JSON.parse(readFileSync(join(labDir, 'openstack.json'), 'utf8')) as { auth_url: string; region: string; osm: Record<string, string> };
  const cloud = { auth: { auth_url: o.auth_url, username: o.osm.username, password: o.osm.password, project_name: o.osm.project_name, user_domain_name: 'Default', project_domain_name: 'Default' }, region_name: o.region };
  const discovery: number[] = [];
  const assessment: number[] = [];
  for (let i = 0; i < runs; i++) {
    discovery.push(measure(process.execPath, [join(here, 'discovery-ours.js')], target, false).ms);
    const p = spawnSync(process.execPath, [join(here, 'assessment-ours.js')], { input: JSON.stringify({ ...target, cloud, read_disks: readDisks }), encoding: 'utf8', maxBuffer: 1 << 20 });
    if (p.status !== 0) throw new Error(`assessment-ours failed (${p.status}): ${p.stderr}`);
    assessment.push((JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as { ms: number }).ms);
  }
  const d = median(discovery);
  const a = median(assessment);
  return `RATIO assessment${readDisks ? ' (disks opened over https)' : ''} vs discovery: ${(a / d).toFixed(2)} (assessment ${a} ms, discovery ${d} ms, median of ${runs})`;
}

function table(rows: string[][]): string {
  const header = ['SCENARIO', 'VMS', 'OURS MS', 'PYVMOMI MS', 'SPEED-UP', 'OURS RSS MB', 'PYVMOMI RSS MB'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padStart(widths[i] as number)).join('  ')).join('\n');
}

const facts = JSON.parse(readFileSync(join(labDir, 'vsphere.json'), 'utf8')) as Target & { cert_path: string };
const rows = [compare('lab', { host: facts.host, port: facts.port, user: facts.user, password: facts.password, cafile: facts.cert_path }, 3 * runs)];
const ratios: string[] = [];
rows.push(
  await withScaleSimulator(vms, (t) => {
    const row = compare(`scale ${vms}`, t, runs);
    ratios.push(assessmentRatio(t, runs, false), assessmentRatio(t, runs, true));
    return row;
  }),
);
console.log(`whole-inventory discovery, median of ${3 * runs} runs on the lab and ${runs} at scale (connect, login, all VMs with hardware/disks/NICs/guest/snapshots, logout)`);
console.log(table(rows));
for (const r of ratios) console.log(r);
