/** Disks and the datastore HTTPS server shared by the transfer benchmarks. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync, X509Certificate } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Extent } from '../src/transfer/types.js';

const MiB = 1024 ** 2;

/** A flat VMDK of `size` bytes with `dataBytes` of random data in 4 MiB extents spread evenly over it (deterministic layout). */
export function makeDisk(dir: string, size: number, dataBytes: number): { descriptor: string; flat: string; data: Extent[] } {
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

/** bench/datastore-server (built on first use) serving `root` as datastore LocalDS_0 of DC0. */
export async function startHttpsProcess(root: string): Promise<{ child: ChildProcess; port: number; sha1: string }> {
  const state = execFileSync(resolve(import.meta.dirname, '../../bench/datastore-server/build'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const child = spawn(join(state, 'datastore-server'), ['-root', root, '-cert', join(state, 'cert.pem'), '-key', join(state, 'key.pem')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((res) => createInterface({ input: child.stdout! }).once('line', res));
  return { child, port: Number(line), sha1: new X509Certificate(readFileSync(join(state, 'cert.pem'))).fingerprint };
}

