import { createHash, type Hash } from 'node:crypto';
import { leasePageAlignedBuffers } from '../util/aligned-buffer.js';
import type { DiskSource, DiskTarget, Extent, Progress, ProgressCallback } from './types.js';

/**
 * The copy pipeline between a DiskSource and a DiskTarget: bounded concurrency, large chunk-aligned buffers,
 * zero skipping when the target is known to be zeroed, progress samples, optional in-line SHA-256, AbortSignal.
 * `copyDisk` is the full copy; `copyChangedAreas` (delta.ts) the CBT delta; both run `runTransfer`.
 */

export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;

export interface CommonCopyOptions {
  source: DiskSource;
  target: DiskTarget;
  /** Bytes per read/write; reads never cross a multiple of it (default: the source's chunkSize). */
  chunkSize?: number;
  /** Reads/writes in flight for full chunks (default: the source's parallelism); smaller tasks (CBT areas) get
   * proportionally more in flight within the same buffer budget (concurrency x chunk size, at most 64). */
  concurrency?: number;
  onProgress?: ProgressCallback;
  /** Interval between progress samples in ms (default 10 s); a final sample is always sent. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface FullCopyOptions extends CommonCopyOptions {
  /** The target reads as zeros already (a new volume): zero chunks and unallocated ranges are not written. */
  assumeZero?: boolean;
  /**
   * Ranges that may hold data, e.g. from QueryChangedDiskAreas with changeId "*". Default: what the source reports
   * (file holes, NBD block status), else the whole disk. Everything outside reads as zeros.
   */
  allocated?: Extent[];
  /** Compute the SHA-256 of the whole source disk while copying (unread ranges hashed as zeros). */
  hashSource?: boolean;
}

export interface CopyResult {
  /** Size of the disk. */
  size: number;
  /** Bytes asked from the source by the pipeline. */
  bytesRead: number;
  /** Bytes the source reports it fetched (file/wire), from its stats. */
  sourceBytesFetched: number;
  bytesWritten: number;
  /** Bytes made zero on the target without writing data (hole punch / zeroout / zero writes of gaps). */
  bytesZeroed: number;
  /** Bytes neither read nor written (unallocated ranges with assumeZero) plus zero chunks not written. */
  bytesSkipped: number;
  durationSeconds: number;
  sourceSha256?: string;
}

export async function copyDisk(opts: FullCopyOptions): Promise<CopyResult> {
  const { source, target } = opts;
  checkSizes(source, target);
  opts.signal?.throwIfAborted();
  const allocated = normalizeExtents(opts.allocated ?? (await source.allocatedExtents()) ?? [{ start: 0, length: source.size }], source.size);
  const tasks: Task[] = [];
  let pos = 0;
  const chunk = chunkSizeFor(opts);
  for (const a of allocated) {
    if (a.start > pos) tasks.push({ kind: 'gap', start: pos, length: a.start - pos });
    splitAligned(a, chunk, (start, length) => tasks.push({ kind: 'data', start, length }));
    pos = a.start + a.length;
  }
  if (pos < source.size) tasks.push({ kind: 'gap', start: pos, length: source.size - pos });
  return runTransfer(opts, tasks, { assumeZero: opts.assumeZero ?? false, hash: opts.hashSource ? createHash('sha256') : undefined });
}

/** Sort, clip to the disk, and merge overlapping/adjacent ranges. */
export function normalizeExtents(extents: Extent[], size: number): Extent[] {
  const sorted = extents
    .map((e) => ({ start: Math.max(0, e.start), end: Math.min(size, e.start + e.length) }))
    .filter((e) => e.end > e.start)
    .sort((a, b) => a.start - b.start);
  const out: Extent[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && e.start <= last.start + last.length) last.length = Math.max(last.length, e.end - last.start);
    else out.push({ start: e.start, length: e.end - e.start });
  }
  return out;
}

/** Split a range at multiples of `chunk`. */
export function splitAligned(e: Extent, chunk: number, emit: (start: number, length: number) => void): void {
  let s = e.start;
  const end = e.start + e.length;
  while (s < end) {
    const t = Math.min(end, (Math.floor(s / chunk) + 1) * chunk);
    emit(s, t - s);
    s = t;
  }
}

export function checkSizes(source: DiskSource, target: DiskTarget): void {
  if (target.size < source.size) {
    throw new Error(`target ${target.path} (${target.size} bytes) is smaller than the source disk (${source.size} bytes)`);
  }
}

export function chunkSizeFor(opts: CommonCopyOptions): number {
  const c = Math.min(opts.chunkSize ?? opts.source.chunkSize, opts.source.maxReadSize);
  if (c < 4096 || c % 4096 !== 0) throw new Error(`chunk size must be a multiple of 4096 bytes (got ${c})`);
  return c;
}

export interface Task {
  /** `data`: read and write; `gap`: known zeros (made zero on the target unless it is already zero). */
  kind: 'data' | 'gap';
  start: number;
  length: number;
}

interface Mode {
  assumeZero: boolean;
  /** Hash of every task's bytes in task order (tasks must then cover the disk in order). */
  hash: Hash | undefined;
  /** Write zero chunks too (a delta must overwrite changed ranges even when they became zero). */
  writeZeroChunks?: boolean;
}

