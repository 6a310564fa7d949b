import type { Session } from '../openstack/auth.js';
import { type Volume, updateVolumeMetadata } from '../openstack/volume.js';
import type { WaitOptions } from '../openstack/wait.js';
import type { DiskSource } from '../transfer/types.js';
import { sha256OfPath } from '../transfer/verify.js';
import type { Logger } from '../util/log.js';
import { safeVmName } from '../util/names.js';
import { enableCbt } from '../vmware/cbt.js';
import type { MoRef } from '../vmware/moref.js';
import { powerOff, powerState } from '../vmware/power.js';
import { retrieveOne } from '../vmware/property-collector.js';
import type { VSphereSession } from '../vmware/session.js';
import { SNAPSHOT_NAME, createSnapshot, removeSnapshot } from '../vmware/snapshots.js';
import { type VmDetail, type VmDisk, vmDetail } from '../vmware/vm.js';
import { type ConversionHost, detachIfAttached } from './conversion-host.js';
import { HostAttachments } from './migrate-attachments.js';
import { convertGuest } from './migrate-convert.js';
import { type DiskCopyOutcome, copyOneDisk } from './migrate-disk.js';
import { CONVERSION_KEY, type DiskPlan, type Finish, type MigrationPlan, type StopReason, blockedError, withChecks } from './migrate-plan.js';
import { CBT_ENABLED_KEY, SOURCE_POWERED_OFF_AT_KEY, SOURCE_POWERED_OFF_KEY } from '../openstack/markers.js';
import { type DiskResult, type HttpsPathUsed, type MigrateOutcome, type MigrateRequest, MigrationFailure, type SourceOutcome } from './migrate-request.js';
import { checkSnapshotData, sourceArgs } from './migrate-preflight.js';
import { openDiskSource } from './migrate-source.js';
import { SHA256_KEY, copyChecksumMetadata } from './volume-checksum.js';
import type { MigrationProgress } from './migrate-progress.js';
import type { MigrationSteps } from './migrate-steps.js';
import { ensureVolume } from './migrate-volume.js';
import { ImageStaging } from './migrate-image.js';

const VOLUME_WAIT_MS = 30 * 60_000;
const CLEANUP_WAIT_MS = 5 * 60_000;

/** What a run works with: the request, both sessions, the VM, the conversion host (none with the image target). */
export interface MigrationContext {
  req: MigrateRequest;
  vs: VSphereSession;
  os: Session;
  vm: VmDetail;
  host: ConversionHost | undefined;
  log: Logger;
  signal: AbortSignal;
  steps: MigrationSteps;
  progress?: MigrationProgress | undefined;
}

/**
 * Carry out a plan (migrate-plan.ts): clean up what an earlier run left, then snapshot, copy the pending disks and
 * convert (or mark the volumes final); the attachments are ended and the snapshot removed whatever happens.
 */
export function runPlan(c: MigrationContext, plan: MigrationPlan): Promise<MigrateOutcome> {
  return new MigrationRun(c, plan).run();
}

class MigrationRun {
  private readonly vmRef: MoRef;
  private readonly wait: WaitOptions;
  private readonly cleanupWait: WaitOptions = { timeoutMs: CLEANUP_WAIT_MS, intervalMs: 1000 };
  /** The volume of each disk, filled in as the run creates them. */
  private readonly volumes: (Volume | undefined)[];
  private readonly results: DiskResult[];
  private changed = false;
  private readonly source: SourceOutcome;
  /** What the tool did to the source, as volume metadata: written to each volume of the VM as it exists. */
  private readonly sourceMarks: Record<string, string> = {};
  /** The image target's staged files and images (undefined: the volume target). */
  private readonly staging: ImageStaging | undefined;

  constructor(
    private readonly c: MigrationContext,
    private plan: MigrationPlan,
  ) {
    this.vmRef = { type: 'VirtualMachine', value: c.vm.moid };
    this.wait = { timeoutMs: VOLUME_WAIT_MS, intervalMs: 1000, signal: c.signal };
    this.volumes = plan.disks.map((d) => d.volume);
    this.results = plan.disks.map((d) => ({ key: d.disk.key, volume_id: d.volume?.id ?? '', mode: 'skipped', bytes_copied: 0, bytes_read: 0 }));
    this.source = { power_state_before: plan.powerStateBefore, action: 'none', cbt_enabled_by_tool: false };
    const { target } = c.req;
    this.staging = target.kind === 'image' ? new ImageStaging({ ...c, target, wait: this.wait, cleanupWait: this.cleanupWait }) : undefined;
  }

