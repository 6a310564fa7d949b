import { type Entity, type Inventory, readInventory, refOf } from '../vmware/inventory.js';
import { retrieveObjects } from '../vmware/property-collector.js';
import type { VSphereSession } from '../vmware/session.js';
import { VM_DETAIL_PATHS, type VmDetail, pruneVmDetail, vmDetail } from '../vmware/vm.js';

/** The result of a discovery: the inventory around the VMs and the detail of each VM asked for. */
export interface Discovery {
  server: string;
  about: VSphereSession['serviceContent']['about'];
  inventory: Inventory;
  /** In the order asked for (whole inventory: sorted by inventory path). */
  vms: VmDetail[];
}

/** A VM name (or inventory path) that is not in vCenter, with the names that come closest. */
export class UnknownVmError extends Error {
  constructor(
    readonly missing: { name: string; closest: string[] }[],
    server: string,
  ) {
    super(
      missing
        .map((m) => `VM "${m.name}" was not found on ${server}${m.closest.length ? `; closest names: ${m.closest.map((c) => `"${c}"`).join(', ')}` : ''}`)
        .join('. ') + '. Check vms_list (names are case-sensitive; an inventory path like /DC0/vm/folder/name also works)',
    );
    this.name = 'UnknownVmError';
  }
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length] as number;
}

/** Up to `count` names closest to `wanted` (substring matches first, then by edit distance). */
export function closestNames(wanted: string, names: string[], count = 3): string[] {
  const w = wanted.toLowerCase();
  return [...new Set(names)]
    .map((n) => ({ n, d: n.toLowerCase().includes(w) || w.includes(n.toLowerCase()) ? -1 : editDistance(wanted, n) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(wanted.length / 2)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, count)
    .map((x) => x.n);
}

/**
 * Resolve VM names or inventory paths to VMs. A name held by several VMs is an error that lists their paths,
 * since exporting the wrong VM is worse than asking.
 */
export function resolveVms(inv: Inventory, wanted: string[], server: string): Entity[] {
  const byName = new Map<string, Entity[]>();
  const byPath = new Map<string, Entity>();
  for (const vm of inv.vms) {
    byName.set(vm.name, [...(byName.get(vm.name) ?? []), vm]);
    byPath.set(vm.path, vm);
  }
  const missing: { name: string; closest: string[] }[] = [];
  const found: Entity[] = [];
  for (const name of wanted) {
    const hits = name.startsWith('/') ? [byPath.get(name)].filter((x): x is Entity => !!x) : byName.get(name) ?? [];
    if (hits.length === 1) found.push(hits[0] as Entity);
    else if (hits.length > 1) {
      throw new Error(`${hits.length} VMs are named "${name}" on ${server}: ${hits.map((h) => h.path).join(', ')}; put the inventory path in vms_list`);
    } else missing.push({ name, closest: closestNames(name, name.startsWith('/') ? [...byPath.keys()] : [...byName.keys()]) });
  }
  if (missing.length) throw new UnknownVmError(missing, server);
  return found;
}

/**
 * Discover the VMs named in `vmNames` (or, when undefined, every VM) with their full detail.
 * Whole inventory: one property-collector pass. Named VMs: a light pass over the inventory, then one pass over
 * just those VMs.
 */
export async function discover(session: VSphereSession, vmNames: string[] | undefined): Promise<Discovery> {
  const base = { server: session.server, about: session.serviceContent.about };
  if (vmNames === undefined) {
    const inventory = await readInventory(session, VM_DETAIL_PATHS, pruneVmDetail);
    const vms = [...inventory.vms]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((vm) => vmDetail(vm, inventory.vmProps.get(vm.moid) ?? new Map(), inventory));
    return { ...base, inventory, vms };
  }
  const inventory = await readInventory(session);
  const selected = resolveVms(inventory, vmNames, session.server);
  const unique = [...new Map(selected.map((v) => [v.moid, v])).values()];
  const objects = await retrieveObjects(session, unique.map(refOf), [{ type: 'VirtualMachine', paths: VM_DETAIL_PATHS }], { prune: pruneVmDetail });
  const props = new Map(objects.map((o) => [o.obj.value, o.props]));
  const vms = selected.map((vm) => {
    const p = props.get(vm.moid);
    if (!p) throw new Error(`VM "${vm.name}" (${vm.moid}) disappeared from ${session.server} during discovery; run it again`);
    return vmDetail(vm, p, inventory);
  });
  return { ...base, inventory, vms };
}
