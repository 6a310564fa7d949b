import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { withCloudSession } from '../openstack/connect.js';
import { createLogger } from '../util/log.js';
import { rollbackVm } from '../workflow/rollback.js';
import { cloudOption } from './options/openstack.js';
import { openVSphere } from '../workflow/vsphere-source.js';
import { vmwareConnectionAliases, vmwareConnectionOptions, vmwareEndpoint } from './options/vmware.js';

const d = (description: string) => ({ description });

export default defineModule({
  name: 'rollback',
  shortDescription: 'Undo the migration of one VM: delete its server and ports, keep its volumes, put the source back in service',
  description: [
    "Delete-only; reads and copies no disk. Deletes the tool's Heat stack os-migrate-<SafeVmName> and the tool's server of the VM (metadata osm=true), then the tool's ports of the VM (description osm=true vm=<vm_name> nic=<i>). The VM's volumes (<SafeVmName>-<disk key>, metadata osm=true) are detached and kept, still marked, so a later migration reuses them; rollback_delete_volumes deletes them.",
    "On the source (with vcenter_hostname): removes the tool's snapshots (osm-snap, 'OS Migrate snapshot.'), and powers the VM on when the tool powered it off (volume metadata osm_source_powered_off=true, removed once it is on). CBT enabled by the tool (osm_cbt_enabled=true) is left enabled, and reported.",
    "Without vcenter_hostname only OpenStack objects are handled; the source steps are skipped with a note in actions, and rollback_delete_volumes is refused when the volumes record that the tool powered the source off (that record would be lost).",
    'Only objects carrying the tool marker in the current project are touched, never by name alone (docs/ownership.md). A second run reports changed false; check mode reports each action and changes nothing.',
  ],
  options: z.strictObject({
    vm_name: z.string().min(1).meta(d('The VMware VM whose migration is rolled back.')),
    dst_cloud: cloudOption('The destination cloud.'),
    ...vmwareConnectionOptions,
    vcenter_hostname: vmwareConnectionOptions.vcenter_hostname.optional().meta(d('vCenter or ESXi address; without it the source steps (power-on, snapshots) are skipped.')),
    vcenter_username: vmwareConnectionOptions.vcenter_username.optional(),
    vcenter_password: vmwareConnectionOptions.vcenter_password.optional(),
    rollback_delete_volumes: z.boolean().default(false).meta(d('Delete the VM\'s volumes instead of keeping them.')),
    timeout: z.number().int().positive().default(600).meta(d('Seconds to wait for each deletion or detachment.')),
  }),
  aliases: { ...vmwareConnectionAliases, dst_cloud: ['cloud'] },
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Roll back rhel-1
  os_migrate.vmware_migration_kit.rollback:
    vm_name: rhel-1
    dst_cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
`,
  returns: {
    vm_name: { description: 'The VM.', returned: 'always', type: 'str', sample: 'rhel-1' },
    actions: {
      description:
        "What was done (check mode: would be done), one entry per object: kind (stack, server, port, volume, image, source, snapshot, cbt), id, name, changed, msg.",
      returned: 'always',
      type: 'list',
      elements: 'dict',
    },
  },
  async run(p, ctx) {
    if (p.vcenter_hostname && (!p.vcenter_username || !p.vcenter_password)) {
      throw new ModuleFailure('vcenter_hostname needs vcenter_username and vcenter_password');
    }
    const log = createLogger({ stderr: false, level: ctx.verbosity >= 3 ? 'debug' : 'info' });
    const vs = p.vcenter_hostname
      ? await openVSphere(vmwareEndpoint({ ...p, vcenter_hostname: p.vcenter_hostname, vcenter_username: p.vcenter_username!, vcenter_password: p.vcenter_password! })).catch(
          (e: Error) => {
            throw new ModuleFailure(`Failed to roll back ${p.vm_name}: cannot connect to vCenter ${p.vcenter_hostname}: ${e.message}`);
          },
        )
      : undefined;
    try {
      return await withCloudSession(p.dst_cloud, ctx.signal, async (s) => {
        const out = await rollbackVm(
          s,
          vs ? { session: vs } : undefined,
          { vmName: p.vm_name, deleteVolumes: p.rollback_delete_volumes, waitOpts: { timeoutMs: p.timeout * 1000, intervalMs: 2000, signal: ctx.signal }, checkMode: ctx.checkMode },
          log,
        );
        return { changed: out.changed, msg: out.msg, vm_name: p.vm_name, actions: out.actions };
      });
    } catch (e) {
      if (e instanceof ModuleFailure) throw e;
      throw new ModuleFailure(`Failed to roll back ${p.vm_name}: ${(e as Error).message}`, { vm_name: p.vm_name });
    } finally {
      await vs?.close();
    }
  },
});