  /** The run; a failure says which volumes exist and whether anything changed. */
  async run(): Promise<MigrateOutcome> {
    try {
      return await this.carryOut();
    } catch (e) {
      const ids = this.volumes.map((v) => v?.id ?? null);
      throw new MigrationFailure((e as Error).message, ids, this.changed);
    }
  }

  private async carryOut(): Promise<MigrateOutcome> {
    const { c, plan } = this;
    const { finish } = plan;
    await this.cleanUp();
    if (finish === 'nothing') {
      c.log.info('every volume is converted already; nothing to do');
      if (this.staging && (await this.staging.cleanUp(plan.disks))) this.changed = true;
      return this.outcome(true);
    }
    if (plan.pending.length === 0 && this.staging) {
      // The image target after a crash: the staged files are final or the images active; the source is not read.
      if (finish === 'keep syncing') return this.outcome(false);
      await this.imagesToVolumes(this.staging);
      return this.outcome(true);
    }
    if (plan.enableCbt) {
      c.log.info(`enabling changed block tracking on VM ${c.vm.name} (cbtsync)`);
      if (await enableCbt(c.vs, this.vmRef)) {
        this.changed = true;
        this.source.cbt_enabled_by_tool = true;
        await this.recordSource({ [CBT_ENABLED_KEY]: 'true' });
      }
    }
    if (plan.stopSource) await this.stopSource(plan.stopSource);
    else if (plan.finish !== 'keep syncing') c.log.info(`VM ${c.vm.name} is left ${plan.powerStateBefore} (source_power_off is false)`);
    if (plan.windowsRunning) c.log.warn(`VM ${c.vm.name} is a Windows guest copied while running: its conversion may fail; set source_power_off: true`);
    if (this.staging) {
      await this.copyPending(this.staging);
      const converted = await this.finishStaged(finish, this.staging);
      if (converted) await this.imagesToVolumes(this.staging);
      return this.outcome(converted);
    }
    const attachments = new HostAttachments({ ...c, host: c.host!, byIdDir: c.req.byIdDir, wait: this.wait, cleanupWait: this.cleanupWait }, plan.reuseAttached);
    let converted = false;
    let failure: unknown;
    try {
      await this.copyPending(attachments);
      converted = await this.finish(finish, attachments);
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      await attachments.detachAll().catch((e: unknown) => {
        if (failure === undefined) throw e;
        c.log.error((e as Error).message);
      });
    }
    return this.outcome(converted);
  }

  private outcome(converted: boolean): MigrateOutcome {
    return { changed: this.changed, ids: this.volumes.map((v) => v?.id ?? null), disks: this.results, converted, conversionHost: this.c.host, source: this.source };
  }

  private async cleanUp(): Promise<void> {
    const { c } = this;
    for (const s of this.plan.staleSnapshots) {
      c.log.warn(`removing snapshot ${s.name} (${s.moid}) left by an earlier run`);
      await removeSnapshot(c.vs, { type: 'VirtualMachineSnapshot', value: s.moid });
      this.changed = true;
    }
    for (const v of this.plan.leftAttached) {
      c.log.warn(`detaching volume ${v.name} (${v.id}) left attached by an earlier run`);
      if (await detachIfAttached(c.os, c.host!, v.id, this.cleanupWait)) this.changed = true;
    }
  }

  /** Snapshot the VM and copy each pending disk from it; the snapshot lives only for this run (not a change). */
  private async copyPending(targets: HostAttachments | ImageStaging): Promise<void> {
    const { c } = this;
    const snapshot = await createSnapshot(c.vs, this.vmRef);
    c.log.info(`created snapshot ${SNAPSHOT_NAME} (${snapshot.value})`);
    try {
      const snapDisks = await this.snapshotDisks(snapshot);
      await this.checkData(snapshot, snapDisks);
      const blank = await this.provenBlank();
      c.progress?.disks(this.plan.pending.map((d) => ({ label: `disk ${d.disk.key}`, capacityBytes: d.disk.capacityBytes })));
      for (const d of this.plan.pending) {
        c.signal.throwIfAborted();
        const snapDisk = snapDisks.find((x) => x.key === d.disk.key);
        if (!snapDisk) throw new Error(`disk ${d.disk.key} is not in snapshot ${snapshot.value}`);
        if (targets instanceof ImageStaging) await this.stageDisk(d, snapshot, snapDisk, targets, blank.has(d.disk.key));
        else await this.syncDisk(d, snapshot, snapDisk, targets, blank.has(d.disk.key));
      }
    } finally {
      await this.removeSnapshotQuietly(snapshot);
    }
  }

