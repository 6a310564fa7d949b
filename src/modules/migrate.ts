import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { noEffect } from '../ansible/schema.js';
import { DEFAULT_BY_ID_DIR } from '../transfer/target.js';
import { DEFAULT_VDDK_LIBDIR } from '../transfer/sources/vddk.js';
import { migrateVm } from '../workflow/migrate.js';
import { startMigrationRun } from '../workflow/migrate-log.js';
import { extraOptionList } from '../workflow/migrate-convert.js';
import { cloudOption } from './options/openstack.js';

const d = (description: string) => ({ description });

const options = z.strictObject({
  dst_cloud: cloudOption('The destination cloud.'),
  user: z.string().min(1).meta(d('vCenter or ESXi user name.')),
  password: z.string().min(1).meta({ description: 'Password of user.', secret: true }),
  server: z.string().min(1).meta(d('vCenter or ESXi address, `host` or `host:port` (443 by default).')),
  vmname: z.string().min(1).meta(d('Name of the VM to migrate (or its inventory path).')),
  vddkpath: z
    .string()
    .optional()
    .meta(d('Inventory folder of the VM (e.g. /Datacenter/vm); the VM is looked up at `<vddkpath>/<vmname>`, else by its name.')),
  libdir: z.string().default(DEFAULT_VDDK_LIBDIR).meta(d('VDDK library directory (disk_source vddk).')),
  osmdatadir: noEffect('migrate keeps no files there (upstream does not use it either).', z.string()),
  volumeaz: z.string().optional().meta(d('Availability zone of the created volumes.')),
  volumetype: z.string().optional().meta(d('Volume type of the created volumes when volume_type_mapping has no entry for the disk datastore.')),
  volume_type_mapping: z
    .array(
      z.strictObject({
        vmware_datastore: z.string().meta(d('VMware datastore name.')),
        openstack_type: z.string().meta(d('Cinder volume type for disks on that datastore.')),
      }),
    )
    .default([])
    .meta(d('Volume type per VMware datastore; the first entry matching the disk datastore wins.')),
  assumezero: z.boolean().default(false).meta(d('New volumes read as zeros: zero blocks are not written.')),
  cbtsync: z
    .boolean()
    .default(false)
    .meta(d('Changed block tracking sync: the first run copies everything, later runs only what changed; no conversion unless cutover.')),
  cutover: z.boolean().default(false).meta(d('With cbtsync: shut the VM down, do the last sync, convert and mark the volumes converted.')),
  skipconversion: z.boolean().default(false).meta(d('Never run virt-v2v-in-place.')),
  usesocks: noEffect('every disk source already serves the disk on a private Unix socket.', z.boolean()),
  compression: z.enum(['none', 'zlib', 'fastlz', 'skipz']).default('fastlz').meta(d('VDDK compression (disk_source vddk).')),
  runscript: z.string().optional().meta(d('Script for virt-v2v-in-place --run (Linux guests); default: one generated from the VM NICs that keeps their names.')),
  bootscript: z.string().optional().meta(d('Script for virt-v2v-in-place --firstboot.')),
  extraopts: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .meta(d('Extra virt-v2v-in-place arguments: a list, or a string split on whitespace (no shell).')),
  instanceuuid: z.string().optional().meta(d('Nova server ID of the conversion host, when neither the metadata service nor the DMI UUID tells it.')),
  convhostname: z.string().optional().meta(d('Name of the conversion host server, last resort to find it.')),
  debug: z.boolean().default(false).meta(d('Debug logging, and LIBGUESTFS_DEBUG/LIBGUESTFS_TRACE for virt-v2v.')),
  vmware_insecure: z.boolean().default(false).meta(d('Skip TLS certificate verification of vCenter/ESXi.')),
  vmware_ca_file: z.string().optional().meta(d('PEM CA (or self-signed certificate) to trust for vCenter/ESXi.')),
  vmware_thumbprint: z.string().optional().meta(d('SHA-1 thumbprint of the vCenter/ESXi certificate (AB:CD:...); pins it.')),
  disk_source: z
    .enum(['vddk', 'local', 'https', 'ssh'])
    .optional()
    .meta(d('How disks are read: vddk (nbdkit VDDK plugin), local (localdiskpath mount), https (datastore file access), ssh (SFTP from ESXi). Default vddk, or local when localdiskpath is set.')),
  localdiskpath: z.string().optional().meta(d('Local mount of the datastore (e.g. NFS); selects disk_source local.')),
  esxi_ssh_user: z.string().default('root').meta(d('SSH user on the ESXi host (disk_source ssh).')),
  esxi_ssh_key_path: z.string().optional().meta(d('Private key for esxi_ssh_user (disk_source ssh).')),
  esxi_ssh_port: z.number().int().positive().default(22).meta(d('SSH port of the ESXi host (disk_source ssh).')),
  esxi_ssh_known_hosts: z.string().optional().meta(d('known_hosts file holding the ESXi host key (default ~/.ssh/known_hosts); the key is pinned.')),
  externalvolume: z.boolean().default(false).meta(d('Manage an existing backend volume (volumename on hostpool) instead of creating one.')),
  volumename: z.string().optional().meta(d('With externalvolume: the backend volume name.')),
  hostpool: z.string().optional().meta(d('With externalvolume: the Cinder host@backend#pool.')),
  multidiskfs: z.boolean().default(false).meta(d('The guest filesystems span several disks: one conversion over all of them.')),
  disk_by_id_dir: z.string().default(DEFAULT_BY_ID_DIR).meta(d('Directory of by-id device links on the conversion host.')),
  verify: z.boolean().default(false).meta(d('Compute the SHA-256 of each source disk and written volume, and fail when they differ.')),
  shutdown_timeout: z.number().int().positive().default(300).meta(d('Seconds to wait for a guest shutdown before powering off (cutover).')),
  debug_mode: noEffect('use debug.', z.boolean()),
  firstboot: noEffect('give the first-boot script as bootscript.', z.string()),
  vsphere_insecure: noEffect('use vmware_insecure.', z.boolean()),
  wait: noEffect('the module always runs the migration to its end.', z.boolean()),
  timeout: noEffect("the module always runs the migration to its end; bound the task's time with Ansible's async.", z.number()),
});

