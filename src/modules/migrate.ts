import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { noEffect } from '../ansible/schema.js';
import { migrateVm } from '../workflow/migrate.js';
import { MigrationFailure } from '../workflow/migrate-request.js';
import { startMigrationRun } from '../workflow/migrate-log.js';
import { migrationOptions, migrationRequest } from './options/migration.js';

const options = z.strictObject({
  ...migrationOptions({}),
  vmname: z.string().min(1).meta({ description: 'Name of the VM to migrate (or its inventory path).' }),
  vddkpath: z
    .string()
    .optional()
    .meta({ description: 'Inventory folder of the VM (e.g. /Datacenter/vm); the VM is looked up at `<vddkpath>/<vmname>`, else by its name.' }),
  osmdatadir: noEffect('migrate keeps no files there (upstream does not use it either).', z.string()),
  usesocks: noEffect('every disk source already serves the disk on a private Unix socket.', z.boolean()),
  debug_mode: noEffect('use debug.', z.boolean()),
  firstboot: noEffect('give the first-boot script as bootscript.', z.string()),
  vsphere_insecure: noEffect('use vmware_insecure.', z.boolean()),
  wait: noEffect('the module always runs the migration to its end.', z.boolean()),
  timeout: noEffect("the module always runs the migration to its end; bound the task's time with Ansible's async.", z.number().int()),
});

export default defineModule({
  name: 'migrate',
  shortDescription: 'Copy the disks of a VMware VM into Cinder volumes and convert the guest',
  description: [
    'Copies every disk of one VMware VM into Cinder volumes (created on demand, named <SafeVmName>-<disk key>, marked osm=true) attached to the conversion host, then converts the guest with virt-v2v-in-place.',
    'With cbtsync the first run copies everything and records the change ID; later runs copy only the changed blocks and record the new change ID; cutover stops the VM (also with skipconversion), does the last sync and converts.',
    'The source VM: a cbtsync pre-sync never touches it; a cutover always stops it before the last sync (guest shutdown, then a hard power-off after shutdown_timeout unless force_power_off is false); a plain migration stops it before the copy when source_power_off is true, by default (as upstream) when it converts.',
    'Repeatable: converted volumes are skipped (changed false), and a rerun after a crash removes the snapshot and reuses or detaches the attachments it left.',
    'One migration or import_vmware_volume of a VM at a time on a conversion host: a second run fails naming the first (its pid and lock file). The processes it starts (nbdkit, virt-v2v-in-place and what they start) end with it, also when it is killed with SIGKILL; a run after a killed one first stops whatever of that run still runs, and removes its private files.',
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
    id: {
      description:
        'Volume IDs, in VMware disk order (null for volumes not created yet, in check mode or when the run failed before). A failed run lists the volumes it created or reused, with changed true when it created or changed something; null when it failed before it looked at the cloud.',
      returned: 'always',
      type: 'list',
      elements: 'str',
    },
    disks: {
      description:
        "Per disk: key, volume_id, mode (full, delta or skipped), bytes_copied, bytes_read, with verify sha256_source and sha256_target, and for disk_source https https_path: path ('esxi host': straight from the ESXi host with vCenter tickets; 'vcenter': through vcenter_hostname), server (host:port the bytes came from) and, for the vCenter path, reason (why not the ESXi host).",
      returned: 'success',
      type: 'list',
      elements: 'dict',
    },
    converted: { description: 'The volumes are final: converted by virt-v2v-in-place, or copied with skipconversion (volume metadata osm_conversion says which); reruns skip them.', returned: 'success', type: 'bool' },
    conversion_host: { description: 'Nova server ID of the conversion host (null with migration_target image).', returned: 'success', type: 'str' },
    source: {
      description:
        'What the run did to the source VM: power_state_before, action (none, guest shutdown, hard power-off, already off) and cbt_enabled_by_tool. A stop or a CBT enabled by the tool is also recorded on each of its volumes (metadata osm_source_powered_off, osm_source_powered_off_at, osm_cbt_enabled) so that it can be undone.',
      returned: 'success',
      type: 'dict',
    },
    duration_seconds: { description: 'Duration of the run.', returned: 'always', type: 'float' },
    log_file: { description: 'The migration log on the conversion host.', returned: 'always', type: 'str' },
    plan: {
      description:
        "Check mode: what a run would do per disk (action, and data: whether the source disk holds data, 'not read' when only the snapshot can tell), whether it would convert, and the cleanup of earlier runs. A disk the source checks refuse has action blocked and its problem, and the task fails.",
      returned: 'check mode',
      type: 'dict',
    },
  },
  async run(p, ctx) {
    const request = migrationRequest(p);
    const { id, logFile, log, duration } = startMigrationRun(p.vmname, p.debug || ctx.verbosity >= 3);
    log.info(`migrate ${p.vmname} from ${p.server}${ctx.checkMode ? ' (check mode)' : ''}, run ${id}`);
    try {
      const out = await migrateVm(
        { ...request, vmName: p.vmname, folder: p.vddkpath, runId: id },
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
        conversion_host: out.conversionHost?.id ?? null,
        source: out.source,
        duration_seconds: duration(),
        log_file: logFile,
        ...(out.plan ? { plan: out.plan } : {}),
      };
    } catch (e) {
      const message = (e as Error).message;
      log.error(message);
      const prefixed = /^Failed to /.test(message) ? message : `Failed to migrate VM: ${message}`;
      throw new ModuleFailure(`${prefixed}. Check logs: ${logFile}`, {
        ...(e instanceof MigrationFailure ? { changed: e.changed, id: e.ids, ...(e.plan ? { plan: e.plan } : {}) } : { id: null }),
        log_file: logFile,
        duration_seconds: duration(),
      });
    }
  },
});
