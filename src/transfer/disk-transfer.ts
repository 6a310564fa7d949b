import { copyDisk, type CopyResult } from './copy.js';
import { copyChangedAreas } from './delta.js';
import { openHttpsSource, type HttpsSourceOptions } from './sources/https.js';
import { openLocalSource, type LocalSourceOptions } from './sources/local.js';
import { openSshSource, type SshSourceOptions } from './sources/ssh.js';
import { openVddkSource, type VddkSourceOptions } from './sources/vddk.js';
import { openTarget } from './target.js';
import type { DiskSource, Extent, ProgressCallback } from './types.js';
import { sha256OfPath, sha256OfSource } from './verify.js';

/**
 * The entry point for the migrate workflow: one disk from a source (chosen by `kind`) onto an attached volume,
 * full or CBT delta, with progress, optional verification, and every resource released on every exit path.
 */
export type SourceSpec =
  | ({ kind: 'vddk' } & VddkSourceOptions)
  | ({ kind: 'local' } & LocalSourceOptions)
  | ({ kind: 'https' } & HttpsSourceOptions)
  | ({ kind: 'ssh' } & SshSourceOptions);

export function openSource(spec: SourceSpec): Promise<DiskSource> {
  switch (spec.kind) {
    case 'vddk':
      return openVddkSource(spec);
    case 'local':
      return openLocalSource(spec);
    case 'https':
      return openHttpsSource(spec);
    case 'ssh':
      return openSshSource(spec);
  }
}

export type TransferMode =
  /** Whole disk. `assumeZero`: the volume is new (reads as zeros). `allocated`: QueryChangedDiskAreas("*") areas. */
  | { kind: 'full'; assumeZero: boolean; allocated?: Extent[] }
  /** Only the areas changed since the recorded change ID. */
  | { kind: 'delta'; areas: Extent[] };

export interface TransferDiskOptions {
  source: SourceSpec;
  /** Resolved device (or file) of the attached volume, from findAttachedDevice. */
  targetPath: string;
  mode: TransferMode;
  /** SHA-256 of the whole source disk and of the written volume (a delta re-reads the whole source). */
  verify?: boolean;
  chunkSize?: number;
  concurrency?: number;
  onProgress?: ProgressCallback;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface TransferDiskResult extends CopyResult {
  mode: 'full' | 'delta';
  targetSha256?: string;
}

export async function transferDisk(o: TransferDiskOptions): Promise<TransferDiskResult> {
  o.signal?.throwIfAborted();
  const source = await openSource(o.source);
  try {
    const target = await openTarget({ path: o.targetPath, writes: source.targetWrites });
    let result: CopyResult;
    try {
      const common = {
        source,
        target,
        chunkSize: o.chunkSize,
        concurrency: o.concurrency,
        onProgress: o.onProgress,
        progressIntervalMs: o.progressIntervalMs,
        signal: o.signal,
      };
      result =
        o.mode.kind === 'full'
          ? await copyDisk({ ...common, assumeZero: o.mode.assumeZero, allocated: o.mode.allocated, hashSource: o.verify })
          : await copyChangedAreas({ ...common, areas: o.mode.areas });
    } finally {
      await target.close();
    }
    if (!o.verify) return { ...result, mode: o.mode.kind };
    const sourceSha256 = result.sourceSha256 ?? (await sha256OfSource(source, { signal: o.signal }));
    const targetSha256 = await sha256OfPath(o.targetPath, source.size, o.signal);
    return { ...result, mode: o.mode.kind, sourceSha256, targetSha256 };
  } finally {
    await source.close();
  }
}
