/**
 * Transfer benchmark (prints ratios; not a test). Run after `npm run build:ts`:
 *   node build/bench/transfer.js [--runs N] [--size-gib 4] [--data-gib 1]
 *
 * A 4 GiB disk holding 1 GiB of random data (flat VMDK under /var/tmp) is copied to a fresh file target by each
 * source (local, nbd = nbdkit file on a Unix socket as the vddk path would serve it, https against a Go HTTPS server
 * serving the datastore as the lab's govmomi simulator does (bench/datastore-server), ssh against a real sshd), and
 * compared with `nbdcopy --destination-is-zero --flush` file to file (the local limit). Every source gets the disk's
 * allocated areas as the migrate workflow passes QueryChangedDiskAreas(changeId "*") of a CBT-enabled VM (nbdcopy
 * skips holes too). A 64 MiB CBT delta, written onto a volume that holds the full copy, is compared with the full copy
 * of the same source. Targets are opened as the migrate workflow opens them (the source's `targetWrites`).
 * Each configuration runs N times (default 2); the best time counts. Temporary files are deleted at the end.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync, X509Certificate } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { copyDisk } from '../src/transfer/copy.js';
import { copyChangedAreas } from '../src/transfer/delta.js';
import { startNbdServer } from '../src/transfer/nbd/server-process.js';
import { openHttpsSource } from '../src/transfer/sources/https.js';
import { openLocalSource, fileAllocation } from '../src/transfer/sources/local.js';
import { NbdSource } from '../src/transfer/sources/nbd.js';
import { openSshSource } from '../src/transfer/sources/ssh.js';
import { openTarget } from '../src/transfer/target.js';
import type { DiskSource, Extent } from '../src/transfer/types.js';
import { startSshd } from '../test/transfer/servers.js';

// libuv's thread pool carries every file read and write; the module executables set the same size at startup.
process.env.UV_THREADPOOL_SIZE ??= '8';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const runs = arg('runs', 2);
const size = arg('size-gib', 4) * GiB;
const dataBytes = arg('data-gib', 1) * GiB;

/** Random data in 4 MiB extents spread evenly over the disk (deterministic layout). */
function makeDisk(dir: string): { descriptor: string; flat: string; data: Extent[] } {
  const flat = join(dir, 'disk-flat.vmdk');
  const piece = 4 * MiB;
  const n = Math.floor(dataBytes / piece);
  const stride = Math.floor(size / n / piece) * piece;
  const data: Extent[] = Array.from({ length: n }, (_, i) => ({ start: i * stride, length: piece }));
  const fd = openSync(flat, 'w');
  ftruncateSync(fd, size);
  const buf = Buffer.allocUnsafe(piece);
  for (const e of data) {
    randomFillSync(buf);
    writeSync(fd, buf, 0, piece, e.start);
  }
  closeSync(fd);
  const descriptor = join(dir, 'disk.vmdk');
  writeFileSync(
    descriptor,
    `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\n# Extent description\nRW ${size / 512} FLAT "disk-flat.vmdk" 0\n`,
  );
  return { descriptor, flat, data };
}