const ZERO = Buffer.alloc(4 * 1024 * 1024);

export function isZero(buf: Buffer): boolean {
  for (let p = 0; p < buf.length; p += ZERO.length) {
    const part = buf.subarray(p, Math.min(buf.length, p + ZERO.length));
    if (!part.equals(ZERO.subarray(0, part.length))) return false;
  }
  return true;
}

function hashZeros(hash: Hash, length: number): void {
  for (let p = 0; p < length; p += ZERO.length) hash.update(ZERO.subarray(0, Math.min(ZERO.length, length - p)));
}

/** Run `tasks` with bounded concurrency; see CopyResult for the counters. */
export async function runTransfer(opts: CommonCopyOptions, tasks: Task[], mode: Mode): Promise<CopyResult> {
  const { source, target, signal } = opts;
  const chunk = chunkSizeFor(opts);
  // Small tasks (CBT areas) get more requests in flight within the same buffer budget (concurrency x chunk).
  const largest = tasks.reduce((m, t) => (t.kind === 'data' ? Math.max(m, t.length) : m), 0) || chunk;
  const budget = Math.max(1, opts.concurrency ?? source.parallelism) * chunk;
  const concurrency = Math.min(64, Math.max(1, Math.floor(budget / largest)));
  const bufferSize = Math.min(chunk, largest);
  const total = tasks.reduce((s, t) => s + t.length, 0);
  const fetchedAtStart = source.stats.bytesRead;
  const started = performance.now();
  const r = { bytesRead: 0, bytesWritten: 0, bytesZeroed: 0, bytesSkipped: 0, done: 0 };

  const sample = (final: boolean): Progress => {
    const elapsedSeconds = (performance.now() - started) / 1000;
    const bytesPerSecond = elapsedSeconds > 0 ? r.done / elapsedSeconds : 0;
    return {
      done: r.done,
      total,
      bytesRead: r.bytesRead,
      elapsedSeconds,
      bytesPerSecond,
      etaSeconds: bytesPerSecond > 0 ? (total - r.done) / bytesPerSecond : undefined,
      final,
    };
  };
  const timer = opts.onProgress ? setInterval(() => opts.onProgress?.(sample(false)), opts.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS) : undefined;
  timer?.unref();

  // In-order hashing: a worker waits for its task's turn before hashing and reusing its buffer.
  let hashTurn = 0;
  const turnWaiters = new Map<number, () => void>();
  const waitTurn = (i: number): Promise<void> =>
    i === hashTurn ? Promise.resolve() : new Promise((resolve) => turnWaiters.set(i, resolve));
  const nextTurn = (): void => {
    hashTurn++;
    const w = turnWaiters.get(hashTurn);
    if (w) {
      turnWaiters.delete(hashTurn);
      w();
    }
  };

  let next = 0;
  let failure: unknown;
  const worker = async (buffer: Buffer): Promise<void> => {
    while (failure === undefined && next < tasks.length) {
      if (signal?.aborted) throw signal.reason;
      const i = next++;
      const t = tasks[i]!;
      if (t.kind === 'gap') {
        if (mode.assumeZero) r.bytesSkipped += t.length;
        else {
          await target.zero(t.start, t.length);
          r.bytesZeroed += t.length;
        }
        if (mode.hash) {
          await waitTurn(i);
          hashZeros(mode.hash, t.length);
          nextTurn();
        }
      } else {
        const buf = buffer.subarray(0, t.length);
        await source.read(buf, t.start);
        r.bytesRead += t.length;
        if (!mode.writeZeroChunks && mode.assumeZero && isZero(buf)) r.bytesSkipped += t.length;
        else {
          await target.write(buf, t.start);
          r.bytesWritten += t.length;
        }
        if (mode.hash) {
          await waitTurn(i);
          mode.hash.update(buf);
          nextTurn();
        }
      }
      r.done += t.length;
    }
  };

  // Page-aligned, so a direct target writes them without a copy.
  const lease = leasePageAlignedBuffers(Math.min(concurrency, Math.max(1, tasks.length)), bufferSize);
  const workers = lease.buffers.map((buffer) =>
    worker(buffer).catch((e: unknown) => {
      failure ??= e;
      // Unblock workers waiting for a hash turn that will never come.
      for (const w of turnWaiters.values()) w();
      turnWaiters.clear();
    }),
  );
  const aborted = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    // An abort does not wait for reads stuck on a dead server: the caller closes the source and target afterwards.
    await Promise.race([Promise.all(workers), aborted]);
    if (signal?.aborted) throw signal.reason;
    // Every worker has ended: no read can still land in the buffers (after an abort one may, so they are not reused).
    lease.release();
    if (failure !== undefined) throw failure;
    await target.flush();
  } finally {
    if (timer) clearInterval(timer);
  }
  opts.onProgress?.(sample(true));
  return {
    size: source.size,
    bytesRead: r.bytesRead,
    sourceBytesFetched: source.stats.bytesRead - fetchedAtStart,
    bytesWritten: r.bytesWritten,
    bytesZeroed: r.bytesZeroed,
    bytesSkipped: r.bytesSkipped,
    durationSeconds: (performance.now() - started) / 1000,
    ...(mode.hash ? { sourceSha256: mode.hash.digest('hex') } : {}),
  };
}
