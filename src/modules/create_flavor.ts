import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withCloudSession } from '../openstack/connect.js';
import { type FlavorRequest, ensureFlavor, flavorResult, readFlavorsFile, toolFlavorName } from '../workflow/flavor.js';
import { cloudOption } from './options/openstack.js';

export default defineModule({
  name: 'create_flavor',
  shortDescription: 'Create the Nova flavor for a migrated VM (idempotent)',
  description: [
    "Creates flavors from an os-migrate flavors.yml (upstream's import_flavor; every resource in the file, not only the first) or from explicit sizes.",
    'Without a name, the flavor is named osm-vmware-<vm_name>-<N> with N derived from the VM name and the sizes, so a rerun finds the same flavor.',
    'A flavor with the same name and sizes is reused (changed false); one with the same name and other sizes is an error and is never modified. Created flavors carry the tool marker in their description (osm=true ...).',
    'Also available under the upstream name import_flavor.',
  ],
  options: z.strictObject({
    cloud: cloudOption(),
    flavors_file: z.string().min(1).optional().meta({ description: 'os-migrate flavors.yml (written by export_flavor). Mutually exclusive with vcpus/ram.' }),
    name: z.string().min(1).optional().meta({ description: 'Flavor name; default osm-vmware-<vm_name>-<N>.' }),
    vm_name: z.string().min(1).optional().meta({ description: 'VMware VM name, used for the default flavor name.' }),
    vcpus: z.number().int().positive().optional().meta({ description: 'vCPUs.' }),
    ram: z.number().int().positive().optional().meta({ description: 'RAM in MiB.' }),
    disk: z.number().int().nonnegative().default(0).meta({ description: 'Root disk in GB (0 for boot-from-volume flavors).' }),
    ephemeral: z.number().int().nonnegative().default(0).meta({ description: 'Ephemeral disk in GB.' }),
    swap: z.number().int().nonnegative().default(0).meta({ description: 'Swap in MiB.' }),
    is_public: z.boolean().default(true).meta({ description: 'Public flavor; a private one is given to the current project.' }),
    extra_specs: z.record(z.string(), z.string()).default({}).meta({ description: 'Extra specs to set on the flavor.' }),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Create the flavor exported for the VM (upstream import_flavor)
  os_migrate.vmware_migration_kit.create_flavor:
    cloud: "{{ dst_cloud }}"
    flavors_file: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/flavors.yml"

- name: Create a boot-from-volume flavor for a VM
  os_migrate.vmware_migration_kit.create_flavor:
    cloud: dst
    vm_name: web-01
    vcpus: 2
    ram: 4096
    disk: 0
`,
  returns: {
    created_flavor: { description: 'name and id of the (first) flavor; id is null in check mode when it would be created.', returned: 'success', type: 'dict' },
    flavors: { description: 'Every flavor handled, with owned (created by this tool) and changed.', returned: 'success', type: 'list', elements: 'dict' },
  },
  async run(params, ctx) {
    let requests: FlavorRequest[];
    if (params.flavors_file) {
      if (params.vcpus !== undefined || params.ram !== undefined) throw new ModuleFailure('give either flavors_file or vcpus/ram, not both');
      try {
        requests = readFlavorsFile(params.flavors_file);
      } catch (e) {
        throw new ModuleFailure((e as Error).message);
      }
    } else {
      if (params.vcpus === undefined || params.ram === undefined) throw new ModuleFailure('give flavors_file, or vcpus and ram');
      const name = params.name ?? (params.vm_name ? toolFlavorName(params.vm_name, { vcpus: params.vcpus, ram: params.ram, disk: params.disk }) : undefined);
      if (!name) throw new ModuleFailure('give name or vm_name (the flavor is then named osm-vmware-<vm_name>-<N>)');
      requests = [
        {
          name,
          vcpus: params.vcpus,
          ram: params.ram,
          disk: params.disk,
          ephemeral: params.ephemeral,
          swap: params.swap,
          isPublic: params.is_public,
          extraSpecs: params.extra_specs,
        },
      ];
    }
    return withCloudSession(params.cloud, ctx.signal, async (s) => {
      const flavors = [];
      for (const req of requests) {
        let r;
        try {
          r = await ensureFlavor(s, req, ctx.checkMode);
        } catch (e) {
          throw new ModuleFailure(`Failed to create flavor ${req.name}: ${(e as Error).message}`);
        }
        flavors.push({ name: req.name, id: r.flavor?.id ?? null, changed: r.changed, owned: r.owned, ...(r.flavor ? { flavor: flavorResult(r.flavor, r.extraSpecs) } : {}) });
      }
      const changed = flavors.some((f) => f.changed);
      const first = flavors[0]!;
      return {
        changed,
        msg: changed ? (ctx.checkMode ? 'Flavor would be created' : 'Flavor created') : 'Flavor already exists',
        created_flavor: { name: first.name, id: first.id },
        flavors,
      };
    });
  },
});
