import { z } from 'zod';
import { ModuleFailure } from '../../ansible/errors.js';

type Kind = 'flavor' | 'port' | 'server' | 'volume';

const UPSTREAM_SCHEMES: Record<Kind, string> = {
  server: 'SafeVmName(vm_name), or vm_name itself for its Heat path',
  port: "SafeVmName(vm_name)-NIC-<index>-VLAN-<name or ID of the port's network>",
  flavor: 'osm-vmware-<vm_name>-<0 to 9998>',
  volume: "<vm_name>-sda, -sdb, ... of its virt-v2v path, carrying virt-v2v's property virt_v2v_guest_name=<vm_name>; its disk-copy volumes carry osm=true and need no option",
};

/**
 * `accept_upstream_names` (with `vm_name`) on the delete modules: besides the objects carrying the tool's marker,
 * delete one bearing upstream's name for that VM (upstream's kit marks only its volumes). docs/ownership.md.
 */
export const upstreamNameOptions = (kind: Kind) => ({
  accept_upstream_names: z
    .boolean()
    .default(false)
    .meta({
      description: `Also delete a ${kind} without the tool's marker when its name is the one upstream's kit gives the ${kind} of the VM vm_name (${UPSTREAM_SCHEMES[kind]}), so what upstream made before a switch to this collection can be removed. Objects of another project are still refused. See docs/ownership.md.`,
    }),
  vm_name: z
    .string()
    .min(1)
    .optional()
    .meta({ description: `The VMware VM whose upstream-named ${kind} may be deleted; required with accept_upstream_names, refused without it.` }),
});

/** The VM whose upstream-named objects are accepted, or undefined; bad combinations are argument errors. */
export function upstreamVmOf(p: { accept_upstream_names: boolean; vm_name?: string | undefined }): string | undefined {
  if (p.accept_upstream_names && p.vm_name === undefined) {
    throw new ModuleFailure("Invalid module arguments: accept_upstream_names needs vm_name, the VM whose upstream-named objects may be deleted");
  }
  if (!p.accept_upstream_names && p.vm_name !== undefined) {
    throw new ModuleFailure('Invalid module arguments: vm_name is used only with accept_upstream_names: true');
  }
  return p.accept_upstream_names ? p.vm_name : undefined;
}