export default defineModule({
  name: 'migrate',
  shortDescription: 'Copy the disks of a VMware VM into Cinder volumes and convert the guest',
  description: [
    'Copies every disk of one VMware VM into Cinder volumes (created on demand, named <SafeVmName>-<disk key>, marked osm=true) attached to the conversion host, then converts the guest with virt-v2v-in-place.',
    'With cbtsync the first run copies everything and records the change ID; later runs copy only the changed blocks and record the new change ID; cutover shuts the VM down, does the last sync and converts.',
    'Repeatable: converted volumes are skipped (changed false), and a rerun after a crash removes the snapshot and reuses or detaches the attachments it left.',
    'Runs on the conversion host, a server of the destination cloud.',
  ],
  options,
  caseInsensitiveKeys: true,
  checkMode: 'full',
  diffMode: 'none',
  notes: [
    'Fixed upstream defects: the change ID is updated after each sync and kept after conversion; the volume type fallback no longer leaks from the previous disk; a missing conversion host UUID is an error; extraopts is never shell-parsed; the password never appears on a command line or in the log.',
  ],
  examples: `
- name: Migrate a VM (copy and convert)
  os_migrate.vmware_migration_kit.migrate:
    dst_cloud: "{{ dst_cloud }}"
    user: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    server: "{{ vcenter_hostname }}"
    vmname: rhel-1
    vddkpath: /Datacenter/vm
    volume_type_mapping:
      - vmware_datastore: datastore1
        openstack_type: ceph-ssd
  register: migrate_output

- name: Pre-sync with CBT over the datastore HTTPS access, no conversion yet
  os_migrate.vmware_migration_kit.migrate:
    dst_cloud: "{{ dst_cloud }}"
    user: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    server: "{{ vcenter_hostname }}"
    vmname: rhel-1
    disk_source: https
    vmware_ca_file: /etc/pki/vcenter-ca.pem
    cbtsync: true
`,
  returns: {
    id: { description: 'Volume IDs, in VMware disk order (null in check mode for volumes not created yet).', returned: 'always', type: 'list', elements: 'str' },
    disks: {
      description: 'Per disk: key, volume_id, mode (full, delta or skipped), bytes_copied, bytes_read, and with verify sha256_source and sha256_target.',
      returned: 'success',
      type: 'list',
      elements: 'dict',
    },
    converted: { description: 'The volumes are final: converted by virt-v2v-in-place, or copied with skipconversion (volume metadata osm_conversion says which); reruns skip them.', returned: 'success', type: 'bool' },
    conversion_host: { description: 'Nova server ID of the conversion host.', returned: 'success', type: 'str' },
    duration_seconds: { description: 'Duration of the run.', returned: 'always', type: 'float' },
    log_file: { description: 'The migration log on the conversion host.', returned: 'always', type: 'str' },
    plan: { description: 'Check mode: what a run would do per disk, whether it would convert, and the cleanup of earlier runs.', returned: 'check mode', type: 'dict' },
  },
  async run(p, ctx) {
    const { id, logFile, log, duration } = startMigrationRun(p.vmname, p.debug || ctx.verbosity >= 3);
    if (p.externalvolume && (!p.volumename || !p.hostpool)) throw new ModuleFailure('externalvolume needs volumename and hostpool');
    const extraOpts = extraOptionList(p.extraopts);
    log.info(`migrate ${p.vmname} from ${p.server}${ctx.checkMode ? ' (check mode)' : ''}, run ${id}`);
    try {
      const out = await migrateVm(
        {
          vmware: {
            server: p.server,
            user: p.user,
            password: p.password,
            insecure: p.vmware_insecure,
            caFile: p.vmware_ca_file,
            thumbprint: p.vmware_thumbprint,
          },
          cloud: p.dst_cloud,
          vmName: p.vmname,
          folder: p.vddkpath,
          source: {
            kind: p.disk_source ?? (p.localdiskpath ? 'local' : 'vddk'),
            vddk: { libdir: p.libdir, compression: p.compression },
            localDiskPath: p.localdiskpath,
            ssh: { user: p.esxi_ssh_user, keyPath: p.esxi_ssh_key_path, port: p.esxi_ssh_port, knownHosts: p.esxi_ssh_known_hosts },
          },
          volume: {
            availabilityZone: p.volumeaz,
            type: p.volumetype,
            typeMapping: p.volume_type_mapping,
            external: p.externalvolume ? { name: p.volumename!, hostPool: p.hostpool! } : undefined,
          },
          assumeZero: p.assumezero,
          cbtSync: p.cbtsync,
          cutover: p.cutover,
          skipConversion: p.skipconversion,
          multiDiskFs: p.multidiskfs,
          conversion: { runScript: p.runscript, bootScript: p.bootscript, extraOpts, debug: p.debug },
          instanceUuid: p.instanceuuid,
          convHostName: p.convhostname,
          byIdDir: p.disk_by_id_dir,
          verify: p.verify,
          shutdownTimeoutMs: p.shutdown_timeout * 1000,
          runId: id,
        },
        { log, signal: ctx.signal, checkMode: ctx.checkMode },
      );
      const msg = ctx.checkMode ? 'Check mode: nothing changed' : out.changed ? 'VM migrated successfully' : 'VM already migrated';
      log.info(`${msg} in ${duration()} s: volumes ${out.ids.join(', ')}`);
      return {
        changed: out.changed,
        msg,
        id: out.ids,
        disks: out.disks,
        converted: out.converted,
        conversion_host: out.conversionHost.id,
        duration_seconds: duration(),
        log_file: logFile,
        ...(out.plan ? { plan: out.plan } : {}),
      };
    } catch (e) {
      const message = (e as Error).message;
      log.error(message);
      const prefixed = /^Failed to /.test(message) ? message : `Failed to migrate VM: ${message}`;
      throw new ModuleFailure(`${prefixed}. Check logs: ${logFile}`, { id: null, log_file: logFile, duration_seconds: duration() });
    }
  },
});
