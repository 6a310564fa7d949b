import { constants } from 'node:fs';
import { open, readdir, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPageAligned, PAGE, pageAlignedBuffers } from '../util/aligned-buffer.js';
import { runCommand } from '../util/process.js';
import type { DiskTarget, TargetWrites } from './types.js';


export const DEFAULT_BY_ID_DIR = '/dev/disk/by-id';

export interface FindDeviceOptions {
  volumeId: string;
  /** Directory of by-id links (default /dev/disk/by-id; the lab uses $OSM_LAB_DIR/by-id). */
  byIdDir?: string;
  /** How long to wait for the link to appear after the attachment is in-use (default 60 s). */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

/** The by-id entry name of a virtio disk whose serial is the Cinder volume id (virtio truncates serials to 20 chars). */
export function virtioEntryName(volumeId: string): string {
  if (volumeId.length < 20) throw new Error(`volume id ${JSON.stringify(volumeId)} is too short to identify a virtio disk`);
  return `virtio-${volumeId.slice(0, 20)}`;
}

/**
 * Wait until the by-id directory holds the entry for `volumeId` and return the resolved device (or file) path.
 * Only the exact entry `virtio-<first 20 chars>` counts (never a partition link, never a guess).
 */
export async function findAttachedDevice(opts: FindDeviceOptions): Promise<string> {
  const dir = opts.byIdDir ?? DEFAULT_BY_ID_DIR;
  const entry = virtioEntryName(opts.volumeId);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw new Error(`cannot list ${dir} while looking for volume ${opts.volumeId}: ${e.code ?? e.message}`);
    });
    if (names.includes(entry)) {
      const link = join(dir, entry);
      try {
        return await realpath(link);
      } catch (e) {
        throw new Error(`${link} for volume ${opts.volumeId} does not resolve: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `volume ${opts.volumeId} is attached but ${join(dir, entry)} did not appear within ${timeoutMs / 1000} s; ` +
          'check that the volume is attached to this conversion host (virtio bus) and that udev is running',
      );
    }
    await sleep(opts.pollMs ?? 500, undefined, { signal: opts.signal });
  }
}

export interface OpenTargetOptions {
  path: string;
  /**
   * The source's `targetWrites` (default `cached`). `direct`: page-aligned buffers at page-aligned offsets are written
   * with O_DIRECT, past the page cache; everything else, and everything on a file system that refuses O_DIRECT, cached.
   */
  writes?: TargetWrites;
}

/** Open a block device or a regular file for writing at offsets (never truncating it). */
export async function openTarget(opts: OpenTargetOptions): Promise<DiskTarget> {
  const st = await stat(opts.path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot open target ${opts.path}: ${e.code ?? e.message}`);
  });
  if (!st.isBlockDevice() && !st.isFile()) throw new Error(`target ${opts.path} is neither a block device nor a regular file`);
  const kind = st.isBlockDevice() ? 'block' : 'file';
  const size = kind === 'block' ? await blockDeviceSize(opts.path) : st.size;
  const fh = await open(opts.path, constants.O_WRONLY | (kind === 'block' ? constants.O_EXCL : 0)).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot open target ${opts.path} for writing: ${e.code ?? e.message}${e.code === 'EBUSY' ? ' (the device is in use, e.g. mounted)' : ''}`);
  });
  // The cached handle holds a block device exclusively; the direct one is a second, plain open of the same device.
  const directFh = opts.writes === 'direct' ? await open(opts.path, constants.O_WRONLY | constants.O_DIRECT).catch(() => undefined) : undefined;
  return kind === 'block' ? new BlockTarget(opts.path, size, fh, directFh) : new FileTarget(opts.path, size, fh, directFh);
}

async function blockDeviceSize(path: string): Promise<number> {
  const dev = basename(await realpath(path));
  const sectors = await readFile(`/sys/class/block/${dev}/size`, 'utf8').catch(() => {
    throw new Error(`cannot read the size of block device ${path} (/sys/class/block/${dev}/size)`);
  });
  return Number(sectors.trim()) * 512;
}

const ZERO_CHUNK = 4 * 1024 * 1024;
let zeroBuf: Buffer | undefined;
function zeros(): Buffer {
  zeroBuf ??= pageAlignedBuffers(1, ZERO_CHUNK)[0]!.fill(0);
  return zeroBuf;
}

/**
 * Written bytes after which writeback of the target is started in the background (one datasync at a time), so the
 * final flush waits only for the tail instead of every dirty page of the copy. The written pages are then dropped
 * from the page cache (as nbdcopy does): the conversion host never reads them, and a copy that keeps every written
 * page needs as much fresh memory as the disk holds data (slow to fault in on a VM, and it evicts useful cache).
 */
export const WRITEBACK_EVERY = 128 * 1024 * 1024;

/** Drop the clean cached pages of `path` (coreutils dd: `oflag=nocache count=0` advises DONTNEED on the whole file). */
function dropCachedPages(path: string): Promise<void> {
  return runCommand('dd', ['if=/dev/null', `of=${path}`, 'oflag=nocache', 'conv=notrunc', 'count=0', 'status=none']).then(
    () => undefined,
    () => undefined, // Only an optimisation.
  );
}

async function writeAll(fh: FileHandle, buf: Buffer, offset: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, offset + done);
    done += bytesWritten;
  }
}

abstract class HandleTarget implements DiskTarget {
  abstract readonly kind: 'block' | 'file';
  /** A direct write was refused (EINVAL): the file system wants another alignment. */
  private directRefused = false;
  private unsynced = 0;
  private syncing: Promise<void> | undefined;
  private syncError: unknown;
  constructor(
    readonly path: string,
    readonly size: number,
    protected readonly fh: FileHandle,
    private readonly directFh: FileHandle | undefined,
  ) {}

  get direct(): boolean {
    return this.directFh !== undefined && !this.directRefused;
  }

  async write(buf: Buffer, offset: number): Promise<void> {
    if (offset + buf.length > this.size) {
      throw new Error(`write beyond the end of ${this.path} (${offset}+${buf.length} > ${this.size}); the volume is smaller than the disk`);
    }
    if (this.direct && offset % PAGE === 0 && buf.length % PAGE === 0 && isPageAligned(buf)) {
      try {
        return await writeAll(this.directFh!, buf, offset);
      } catch (e) {
        // A file system that opens with O_DIRECT but wants another alignment: cached writes from now on.
        if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
        this.directRefused = true;
      }
    }
    await writeAll(this.fh, buf, offset);
    this.unsynced += buf.length;
    if (this.unsynced >= WRITEBACK_EVERY && !this.syncing) {
      this.unsynced = 0;
      this.syncing = this.fh
        .datasync()
        .then(() => dropCachedPages(this.path))
        .catch((e: unknown) => {
          this.syncError ??= e;
        })
        .finally(() => {
          this.syncing = undefined;
        });
    }
  }

  abstract zero(offset: number, length: number): Promise<void>;

  protected async writeZeros(offset: number, length: number): Promise<void> {
    const z = zeros();
    for (let pos = 0; pos < length; pos += ZERO_CHUNK) {
      await this.write(z.subarray(0, Math.min(ZERO_CHUNK, length - pos)), offset + pos);
    }
  }

  async flush(): Promise<void> {
    await this.syncing;
    if (this.syncError !== undefined) throw this.syncError;
    await this.fh.sync();
  }

  async close(): Promise<void> {
    await this.syncing;
    try {
      await this.directFh?.close();
    } finally {
      await this.fh.close();
    }
  }
}

/** Ranges at least this large are zeroed by the kernel (hole punch / BLKZEROOUT) instead of written. */
const OFFLOAD_ZERO_MIN = 1024 * 1024;

class FileTarget extends HandleTarget {
  readonly kind = 'file' as const;
  async zero(offset: number, length: number): Promise<void> {
    if (length < OFFLOAD_ZERO_MIN) return this.writeZeros(offset, length);
    await runCommand('fallocate', ['--punch-hole', '--keep-size', '--offset', String(offset), '--length', String(length), this.path]).catch(
      () => this.writeZeros(offset, length),
    );
  }
}

class BlockTarget extends HandleTarget {
  readonly kind = 'block' as const;
  async zero(offset: number, length: number): Promise<void> {
    if (length < OFFLOAD_ZERO_MIN || offset % 512 !== 0 || length % 512 !== 0) return this.writeZeros(offset, length);
    await runCommand('blkdiscard', ['--force', '--zeroout', '--offset', String(offset), '--length', String(length), this.path]).catch(() =>
      this.writeZeros(offset, length),
    );
  }
}