  /** The disks whose data the pre-checks could not read (a running VM's), read from the snapshot before any volume is created. */
  private async checkData(snapshot: MoRef, snapDisks: VmDisk[]): Promise<void> {
    const { c } = this;
    const checks = await checkSnapshotData(c, this.plan, snapshot, snapDisks);
    if (checks.length === 0) return;
    this.plan = withChecks(this.plan, c.vm, checks, c.req);
    if (this.plan.blocked.length > 0) throw blockedError(this.plan);
  }

  /**
   * The keys of the disks a check read as all zeros where the copy would read them again: from the snapshot, or from
   * the disk of a VM that is still off (nothing wrote to it since). They are copied as blank volumes without a read.
   */
  private async provenBlank(): Promise<Set<number>> {
    const blank = this.plan.pending.filter((d) => d.hasData === false);
    const offline = blank.some((d) => d.dataReadFrom === 'powered-off VM') && (await powerState(this.c.vs, this.vmRef)) === 'poweredOff';
    return new Set(blank.filter((d) => d.dataReadFrom === 'snapshot' || (offline && d.dataReadFrom === 'powered-off VM')).map((d) => d.disk.key));
  }

  /** One pending disk: its volume, attached, then the copy the plan says (vSphere may turn a delta into a full copy). */
  private async syncDisk(d: DiskPlan, snapshot: MoRef, snapDisk: VmDisk, attachments: HostAttachments, blank: boolean): Promise<void> {
    const { c } = this;
    const i = this.plan.disks.indexOf(d);
    const volume = await ensureVolume({ ...c, volume: c.req.volume, wait: this.wait }, d);
    this.volumes[i] = volume;
    if (!d.volume) {
      this.changed = true;
      if (Object.keys(this.sourceMarks).length > 0) await updateVolumeMetadata(c.os, volume.id, this.sourceMarks);
    }
    const result = this.results[i]!;
    result.volume_id = volume.id;
    if (d.hasData === false) {
      result.empty = true;
      c.log.warn(`disk ${d.disk.key} holds no data: copied as a blank volume (allow_empty_disks)`);
    }
    const devicePath = await attachments.attach(volume);
    if (d.conversionUnfinished) c.log.warn(`volume ${volume.id}: an earlier conversion did not finish; copying the whole disk again`);
    const outcome = await this.copyDisk(d, snapshot, snapDisk, devicePath, blank, result);
    await c.steps.reached('copied');
    if (outcome.bytesCopied > 0) this.changed = true;
    if (outcome.sha256Target || outcome.bytesCopied > 0) await this.recordChecksum(volume, outcome.sha256Target, snapDisk.capacityBytes, 'copy');
    if (outcome.changeId && outcome.changeId !== volume.metadata.changeID) {
      // Recorded only after a complete copy: a crash mid-copy leaves the previous (older) change ID.
      // Bookkeeping, not a change of the volume's content: a sync that copied nothing stays changed=false.
      await updateVolumeMetadata(c.os, volume.id, { changeID: outcome.changeId });
      c.log.info(`volume ${volume.id}: recorded changeID ${outcome.changeId}`);
    }
  }

  /** Copies one disk from the snapshot into `devicePath` (volume or staged file); the disk's result gets the counts. */
  private async copyDisk(d: DiskPlan, snapshot: MoRef, snapDisk: VmDisk, devicePath: string, blank: boolean, result: DiskResult): Promise<DiskCopyOutcome> {
    const { c } = this;
    const pendingIndex = this.plan.pending.indexOf(d);
    const { progress } = c;
    const outcome = await this.withSource(snapshot, snapDisk, (source, httpsPath) => {
      if (httpsPath) result.https_path = httpsPath;
      return copyOneDisk({
        session: c.vs,
        vm: this.vmRef,
        snapshot,
        disk: snapDisk,
        source: c.steps.copying(source),
        devicePath,
        sinceChangeId: d.sinceChangeId,
        targetIsZero: d.targetIsZero,
        knownBlank: blank,
        verify: c.req.verify,
        log: c.log,
        onProgress: progress && ((p) => progress.copy(pendingIndex, p)),
        signal: c.signal,
      });
    });
    Object.assign(result, {
      mode: outcome.mode,
      bytes_copied: outcome.bytesCopied,
      bytes_read: outcome.bytesRead,
      ...(outcome.sha256Source ? { sha256_source: outcome.sha256Source, sha256_target: outcome.sha256Target } : {}),
    });
    return outcome;
  }

