import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { withCloudSession } from '../openstack/connect.js';
import { migrationStatus } from '../workflow/migration-status.js';
import { cloudOption } from './options/openstack.js';

const d = (description: string) => ({ description });

export default defineModule({
  name: 'migration_status',
  shortDescription: 'Tell which VMs are migrated already',
  description: [
    "A VM is migrated when the tool's server for it is ACTIVE, every disk of its disk_info.json has the tool's volume, marked converted and attached to that server only, and its guest_info.json shows no snapshot of the tool. A rerun of the migration would find nothing to copy, convert or create for such a VM.",
    'Reads OpenStack (only what carries the tool\'s marker, in the session\'s project) and the metadata files; changes nothing and calls no vCenter. The migration playbooks use it to skip the mapping and the migration of these VMs; the verification still checks them.',
  ],
  options: z.strictObject({
    cloud: cloudOption(),
    vms_list: z.array(z.string().min(1)).meta(d('The VMware VMs to look at.')),
    os_migrate_vmw_data_dir: z.string().min(1).meta(d('Working directory of the migration, holding <vm>/disk_info.json and <vm>/guest_info.json (gather_guest_metadata).')),
  }),
  aliases: { cloud: ['dst_cloud'] },
  checkMode: 'full',
  diffMode: 'none',
  notes: ['Changes nothing, so check mode looks the same; changed is always false.'],
  examples: `
- name: Which VMs are migrated already?
  os_migrate.vmware_migration_kit.migration_status:
    cloud: "{{ dst_cloud }}"
    vms_list: "{{ vms_list }}"
    os_migrate_vmw_data_dir: "{{ os_migrate_vmw_data_dir }}"
  register: migration_status
`,
  returns: {
    migrated: { description: 'The VMs of vms_list that are migrated, in vms_list order.', returned: 'success', type: 'list', elements: 'str' },
    vms: {
      description: 'One per VM of vms_list: vm, migrated, server_id (the tool\'s server, or null) and reason (why it is or is not migrated).',
      returned: 'success',
      type: 'list',
      elements: 'dict',
    },
  },
  async run(p, ctx) {
    let vms;
    try {
      vms = await withCloudSession(p.cloud, ctx.signal, (s) => migrationStatus(s, p.os_migrate_vmw_data_dir, p.vms_list));
    } catch (e) {
      throw new ModuleFailure(`Failed to find which VMs are migrated already: ${(e as Error).message}`);
    }
    const migrated = vms.filter((v) => v.migrated).map((v) => v.vm);
    return { changed: false, msg: `${migrated.length} of ${vms.length} VMs are migrated already`, migrated, vms };
  },
});
