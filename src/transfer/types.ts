/**
 * The contract between disk sources, disk targets and the copy pipeline.
 *
 * A migration opens one `DiskSource` per VMware disk (vddk, local, https or ssh), one `DiskTarget` per attached
 * Cinder volume, and joins them with `copyDisk` (full copy) or `copyChangedAreas` (CBT delta).
 * All offsets and lengths are in bytes; disks stay well below 2^53 bytes.
 */

import type { Extent } from '../util/extent.js';

/** A byte range of a disk (shared with vmware/cbt.ts, which reports changed areas as extents). */
export type { Extent };

/** Counters a source keeps about what it really fetched (bytes on the wire / from the file). */
export interface SourceStats {
  bytesRead: number;
  requests: number;
}

export type SourceKind = 'vddk' | 'local' | 'https' | 'ssh' | 'nbd';

/**
 * Read sizes the sources ask the pipeline for. Local files and NBD sockets: 1 MiB, so the buffers in flight stay in
 * the CPU caches (4 MiB x 8 in flight copied a local 1 GiB 1.4-3x slower than nbdcopy; 1 MiB x 8 matched it).
 * Network sources: 4 MiB, fewer round trips and more bytes in flight on long links.
 */
export const LOCAL_CHUNK_SIZE = 1024 * 1024;
export const NETWORK_CHUNK_SIZE = 4 * 1024 * 1024;

/**
 * How the target is best written with a source's data (`openTarget`'s `writes`). `direct` for data that arrives over
 * a socket (vddk/NBD, https, ssh): receiving it already costs CPU (decryption, socket copies), and a cached write
 * would add a copy into fresh page-cache pages on the same cores; O_DIRECT writes straight from the copy's buffers
 * (1 GiB over https: 2.1-4.0 s cached, 1.4-1.7 s direct). `cached` for a local file: the copy is paced by the disk,
 * and cached writes let the kernel merge and write back behind the reads (1 GiB: 0.85-0.92 s cached, 1.05-1.17 s
 * direct into a sparse file, where the file system serialises allocating direct writes).
 */
export type TargetWrites = 'direct' | 'cached';

export interface DiskSource {
  readonly kind: SourceKind;
  /** Virtual size of the disk in bytes. */
  readonly size: number;
  /** How many reads this source serves well in parallel. */
  readonly parallelism: number;
  /** Largest single read the source accepts (the pipeline never asks for more). */
  readonly maxReadSize: number;
  /** Bytes per read the pipeline asks for unless told otherwise (LOCAL_CHUNK_SIZE or NETWORK_CHUNK_SIZE). */
  readonly chunkSize: number;
  readonly targetWrites: TargetWrites;
  readonly stats: SourceStats;
  /** Fill `buf` completely with the disk's bytes starting at `offset` (`offset + buf.length <= size`). */
  read(buf: Buffer, offset: number): Promise<void>;
  /**
   * Allocated (possibly non-zero) ranges of the disk, sorted and disjoint, when the source can tell cheaply
   * (file holes, NBD block status); `undefined` when it cannot (then the whole disk is read).
   */
  allocatedExtents(): Promise<Extent[] | undefined>;
  /** Release everything the source holds: connections, child processes, sockets, temporary files. Idempotent. */
  close(): Promise<void>;
}

export interface DiskTarget {
  /** Resolved path written to (a block device or a regular file). */
  readonly path: string;
  readonly kind: 'block' | 'file';
  /** Size in bytes. */
  readonly size: number;
  /** Page-aligned writes bypass the page cache (O_DIRECT). */
  readonly direct: boolean;
  write(buf: Buffer, offset: number): Promise<void>;
  /** Make `[offset, offset + length)` read as zeros (punch a hole in a file, or write zeros). */
  zero(offset: number, length: number): Promise<void>;
  /** Flush data to stable storage. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A progress sample, emitted at intervals and once at the end. */
export interface Progress {
  /** Bytes processed so far (copied, or confirmed zero). */
  done: number;
  /** Bytes to process in total. */
  total: number;
  /** Bytes read from the source so far. */
  bytesRead: number;
  elapsedSeconds: number;
  /** Average rate since the start, bytes per second. */
  bytesPerSecond: number;
  /** Estimated seconds left, `undefined` before the rate is known. */
  etaSeconds: number | undefined;
  final: boolean;
}

export type ProgressCallback = (p: Progress) => void;
