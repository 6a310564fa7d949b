import { copyDisk, type CopyResult } from '../transfer/copy.js';
import { copyChangedAreas } from '../transfer/delta.js';
import { progressLine } from '../transfer/progress.js';
import { openTarget } from '../transfer/target.js';
import type { DiskSource, Extent } from '../transfer/types.js';
import { sha256OfPath, sha256OfSource } from '../transfer/verify.js';
import type { Logger } from '../util/log.js';
import { changedAreas } from '../vmware/cbt.js';
import { VSphereError } from '../vmware/faults.js';
import type { MoRef } from '../vmware/moref.js';
import type { VSphereSession } from '../vmware/session.js';
import type { VmDisk } from '../vmware/vm.js';
import { PAUSE_ENV, pauseIfAsked } from './migrate-log.js';

/** What happened to one disk; `skipped` = its volume was converted already. */
export type DiskMode = 'full' | 'delta' | 'skipped';

export interface DiskCopyOutcome {
  mode: 'full' | 'delta';
  /** Bytes written to the volume. */
  bytesCopied: number;
  /** Bytes read from the source by the pipeline. */
  bytesRead: number;
  /** Change ID of the snapshot the copy came from ('' without CBT): recorded on the volume afterwards. */
  changeId: string;
  sha256Source?: string;
  sha256Target?: string;
}

export interface DiskCopyArgs {
  session: VSphereSession;
  vm: MoRef;
  snapshot: MoRef;
  /** The disk as seen in the snapshot (file name and change ID of that point in time). */
  disk: VmDisk;
  source: DiskSource;
  devicePath: string;
  /** Change ID recorded on the volume by the last complete copy, when CBT sync may use it. */
  sinceChangeId: string | undefined;
  /** The volume was created by this run and reads as zeros. */
  targetIsZero: boolean;
  verify: boolean;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Copy one disk from the snapshot to the attached volume: a CBT delta since `sinceChangeId` when possible, else a
 * full copy (zero ranges skipped when the target is known to be zero). With `verify`, the SHA-256 of the source
 * disk and of the volume's first `capacity` bytes must match.
 */
export async function copyOneDisk(a: DiskCopyArgs): Promise<DiskCopyOutcome> {
  const { disk, log } = a;
  const what = `disk ${disk.key}`;
  const target = await openTarget({ path: a.devicePath, writes: a.source.targetWrites });
  const source = pausable(a.source, log);
  let result: CopyResult;
  let mode: 'full' | 'delta' = 'full';
  try {
    const common = {
      source,
      target,
      onProgress: (p: Parameters<typeof progressLine>[1]) => log.info(progressLine(`${what} (${mode})`, p)),
      signal: a.signal,
    };
    const areas = a.sinceChangeId && disk.changeId ? await deltaAreas(a, a.sinceChangeId) : undefined;
    if (areas) {
      mode = 'delta';
      const bytes = areas.reduce((s, x) => s + x.length, 0);
      log.info(`${what}: CBT delta since ${a.sinceChangeId}: ${areas.length} changed areas, ${bytes} bytes`);
      result = await copyChangedAreas({ ...common, areas });
    } else {
      const allocated = disk.changeId ? await allocatedAreas(a) : undefined;
      log.info(
        `${what}: full copy of ${disk.capacityBytes} bytes` +
          (allocated ? ` (${allocated.reduce((s, x) => s + x.length, 0)} bytes allocated per CBT)` : '') +
          (a.targetIsZero ? ', zero blocks skipped (new volume)' : ''),
      );
      result = await copyDisk({ ...common, assumeZero: a.targetIsZero, hashSource: a.verify, ...(allocated ? { allocated } : {}) });
    }
  } finally {
    await target.close();
  }
  log.info(
    `${what}: ${mode} copy done: read ${result.bytesRead} bytes (source fetched ${result.sourceBytesFetched}), wrote ${result.bytesWritten}, ` +
      `zeroed ${result.bytesZeroed}, skipped ${result.bytesSkipped} in ${result.durationSeconds.toFixed(2)} s` +
      ` (${target.direct ? 'direct' : 'cached'} writes to ${a.devicePath})`,
  );
  const out: DiskCopyOutcome = { mode, bytesCopied: result.bytesWritten, bytesRead: result.bytesRead, changeId: disk.changeId };
  if (a.verify) {
    out.sha256Source = result.sourceSha256 ?? (await sha256OfSource(a.source, { signal: a.signal }));
    out.sha256Target = await sha256OfPath(a.devicePath, disk.capacityBytes, a.signal);
    log.info(`${what}: sha256 source ${out.sha256Source}, volume ${out.sha256Target}`);
    if (out.sha256Source !== out.sha256Target) {
      throw new Error(`${what}: the volume (${a.devicePath}) does not hold the source's bytes (sha256 ${out.sha256Target} != ${out.sha256Source}); run again`);
    }
  }
  return out;
}

/** Changed areas since `since`, or undefined when vSphere no longer knows that change ID (then: full copy). */
async function deltaAreas(a: DiskCopyArgs, since: string): Promise<Extent[] | undefined> {
  if (since === a.disk.changeId) return [];
  try {
    return await changedAreas(a.session, a.vm, a.snapshot, a.disk.key, a.disk.capacityBytes, since);
  } catch (e) {
    if (e instanceof VSphereError && (e.fault === 'FileFault' || e.fault === 'InvalidArgument')) {
      a.log.warn(`disk ${a.disk.key}: vSphere cannot list the changes since ${since} (${e.message}); copying the whole disk`);
      return undefined;
    }
    throw e;
  }
}

/** Allocated areas per CBT (`changeId "*"`), or undefined when vSphere cannot tell. */
async function allocatedAreas(a: DiskCopyArgs): Promise<Extent[] | undefined> {
  try {
    return await changedAreas(a.session, a.vm, a.snapshot, a.disk.key, a.disk.capacityBytes, '*');
  } catch (e) {
    if (e instanceof VSphereError) {
      a.log.warn(`disk ${a.disk.key}: no allocation map from CBT (${e.message}); reading the whole disk`);
      return undefined;
    }
    throw e;
  }
}

/** Fault injection for the crash tests (see pauseIfAsked): `mid-copy` stops the copy once half of the disk was read. */
function pausable(source: DiskSource, log: Logger): DiskSource {
  if (process.env[PAUSE_ENV] !== 'mid-copy') return source;
  let requested = 0;
  const read = async (buf: Buffer, offset: number): Promise<void> => {
    if (requested >= source.size / 2) await pauseIfAsked('mid-copy', log);
    requested += buf.length;
    await source.read(buf, offset);
  };
  return {
    kind: source.kind,
    size: source.size,
    parallelism: source.parallelism,
    maxReadSize: source.maxReadSize,
    chunkSize: source.chunkSize,
    targetWrites: source.targetWrites,
    stats: source.stats,
    read,
    allocatedExtents: () => source.allocatedExtents(),
    close: () => source.close(),
  };
}
