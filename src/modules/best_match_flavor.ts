import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withCloudSession } from '../openstack/connect.js';
import { GiB } from '../util/units.js';
import { bestMatchFromFiles, flavorResult } from '../workflow/flavor.js';
import { cloudOption, openstackFragmentOptions } from './options/openstack.js';

export default defineModule({
  name: 'best_match_flavor',
  shortDescription: 'Find the existing Nova flavor that best fits a VMware VM',
  description: [
    'Reads the VM sizes exported by the export_metadata role (guest_info.json, disk_info.json) and returns the smallest existing flavor with at least as many vCPUs and as much RAM as the VM.',
    'Disk capacities are read in bytes. With boot_from_volume (default, how migrated VMs boot) the flavor root disk does not matter and flavors with disk 0 are preferred; otherwise the flavor disk must hold all VM disks.',
    'Fails, naming the largest flavors, when no flavor is large enough. Read-only: changed is always false.',
  ],
  options: z.strictObject({
    ...openstackFragmentOptions,
    cloud: cloudOption(),
    guest_info_path: z.string().min(1).meta({ description: 'Path of guest_info.json (needs hw_processor_count and hw_memtotal_mb).' }),
    disk_info_path: z.string().min(1).meta({ description: 'Path of disk_info.json (disks[].capacity in bytes).' }),
    boot_from_volume: z
      .boolean()
      .default(true)
      .meta({ description: 'The server boots from the migrated volume, so the flavor root disk size is irrelevant and disk-0 flavors are preferred.' }),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  notes: ['Unlike upstream, changed is false (the module only reads) and no flavor smaller than the VM is ever picked; why: docs/upstream-differences.md (Results that differ on purpose).'],
  diffMode: 'none',
  examples: `
- name: Pick a flavor for the VM
  os_migrate.vmware_migration_kit.best_match_flavor:
    cloud: "{{ dst_cloud }}"
    guest_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/guest_info.json"
    disk_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/disk_info.json"
  register: flavor_name
`,
  returns: {
    openstack_flavor_uuid: { description: 'ID of the chosen flavor ("" on failure).', returned: 'always', type: 'str', sample: '3' },
    flavor: { description: 'The chosen flavor.', returned: 'success', type: 'dict' },
    required: { description: 'What the VM needs: vcpus, ram (MiB), disk_gb (all disks, rounded up).', returned: 'success', type: 'dict' },
  },
  async run(params, ctx) {
    try {
      return await withCloudSession(params.cloud, ctx.signal, async (s) => {
        const m = await bestMatchFromFiles(s, params.guest_info_path, params.disk_info_path, { bootFromVolume: params.boot_from_volume });
        return {
          changed: false,
          msg: `Best matching flavor found: ${m.reason}`,
          openstack_flavor_uuid: m.flavor.id,
          flavor: flavorResult(m.flavor),
          required: { vcpus: m.need.vcpus, ram: m.need.ramMb, disk_gb: Math.ceil(m.need.diskBytes / GiB) },
        };
      });
    } catch (e) {
      throw new ModuleFailure(`Failed to find best matching flavor: ${(e as Error).message}`, { openstack_flavor_uuid: '' });
    }
  },
});
