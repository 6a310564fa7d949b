import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withCloudSession } from '../openstack/connect.js';
import { getVolume } from '../openstack/volume.js';
import { parseBool } from '../util/parse-bool.js';
import { cloudOption } from './options/openstack.js';

/** Upstream reads `converted` with Go's strconv.ParseBool; anything else is an error. */
export function parseConverted(value: string | undefined, volumeId: string): boolean {
  if (value === undefined) return false;
  const flag = parseBool(value);
  if (flag !== undefined) return flag;
  throw new Error(`volume ${volumeId} has metadata converted=${JSON.stringify(value)}, which is not a boolean`);
}

export default defineModule({
  name: 'volume_metadata_info',
  shortDescription: 'Tell whether a migrated volume was converted, and return its metadata',
  description: ['Reads the volume metadata: converted (false when absent) and the whole metadata map. Read-only.'],
  options: z.strictObject({
    dst_cloud: cloudOption(),
    volume_id: z.string().min(1).meta({ description: 'Cinder volume ID.' }),
  }),
  aliases: { dst_cloud: ['cloud'] },
  caseInsensitiveKeys: true,
  checkMode: 'full',
  notes: ['Unlike upstream, changed is false (the module only reads); why: docs/upstream-differences.md (Results that differ on purpose).'],
  diffMode: 'none',
  examples: `
- name: Was the first volume converted?
  os_migrate.vmware_migration_kit.volume_metadata_info:
    dst_cloud: "{{ dst_cloud }}"
    volume_id: "{{ volume_uuid[0] }}"
  register: volume_info_metadata
`,
  returns: {
    converted: { description: 'The volume metadata converted, as a boolean.', returned: 'success', type: 'bool' },
    metadata: { description: 'The volume metadata.', returned: 'success', type: 'dict' },
  },
  async run(params, ctx) {
    try {
      return await withCloudSession(params.dst_cloud, ctx.signal, async (s) => {
        const v = await getVolume(s, params.volume_id);
        if (!v) throw new Error('volume not found');
        return { changed: false, msg: 'Volume metadata info', converted: parseConverted(v.metadata.converted, v.id), metadata: v.metadata };
      });
    } catch (e) {
      throw new ModuleFailure(`Failed to get volume metadata: ${params.volume_id} error: ${(e as Error).message}`);
    }
  },
});
