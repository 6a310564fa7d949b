import { join } from 'node:path';
import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { importWorkload } from '../workflow/import-workloads.js';
import { startMigrationRun } from '../workflow/migrate-log.js';
import { progressFile } from '../workflow/migrate-progress.js';
import { MigrationFailure } from '../workflow/migrate-request.js';
import { importWorkloadsNames, migrationOptions, migrationRequest, sharedParams } from './options/migration.js';

const d = (description: string) => ({ description });

const options = z.strictObject({
  vm_name: z.string().min(1).meta(d('The VMware VM to migrate.')),
  os_migrate_vmw_data_dir: z
    .string()
    .min(1)
    .meta(d('Working directory holding <vm_name>/import_workloads.json, guest_info.json and nics.json or macs.json.')),
  ...migrationOptions(importWorkloadsNames),
  used_mapped_networks: z.boolean().default(false).meta(d('Ports on the networks of nics.json (true) or all on network_name (macs.json).')),
  network_name: z.string().optional().meta(d('Network (name or ID) for every port when used_mapped_networks is false.')),
  security_groups: z.array(z.string()).default(['default']).meta(d('Security groups of the ports and the server.')),
  use_fixed_ips: z.boolean().default(false).meta(d('Keep the VMware IPv4 addresses as fixed IPs.')),
  fixed_ip_subnet: z.string().optional().meta(d('Subnet of the fixed IPs (default: the one holding the address).')),
  create_ports: z.boolean().default(true).meta(d('Create one port per NIC with the VMware MAC.')),
  create_server: z.boolean().default(true).meta(d('Create the Nova server booting from the migrated volumes.')),
  nova_az: z.string().optional().meta(d('Availability zone of the server.')),
  key_name: z.string().optional().meta(d('Keypair of the server.')),
  user_data: z.string().optional().meta(d('cloud-init user data of the server.')),
  boot_from_cinder: z.boolean().default(false).meta(d('Boot from the existing volume named vm_name instead of the first migrated disk.')),
  server_timeout: z.number().int().positive().default(1800).meta(d('Seconds to wait for the server (or its Heat stack) to become ACTIVE (CREATE_COMPLETE).')),
  use_heat: z
    .boolean()
    .default(false)
    .meta(d('Create the server through a Heat stack os-migrate-<SafeVmName> (template <data_dir>/<vm>/heat_template.yaml) instead of directly; the ports are made as without Heat and the stack only references them and the volumes (with create_ports false the stack makes one port on network_name).')),
  heat_auto_deploy: z.boolean().default(true).meta(d('With use_heat: create the stack; false writes only the template and returns the openstack stack create command.')),
  tear_down: z
    .boolean()
    .default(false)
    .meta(
      d(
        'Remove what the migration created (testing and dry runs). When every volume of the VM is final already (migrated to the end), nothing is copied again and the vCenter is not contacted: only the deletions run. Otherwise the VM is migrated first, then torn down. To undo a migration and put the source back in service, use the rollback module or playbook instead.',
      ),
    ),
  delete_server: z.boolean().default(true).meta(d('With tear_down: delete the server.')),
  delete_volumes: z.boolean().default(true).meta(d('With tear_down: delete the volumes.')),
  delete_ports: z.boolean().default(true).meta(d('With tear_down: delete the ports.')),
  rollback_on_failure: z
    .boolean()
    .default(true)
    .meta(
      d(
        "When the run that makes the disks final (not a CBT pre-sync) fails - cutover, conversion, ports, server creation - roll the VM back as the rollback module does: the tool's server and ports of the VM deleted, its volumes detached and kept (marked, reused by the next run), the source powered on if the tool powered it off, the tool's snapshots removed. The failure message says what was rolled back. A server the tool made for the VM before this run is never rolled back (the message says so). No effect in check mode or with tear_down.",
      ),
    ),
  accept_upstream_names: z
    .boolean()
    .default(false)
    .meta(
      d(
        "With tear_down: also remove what upstream's kit made for this VM, which carries no marker: servers named SafeVmName(vm_name) or vm_name and ports named SafeVmName(vm_name)-NIC-<index>-VLAN-<name or ID of the port's network> of the current project (first, since they hold the VM's name and MAC addresses), and flavors named osm-vmware-<vm_name>-<0 to 9998> (last). Each one is listed in teardown with accepted 'upstream name for VM <vm_name>'. Without tear_down it has no effect (a warning says so). See docs/ownership.md.",
      ),
    ),
});

