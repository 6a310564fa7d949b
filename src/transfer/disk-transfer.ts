import type { Logger } from '../util/log.js';
import { copyDisk, type CopyResult } from './copy.js';
import { copyChangedAreas } from './delta.js';
import { progressLine } from './progress.js';
import { openTarget } from './target.js';
import type { DiskSource, Extent, Progress, ProgressCallback } from './types.js';
import { sha256OfPath, sha256OfSource } from './verify.js';

/** What of the disk is copied; the caller decides (the migrate workflow from the volume and vSphere's CBT). */
export type TransferMode =
  /**
   * The whole disk. `targetIsZero`: the volume is new and reads as zeros, so zero blocks and unallocated ranges are
   * not written. `allocated`: the ranges that may hold data (QueryChangedDiskAreas with changeId "*"); without it,
   * what the source reports (file holes, NBD block status), else the whole disk.
   */
  | { kind: 'full'; targetIsZero: boolean; allocated?: Extent[] }
  /** Only these areas (the CBT changes since the volume's recorded change ID), zeros included. */
  | { kind: 'delta'; areas: Extent[] };

export interface TransferDiskOptions {
  /** An open source; the caller closes it. */
  source: DiskSource;
  /** The attached volume's device (from findAttachedDevice), or a file. */
  targetPath: string;
  mode: TransferMode;
  /** Compare the SHA-256 of the whole source with that of the target's first `source.size` bytes; fail if they differ. */
  verify: boolean;
  /** The disk in log lines and errors, e.g. `disk 2000`. */
  label: string;
  log: Logger;
  /** Also receives every progress sample (every few seconds); the log gets one line every LOG_INTERVAL_S and the last. */
  onProgress?: ProgressCallback | undefined;
  signal?: AbortSignal;
}

/** Seconds between two progress lines in the log. */
const LOG_INTERVAL_S = 10;
/** Milliseconds between two samples for `onProgress`. */
const SAMPLE_INTERVAL_MS = 2000;

export interface TransferDiskResult extends CopyResult {
  mode: TransferMode['kind'];
  /** The target was written past the page cache (O_DIRECT). */
  direct: boolean;
  /** With `verify` (then `sourceSha256` is set too, and equal). */
  targetSha256?: string;
}

/**
 * Copy one disk from an open source onto a target (an attached volume): the full disk or the given areas, progress
 * and a summary in the log, the target opened as the source asks (`targetWrites`) and closed on every path; with
 * `verify`, the source's and the target's SHA-256 must match.
 */
export async function transferDisk(o: TransferDiskOptions): Promise<TransferDiskResult> {
  const { source, mode, label, log } = o;
  o.signal?.throwIfAborted();
  const target = await openTarget({ path: o.targetPath, writes: source.targetWrites });
  let result: CopyResult;
  try {
    let logged = 0;
    const onProgress = (p: Progress): void => {
      o.onProgress?.(p);
      if (!p.final && p.elapsedSeconds - logged < LOG_INTERVAL_S - 0.5) return;
      logged = p.elapsedSeconds;
      log.info(progressLine(`${label} (${mode.kind})`, p));
    };
    const common = { source, target, onProgress, progressIntervalMs: o.onProgress ? SAMPLE_INTERVAL_MS : LOG_INTERVAL_S * 1000, signal: o.signal };
    result =
      mode.kind === 'full'
        ? await copyDisk({ ...common, assumeZero: mode.targetIsZero, allocated: mode.allocated, hashSource: o.verify })
        : await copyChangedAreas({ ...common, areas: mode.areas });
  } finally {
    await target.close();
  }
  log.info(
    `${label}: ${mode.kind} copy done: read ${result.bytesRead} bytes (source fetched ${result.sourceBytesFetched}), wrote ${result.bytesWritten}, ` +
      `zeroed ${result.bytesZeroed}, skipped ${result.bytesSkipped} in ${result.durationSeconds.toFixed(2)} s` +
      ` (${target.direct ? 'direct' : 'cached'} writes to ${o.targetPath})`,
  );
  const out: TransferDiskResult = { ...result, mode: mode.kind, direct: target.direct };
  if (!o.verify) return out;
  out.sourceSha256 = result.sourceSha256 ?? (await sha256OfSource(source, { signal: o.signal }));
  out.targetSha256 = await sha256OfPath(o.targetPath, source.size, o.signal);
  log.info(`${label}: sha256 source ${out.sourceSha256}, volume ${out.targetSha256}`);
  if (out.sourceSha256 !== out.targetSha256) {
    throw new Error(`${label}: the volume (${o.targetPath}) does not hold the source's bytes (sha256 ${out.targetSha256} != ${out.sourceSha256}); run again`);
  }
  return out;
}
