import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { withSession } from '../vmware/session.js';
import { INVENTORY_JSON, INVENTORY_SUMMARY, exportDiscovery } from '../workflow/discovery-export.js';
import { sessionOptions } from '../workflow/vsphere-source.js';
import { vmwareConnectionAliases, vmwareConnectionOptions, vmwareEndpoint } from './options/vmware.js';

export default defineModule({
  name: 'vmware_inventory',
  shortDescription: 'Discover VMware VMs and write the migration metadata files',
  description: [
    'Reads vCenter (or ESXi) through its SOAP API with the collection\'s own client, so no Python VMware SDK or collection is needed.',
    'For each VM of vms_list writes what the export_metadata role needs under `<os_migrate_vmw_data_dir>/<vm>/`: guest_info.json (the guest facts: hw_folder, hw_processor_count, hw_memtotal_mb, hw_ethN, moid, …), disk_info.json (disks with capacities in bytes, disk_keys), and nics.json + network_info.json (used_mapped_networks) or macs.json.',
    'With whole_inventory, also writes `<os_migrate_vmw_data_dir>/vmware_inventory.json` and a readable vmware_inventory.txt: every VM with disks, NICs, networks, datastore use, power state, guest OS and CBT state, and per network and datastore the VMs that use it.',
    'A VM of vms_list that does not exist fails with the closest existing names. Files are only rewritten when their content changes; check mode reads vCenter and reports what would change without writing.',
  ],
  options: z.strictObject({
    ...vmwareConnectionOptions,
    vms_list: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Names (or inventory paths like /DC0/vm/folder/name) of the VMs to export.' }),
    os_migrate_vmw_data_dir: z.string().min(1).meta({ description: 'Directory where the files are written (one sub-directory per VM).' }),
    whole_inventory: z.boolean().default(false).meta({ description: 'Also write the whole-inventory JSON and summary.' }),
    used_mapped_networks: z
      .boolean()
      .default(false)
      .meta({ description: 'Map NICs to OpenStack networks with network_map (writes nics.json and network_info.json) instead of macs.json.' }),
    network_map: z
      .record(z.string(), z.string())
      .default({})
      .meta({
        description:
          'VMware network -> OpenStack network, as "<network>" or "<network>,<subnet uuid>". Keys are distributed port-group keys (dvportgroup-…) or, for standard networks, the NIC summary (the network name).',
      }),
    subnet_uuid: z.string().default('').meta({ description: 'Subnet written in macs.json for every NIC when networks are not mapped.' }),
  }),
  aliases: {
    ...vmwareConnectionAliases,
    vms_list: ['vm_names', 'names'],
    subnet_uuid: ['export_metadata_subnet_uuid'],
  },
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Export the metadata of two VMs
  os_migrate.vmware_migration_kit.vmware_inventory:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vmware_insecure: "{{ vmware_insecure | default(false) }}"
    vms_list: [rhel-9, win-2019]
    os_migrate_vmw_data_dir: /opt/os-migrate
    used_mapped_networks: true
    network_map:
      dvportgroup-13: private
      VM Network: public,6a3c2f4e-2f5d-4b8e-9c1e-7d1f0c9b8a11

- name: Write the whole-inventory view (vmware_inventory.json and vmware_inventory.txt)
  os_migrate.vmware_migration_kit.vmware_inventory:
    vcenter_hostname: vcenter.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vcenter_password }}"
    vcenter_thumbprint: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
    os_migrate_vmw_data_dir: /opt/os-migrate
    whole_inventory: true
`,
  returns: {
    files: { description: 'Files written (check mode: that would be written) because their content changed.', returned: 'always', type: 'list', elements: 'str' },
    vms: {
      description: 'The exported VMs: name, moid, inventory path, number of disks and NICs, and their metadata directory.',
      returned: 'always',
      type: 'list',
      elements: 'dict',
      sample: [{ name: 'osm-single', moid: 'vm-57', path: '/DC0/vm/osm-tests/osm-single', disks: 1, nics: 1, dir: '/opt/os-migrate/osm-single' }],
    },
    inventory_file: { description: `Path of ${INVENTORY_JSON}.`, returned: 'whole_inventory', type: 'str' },
    summary_file: { description: `Path of ${INVENTORY_SUMMARY}.`, returned: 'whole_inventory', type: 'str' },
    totals: { description: 'Counts over the whole inventory: vms, powered_on, disks, disk_bytes, nics, cbt_enabled.', returned: 'whole_inventory', type: 'dict' },
  },
  async run(params, ctx) {
    if (params.vms_list.length === 0 && !params.whole_inventory) {
      throw new ModuleFailure('Nothing to do: give vms_list (the VMs to export) or whole_inventory: true');
    }
    try {
      const result = await withSession(sessionOptions(vmwareEndpoint(params), ctx.signal), (session) =>
        exportDiscovery(session, {
          dataDir: params.os_migrate_vmw_data_dir,
          vmNames: params.vms_list,
          wholeInventory: params.whole_inventory,
          network: { mapped: params.used_mapped_networks, networkMap: params.network_map, subnetUuid: params.subnet_uuid },
          checkMode: ctx.checkMode,
        }),
      );
      const verb = ctx.checkMode ? 'would change' : 'changed';
      return {
        changed: result.changed,
        msg: `Exported ${result.vms.length} VM(s) from ${params.vcenter_hostname}; ${result.changedFiles.length} file(s) ${verb}`,
        files: result.changedFiles,
        vms: result.vms,
        ...(params.whole_inventory
          ? {
              inventory_file: `${params.os_migrate_vmw_data_dir}/${INVENTORY_JSON}`,
              summary_file: `${params.os_migrate_vmw_data_dir}/${INVENTORY_SUMMARY}`,
              totals: result.totals,
            }
          : {}),
      };
    } catch (e) {
      throw new ModuleFailure(`vmware_inventory: ${(e as Error).message}`);
    }
  },
});