export default defineModule({
  name: 'import_workloads',
  shortDescription: 'Migrate one VMware VM to OpenStack end to end',
  description: [
    'Reads the VM\'s import_workloads.json (written by the convert_metadata role), copies its disks into Cinder volumes and converts the guest (the migrate workflow), creates one Neutron port per NIC with the VMware MAC, and boots a Nova server from the volumes. Optionally tears all of it down again.',
    'Every step is idempotent: a rerun reuses what exists and reports changed false when nothing was left to do.',
    'With cbt_sync and without cutover only the disks are synchronised; the ports and the server come with the cutover run.',
  ],
  options,
  checkMode: 'full',
  diffMode: 'none',
  notes: [
    'The import_workloads role runs this module for several VMs at once (async), at most import_workloads_max_parallel (default 5) per conversion host.',
    'Unlike upstream, the ports and the server are also created when skip_conversion is set (the disks are final).',
    "The migration options are migrate's, under the import_workloads role's variable names (cbt_sync for cbtsync, cinder_az for volumeaz, ...). assume_zero defaults to false like migrate's assumezero (upstream's module default: safe for volume types whose new volumes are not zeroed); the role passes destination_assume_zeroed, which defaults to true as in upstream's role.",
  ],
  examples: `
- name: Migrate rhel-1 from the conversion host
  os_migrate.vmware_migration_kit.import_workloads:
    vm_name: rhel-1
    os_migrate_vmw_data_dir: /opt/os-migrate
    dst_cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    disk_source: https
    network_name: private
    security_groups: [default]
`,
  returns: {
    vm_name: { description: 'The VM.', returned: 'always', type: 'str', sample: 'rhel-1' },
    volume_ids: { description: 'Volume IDs in VMware disk order.', returned: 'success', type: 'list', elements: 'str' },
    disks: { description: 'Per disk: key, volume_id, mode, bytes_copied, bytes_read, and https_path with disk_source https (see migrate).', returned: 'success', type: 'list', elements: 'dict' },
    converted: { description: 'The volumes are final (converted, or copied with skip_conversion); reruns skip them.', returned: 'success', type: 'bool' },
    source: {
      description: 'What the run did to the source VM: power_state_before, action (none, guest shutdown, hard power-off, already off) and cbt_enabled_by_tool; also recorded on its volumes (osm_source_powered_off, osm_cbt_enabled).',
      returned: 'success',
      type: 'dict',
    },
    plan: { description: 'Check mode: what the migration would do per disk and to the source VM.', returned: 'check mode', type: 'dict' },
    port_ids: { description: 'Neutron port IDs, one per NIC.', returned: 'success', type: 'list', elements: 'str' },
    ports: { description: 'Per port: nic, id, name, mac_address, network_id, fixed_ips, action.', returned: 'success', type: 'list', elements: 'dict' },
    server_id: { description: 'The Nova server.', returned: 'when a server was created or found', type: 'str' },
    server_status: { description: 'Status of the server.', returned: 'when a server was created or found', type: 'str' },
    server_created: {
      description: 'This run created the server (or its Heat stack); the migration playbook rolls back only such a VM when its verification fails (rollback_on_failure).',
      returned: 'success',
      type: 'bool',
    },
    heat: {
      description: 'With use_heat: stack_name, template_path, parameters, command (openstack stack create ...), and once deployed stack (id, name, status) and info_path (heat_stack_info.txt).',
      returned: 'with use_heat, when the disks are final',
      type: 'dict',
    },
    teardown: {
      description:
        "What tear_down removed, one entry per object: kind, id, name, changed, msg, and accepted ('tool marker', or 'upstream name for VM <vm_name>' with accept_upstream_names).",
      returned: 'with tear_down',
      type: 'list',
      elements: 'dict',
    },
    log_file: { description: 'The migration log on the conversion host.', returned: 'always', type: 'str' },
    duration_seconds: { description: 'Duration of the run.', returned: 'always', type: 'float' },
  },
  async run(p, ctx) {
    const request = migrationRequest(sharedParams(p, importWorkloadsNames));
    if (p.accept_upstream_names && !p.tear_down) ctx.warn('accept_upstream_names has no effect without tear_down (os_migrate_tear_down)');
    const { id, logFile, log, duration } = startMigrationRun(p.vm_name, p.debug || ctx.verbosity >= 3);
    const progress = ctx.checkMode ? undefined : progressFile(join(p.os_migrate_vmw_data_dir, p.vm_name, 'progress.json'), p.vm_name, log);
    progress?.phase('preparing');
    try {
      const out = await importWorkload(
        p.vm_name,
        {
          dataDir: p.os_migrate_vmw_data_dir,
          migrate: { ...request, runId: id },
          ports: {
            create: p.create_ports,
            usedMappedNetworks: p.used_mapped_networks,
            networkName: p.network_name,
            securityGroups: p.security_groups,
            useFixedIps: p.use_fixed_ips,
            subnet: p.fixed_ip_subnet,
          },
          server: {
            create: p.create_server,
            keyName: p.key_name,
            availabilityZone: p.nova_az,
            userData: p.user_data,
            bootFromCinder: p.boot_from_cinder,
            timeoutMs: p.server_timeout * 1000,
            heat: { enabled: p.use_heat, autoDeploy: p.heat_auto_deploy },
          },
          teardown: {
            enabled: p.tear_down,
            server: p.delete_server,
            volumes: p.delete_volumes,
            ports: p.delete_ports,
            upstreamNames: p.accept_upstream_names,
          },
          rollbackOnFailure: p.rollback_on_failure,
        },
        { log, signal: ctx.signal, checkMode: ctx.checkMode, progress },
      );
      log.info(`${out.msg} in ${duration()} s`);
      progress?.phase('done');
      return {
        changed: out.changed,
        msg: out.msg,
        vm_name: p.vm_name,
        volume_ids: out.migration.ids,
        disks: out.migration.disks,
        converted: out.migration.converted,
        source: out.migration.source,
        ...(out.migration.plan ? { plan: out.migration.plan } : {}),
        port_ids: out.ports.map((x) => x.id),
        ports: out.ports,
        ...(out.server ? { server_id: out.server.id, server_status: out.server.status } : {}),
        server_created: out.server?.changed === true || out.heat?.changed === true,
        ...(out.heat ? { heat: { ...out.heat, server: undefined } } : {}),
        ...(p.tear_down ? { teardown: out.teardown } : {}),
        log_file: logFile,
        duration_seconds: duration(),
      };
    } catch (e) {
      const message = (e as Error).message;
      log.error(message);
      progress?.phase('failed');
      throw new ModuleFailure(`Failed to migrate ${p.vm_name}: ${message}. Check logs: ${logFile}`, {
        vm_name: p.vm_name,
        ...(e instanceof MigrationFailure ? { changed: e.changed, volume_ids: e.ids, ...(e.plan ? { plan: e.plan } : {}) } : {}),
        log_file: logFile,
        duration_seconds: duration(),
      });
    }
  },
});
