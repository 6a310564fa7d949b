import type { ConversionHost } from './conversion-host.js';

/** How the migration reads a VMware disk (the `disk_source` option). */
export type DiskSourceKind = 'vddk' | 'local' | 'https' | 'ssh';

export interface VmwareEndpoint {
  /** `host` or `host:port`. */
  server: string;
  user: string;
  password: string;
  insecure: boolean;
  caFile?: string | undefined;
  thumbprint?: string | undefined;
}

export interface SourceSettings {
  kind: DiskSourceKind;
  vddk: { libdir: string; compression: 'none' | 'zlib' | 'fastlz' | 'skipz' };
  localDiskPath?: string | undefined;
  /** disk_source https: try the ESXi host first (with a vCenter ticket), on this port. */
  https: { viaHost: boolean; hostPort: number };
  ssh: { user: string; keyPath?: string | undefined; passphrase?: string | undefined; port: number; knownHosts?: string | undefined };
}

export interface ImageTarget {
  kind: 'image';
  stagingDir: string;
  diskFormat: 'raw' | 'qcow2';
  keepImages: boolean;
}

/** Everything one VM's migration needs (the `migrate` module's options, parsed). */
export interface MigrateRequest {
  vmware: VmwareEndpoint;
  /** `dst_cloud`: credentials dict, clouds.yaml name, or undefined for OS_* variables. */
  cloud: unknown;
  vmName: string;
  /** Inventory folder (`vddkpath`); the VM is looked up at `<folder>/<vmName>`, else by name. */
  folder?: string | undefined;
  source: SourceSettings;
  volume: {
    availabilityZone?: string | undefined;
    type?: string | undefined;
    typeMapping: { vmware_datastore: string; openstack_type: string }[];
    /** `externalvolume`: manage this backend volume instead of creating one (single-disk VMs). */
    external?: { name: string; hostPool: string } | undefined;
  };
  /**
   * Where the disks go. `volume`: Cinder volumes attached to the conversion host this runs on. `image`: no
   * conversion host; each disk is staged as a sparse raw file in `stagingDir`, converted there, uploaded to Glance as
   * `diskFormat` and made into a volume from that image; the images are deleted at the end unless `keepImages`.
   */
  target: { kind: 'volume' } | ImageTarget;
  assumeZero: boolean;
  cbtSync: boolean;
  cutover: boolean;
  skipConversion: boolean;
  multiDiskFs: boolean;
  conversion: { runScript?: string | undefined; bootScript?: string | undefined; extraOpts: string[]; debug: boolean };
  instanceUuid?: string | undefined;
  convHostName?: string | undefined;
  byIdDir: string;
  /** Migrate disks that hold no data (else they fail the migration before anything is created). */
  allowEmptyDisks: boolean;
  verify: boolean;
  shutdownTimeoutMs: number;
  /** Power the source off hard when the guest does not shut down within shutdownTimeoutMs (or has no VMware Tools). */
  forcePowerOff: boolean;
  /**
   * A plain migration (no cbtsync pre-sync, no cutover): stop the source before its snapshot (true) or leave it as it
   * is (false); undefined: as upstream, stop it when the run converts the guest.
   */
  sourcePowerOff?: boolean | undefined;
  /** Used in socket names: `<SafeVmName>-<runId>`. */
  runId: string;
}

/** What happened to one disk; `skipped` = its volume was converted already. */
export type DiskMode = 'full' | 'delta' | 'skipped';

export interface DiskResult {
  key: number;
  volume_id: string;
  mode: DiskMode;
  bytes_copied: number;
  bytes_read: number;
  sha256_source?: string;
  sha256_target?: string;
  /** The source disk held no data and was copied as a blank volume (allow_empty_disks). */
  empty?: boolean;
  /** disk_source https: which path the bytes came through (see HttpsPath). */
  https_path?: HttpsPathUsed;
}

/** The path an https disk was read through: straight from its ESXi host, or through vCenter (and why). */
export interface HttpsPathUsed {
  path: 'esxi host' | 'vcenter';
  /** `host:port` the bytes came from. */
  server: string;
  /** Why not the ESXi host, for the vCenter path. */
  reason?: string;
}

/** What a run does with one disk. A delta copy falls back to a full one when vSphere no longer knows the change ID. */
export type DiskAction = 'create and copy' | 'full copy' | 'delta copy' | 'skip (converted)' | 'upload image' | 'volume from image';

export interface PlannedDisk {
  key: number;
  volume_name: string;
  volume_id: string | null;
  /** `blocked`: the source checks found a problem (see `problem`); a run would fail before creating anything. */
  action: DiskAction | 'blocked';
  /** Whether the source disk holds data, as far as check mode could read it (a running VM's disk is read from the snapshot). */
  data: 'yes' | 'none' | 'not read';
  /** The volume a run creates for the disk (or the one it reuses: volume_id). */
  datastore: string;
  capacity_bytes: number;
  size_gib: number;
  /** null: the cloud's default type. */
  volume_type: string | null;
  availability_zone: string | null;
  problem?: string;
}

/** A run that failed after it looked at the target: what exists now, so the result can say it. */
export class MigrationFailure extends Error {
  constructor(
    message: string,
    /** The tool's volume of each disk that exists (created or reused so far), null where there is none, in disk order. */
    readonly ids: (string | null)[],
    /** The run created or changed something before it failed. */
    readonly changed: boolean,
    /** Check mode: the plan that would fail. */
    readonly plan?: MigrateOutcome['plan'],
  ) {
    super(message);
    this.name = 'MigrationFailure';
  }
}

/** What a run did to the source VM. */
export type SourceAction = 'none' | 'guest shutdown' | 'hard power-off' | 'already off';

export interface SourceOutcome {
  power_state_before: string;
  action: SourceAction;
  cbt_enabled_by_tool: boolean;
}

/** Check mode: what a run would do to the source VM. */
export interface PlannedSource {
  power_state: string;
  /** `none`, or `stop` (guest shutdown, then a hard power-off after the timeout when allowed). */
  action: 'none' | 'stop';
  /** Why the source is stopped (cutover, source_power_off, or the default of a plain migration that converts). */
  reason: string | null;
  enable_cbt: boolean;
}

export interface MigrateOutcome {
  changed: boolean;
  /** Volume IDs in disk order (null in check mode for volumes that do not exist yet). */
  ids: (string | null)[];
  disks: DiskResult[];
  converted: boolean;
  /** The conversion host the volumes were attached to (none with the image target). */
  conversionHost: ConversionHost | undefined;
  /** What the run did to the source VM (check mode: nothing, see plan.source). */
  source: SourceOutcome;
  /** Check mode: what a real run would do. */
  plan?: { disks: PlannedDisk[]; conversion: boolean; shutdown: boolean; source: PlannedSource; cleanup: string[] };
}
