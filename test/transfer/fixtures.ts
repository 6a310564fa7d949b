import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, writeSync, closeSync, ftruncateSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Extent } from '../../src/transfer/types.js';

/** A temporary directory under /var/tmp removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join('/var/tmp', `osm-test-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A sparse raw image of `size` bytes with random data written at the given extents. */
export function makeSparseImage(path: string, size: number, data: Extent[]): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const e of data) {
      for (let p = 0; p < e.length; p += 8 * 1024 * 1024) {
        const n = Math.min(8 * 1024 * 1024, e.length - p);
        writeSync(fd, randomBytes(n), 0, n, e.start + p);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Write `<dir>/<name>.vmdk` (monolithicFlat descriptor) + `<name>-flat.vmdk` from a raw image, as a datastore holds them. */
export function makeFlatVmdk(raw: string, dir: string, name: string): string {
  const out = join(dir, `${name}.vmdk`);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=monolithicFlat', raw, out]);
  return out;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** An empty (all-zero, sparse) file of `size` bytes, standing in for a new Cinder volume. */
export function makeEmptyTarget(path: string, size: number): string {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return path;
}

export const MiB = 1024 * 1024;
