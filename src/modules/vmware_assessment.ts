import { join } from 'node:path';
import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { createLogger } from '../util/log.js';
import { assess } from '../workflow/assessment/assess.js';
import { ASSESSMENT_JSON } from '../workflow/assessment/assessment-file.js';
import { writeChangedFiles } from '../workflow/discovery-write.js';
import { importWorkloadsNames, migrationOptions, migrationRequest, sharedParams } from './options/migration.js';

const d = (description: string) => ({ description });

export default defineModule({
  name: 'vmware_assessment',
  shortDescription: 'Assess VMware VMs against vCenter and OpenStack before migrating them',
  description: [
    'Judges every VM of vms_list (default: every VM of the vCenter) against both clouds, with the options the migration will use, and writes `<os_migrate_vmw_data_dir>/assessment.json`: per VM a status (ready, warning, blocked), the flavor it will get (existing by best match, or to be created, and why), per NIC the network, security groups and fixed IP, per disk the volume type, availability zone and size, and a list of checks {id, severity, message, fix}.',
    'Checks cover the source VM (power state, snapshots, consolidation, CBT, independent/RDM/shared disks, the disks read through disk_source where that is safe and whether they hold data, guest OS and Windows release, firmware, secure boot, vTPM, passthrough, SR-IOV, USB, VMware Tools, fault tolerance, disk count, target name collisions, duplicate MACs, NIC mapping, static IPs, multidiskfs), vCenter (login, TLS, the privileges the migration uses held on each VM and datastore, the disk source endpoint) and OpenStack (authentication, catalog, networks and subnets, fixed IPs, MAC conflicts, who may set MACs and create flavors, security groups, volume types, availability zones, conversion hosts, quotas against what all the VMs need).',
    'A check that could not run (no permission, nothing to read it from) has severity not_run, never ok. Creates and changes nothing in vCenter or OpenStack; the only thing written is the assessment file (not in check mode).',
  ],
  options: z.strictObject({
    vms_list: z.array(z.string().min(1)).optional().meta(d('VM names or inventory paths (/DC0/vm/folder/name) to assess; default every VM of the vCenter.')),
    os_migrate_vmw_data_dir: z.string().min(1).meta(d('Directory where assessment.json is written.')),
    ...migrationOptions(importWorkloadsNames),
    used_mapped_networks: z.boolean().default(false).meta(d('Ports on the networks of network_map (true) or all on network_name.')),
    network_map: z.record(z.string(), z.string()).default({}).meta(d('VMware network (port-group key or name) -> OpenStack network, as "<network>" or "<network>,<subnet>" (vmware_inventory\'s option).')),
    network_name: z.string().optional().meta(d('Network (name or ID) of every port when used_mapped_networks is false (openstack_private_network).')),
    security_groups: z.array(z.string()).default(['default']).meta(d('Security groups of the ports and the server.')),
    use_fixed_ips: z.boolean().default(false).meta(d('The ports keep the VMware IPv4 addresses.')),
    flavor_uuid: z.string().optional().meta(d('The flavor every VM gets (as the convert_metadata role\'s flavor_uuid).')),
    use_existing_flavor: z.boolean().default(true).meta(d('Pick the best matching existing flavor (best_match_flavor); when false or nothing fits, a flavor is created per VM.')),
    conversion_hosts: z.array(z.string()).default([]).meta(d('The conversion host servers (names or IDs) in the project; empty: their checks do not run.')),
    max_disks_per_conversion_host: z.number().int().positive().default(25).meta(d('Volumes one conversion host can have attached at once.')),
    read_disks: z.boolean().default(true).meta(d('Open each disk through disk_source, and read it where that is safe (local source, or VM powered off); false: those checks do not run.')),
    parallel: z.number().int().positive().default(8).meta(d('VMs whose disks are read at once.')),
  }),
  caseInsensitiveKeys: false,
  checkMode: 'full',
  diffMode: 'none',
  notes: [
    'The migration options have the import_workloads role\'s names (vcenter_hostname, disk_source, cbt_sync, allow_empty_disks, skip_conversion, cinder_volume_type, volume_type_mapping, cinder_az, multidiskfs, ...): pass the same values as to the migration, so that the assessment judges the run that will happen.',
    'A running VM\'s disks are opened but not read over https or ssh (ESXi locks them), and vddk reads only from a snapshot: whether those disks hold data is not_run; the migration checks it before it creates anything.',
    'Other projects\' ports (MAC conflicts) are visible only to an admin; without it openstack.mac_visibility is not_run.',
  ],
  examples: `
- name: Assess every VM of the vCenter
  os_migrate.vmware_migration_kit.vmware_assessment:
    os_migrate_vmw_data_dir: /opt/os-migrate
    dst_cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    disk_source: https
    network_name: private
    conversion_hosts: [conv-host-1]
  register: assessment
`,
  returns: {
    path: { description: 'Path of assessment.json (written unless in check mode).', returned: 'always', type: 'str' },
    summary: { description: 'ready, warning, blocked: VMs per status; checks: per check id the count of each severity.', returned: 'always', type: 'dict' },
    assessment: { description: 'The whole assessment (the content of assessment.json).', returned: 'always', type: 'dict' },
  },
  async run(p, ctx) {
    const log = createLogger({ level: ctx.verbosity >= 3 ? 'debug' : 'info' });
    const migration = migrationRequest(sharedParams(p, importWorkloadsNames));
    let file;
    try {
      file = await assess(
        {
          migration,
          vmNames: p.vms_list,
          network: { usedMappedNetworks: p.used_mapped_networks, networkMap: p.network_map, networkName: p.network_name, securityGroups: p.security_groups, useFixedIps: p.use_fixed_ips },
          flavor: { uuid: p.flavor_uuid, useExisting: p.use_existing_flavor },
          conversionHosts: p.conversion_hosts,
          maxDisksPerConversionHost: p.max_disks_per_conversion_host,
          readDisks: p.read_disks,
          parallel: p.parallel,
        },
        log,
        ctx.signal,
      );
    } catch (e) {
      throw new ModuleFailure(`Failed to assess the VMs of ${p.vcenter_hostname}: ${(e as Error).message}`);
    }
    const path = join(p.os_migrate_vmw_data_dir, ASSESSMENT_JSON);
    if (!ctx.checkMode) writeChangedFiles(p.os_migrate_vmw_data_dir, { [ASSESSMENT_JSON]: `${JSON.stringify(file, null, 2)}\n` });
    const s = file.summary;
    const msg = `Assessed ${file.vms.length} VM(s): ${s.ready} ready, ${s.warning} warning, ${s.blocked} blocked`;
    const login = file.environment_checks.find((c) => c.id === 'vcenter.login' && c.severity === 'blocker');
    if (login) throw new ModuleFailure(`${login.message}; ${login.fix}`, { path, summary: s, assessment: file });
    return { changed: !ctx.checkMode, msg, path, summary: s, assessment: file };
  },
});
