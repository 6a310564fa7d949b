import { z } from 'zod';
import { ModuleFailure } from '../../ansible/errors.js';
import { DEFAULT_VDDK_LIBDIR } from '../../transfer/sources/vddk.js';
import { DEFAULT_BY_ID_DIR } from '../../transfer/target.js';
import type { MigrateRequest } from '../../workflow/migrate-request.js';
import { extraOptionList } from '../../workflow/migrate-convert.js';
import { cloudOption } from './openstack.js';

/** The name a module gives a shared option (descriptions name the other options the way the module does). */
type Namer = (sharedName: string) => string;

const d = (description: string) => ({ description });

/**
 * The options of one VM's migration, shared by `migrate` and `import_workloads`, under their shared names: upstream's
 * `migrate` arguments (its Go field names).
 */
function shape(n: Namer) {
  return {
    dst_cloud: cloudOption('The destination cloud.'),
    server: z.string().min(1).meta(d('vCenter or ESXi address, `host` or `host:port` (443 by default).')),
    user: z.string().min(1).meta(d('vCenter or ESXi user name, e.g. administrator@vsphere.local.')),
    password: z.string().min(1).meta({ description: `Password of ${n('user')}.`, secret: true }),
    vmware_insecure: z
      .boolean()
      .default(false)
      .meta(d('Skip TLS certificate verification of vCenter/ESXi. Prefer vmware_ca_file or vmware_thumbprint.')),
    vmware_ca_file: z.string().optional().meta(d('PEM file of a CA (or of the self-signed vCenter/ESXi certificate) to trust.')),
    vmware_thumbprint: z
      .string()
      .optional()
      .meta(d('SHA-1 thumbprint of the vCenter/ESXi certificate (AB:CD:...); when set, only that certificate is accepted.')),
    disk_source: z
      .enum(['vddk', 'local', 'https', 'ssh'])
      .optional()
      .meta(
        d(
          `How disks are read: vddk (nbdkit VDDK plugin), local (${n('localdiskpath')} mount), https (datastore file access), ssh (SFTP from ESXi). Default vddk, or local when ${n('localdiskpath')} is set.`,
        ),
      ),
    libdir: z.string().default(DEFAULT_VDDK_LIBDIR).meta(d('VDDK library directory (disk_source vddk).')),
    compression: z.enum(['none', 'zlib', 'fastlz', 'skipz']).default('fastlz').meta(d('VDDK compression (disk_source vddk).')),
    localdiskpath: z.string().optional().meta(d('Local mount of the datastore (e.g. NFS) on the conversion host; selects disk_source local.')),
    https_via_esxi: z
      .boolean()
      .default(true)
      .meta(
        d(
          `disk_source https: read each disk straight from the ESXi host that runs the VM, with a one-time ticket from vCenter per request (no ESXi credentials), instead of through vCenter. Falls back to the vCenter path when the host cannot be reached, its certificate is not trusted (verified as vCenter's: pinned to the thumbprint vCenter reports for the host when ${n('vmware_thumbprint')} is set, skipped with ${n('vmware_insecure')}, else checked against ${n('vmware_ca_file')} and the system CAs) or it refuses the ticket; the result's disks say which path each took.`,
        ),
      ),
    esxi_https_port: z.number().int().min(1).max(65535).default(443).meta(d('HTTPS port of the ESXi hosts (disk_source https with https_via_esxi).')),
    esxi_ssh_user: z.string().default('root').meta(d('SSH user on the ESXi host (disk_source ssh).')),
    esxi_ssh_key_path: z.string().optional().meta(d('Private key of esxi_ssh_user (disk_source ssh).')),
    esxi_ssh_key_passphrase: z
      .string()
      .optional()
      .meta({ description: `Passphrase of ${n('esxi_ssh_key_path')}, when that key is encrypted (disk_source ssh).`, secret: true }),
    esxi_ssh_port: z.number().int().min(1).max(65535).default(22).meta(d('SSH port of the ESXi host (disk_source ssh).')),
    esxi_ssh_known_hosts: z
      .string()
      .optional()
      .meta(d('known_hosts file holding the ESXi host key (default ~/.ssh/known_hosts); the key is pinned (disk_source ssh).')),
    volumeaz: z.string().optional().meta(d('Availability zone of the created volumes.')),
    volumetype: z
      .string()
      .optional()
      .meta(d(`Volume type of the created volumes when ${n('volume_type_mapping')} has no entry for the disk datastore; default the cloud's default type.`)),
    volume_type_mapping: z
      .array(
        z.strictObject({
          vmware_datastore: z.string().meta(d('VMware datastore name.')),
          openstack_type: z.string().meta(d('Cinder volume type for disks on that datastore.')),
        }),
      )
      .default([])
      .meta(d('Volume type per VMware datastore; the first entry matching the disk datastore wins.')),
    externalvolume: z
      .boolean()
      .default(false)
      .meta(d(`Manage an existing backend volume (${n('volumename')} on ${n('hostpool')}) instead of creating one; single-disk VMs only.`)),
    volumename: z.string().optional().meta(d(`With ${n('externalvolume')}: the backend volume name.`)),
    hostpool: z.string().optional().meta(d(`With ${n('externalvolume')}: the Cinder host@backend#pool.`)),
    // false in both modules, as upstream's migrate: writing zeros is right on every volume type. The import_workloads
    // role passes destination_assume_zeroed, whose default stays upstream's true.
    migration_target: z
      .enum(['volume', 'image'])
      .default('volume')
      .meta(
        d(
          `Where the disks go. volume: Cinder volumes attached to the conversion host this runs on. image: no conversion host; each disk is copied into a sparse file in ${n('staging_dir')}, converted there, uploaded to Glance and made into a volume from the image; with ${n('cbtsync')} the staged files are kept between syncs and the cutover converts and uploads (${n('externalvolume')} needs volume).`,
        ),
      ),
    staging_dir: z
      .string()
      .min(1)
      .default('/var/tmp/os-migrate-staging')
      .meta(d('migration_target image: directory of the staged disk files (`<vm>-<diskkey>.raw`, sparse); needs room for the capacity of the disks of the VMs migrated at once.')),
    image_disk_format: z
      .enum(['raw', 'qcow2'])
      .default('raw')
      .meta(d('migration_target image: the format uploaded to Glance; raw clones into volumes without a copy on RBD (Ceph), qcow2 sends less data for sparse disks.')),
    keep_images: z.boolean().default(false).meta(d('migration_target image: keep the Glance images once the volumes exist (deleted by default).')),
    assumezero: z
      .boolean()
      .default(false)
      .meta(
        d(
          'New volumes read as zeros, so zero blocks are not written. Leave it false for volume types whose new volumes are not zeroed (encrypted types, some backends): the guest would see stale data.',
        ),
      ),
    cbtsync: z
      .boolean()
      .default(false)
      .meta(d('Changed block tracking sync: the first run copies everything, later runs only what changed; no conversion unless cutover.')),
    cutover: z
      .boolean()
      .default(false)
      .meta(d(`With ${n('cbtsync')}: stop the VM (also with ${n('skipconversion')}), do the last sync, convert and mark the volumes converted.`)),
    skipconversion: z.boolean().default(false).meta(d('Never run virt-v2v-in-place (the guest already boots on virtio).')),
    multidiskfs: z.boolean().default(false).meta(d('The guest filesystems span several disks: one conversion over all of them.')),
    runscript: z
      .string()
      .optional()
      .meta(d('Script for virt-v2v-in-place --run (Linux guests); default: one generated from the VM NICs that keeps their names.')),
    bootscript: z.string().optional().meta(d('Script for virt-v2v-in-place --firstboot.')),
    extraopts: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .meta(d('Extra virt-v2v-in-place arguments: a list, or a string split on whitespace (no shell).')),
    debug: z.boolean().default(false).meta(d('Debug logging, and LIBGUESTFS_DEBUG/LIBGUESTFS_TRACE for virt-v2v.')),
    instanceuuid: z
      .string()
      .optional()
      .meta(d('Nova server ID of the conversion host, when neither the metadata service nor the DMI UUID tells it.')),
    convhostname: z.string().optional().meta(d('Name of the conversion host server, last resort to find it.')),
    disk_by_id_dir: z.string().default(DEFAULT_BY_ID_DIR).meta(d('Directory of by-id device links on the conversion host.')),
    allow_empty_disks: z
      .boolean()
      .default(false)
      .meta(
        d(
          `Migrate a disk that holds no data (no allocated block, or only zeros) as a blank volume. Without it such a disk fails the migration before anything is created: it is more often the wrong VM or an unreadable datastore than a real blank disk. A blank boot disk (disk 0) is refused anyway unless ${n('skipconversion')} is set, since there is no guest to convert.`,
        ),
      ),
    verify: z.boolean().default(false).meta(d('Compute the SHA-256 of each source disk and written volume, and fail when they differ.')),
    shutdown_timeout: z
      .number()
      .int()
      .positive()
      .default(300)
      .meta(d(`Seconds to wait for the guest shutdown (VMware Tools) when the source is stopped, before a hard power-off (${n('force_power_off')}).`)),
    force_power_off: z
      .boolean()
      .default(true)
      .meta(
        d(
          `Power the source off hard when its guest does not shut down within ${n('shutdown_timeout')} (or has no VMware Tools); false fails the migration instead, before the last sync.`,
        ),
      ),
    source_power_off: z
      .boolean()
      .optional()
      .meta(
        d(
          `A plain migration (no ${n('cbtsync')}, no ${n('cutover')}): stop the source (guest shutdown) before the copy, so it reads a stopped VM (true), or leave it as it is (false). Default: as upstream, stopped when the run converts the guest, left alone with ${n('skipconversion')}. A ${n('cbtsync')} pre-sync never touches the source; a ${n('cutover')} always stops it before the last sync.`,
        ),
      ),
  };
}

