import { type TransferMode, transferDisk } from '../transfer/disk-transfer.js';
import type { DiskSource, Extent, ProgressCallback } from '../transfer/types.js';
import type { Logger } from '../util/log.js';
import { changedAreas } from '../vmware/cbt.js';
import { VSphereError } from '../vmware/faults.js';
import type { MoRef } from '../vmware/moref.js';
import type { VSphereSession } from '../vmware/session.js';
import type { VmDisk } from '../vmware/vm.js';

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
  /** The pre-checks read this disk (as the snapshot holds it) as all zeros: nothing needs reading again. */
  knownBlank: boolean;
  verify: boolean;
  log: Logger;
  onProgress?: ProgressCallback | undefined;
  signal: AbortSignal;
}

/**
 * Copy one disk from the snapshot to the attached volume: a CBT delta since `sinceChangeId` when vSphere can list
 * the changes, else a full copy (only the areas CBT reports allocated, when it can tell). The bytes move through
 * transfer/disk-transfer.ts.
 */
export async function copyOneDisk(a: DiskCopyArgs): Promise<DiskCopyOutcome> {
  const { disk, log } = a;
  const what = `disk ${disk.key}`;
  const mode = await transferMode(a);
  if (mode.kind === 'delta') {
    log.info(`${what}: CBT delta since ${a.sinceChangeId}: ${mode.areas.length} changed areas, ${totalBytes(mode.areas)} bytes`);
  } else {
    log.info(
      `${what}: full copy of ${disk.capacityBytes} bytes` +
        (a.knownBlank ? ' (all zeros, as the pre-check read it: nothing read again)' : mode.allocated ? ` (${totalBytes(mode.allocated)} bytes allocated per CBT)` : '') +
        (mode.targetIsZero ? ', zero blocks skipped (new volume)' : ''),
    );
  }
  const r = await transferDisk({ source: a.source, targetPath: a.devicePath, mode, verify: a.verify, label: what, log, onProgress: a.onProgress, signal: a.signal });
  return {
    mode: r.mode,
    bytesCopied: r.bytesWritten,
    bytesRead: r.bytesRead,
    changeId: disk.changeId,
    ...(r.targetSha256 ? { sha256Source: r.sourceSha256!, sha256Target: r.targetSha256 } : {}),
  };
}

/** The CBT delta when there is a change ID to start from and vSphere still knows it, else the full copy. */
async function transferMode(a: DiskCopyArgs): Promise<TransferMode> {
  const areas = a.sinceChangeId && a.disk.changeId ? await deltaAreas(a, a.sinceChangeId) : undefined;
  if (areas) return { kind: 'delta', areas };
  const allocated = a.knownBlank ? [] : await cbtAllocation(a);
  return { kind: 'full', targetIsZero: a.targetIsZero, allocated };
}

function totalBytes(areas: Extent[]): number {
  return areas.reduce((s, x) => s + x.length, 0);
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

/** Allocated areas of a snapshot's disk per CBT (`changeId "*"`), or undefined when CBT is off or vSphere cannot tell. */
export async function cbtAllocation(a: Pick<DiskCopyArgs, 'session' | 'vm' | 'snapshot' | 'disk' | 'log'>): Promise<Extent[] | undefined> {
  if (!a.disk.changeId) return undefined;
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
