/**
 * Memory of one disk's copy against the disk's size (prints ratios; not a test). Run after `npm run build:ts`:
 *   node build/bench/transfer-rss.js [--data-gib 1]
 *
 * A 4 GiB and a 64 GiB sparse disk (flat VMDKs under /var/tmp), each holding `--data-gib` GiB of random data, are
 * copied onto a sparse file target by a child process running the migrate workflow's per-disk copy (transferDisk, a
 * full copy onto a new volume with the allocation map from CBT) from each network source: https (against
 * bench/datastore-server) and vddk/nbd (nbdkit file on a Unix socket, as the vddk path serves it). The child reports
 * its peak RSS (getrusage ru_maxrss: Node's heap, the copy's buffers and the libuv thread pool). Prints each peak and
 * `RATIO peak RSS 64 GiB vs 4 GiB disk (<source>): <x>` (goal: about 1, and every peak under 200 MB).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nbdkitArgs, startNbdServer } from '../src/transfer/nbd/server-process.js';
import { transferDisk } from '../src/transfer/disk-transfer.js';
import { openHttpsSource } from '../src/transfer/sources/https.js';
import { fileAllocation } from '../src/transfer/sources/local.js';
import { NbdSource } from '../src/transfer/sources/nbd.js';
import type { DiskSource, Extent } from '../src/transfer/types.js';
import { createLogger } from '../src/util/log.js';
import { makeDisk, startHttpsProcess } from './disk-fixtures.js';

process.env.UV_THREADPOOL_SIZE ??= '8';
const GiB = 1024 ** 3;

interface ChildJob {
  source: { kind: 'https'; url: string; sha1: string } | { kind: 'nbd'; flat: string };
  target: string;
  allocated: Extent[];
}

/** In the child: one disk's copy as the migrate workflow runs it, then the peak RSS in kB on stdout. */
async function child(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as ChildJob;
  const j = job.source;
  let source: DiskSource;
  if (j.kind === 'https') source = await openHttpsSource({ url: j.url, tls: { thumbprint: j.sha1 }, connections: 4 });
  else {
    const server = await startNbdServer({ command: 'nbdkit', name: 'rss', args: (sock) => nbdkitArgs(sock, ['file', j.flat]) });
    source = await NbdSource.open('nbd', server.socketPath, server);
  }
  try {
    await transferDisk({ source, targetPath: job.target, mode: { kind: 'full', targetIsZero: true, allocated: job.allocated }, verify: false, label: 'disk 2000', log: createLogger({ level: 'warn' }) });
  } finally {
    await source.close();
  }
  console.log(process.resourceUsage().maxRSS);
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--data-gib');
  const dataBytes = (i > 0 ? Number(process.argv[i + 1]) : 1) * GiB;
  const dir = mkdtempSync('/var/tmp/osm-rss-');
  const sizes = [4, 64];
  const peaks = new Map<string, number>();
  mkdirSync(join(dir, 'ds'));
  const https = await startHttpsProcess(join(dir, 'ds'));
  try {
    for (const gib of sizes) {
      const ds = join(dir, 'ds', `vm${gib}`);
      mkdirSync(ds, { recursive: true });
      process.stderr.write(`making a ${gib} GiB disk with ${dataBytes / GiB} GiB of random data\n`);
      const { flat } = makeDisk(ds, gib * GiB, dataBytes);
      const allocated = await fileAllocation(flat);
      const sources: ChildJob['source'][] = [
        { kind: 'https', url: `https://127.0.0.1:${https.port}/folder/vm${gib}/disk.vmdk?dcPath=DC0&dsName=LocalDS_0`, sha1: https.sha1 },
        { kind: 'nbd', flat },
      ];
      for (const source of sources) {
        const target = join(dir, 'target.img');
        const fd = openSync(target, 'w');
        ftruncateSync(fd, gib * GiB);
        closeSync(fd);
        const jobFile = join(dir, 'job.json');
        writeFileSync(jobFile, JSON.stringify({ source, target, allocated } satisfies ChildJob));
        const out = execFileSync(process.execPath, [import.meta.filename, '--child', jobFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        const mb = Number(out.trim()) / 1024;
        process.stderr.write(`  ${source.kind} ${gib} GiB: peak RSS ${mb.toFixed(0)} MB\n`);
        peaks.set(`${source.kind} ${gib}`, mb);
        rmSync(target);
      }
      rmSync(ds, { recursive: true });
    }
  } finally {
    https.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nPeak RSS of one disk's copy (transferDisk in a child process, full copy with the allocation map, ${dataBytes / GiB} GiB of data):`);
  console.log(`| source | ${sizes.map((g) => `${g} GiB disk`).join(' | ')} |`);
  console.log(`|---|${sizes.map(() => '---|').join('')}`);
  for (const kind of ['https', 'nbd']) console.log(`| ${kind} | ${sizes.map((g) => `${peaks.get(`${kind} ${g}`)!.toFixed(0)} MB`).join(' | ')} |`);
  for (const kind of ['https', 'nbd']) {
    const [small, large] = sizes.map((g) => peaks.get(`${kind} ${g}`)!);
    console.log(`RATIO peak RSS 64 GiB vs 4 GiB disk (${kind}): ${(large! / small!).toFixed(2)} (${small!.toFixed(0)} -> ${large!.toFixed(0)} MB; goal <= 200 MB: ${Math.max(small!, large!) <= 200 ? 'met' : 'NOT met'})`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else await main();
