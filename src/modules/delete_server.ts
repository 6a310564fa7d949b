import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withSession } from '../openstack/connect.js';
import { deleteToolServer } from '../workflow/teardown.js';
import { deleteOptions, deleteReturns } from './options/openstack.js';

export default defineModule({
  name: 'delete_server',
  shortDescription: 'Delete a server created by the migration (by name or ID)',
  description: [
    'Deletes the server only if it carries the tool marker (metadata osm=true) and belongs to the current project; anything else is refused and left untouched.',
    'A server that does not exist is success with changed false, so teardown can be rerun.',
  ],
  options: deleteOptions('Server', true),
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Delete the server
  os_migrate.vmware_migration_kit.delete_server:
    cloud: "{{ dst_cloud }}"
    name: "{{ server_id_or_name }}"
`,
  returns: deleteReturns,
  async run(params, ctx) {
    return withSession(params.cloud, ctx.signal, async (s) => {
      try {
        const o = await deleteToolServer(s, {
          name: params.name,
          wait: params.wait,
          waitOpts: { timeoutMs: params.timeout * 1000, intervalMs: 2000, signal: ctx.signal },
          checkMode: ctx.checkMode,
        });
        return { changed: o.changed, msg: o.msg, id: o.id };
      } catch (e) {
        throw new ModuleFailure(`Failed to delete server: ${(e as Error).message}`);
      }
    });
  },
});
