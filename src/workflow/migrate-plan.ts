import type { Volume } from '../openstack/volume.js';
import { safeVmName } from '../util/names.js';
import { parseBool } from '../util/parse-bool.js';
import { GiB } from '../util/units.js';
import { SNAPSHOT_DESCRIPTION } from '../vmware/snapshots.js';
import type { VmDetail, VmDisk, VmSnapshot } from '../vmware/vm.js';
import type { ConversionHost } from './conversion-host.js';
import { isWindowsGuest } from './migrate-convert.js';
import type { DiskAction, MigrateOutcome, MigrateRequest } from './migrate-request.js';

/**
 * What one migration run will do, decided from what exists before it changes anything: check mode reports this
 * plan and a real run carries it out. Pure: no I/O.
 */

/** Volume metadata key set to `started` before virt-v2v writes to the volumes and `done` after. */
export const CONVERSION_KEY = 'osm_conversion';

/** Upstream reads `converted` with Go's strconv.ParseBool. */
export function isConverted(v: Volume): boolean {
  const c = v.metadata.converted;
  if (c === undefined) return false;
  const flag = parseBool(c);
  if (flag !== undefined) return flag;
  throw new Error(`volume ${v.name} (${v.id}) has metadata converted=${JSON.stringify(c)}, which is not a boolean; fix or remove it`);
}

export function volumeNameFor(vm: Pick<VmDetail, 'name'>, disk: Pick<VmDisk, 'key'>): string {
  return `${safeVmName(vm.name)}-${disk.key}`;
}

/** The options the plan depends on. */
export type PlanOptions = Pick<MigrateRequest, 'assumeZero' | 'cbtSync' | 'cutover' | 'skipConversion' | 'allowEmptyDisks' | 'sourcePowerOff'> & {
  volume: Pick<MigrateRequest['volume'], 'external'>;
};

/** The decision for one disk. */
export interface DiskPlan {
  disk: VmDisk;
  volumeName: string;
  /** The tool's volume for this disk, when one exists already. */
  volume: Volume | undefined;
  action: DiskAction;
  /** Delta copy: the change ID the volume's last complete copy recorded. */
  sinceChangeId: string | undefined;
  /** The run creates the volume and it reads as zeros (assumezero): zero blocks need not be written. */
  targetIsZero: boolean;
  /** A conversion started on the volume and did not finish: it changed the volume, so only a full copy makes it whole. */
  conversionUnfinished: boolean;
  /** Whether the source disk holds data, once a check read it (undefined: not read yet, or a delta copy). */
  hasData: boolean | undefined;
  /** Where that check read it: the snapshot, the disk of a VM that was off, or the disk of a running VM. */
  dataReadFrom: DataReadFrom | undefined;
  /** Why this run must not copy the disk (a source problem the checks found); nothing is created then. */
  blocked: string | undefined;
}

export type DataReadFrom = 'snapshot' | 'powered-off VM' | 'running VM';

/** What the source checks (migrate-preflight.ts) found about one disk. */
export interface DiskCheck {
  key: number;
  /** The disk cannot be read: what failed and what to do. */
  problem?: string;
  /** Whether it holds data, when the check read it, and where it read it. */
  hasData?: boolean;
  readFrom?: DataReadFrom;
}

/**
 * One disk: skip it when its volume is converted; create the volume and copy everything when there is none; copy
 * the CBT delta when cbtsync is on and the volume holds the change ID of its last complete copy (unless a conversion
 * started on it since); else copy the whole disk again.
 */
export function planDisk(vm: Pick<VmDetail, 'name'>, disk: VmDisk, volume: Volume | undefined, o: PlanOptions): DiskPlan {
  const plan: DiskPlan = {
    disk,
    volumeName: volumeNameFor(vm, disk),
    volume,
    action: 'full copy',
    sinceChangeId: undefined,
    targetIsZero: false,
    conversionUnfinished: false,
    hasData: undefined,
    dataReadFrom: undefined,
    blocked: undefined,
  };
  // A managed external volume holds the backend's bytes, not zeros.
  if (!volume) return { ...plan, action: 'create and copy', targetIsZero: o.assumeZero && !o.volume.external };
  if (isConverted(volume)) return { ...plan, action: 'skip (converted)' };
  const conversionUnfinished = volume.metadata[CONVERSION_KEY] === 'started';
  const since = o.cbtSync && !conversionUnfinished ? volume.metadata.changeID || undefined : undefined;
  return { ...plan, action: since ? 'delta copy' : 'full copy', sinceChangeId: since, conversionUnfinished };
}