function freshTarget(dir: string): string {
  const p = join(dir, 'target.img');
  rmSync(p, { force: true });
  const fd = openSync(p, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return p;
}

/** CPU seconds of a process and its reaped children. */
function processCpu(pid: number | 'self'): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

/** CPU seconds of this process (with nbdcopy, nbdkit, qemu-img it reaped) and of the server process, if any. */
function cpuSeconds(serverPid?: number): number {
  return processCpu('self') + (serverPid ? processCpu(serverPid) : 0);
}

/** Wait (at most 2 s) until `pid` has reaped its children, e.g. sshd the sessions of closed connections. */
async function childrenReaped(pid: number): Promise<void> {
  const busy = (): boolean =>
    readdirSync(`/proc/${pid}/task`).some((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim() !== '');
  for (let i = 0; i < 200 && busy(); i++) await sleep(10);
}

interface Timing {
  seconds: number;
  cpu: number;
}

/**
 * Best of `runs` timings of `fn`. Untimed before each run: `before` (e.g. deleting the previous run's target, whose
 * page cache takes the kernel a while to drop), then writing back earlier runs' dirty pages, so no run pays for another.
 */
async function best(label: string, fn: () => Promise<void>, o: { serverPid?: number; before?: () => void } = {}): Promise<Timing> {
  const serverPid = o.serverPid;
  let min: Timing = { seconds: Infinity, cpu: 0 };
  for (let i = 0; i < runs; i++) {
    o.before?.();
    execFileSync('sync');
    const c0 = cpuSeconds(serverPid);
    const t0 = performance.now();
    await fn();
    const s = (performance.now() - t0) / 1000;
    if (serverPid) await childrenReaped(serverPid);
    const cpu = cpuSeconds(serverPid) - c0;
    process.stderr.write(`  ${label} run ${i + 1}: ${s.toFixed(2)} s, ${cpu.toFixed(2)} CPU s\n`);
    if (s < min.seconds) min = { seconds: s, cpu };
  }
  return min;
}

async function copyWith(open: () => Promise<DiskSource>, targetPath: string, allocated?: Extent[]): Promise<void> {
  const source = await open();
  const target = await openTarget({ path: targetPath, writes: source.targetWrites });
  try {
    await copyDisk({ source, target, assumeZero: true, ...(allocated ? { allocated } : {}) });
  } finally {
    await source.close();
    await target.close();
  }
}

/** bench/datastore-server (built on first use) serving `root` as datastore LocalDS_0 of DC0. */
async function startHttpsProcess(root: string): Promise<{ child: ChildProcess; port: number; sha1: string }> {
  const state = execFileSync(resolve(import.meta.dirname, '../../bench/datastore-server/build'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const child = spawn(join(state, 'datastore-server'), ['-root', root, '-cert', join(state, 'cert.pem'), '-key', join(state, 'key.pem')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((res) => createInterface({ input: child.stdout! }).once('line', res));
  return { child, port: Number(line), sha1: new X509Certificate(readFileSync(join(state, 'cert.pem'))).fingerprint };
}

async function main(): Promise<void> {
  const dir = mkdtempSync('/var/tmp/osm-bench-');
  let https: { child: ChildProcess } | undefined;
  let sshd: { stop(): Promise<void> } | undefined;
  try {
    process.stderr.write(`making a ${size / GiB} GiB disk with ${dataBytes / GiB} GiB of random data in ${dir}\n`);
    const ds = join(dir, 'ds', 'vm');
    mkdirSync(ds, { recursive: true });
    const { descriptor, flat } = makeDisk(ds);
    const allocated = await fileAllocation(flat);
    execFileSync('sync');
    const rows: [string, Timing][] = [];

    const dropTarget = (): void => rmSync(join(dir, 'target.img'), { force: true });
    const baseline = await best('nbdcopy', async () => {
      execFileSync('nbdcopy', ['--destination-is-zero', '--flush', flat, join(dir, 'target.img')]);
    }, { before: dropTarget });

    rows.push(['local', await best('local', () => copyWith(() => openLocalSource({ path: descriptor, name: 'bench' }), freshTarget(dir), allocated), { before: dropTarget })]);

    const serveNbd = async (): Promise<DiskSource> => {
      const server = await startNbdServer({
        command: 'nbdkit',
        name: 'bench',
        args: (sock) => ['--readonly', '--exit-with-parent', '--foreground', '--unix', sock, 'file', flat],
      });
      return NbdSource.open('nbd', server.socketPath, server);
    };
    rows.push(['nbd (nbdkit, vddk path)', await best('nbd', () => copyWith(serveNbd, freshTarget(dir), allocated), { before: dropTarget })]);

    const h = await startHttpsProcess(join(dir, 'ds'));
    https = h;
    const url = `https://127.0.0.1:${h.port}/folder/vm/disk.vmdk?dcPath=DC0&dsName=LocalDS_0`;
    const openHttps = (): Promise<DiskSource> => openHttpsSource({ url, tls: { thumbprint: h.sha1 }, connections: 4 });
    rows.push(['https (allocation map)', await best('https', () => copyWith(openHttps, freshTarget(dir), allocated), { serverPid: h.child.pid, before: dropTarget })]);
    rows.push(['https (whole disk)', await best('https-all', () => copyWith(openHttps, freshTarget(dir), [{ start: 0, length: size }]), { serverPid: h.child.pid, before: dropTarget })]);

    const s = await startSshd(dir);
    sshd = s;
    const openSsh = (): Promise<DiskSource> =>
      openSshSource({ host: '127.0.0.1', port: s.port, username: s.user, privateKey: s.privateKey, hostKeySha256: s.hostKeySha256, path: descriptor });
    rows.push(['ssh (allocation map)', await best('ssh', () => copyWith(openSsh, freshTarget(dir), allocated), { serverPid: s.pid, before: dropTarget })]);

    // CBT delta: 64 MiB as 1024 changed 64 KiB blocks, four adjacent ones in each 4 MiB data extent (256 areas of
    // 256 KiB once merged), against the full copy of the same source.
    const areas: Extent[] = Array.from({ length: 1024 }, (_, i) => {
      const e = allocated[i % allocated.length]!;
      return { start: e.start + (Math.floor(i / allocated.length) * 64 * 1024) % e.length, length: 64 * 1024 };
    });
    // The delta lands on a volume holding the full copy, as every CBT sync after the first does.
    const deltaTarget = join(dir, 'delta-target.img');
    execFileSync('cp', ['--sparse=always', flat, deltaTarget]);
    const full = rows.find((r) => r[0].startsWith('nbd'))![1];
    const delta = await best('delta', async () => {
      const source = await serveNbd();
      const target = await openTarget({ path: deltaTarget, writes: source.targetWrites });
      try {
        const r = await copyChangedAreas({ source, target, areas });
        if (r.bytesRead !== 64 * MiB) throw new Error(`delta read ${r.bytesRead} bytes, expected ${64 * MiB}`);
      } finally {
        await source.close();
        await target.close();
      }
    });

    const goals: Record<string, number> = { local: 0.9, 'https (allocation map)': 0.6, 'ssh (allocation map)': 0.4 };
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`\nDisk ${size / GiB} GiB, ${dataBytes / GiB} GiB random data; best of ${runs}; target: a fresh sparse file (the delta: a volume holding the full copy), fsync at end; load average ${load}.`);
    console.log('CPU s: this process + its reaped children (nbdkit, nbdcopy) + the server process (https: the Go stand-in; ssh: sshd and its sessions).');
    // With the server on the same cores, no copy can be faster than its CPU seconds spread over every core.
    const cores = availableParallelism();
    console.log(`CPU bound: CPU s / ${cores} cores, the shortest time this work could take here, and its speed vs nbdcopy.`);
    console.log('| source | seconds | MiB/s of data | CPU s | CPU bound | speed vs nbdcopy | goal |');
    console.log('|---|---|---|---|---|---|---|');
    const row = (name: string, t: Timing, speed: string, goal: string): void =>
      console.log(
        `| ${name} | ${t.seconds.toFixed(2)} | ${(dataBytes / MiB / t.seconds).toFixed(0)} | ${t.cpu.toFixed(2)} | ` +
          `${(t.cpu / cores).toFixed(2)} s (${(baseline.seconds / (t.cpu / cores)).toFixed(2)}x) | ${speed} | ${goal} |`,
      );
    row('nbdcopy file->file (baseline)', baseline, '1.00x', '');
    for (const [name, t] of rows) {
      const g = goals[name];
      const ratio = baseline.seconds / t.seconds;
      row(name, t, `${ratio.toFixed(2)}x`, g ? `>= ${g}x ${ratio >= g ? 'met' : 'NOT met'}` : '');
    }
    const dr = delta.seconds / full.seconds;
    console.log(
      `| CBT delta 64 MiB (nbd) | ${delta.seconds.toFixed(2)} | | ${delta.cpu.toFixed(2)} | | ${(dr * 100).toFixed(1)}% of the full nbd copy | <= 10% ${dr <= 0.1 ? 'met' : 'NOT met'} |`,
    );
  } finally {
    https?.child.kill('SIGTERM');
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
