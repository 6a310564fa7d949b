import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { GiB } from '../util/units.js';
import { renderFlavorsFile, toolFlavorName } from '../workflow/flavor.js';
import { readDiskCapacityBytes, readGuestInfo } from '../workflow/vm-metadata-files.js';

export default defineModule({
  name: 'export_flavor',
  shortDescription: 'Write an os-migrate flavors.yml describing a VMware VM',
  description: [
    'Writes the flavor a VM needs (vCPUs, RAM, total disk) as an os-migrate flavors.yml resource, for create_flavor (import_flavor).',
    'The disk size is the sum of the VM disks (bytes) rounded up to whole GB (upstream truncated it). The file is rewritten only when its content changes; check mode writes nothing.',
  ],
  options: z.strictObject({
    path: z.string().min(1).meta({ description: 'Where to write flavors.yml.' }),
    guest_info_path: z.string().min(1).meta({ description: 'Path of guest_info.json.' }),
    disk_info_path: z.string().min(1).meta({ description: 'Path of disk_info.json.' }),
    flavor_name: z.string().min(1).optional().meta({ description: 'Flavor name; default osm-vmware-<vm_name>-<N> (needs vm_name).' }),
    vm_name: z.string().min(1).optional().meta({ description: 'VMware VM name, for the default flavor name.' }),
  }),
  aliases: { flavor_name: ['name'] },
  checkMode: 'full',
  diffMode: 'full',
  examples: `
- name: Export the flavor of the VM
  os_migrate.vmware_migration_kit.export_flavor:
    path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/flavors.yml"
    guest_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/guest_info.json"
    disk_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/disk_info.json"
    flavor_name: "{{ flavor_name_or_uuid }}"
`,
  returns: {
    path: { description: 'The file written.', returned: 'success', type: 'str' },
    flavor_name: { description: 'The flavor name in the file.', returned: 'success', type: 'str' },
  },
  async run(params, ctx) {
    let content: string;
    let name: string;
    try {
      const guest = readGuestInfo(params.guest_info_path);
      const diskBytes = readDiskCapacityBytes(params.disk_info_path);
      const sizes = { vcpus: guest.hw_processor_count, ram: guest.hw_memtotal_mb, disk: Math.ceil(diskBytes / GiB) };
      if (!params.flavor_name && !params.vm_name) throw new Error('give flavor_name or vm_name');
      name = params.flavor_name ?? toolFlavorName(params.vm_name!, sizes);
      content = renderFlavorsFile({ name, vcpus: sizes.vcpus, ram: sizes.ram, diskBytes });
    } catch (e) {
      throw new ModuleFailure(`Failed to export flavor: ${(e as Error).message}`);
    }
    const before = existsSync(params.path) ? readFileSync(params.path, 'utf8') : '';
    const changed = before !== content;
    if (changed && !ctx.checkMode) {
      mkdirSync(dirname(params.path), { recursive: true });
      writeFileSync(params.path, content, { mode: 0o644 });
    }
    return {
      changed,
      msg: changed ? `Flavor ${name} ${ctx.checkMode ? 'would be written' : 'written'} to ${params.path}` : `${params.path} is up to date`,
      path: params.path,
      flavor_name: name,
      ...(ctx.diff ? { diff: { before, after: content, before_header: params.path, after_header: params.path } } : {}),
    };
  },
});