/** What the run does once the pending disks are copied. */
export type Finish =
  /** Run virt-v2v-in-place over the volumes, mark them converted. */
  | 'convert'
  /** skipconversion: mark the volumes final (converted, osm_conversion skipped) without converting. */
  | 'mark final'
  /** A cbtsync run before the cutover: the volumes stay open to the next delta. */
  | 'keep syncing'
  /** Every volume is converted already. */
  | 'nothing';

/** Why a run stops the source. */
export type StopReason = 'cutover' | 'source_power_off' | 'conversion (source_power_off default)';

/**
 * The source VM: a cbtsync pre-sync leaves it running; a cutover always stops it before the last sync, whatever the
 * conversion setting; a plain migration stops it when asked (source_power_off), by default when it converts.
 */
export function sourceStop(finish: Finish, o: PlanOptions): StopReason | undefined {
  if (finish !== 'convert' && finish !== 'mark final') return undefined;
  if (o.cutover) return 'cutover';
  if (o.sourcePowerOff !== undefined) return o.sourcePowerOff ? 'source_power_off' : undefined;
  return finish === 'convert' ? 'conversion (source_power_off default)' : undefined;
}

export interface MigrationPlan {
  /** One per VM disk, in order. */
  disks: DiskPlan[];
  /** The disks to copy: those whose volume is not converted. */
  pending: DiskPlan[];
  /** cbtsync on a VM without changed block tracking: enable it before the snapshot. */
  enableCbt: boolean;
  /** Stop the source before the snapshot, so that the last sync reads a stopped VM, and why; undefined: leave it as it is. */
  stopSource: StopReason | undefined;
  finish: Finish;
  /** A Windows guest converted from a snapshot of the running VM (source_power_off false): warned about. */
  windowsRunning: boolean;
  /** The source's power state when the run looked. */
  powerStateBefore: string;
  /** The tool's snapshots an earlier run left: removed. */
  staleSnapshots: VmSnapshot[];
  /** Converted volumes an earlier run left attached to the conversion host: detached. */
  leftAttached: Volume[];
  /** Volumes to copy that an earlier run left attached: the attachment is reused, and detached at the end. */
  reuseAttached: string[];
  /** Disks the source checks found a problem with: the run fails before it creates anything. */
  blocked: DiskPlan[];
}

/** With the image target: what exists of one disk besides its volume. */
export interface ImageDiskState {
  /** The tool's image of the disk is active: it holds the final bytes. */
  imageActive: boolean;
  /** The disk's staged file holds the final bytes (copied, and converted unless skipconversion). */
  stagedFinal: boolean;
  /** cbtsync: the change ID the staged file is an unchanged, complete copy of (a delta can be applied to it). */
  stagedChangeId?: string | undefined;
}

export interface PlanInput {
  vm: Pick<VmDetail, 'name' | 'disks' | 'guestFullName' | 'guestId' | 'changeTrackingEnabled' | 'powerState'>;
  /** The tool's volume of each disk (undefined where there is none), in disk order. */
  volumes: (Volume | undefined)[];
  /** The conversion host (none with the image target). */
  host: Pick<ConversionHost, 'id'> | undefined;
  /** The VM's snapshots named like the tool's. */
  snapshots: VmSnapshot[];
  options: PlanOptions;
  /** The image target: per disk, in disk order (absent: the volume target). */
  image?: ImageDiskState[];
}

