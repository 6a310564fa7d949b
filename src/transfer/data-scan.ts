import { isZero } from './copy.js';
import type { DiskSource, Extent } from './types.js';

export interface DataScan {
  /** Offset of the first chunk holding a non-zero byte, or undefined when the disk reads as zeros everywhere. */
  firstData: number | undefined;
  /** Bytes read to find out (0 when the allocation map says nothing is allocated). */
  bytesRead: number;
  /** The source's allocation map was used (else every byte was a candidate). */
  allocationKnown: boolean;
}

/**
 * Does the disk hold any data? Only its allocated extents are read (`allocation` when the caller knows it, e.g.
 * from CBT; else the source's file holes or NBD block status), in the source's
 * chunk size with its parallelism, and the scan stops at the first non-zero byte: a disk with a partition table or
 * a file system answers within its first chunk, a sparse empty one without a read. A disk of allocated zeros (or a
 * source that cannot tell its allocation) is read once in full.
 */
export async function scanForData(source: DiskSource, signal?: AbortSignal, allocation?: Extent[]): Promise<DataScan> {
  const allocated = allocation ?? (await source.allocatedExtents());
  const extents: Extent[] = allocated ?? [{ start: 0, length: source.size }];
  const chunk = Math.min(source.chunkSize, source.maxReadSize);
  const ranges: Extent[] = [];
  for (const e of extents) {
    for (let at = e.start; at < e.start + e.length; at += chunk) ranges.push({ start: at, length: Math.min(chunk, e.start + e.length - at) });
  }
  let bytesRead = 0;
  let next = 0;
  let found: number | undefined;
  const lane = async (): Promise<void> => {
    const buf = Buffer.alloc(chunk);
    while (next < ranges.length && found === undefined) {
      signal?.throwIfAborted();
      const r = ranges[next++]!;
      const view = buf.subarray(0, r.length);
      await source.read(view, r.start);
      bytesRead += r.length;
      if (!isZero(view) && (found === undefined || r.start < found)) found = r.start;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, source.parallelism) }, lane));
  return { firstData: found, bytesRead, allocationKnown: allocated !== undefined };
}