  /** The image target's copy of one disk: into a fresh sparse staged file, recorded as complete with its change ID. */
  private async stageDisk(d: DiskPlan, snapshot: MoRef, snapDisk: VmDisk, staging: ImageStaging, blank: boolean): Promise<void> {
    const { c } = this;
    const result = this.results[this.plan.disks.indexOf(d)]!;
    const path = await staging.stage(d);
    const outcome = await this.copyDisk(d, snapshot, snapDisk, path, blank, result);
    // Recorded only after a complete copy: a crash mid-copy leaves a file that matches no record, copied again.
    await staging.recordCopy(d, { changeId: outcome.changeId, ...(outcome.sha256Target ? { sha256Copy: outcome.sha256Target, sha256: outcome.sha256Target } : {}) });
    await c.steps.reached('copied');
    if (d.action !== 'delta copy' || outcome.bytesCopied > 0) this.changed = true;
  }

  /** The image target after the copy: convert the staged files together (or take them as they are); true when final. */
  private async finishStaged(how: Exclude<Finish, 'nothing'>, staging: ImageStaging): Promise<boolean> {
    const { c } = this;
    const disks = this.plan.pending;
    if (how === 'keep syncing') return false;
    const states = await Promise.all(disks.map(async (d) => (await staging.state(d))!));
    if (how === 'convert') {
      for (const [i, d] of disks.entries()) await staging.record(d, { ...states[i]!, phase: 'converting' });
      c.progress?.phase('converting the guest');
      const paths = disks.map((d) => staging.path(d));
      await convertGuest({ vm: c.vm, devices: paths, request: c.req, log: c.log, signal: c.signal });
      await c.steps.reached('converted');
      for (const [i, d] of disks.entries()) {
        const sha = c.req.verify ? await sha256OfPath(paths[i]!, d.disk.capacityBytes, c.signal) : undefined;
        states[i] = { ...states[i]!, ...(sha ? { sha256: sha } : {}) };
      }
    } else c.log.info('skipconversion: the guest is not converted; the staged files are final');
    for (const [i, d] of disks.entries()) await staging.record(d, { ...states[i]!, phase: 'final' });
    return true;
  }

  /** The image target's end: each unconverted disk's volume from its image, then the staged files (and images) removed. */
  private async imagesToVolumes(staging: ImageStaging): Promise<void> {
    for (const [i, d] of this.plan.disks.entries()) {
      if (d.action === 'skip (converted)') continue;
      const volume = await staging.toVolume(d, this.sourceMarks);
      this.volumes[i] = volume;
      this.results[i]!.volume_id = volume.id;
      this.changed = true;
    }
    this.c.log.info(`made ${this.volumes.length} volumes from images`);
    if (await staging.cleanUp(this.plan.disks)) this.changed = true;
  }

  /** After the copy, as the plan says; true when the volumes are final. */
  private async finish(how: Exclude<Finish, 'nothing'>, attachments: HostAttachments): Promise<boolean> {
    const { c } = this;
    const volumes = this.volumes as Volume[];
    switch (how) {
      case 'convert': {
        const devices: string[] = [];
        for (const v of volumes) devices.push(await attachments.attach(v));
        for (const v of volumes) await updateVolumeMetadata(c.os, v.id, { [CONVERSION_KEY]: 'started' });
        c.progress?.phase('converting the guest');
        await convertGuest({ vm: c.vm, devices, request: c.req, log: c.log, signal: c.signal });
        await c.steps.reached('converted');
        for (const [i, v] of volumes.entries()) {
          const size = this.plan.disks[i]!.disk.capacityBytes;
          const sha = c.req.verify ? await sha256OfPath(devices[i]!, size, c.signal) : undefined;
          await this.recordChecksum(v, sha, size, 'conversion');
        }
        for (const v of volumes) await updateVolumeMetadata(c.os, v.id, { converted: 'true', [CONVERSION_KEY]: 'done' });
        this.changed = true;
        c.log.info(`marked ${volumes.length} volumes converted`);
        return true;
      }
      case 'mark final':
        // The disks are final and the user asked for no conversion: mark them done, so a rerun leaves them alone
        // (they may already be attached to the migrated server) and the record says no conversion ran.
        for (const v of volumes) await updateVolumeMetadata(c.os, v.id, { converted: 'true', [CONVERSION_KEY]: 'skipped' });
        this.changed = true;
        c.log.info('skipconversion: the guest is not converted; the volumes are final');
        return true;
      case 'keep syncing':
        c.log.info('cbtsync without cutover: the guest is not converted yet');
        return false;
    }
  }

