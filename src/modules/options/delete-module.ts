import { ModuleFailure } from '../../ansible/errors.js';
import { defineModule } from '../../ansible/module.js';
import type { Session } from '../../openstack/auth.js';
import { withCloudSession } from '../../openstack/connect.js';
import type { DeleteOutcome, DeleteRequest } from '../../workflow/teardown.js';
import { deleteOptions, deleteReturns } from './openstack.js';
import { upstreamNameOptions, upstreamVmOf } from './upstream-names.js';

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
      `With accept_upstream_names and vm_name, a ${kind} that upstream's kit made for that VM, recognised by the name upstream gives it (see accept_upstream_names), is deleted too; the result's accepted says why the ${kind} was deleted.`,
    ],
    options: deleteOptions(kind[0]!.toUpperCase() + kind.slice(1), spec.waitDefault).extend(upstreamNameOptions(kind)),
    caseInsensitiveKeys: true,
    checkMode: 'full',
    diffMode: 'none',
    examples: `
- name: Delete the ${kind}
  os_migrate.vmware_migration_kit.delete_${kind}:
    cloud: "{{ dst_cloud }}"
    name: "{{ ${kind}_id_or_name }}"

- name: Delete what upstream's kit made for a VM (its ${kind} has no marker)
  os_migrate.vmware_migration_kit.delete_${kind}:
    cloud: "{{ dst_cloud }}"
    name: "{{ ${kind}_id_or_name }}"
    accept_upstream_names: true
    vm_name: "{{ vm_name }}"
`,
    returns: {
      ...deleteReturns,
      name: { description: 'Name of the deleted object (null when nothing was found).', returned: 'always', type: 'str' },
      accepted: {
        description: "Why the object was deleted: 'tool marker', or 'upstream name for VM <vm_name>' (accept_upstream_names); null when nothing was found.",
        returned: 'always',
        type: 'str',
      },
    },
    async run(params, ctx) {
      const upstreamVm = upstreamVmOf(params);
      return withCloudSession(params.cloud, ctx.signal, async (s) => {
        try {
          const o = await spec.remove(s, {
            name: params.name,
            wait: params.wait,
            waitOpts: { timeoutMs: params.timeout * 1000, intervalMs: 2000, signal: ctx.signal },
            checkMode: ctx.checkMode,
            upstreamVm,
          });
          return { changed: o.changed, msg: o.msg, id: o.id, name: o.name, accepted: o.accepted };
        } catch (e) {
          throw new ModuleFailure(`Failed to delete ${kind}: ${(e as Error).message}`);
        }
      });
    },
  });
}
