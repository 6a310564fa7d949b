import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { getFlavorExtraSpecs } from '../openstack/flavors.js';
import { withCloudSession } from '../openstack/connect.js';
import { findFlavor, flavorResult } from '../workflow/flavor.js';
import { noEffect } from '../ansible/schema.js';
import { cloudOption, cloudWithoutEffect } from './options/openstack.js';

export default defineModule({
  name: 'flavor_info',
  shortDescription: 'Get a Nova flavor by name or ID',
  description: ['Looks a flavor up by ID, else by exact name, and returns it with its extra specs. Read-only.'],
  options: z.strictObject({
    cloud: cloudOption(),
    flavor_name: z.string().min(1).meta({ description: 'Flavor name or ID.' }),
    dst_cloud: cloudWithoutEffect('give the credentials as cloud (upstream reads cloud too).'),
    dcloud: cloudWithoutEffect("give the credentials as cloud (dcloud is a misspelling in upstream's example)."),
    flavor_id: noEffect('give the flavor ID or name as flavor_name.', z.string()),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  notes: ['Unlike upstream, changed is false (the module only reads) and an empty flavor_name is refused instead of giving flavor null; why: docs/upstream-differences.md (Results that differ on purpose).'],
  diffMode: 'none',
  examples: `
- name: Get the flavor chosen for the VM
  os_migrate.vmware_migration_kit.flavor_info:
    cloud: "{{ dst_cloud }}"
    flavor_name: "{{ flavor_name_or_uuid }}"
  register: flavor_info
`,
  returns: {
    flavor: {
      description: 'The flavor (id, name, vcpus, ram, disk, swap, rxtx_factor, os-flavor-access:is_public, OS-FLV-EXT-DATA:ephemeral, description, extra_specs); null on failure.',
      returned: 'always',
      type: 'dict',
    },
  },
  async run(params, ctx) {
    try {
      return await withCloudSession(params.cloud, ctx.signal, async (s) => {
        const f = await findFlavor(s, params.flavor_name);
        if (!f) throw new Error(`flavor not found: ${params.flavor_name}`);
        return { changed: false, msg: 'Flavor info', flavor: flavorResult(f, await getFlavorExtraSpecs(s, f.id)) };
      });
    } catch (e) {
      throw new ModuleFailure(`Failed to get flavor info for: ${params.flavor_name} error: ${(e as Error).message}`, { flavor: null });
    }
  },
});
