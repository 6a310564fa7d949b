import { ModuleFailure } from '../../ansible/errors.js';
import { defineModule } from '../../ansible/module.js';
import type { Session } from '../../openstack/auth.js';
import { withCloudSession } from '../../openstack/connect.js';
import type { DeleteOutcome, DeleteRequest } from '../../workflow/teardown.js';
import { deleteOptions, deleteReturns } from './openstack.js';

export interface DeleteModuleSpec {
  kind: 'flavor' | 'port' | 'server' | 'volume';
  /** How the tool's marker shows on this kind of object, for the documentation. */
  marker: string;
  waitDefault: boolean;
  /** A further sentence of description, when the kind behaves specially. */
  note?: string;
  remove(s: Session, req: DeleteRequest): Promise<DeleteOutcome>;
}

/** The delete_* modules: one shape, deleting only what carries the tool's marker; absent is success. */
export function deleteModule(spec: DeleteModuleSpec) {
  const { kind } = spec;
  return defineModule({
    name: `delete_${kind}`,
    shortDescription: `Delete a ${kind} created by the migration (by name or ID)`,
    description: [
      `Deletes the ${kind} only if it carries the tool marker (${spec.marker}) and belongs to the current project; anything else is refused and left untouched.${spec.note ? ` ${spec.note}` : ''}`,
      `A ${kind} that does not exist is success with changed false, so teardown can be rerun.`,
    ],
    options: deleteOptions(kind[0]!.toUpperCase() + kind.slice(1), spec.waitDefault),
    caseInsensitiveKeys: true,
    checkMode: 'full',
    diffMode: 'none',
    examples: `
- name: Delete the ${kind}
  os_migrate.vmware_migration_kit.delete_${kind}:
    cloud: "{{ dst_cloud }}"
    name: "{{ ${kind}_id_or_name }}"
`,
    returns: deleteReturns,
    async run(params, ctx) {
      return withCloudSession(params.cloud, ctx.signal, async (s) => {
        try {
          const o = await spec.remove(s, {
            name: params.name,
            wait: params.wait,
            waitOpts: { timeoutMs: params.timeout * 1000, intervalMs: 2000, signal: ctx.signal },
            checkMode: ctx.checkMode,
          });
          return { changed: o.changed, msg: o.msg, id: o.id };
        } catch (e) {
          throw new ModuleFailure(`Failed to delete ${kind}: ${(e as Error).message}`);
        }
      });
    },
  });
}