type Shape = ReturnType<typeof shape>;
type Renamed<N extends Partial<Record<keyof Shape, string>>> = {
  [K in keyof Shape as K extends keyof N ? (N[K] extends string ? N[K] : K) : K]: Shape[K];
};

/** The shared options as parsed, under their shared names. */
type MigrationParams = z.output<z.ZodObject<Shape>>;

/** The names `import_workloads` gives the shared options: the import_workloads role's variables without the prefix. */
export const importWorkloadsNames = {
  server: 'vcenter_hostname',
  user: 'vcenter_username',
  password: 'vcenter_password',
  compression: 'vddk_compression',
  localdiskpath: 'local_disk_path',
  volumeaz: 'cinder_az',
  volumetype: 'cinder_volume_type',
  assumezero: 'assume_zero',
  cbtsync: 'cbt_sync',
  skipconversion: 'skip_conversion',
  bootscript: 'boot_script_path',
  extraopts: 'extra_opts',
  instanceuuid: 'instance_uuid',
} as const satisfies Partial<Record<keyof Shape, string>>;

/** The shared options under a module's names (`names`: shared name -> the module's, where they differ). */
export function migrationOptions<const N extends Partial<Record<keyof Shape, string>>>(names: N): Renamed<N> {
  const named = (k: string) => (names as Record<string, string | undefined>)[k] ?? k;
  return Object.fromEntries(Object.entries(shape(named)).map(([k, s]) => [named(k), s])) as Renamed<N>;
}