  /**
   * What the volume must hold now, for verify_migration: the hash after the copy (the source disk's) or after the
   * conversion, with verify; without it, an earlier run's hash no longer holds and is cleared.
   */
  private async recordChecksum(volume: Volume, sha256: string | undefined, bytes: number, after: 'copy' | 'conversion'): Promise<void> {
    const metadata = after === 'copy' ? copyChecksumMetadata(sha256, bytes) : { [SHA256_KEY]: sha256 ?? '' };
    if (!sha256 && !volume.metadata[SHA256_KEY]) return;
    Object.assign(volume.metadata, await updateVolumeMetadata(this.c.os, volume.id, metadata));
    if (sha256) this.c.log.info(`volume ${volume.id}: recorded sha256 ${sha256} after the ${after}`);
  }

  /** Stop the source before the snapshot (guest shutdown, then a hard power-off when allowed) and record it. */
  private async stopSource(why: StopReason): Promise<void> {
    const { c } = this;
    const { shutdownTimeoutMs, forcePowerOff } = c.req;
    c.log.info(`stopping VM ${c.vm.name} before the last sync (${why}): guest shutdown${forcePowerOff ? `, hard power-off after ${shutdownTimeoutMs / 1000} s` : ''}`);
    const how = await powerOff(c.vs, this.vmRef, { timeoutMs: shutdownTimeoutMs, force: forcePowerOff }).catch((e: unknown) => {
      throw new Error(`cannot stop source VM ${c.vm.name} (${why}): ${(e as Error).message}${forcePowerOff ? '' : ' (force_power_off is false)'}`);
    });
    this.source.action = how === 'already' ? 'already off' : how === 'guest' ? 'guest shutdown' : 'hard power-off';
    c.log.info(`VM ${c.vm.name} is off: ${this.source.action}`);
    if (how === 'already') return;
    this.changed = true;
    await this.recordSource({ [SOURCE_POWERED_OFF_KEY]: 'true', [SOURCE_POWERED_OFF_AT_KEY]: new Date().toISOString() });
  }

  /** Record what the tool did to the source on each volume of the VM that exists, and on those created later. */
  private async recordSource(marks: Record<string, string>): Promise<void> {
    Object.assign(this.sourceMarks, marks);
    for (const v of this.volumes) if (v) await updateVolumeMetadata(this.c.os, v.id, marks);
    this.c.log.info(`recorded on the volumes of VM ${this.c.vm.name}: ${Object.entries(marks).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }

  /** The VM's disks as recorded in the snapshot (backing file and change ID of that point in time). */
  private async snapshotDisks(snapshot: MoRef): Promise<VmDisk[]> {
    const { vm } = this.c;
    const props = await retrieveOne(this.c.vs, snapshot, ['config.hardware']);
    const entity = { moid: vm.moid, type: 'VirtualMachine', name: vm.name, parent: undefined, path: vm.path };
    const inv = { byMoid: new Map(), networks: [] } as unknown as Parameters<typeof vmDetail>[2];
    return vmDetail(entity, props, inv).disks;
  }

  private async removeSnapshotQuietly(snapshot: MoRef): Promise<void> {
    try {
      await removeSnapshot(this.c.vs, snapshot);
      this.c.log.info(`removed snapshot ${SNAPSHOT_NAME} (${snapshot.value})`);
    } catch (e) {
      this.c.log.error(`could not remove snapshot ${snapshot.value}: ${(e as Error).message}; the next run removes it`);
    }
  }

  private async withSource<T>(snapshot: MoRef, disk: VmDisk, fn: (s: DiskSource, httpsPath: HttpsPathUsed | undefined) => Promise<T>): Promise<T> {
    const { c } = this;
    const { source, httpsPath } = await openDiskSource(sourceArgs(c, disk, snapshot.value, `${safeVmName(c.vm.name).slice(0, 24)}-${c.req.runId}-${disk.key}`));
    try {
      return await fn(source, httpsPath);
    } finally {
      await source.close();
    }
  }
}