export function planMigration(i: PlanInput): MigrationPlan {
  const { vm, options: o } = i;
  const volumeDisks = vm.disks.map((d, n) => planDisk(vm, d, i.volumes[n], o));
  const disks = i.image ? imageDiskPlans(volumeDisks, i.image, o) : volumeDisks;
  const open = disks.filter((d) => d.action !== 'skip (converted)');
  const pending = open.filter(copies);
  const final = !o.cbtSync || o.cutover;
  const finish: Finish = open.length === 0 ? 'nothing' : !final ? 'keep syncing' : o.skipConversion ? 'mark final' : 'convert';
  // Uploading staged files or making volumes of images reads nothing from the source: it is left as it is.
  const stopSource = pending.length > 0 ? sourceStop(finish, o) : undefined;
  const onHost = (v: Volume | undefined): v is Volume => v !== undefined && i.host !== undefined && v.attachments.some((a) => a.server_id === i.host!.id);
  return {
    disks,
    pending,
    enableCbt: pending.length > 0 && o.cbtSync && !vm.changeTrackingEnabled,
    stopSource,
    windowsRunning: pending.length > 0 && finish === 'convert' && isWindowsGuest(vm) && stopSource === undefined && vm.powerState !== 'poweredOff',
    powerStateBefore: vm.powerState,
    finish,
    staleSnapshots: i.snapshots.filter((s) => s.description === SNAPSHOT_DESCRIPTION),
    leftAttached: disks.filter((d) => d.action === 'skip (converted)').map((d) => d.volume).filter(onHost),
    reuseAttached: pending.map((d) => d.volume).filter(onHost).map((v) => v.id),
    blocked: [],
  };
}

/** The plan with what the source checks found: a disk that cannot be read, or holds no data, is blocked. */
export function withChecks(plan: MigrationPlan, vm: Pick<VmDetail, 'name'>, checks: DiskCheck[], o: PlanOptions): MigrationPlan {
  const disks = plan.disks.map((d, index): DiskPlan => {
    const check = checks.find((c) => c.key === d.disk.key);
    if (!check) return d;
    const hasData = check.hasData ?? d.hasData;
    const withData = { ...d, hasData, dataReadFrom: check.hasData === undefined ? d.dataReadFrom : check.readFrom };
    return { ...withData, blocked: check.problem ?? (hasData === false ? emptyDiskProblem(vm, index, withData, o) : undefined) };
  });
  const pending = disks.filter((d) => plan.pending.some((p) => p.disk.key === d.disk.key));
  return { ...plan, disks, pending, blocked: disks.filter((d) => d.blocked !== undefined) };
}

/** The disk is read from the source in this run. */
function copies(d: DiskPlan): boolean {
  return d.action === 'create and copy' || d.action === 'full copy' || d.action === 'delta copy';
}

/**
 * The image target: the disks of a VM are converted together, so they move from stage to stage together. When
 * every unconverted disk has an active image, volumes are made from the images; when each has an image or a final
 * staged file, the staged files are uploaded; else every unconverted disk is staged again from the source (a
 * fresh sparse file, so zero blocks are never written), converted and uploaded, replacing its older image. With
 * cbtsync, a staged file that is an unchanged copy of a recorded change ID gets the CBT delta instead.
 */
function imageDiskPlans(disks: DiskPlan[], image: ImageDiskState[], o: PlanOptions): DiskPlan[] {
  const open = disks.filter((d) => d.action !== 'skip (converted)');
  const state = (d: DiskPlan) => image[disks.indexOf(d)]!;
  const ready = open.every((d) => state(d).imageActive || state(d).stagedFinal);
  return disks.map((d): DiskPlan => {
    if (d.action === 'skip (converted)') return d;
    const since = o.cbtSync ? state(d).stagedChangeId : undefined;
    const restaged: DiskPlan = since
      ? { ...d, action: 'delta copy', sinceChangeId: since, targetIsZero: false, conversionUnfinished: false }
      : { ...d, action: 'create and copy', sinceChangeId: undefined, targetIsZero: true, conversionUnfinished: false };
    if (!ready) return restaged;
    return { ...d, action: state(d).imageActive ? 'volume from image' : 'upload image', sinceChangeId: undefined };
  });
}

/**
 * A disk that holds no data is more often the wrong VM, disk or datastore than a real blank disk: it is copied only
 * with allowEmptyDisks, and never as the boot disk of a guest to convert (virt-v2v finds no operating system there).
 */
