import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { secretString } from '../ansible/schema.js';
import { DEFAULT_VDDK_LIBDIR } from '../transfer/sources/vddk.js';
import { DEFAULT_BY_ID_DIR } from '../transfer/target.js';
import { importWorkload } from '../workflow/import-workloads.js';
import { startMigrationRun } from '../workflow/migrate-log.js';
import { extraOptionList } from '../workflow/migrate-convert.js';
import { cloudOption } from './options/openstack.js';

const d = (description: string) => ({ description });

const options = z.strictObject({
  vm_name: z.string().min(1).meta(d('The VMware VM to migrate.')),
  os_migrate_vmw_data_dir: z
    .string()
    .min(1)
    .meta(d('Working directory holding <vm_name>/import_workloads.json, guest_info.json and nics.json or macs.json.')),
  dst_cloud: cloudOption('The destination cloud.'),
  vcenter_hostname: z.string().min(1).meta(d('vCenter or ESXi address, `host` or `host:port`.')),
  vcenter_username: z.string().min(1).meta(d('vCenter user.')),
  vcenter_password: secretString('vCenter password.'),
  vmware_insecure: z.boolean().default(false).meta(d('Skip TLS verification of vCenter/ESXi.')),
  vmware_ca_file: z.string().optional().meta(d('PEM CA (or self-signed certificate) to trust for vCenter/ESXi.')),
  vmware_thumbprint: z.string().optional().meta(d('SHA-1 thumbprint of the vCenter/ESXi certificate; pins it.')),
  disk_source: z.enum(['vddk', 'local', 'https', 'ssh']).default('vddk').meta(d('How disks are read.')),
  libdir: z.string().default(DEFAULT_VDDK_LIBDIR).meta(d('VDDK library directory (disk_source vddk).')),
  local_disk_path: z.string().optional().meta(d('Local mount of the datastore (disk_source local).')),
  esxi_ssh_user: z.string().default('root').meta(d('SSH user on the ESXi host (disk_source ssh).')),
  esxi_ssh_key_path: z.string().optional().meta(d('Private key of esxi_ssh_user (disk_source ssh).')),
  esxi_ssh_port: z.number().int().positive().default(22).meta(d('SSH port of the ESXi host (disk_source ssh).')),
  cinder_az: z.string().optional().meta(d('Availability zone of the volumes.')),
  cinder_volume_type: z.string().optional().meta(d('Volume type when volume_type_mapping has no entry for a disk.')),
  volume_type_mapping: z
    .array(z.strictObject({ vmware_datastore: z.string(), openstack_type: z.string() }))
    .default([])
    .meta(d('Volume type per VMware datastore.')),
  assume_zero: z.boolean().default(true).meta(d('New volumes read as zeros: zero blocks are not written.')),
  cbt_sync: z.boolean().default(false).meta(d('CBT pre-sync: copy, and on later runs copy only what changed; no server yet.')),
  cutover: z.boolean().default(false).meta(d('With cbt_sync: final sync, conversion, ports and server.')),
  multidiskfs: z.boolean().default(false).meta(d('The guest filesystems span several disks: one conversion over all.')),
  instance_uuid: z.string().optional().meta(d('Nova ID of the conversion host, when the metadata service cannot tell it.')),
  disk_by_id_dir: z.string().default(DEFAULT_BY_ID_DIR).meta(d('Directory of by-id device links on the conversion host.')),
  verify: z.boolean().default(false).meta(d('SHA-256 of every source disk and written volume; fail when they differ.')),
  skip_conversion: z.boolean().default(false).meta(d('Do not run virt-v2v-in-place (the guest already boots on virtio).')),
  extra_opts: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .meta(d('Extra virt-v2v-in-place arguments: a list, or a string split on whitespace (no shell).')),
  boot_script_path: z.string().optional().meta(d('Script for virt-v2v-in-place --firstboot.')),
  debug: z.boolean().default(false).meta(d('Debug logging and libguestfs tracing.')),
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
  tear_down: z.boolean().default(false).meta(d('Remove what the migration created (testing and dry runs).')),
  delete_server: z.boolean().default(true).meta(d('With tear_down: delete the server.')),
  delete_volumes: z.boolean().default(true).meta(d('With tear_down: delete the volumes.')),
  delete_ports: z.boolean().default(true).meta(d('With tear_down: delete the ports.')),
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
    disks: { description: 'Per disk: key, volume_id, mode, bytes_copied, bytes_read (see migrate).', returned: 'success', type: 'list', elements: 'dict' },
    converted: { description: 'The volumes are final (converted, or copied with skip_conversion); reruns skip them.', returned: 'success', type: 'bool' },
    port_ids: { description: 'Neutron port IDs, one per NIC.', returned: 'success', type: 'list', elements: 'str' },
    ports: { description: 'Per port: nic, id, name, mac_address, network_id, fixed_ips, action.', returned: 'success', type: 'list', elements: 'dict' },
    server_id: { description: 'The Nova server.', returned: 'when a server was created or found', type: 'str' },
    server_status: { description: 'Status of the server.', returned: 'when a server was created or found', type: 'str' },
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
    if (p.accept_upstream_names && !p.tear_down) ctx.warn('accept_upstream_names has no effect without tear_down (os_migrate_tear_down)');
    const { id, logFile, log, duration } = startMigrationRun(p.vm_name, p.debug || ctx.verbosity >= 3);
    const extraOpts = extraOptionList(p.extra_opts);
    try {
      const out = await importWorkload(
        p.vm_name,
        {
          dataDir: p.os_migrate_vmw_data_dir,
          migrate: {
            vmware: {
              server: p.vcenter_hostname,
              user: p.vcenter_username,
              password: p.vcenter_password,
              insecure: p.vmware_insecure,
              caFile: p.vmware_ca_file,
              thumbprint: p.vmware_thumbprint,
            },
            cloud: p.dst_cloud,
            source: {
              kind: p.disk_source,
              vddk: { libdir: p.libdir, compression: 'fastlz' },
              localDiskPath: p.local_disk_path,
              ssh: { user: p.esxi_ssh_user, keyPath: p.esxi_ssh_key_path, port: p.esxi_ssh_port },
            },
            volume: { availabilityZone: p.cinder_az, type: p.cinder_volume_type, typeMapping: p.volume_type_mapping },
            assumeZero: p.assume_zero,
            cbtSync: p.cbt_sync,
            cutover: p.cutover,
            skipConversion: p.skip_conversion,
            multiDiskFs: p.multidiskfs,
            conversion: { bootScript: p.boot_script_path, extraOpts, debug: p.debug },
            instanceUuid: p.instance_uuid,
            byIdDir: p.disk_by_id_dir,
            verify: p.verify,
            shutdownTimeoutMs: 300_000,
            runId: id,
          },
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
        },
        { log, signal: ctx.signal, checkMode: ctx.checkMode },
      );
      log.info(`${out.msg} in ${duration()} s`);
      return {
        changed: out.changed,
        msg: out.msg,
        vm_name: p.vm_name,
        volume_ids: out.migration.ids,
        disks: out.migration.disks,
        converted: out.migration.converted,
        port_ids: out.ports.map((x) => x.id),
        ports: out.ports,
        ...(out.server ? { server_id: out.server.id, server_status: out.server.status } : {}),
        ...(out.heat ? { heat: { ...out.heat, server: undefined } } : {}),
        ...(p.tear_down ? { teardown: out.teardown } : {}),
        log_file: logFile,
        duration_seconds: duration(),
      };
    } catch (e) {
      const message = (e as Error).message;
      log.error(message);
      throw new ModuleFailure(`Failed to migrate ${p.vm_name}: ${message}. Check logs: ${logFile}`, {
        vm_name: p.vm_name,
        log_file: logFile,
        duration_seconds: duration(),
      });
    }
  },
});
