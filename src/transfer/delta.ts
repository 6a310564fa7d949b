import { checkSizes, chunkSizeFor, normalizeExtents, runTransfer, splitAligned, type CommonCopyOptions, type CopyResult, type Task } from './copy.js';
import type { Extent } from './types.js';

export interface DeltaCopyOptions extends CommonCopyOptions {
  /** Changed areas since the recorded change ID (QueryChangedDiskAreas), in bytes. */
  areas: Extent[];
}

/**
 * CBT delta: copy exactly the changed areas (merged, clipped to the disk) and nothing else. Every changed byte is
 * written, zeros included, because the target already holds older data there.
 */
export async function copyChangedAreas(opts: DeltaCopyOptions): Promise<CopyResult> {
  checkSizes(opts.source, opts.target);
  opts.signal?.throwIfAborted();
  for (const a of opts.areas) {
    if (!Number.isSafeInteger(a.start) || !Number.isSafeInteger(a.length) || a.start < 0 || a.length < 0 || a.start + a.length > opts.source.size) {
      throw new Error(`changed area ${JSON.stringify(a)} is outside the disk (${opts.source.size} bytes)`);
    }
  }
  const chunk = chunkSizeFor(opts);
  const tasks: Task[] = [];
  for (const a of normalizeExtents(opts.areas, opts.source.size)) {
    splitAligned(a, chunk, (start, length) => tasks.push({ kind: 'data', start, length }));
  }
  return runTransfer(opts, tasks, { assumeZero: false, hash: undefined, writeZeroChunks: true });
}
