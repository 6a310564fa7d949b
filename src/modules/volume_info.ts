import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withCloudSession } from '../openstack/connect.js';
import { looksLikeId } from '../openstack/network.js';
import { type Volume, getVolume, isToolVolume, listVolumesByName } from '../openstack/volume.js';
import { cloudOption, openstackFragmentOptions } from './options/openstack.js';

export default defineModule({
  name: 'volume_info',
  shortDescription: 'Get a Cinder volume by name or ID',
  description: [
    'Returns the volume with this ID, else the one volume of the project with exactly this name. When several share the name and exactly one carries the tool marker (metadata osm=true), that one is returned. Read-only.',
  ],
  options: z.strictObject({
    ...openstackFragmentOptions,
    cloud: cloudOption(),
    name: z.string().min(1).meta({ description: 'Volume name or ID.' }),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  notes: ['Unlike upstream, changed is false (the module only reads); why: docs/upstream-differences.md (Results that differ on purpose).'],
  diffMode: 'none',
  examples: `
- name: Find the boot volume
  os_migrate.vmware_migration_kit.volume_info:
    cloud: "{{ dst_cloud }}"
    name: "{{ vm_name }}-sda"
  register: boot_volume
`,
  returns: {
    volumes: {
      description: 'One element: id, name, status, size (GiB), bootable ("true"/"false"), metadata, owned (carries the tool marker). null on failure.',
      returned: 'always',
      type: 'list',
      elements: 'dict',
    },
  },
  async run(params, ctx) {
    try {
      return await withCloudSession(params.cloud, ctx.signal, async (s) => {
        let found: Volume[] = [];
        const byId = looksLikeId(params.name) ? await getVolume(s, params.name) : undefined;
        if (byId) found = [byId];
        else {
          found = await listVolumesByName(s, params.name);
          const ours = found.filter((v) => isToolVolume(s, v));
          if (found.length > 1 && ours.length === 1) found = ours;
        }
        if (found.length === 0) throw new Error(`volume not found: ${params.name}`);
        if (found.length > 1) throw new Error(`multiple volumes found with name: ${params.name} (${found.map((v) => v.id).join(', ')})`);
        const v = found[0]!;
        return {
          changed: false,
          msg: 'Volume info retrieved successfully',
          volumes: [{ id: v.id, name: v.name, status: v.status, size: v.size, bootable: v.bootable, metadata: v.metadata, owned: isToolVolume(s, v) }],
        };
      });
    } catch (e) {
      throw new ModuleFailure(`Failed to get volume info for: ${params.name} error: ${(e as Error).message}`, { volumes: null });
    }
  },
});