/** The shared options of a module's parsed arguments, back under their shared names. */
export function sharedParams(params: Record<string, unknown>, names: Partial<Record<keyof Shape, string>>): MigrationParams {
  const byShared = Object.keys(shape((k) => k)).map((k) => [k, params[(names as Record<string, string | undefined>)[k] ?? k]]);
  return Object.fromEntries(byShared) as MigrationParams;
}

/** What `migrate` and `import_workloads` ask the migration workflow to do, from the shared options. */
export function migrationRequest(p: MigrationParams): Omit<MigrateRequest, 'vmName' | 'folder' | 'runId'> {
  if (p.migration_target === 'image' && p.externalvolume) {
    throw new ModuleFailure('migration_target image does not take externalvolume; use migration_target volume');
  }
  if (p.externalvolume && (!p.volumename || !p.hostpool)) {
    throw new ModuleFailure('externalvolume needs volumename (the backend volume) and hostpool (its Cinder host@backend#pool)');
  }
  return {
    vmware: {
      server: p.server,
      user: p.user,
      password: p.password,
      insecure: p.vmware_insecure,
      caFile: p.vmware_ca_file,
      thumbprint: p.vmware_thumbprint,
    },
    cloud: p.dst_cloud,
    source: {
      kind: p.disk_source ?? (p.localdiskpath ? 'local' : 'vddk'),
      vddk: { libdir: p.libdir, compression: p.compression },
      localDiskPath: p.localdiskpath,
      https: { viaHost: p.https_via_esxi, hostPort: p.esxi_https_port },
      ssh: {
        user: p.esxi_ssh_user,
        keyPath: p.esxi_ssh_key_path,
        passphrase: p.esxi_ssh_key_passphrase,
        port: p.esxi_ssh_port,
        knownHosts: p.esxi_ssh_known_hosts,
      },
    },
    volume: {
      availabilityZone: p.volumeaz,
      type: p.volumetype,
      typeMapping: p.volume_type_mapping,
      external: p.externalvolume ? { name: p.volumename!, hostPool: p.hostpool! } : undefined,
    },
    target: p.migration_target === 'image' ? { kind: 'image', stagingDir: p.staging_dir, diskFormat: p.image_disk_format, keepImages: p.keep_images } : { kind: 'volume' },
    assumeZero: p.assumezero,
    cbtSync: p.cbtsync,
    cutover: p.cutover,
    skipConversion: p.skipconversion,
    multiDiskFs: p.multidiskfs,
    conversion: { runScript: p.runscript, bootScript: p.bootscript, extraOpts: extraOptionList(p.extraopts), debug: p.debug },
    instanceUuid: p.instanceuuid,
    convHostName: p.convhostname,
    byIdDir: p.disk_by_id_dir,
    allowEmptyDisks: p.allow_empty_disks,
    verify: p.verify,
    shutdownTimeoutMs: p.shutdown_timeout * 1000,
    forcePowerOff: p.force_power_off,
    sourcePowerOff: p.source_power_off,
  };
}