export function emptyDiskProblem(vm: Pick<VmDetail, 'name'>, index: number, d: Pick<DiskPlan, 'disk'>, o: Pick<PlanOptions, 'allowEmptyDisks' | 'skipConversion'>): string | undefined {
  const what = `VM ${vm.name} disk ${index} (key ${d.disk.key}, file ${d.disk.fileName}) holds no data: no allocated block, or only zeros`;
  if (index === 0 && !o.skipConversion) {
    return `${what}; it is the boot disk and there is no guest to convert: check that this is the right VM and datastore (or set skipconversion, and allow_empty_disks, to copy it as a blank volume)`;
  }
  if (!o.allowEmptyDisks) return `${what}; check that this is the right VM and datastore, or set allow_empty_disks: true to migrate it as a blank volume`;
  return undefined;
}

/** The error a run fails with when the checks blocked disks: every problem, and that nothing was created. */
export function blockedError(plan: MigrationPlan): Error {
  return new Error(`${plan.blocked.map((d) => d.blocked).join('; ')}. Nothing was created`);
}

/** Check mode's result: the plan, and what would change. */
/** The volume type of a disk: volume_type_mapping by its datastore, else volumetype, else the cloud's default. */
export function volumeTypeFor(disk: Pick<VmDisk, 'datastore'>, volume: MigrateRequest['volume']): string | undefined {
  const mapped = volume.typeMapping.find((m) => m.vmware_datastore === disk.datastore)?.openstack_type;
  return mapped || volume.type || undefined;
}

/** The size of a disk's volume: its capacity rounded up to whole GiB, at least 1. */
export const volumeSizeGiB = (disk: Pick<VmDisk, 'capacityBytes'>): number => Math.max(1, Math.ceil(disk.capacityBytes / GiB));

export function checkModeOutcome(plan: MigrationPlan, host: ConversionHost | undefined, volume: MigrateRequest['volume']): MigrateOutcome {
  const cleanup = [
    ...plan.staleSnapshots.map((s) => `remove snapshot ${s.name} (${s.moid}) left by an earlier run`),
    ...plan.leftAttached.map((v) => `detach volume ${v.name} (${v.id}) from the conversion host`),
  ];
  return {
    changed: plan.blocked.length === 0 && (plan.finish !== 'nothing' || cleanup.length > 0),
    ids: plan.disks.map((d) => d.volume?.id ?? null),
    disks: [],
    converted: plan.finish === 'nothing',
    conversionHost: host,
    source: { power_state_before: plan.powerStateBefore, action: 'none', cbt_enabled_by_tool: false },
    plan: {
      disks: plan.disks.map((d) => ({
        key: d.disk.key,
        volume_name: d.volumeName,
        volume_id: d.volume?.id ?? null,
        action: d.blocked ? 'blocked' : d.action,
        data: d.hasData === undefined ? 'not read' : d.hasData ? 'yes' : 'none',
        datastore: d.disk.datastore,
        capacity_bytes: d.disk.capacityBytes,
        size_gib: volumeSizeGiB(d.disk),
        volume_type: volumeTypeFor(d.disk, volume) ?? null,
        availability_zone: volume.availabilityZone ?? null,
        ...(d.blocked ? { problem: d.blocked } : {}),
      })),
      conversion: plan.finish === 'convert' && plan.pending.length > 0,
      shutdown: plan.stopSource !== undefined,
      source: {
        power_state: plan.powerStateBefore,
        action: plan.stopSource && plan.powerStateBefore !== 'poweredOff' ? 'stop' : 'none',
        reason: plan.stopSource ?? null,
        enable_cbt: plan.enableCbt,
      },
      cleanup,
    },
  };
}

/** A VM this run cannot migrate, before anything is looked up or changed. */
export function checkMigratable(vm: Pick<VmDetail, 'name' | 'disks'>, o: Pick<PlanOptions, 'volume'> & Partial<Pick<MigrateRequest, 'target'>>): void {
  if (vm.disks.length === 0) throw new Error(`Failed to migrate VM: no disk found on VM ${vm.name}`);
  if (o.target?.kind === 'image' && o.volume.external) {
    throw new Error(`Failed to migrate VM ${vm.name}: migration_target image does not take externalvolume (use migration_target volume)`);
  }
  if (o.volume.external && vm.disks.length > 1) {
    throw new Error(`Failed to migrate VM: externalvolume manages one backend volume, but VM ${vm.name} has ${vm.disks.length} disks`);
  }
}
