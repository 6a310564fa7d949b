import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withSession } from '../openstack/connect.js';
import { deleteToolFlavor } from '../workflow/teardown.js';
import { deleteOptions, deleteReturns } from './options/openstack.js';

export default defineModule({
  name: 'delete_flavor',
  shortDescription: 'Delete a flavor created by the migration (by name or ID)',
  description: [
    'Deletes the flavor only if it carries the tool marker (a description starting with osm=true) and belongs to the current project; anything else is refused and left untouched.',
    'A flavor that does not exist is success with changed false, so teardown can be rerun.',
  ],
  options: deleteOptions('Flavor', false),
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Delete the flavor
  os_migrate.vmware_migration_kit.delete_flavor:
    cloud: "{{ dst_cloud }}"
    name: "{{ flavor_id_or_name }}"
`,
  returns: deleteReturns,
  async run(params, ctx) {
    return withSession(params.cloud, ctx.signal, async (s) => {
      try {
        const o = await deleteToolFlavor(s, {
          name: params.name,
          wait: params.wait,
          waitOpts: { timeoutMs: params.timeout * 1000, intervalMs: 2000, signal: ctx.signal },
          checkMode: ctx.checkMode,
        });
        return { changed: o.changed, msg: o.msg, id: o.id };
      } catch (e) {
        throw new ModuleFailure(`Failed to delete flavor: ${(e as Error).message}`);
      }
    });
  },
});
