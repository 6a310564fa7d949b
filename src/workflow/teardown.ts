import type { Session } from '../openstack/auth.js';
import { deleteFlavor, listFlavors } from '../openstack/flavors.js';
import { deleteServer, findServersByName, getServer, waitForServerGone } from '../openstack/servers.js';
import { STACK_TAG, hasToolDescription, hasToolMetadata, inProject } from '../openstack/markers.js';
import { deleteStack, findStackByName, waitForStackGone } from '../openstack/orchestration.js';
import { type Port, deletePort, getNetwork, getPort, listPorts, looksLikeId, waitForPortGone } from '../openstack/network.js';
import {
  deleteVolume,
  getVolume,
  isDeletableStatus,
  listVolumesByName,
  volumeProject,
  waitForVolumeGone,
  waitForVolumeStatus,
} from '../openstack/volume.js';
import { type WaitOptions } from '../openstack/wait.js';
import { safeVmName } from '../util/names.js';
import {
  ACCEPTED_BY_MARKER,
  acceptedByUpstreamName,
  isUpstreamFlavorName,
  isUpstreamPortName,
  isUpstreamV2vVolume,
  parseUpstreamPortName,
  upstreamServerNames,
} from './upstream-names.js';

/**
 * Teardown of what the tool created: by name or ID; absent is success (changed false); anything without the tool's
 * marker, or in another project, is refused and never touched. With `upstreamVm` (accept_upstream_names), an object
 * of the session's project bearing upstream's name for that VM is accepted too (upstream-names.ts).
 */

export interface DeleteRequest {
  name: string;
  wait: boolean;
  waitOpts: WaitOptions;
  checkMode: boolean;
  /** accept_upstream_names: the VM whose upstream-named objects are accepted besides the tool's marked ones. */
  upstreamVm?: string;
}

export type DeleteKind = 'server' | 'volume' | 'port' | 'flavor' | 'stack';

export interface DeleteOutcome {
  kind: DeleteKind;
  changed: boolean;
  id: string | null;
  name: string | null;
  /** Why the object was taken for the tool's: `tool marker` or `upstream name for VM <vm>`; null when none was found. */
  accepted: string | null;
  msg: string;
}

/** How a kind of object shows it is the tool's, or (for kinds upstream made, given a VM) upstream's for that VM. */
interface Ownership<T> {
  kind: DeleteKind;
  /** How the marker shows, for messages. */
  marker: string;
  hasMarker(x: T): boolean;
  /** The object's project, when the API tells it (flavors have none). */
  project?(x: T): string | undefined;
  upstream?: {
    /** Upstream's name for the VM's object, for messages. */
    scheme(vm: string): string;
    matches(x: T, vm: string): boolean | Promise<boolean>;
  };
}

type Picked<T> = { item: T; accepted: string };

const unique = <T extends { id: string }>(xs: T[]): T[] => [...new Map(xs.map((x) => [x.id, x])).values()];

async function pickOwned<T extends { id: string }>(s: Session, req: DeleteRequest, found: T[], rule: Ownership<T>): Promise<Picked<T> | undefined> {
  if (found.length === 0) return undefined;
  const vm = req.upstreamVm;
  const upstream = rule.upstream && vm !== undefined ? { ...rule.upstream, vm } : undefined;
  const ours: Picked<T>[] = [];
  const why: string[] = [];
  const unmarked: string[] = [];
  for (const x of found) {
    const project = rule.project?.(x);
    if (!inProject(project, s.projectId)) why.push(`${x.id} belongs to project ${project}, not to this session's project`);
    else if (rule.hasMarker(x)) ours.push({ item: x, accepted: ACCEPTED_BY_MARKER });
    else if (upstream && (await upstream.matches(x, upstream.vm))) ours.push({ item: x, accepted: acceptedByUpstreamName(upstream.vm) });
    else unmarked.push(x.id);
  }
  if (ours.length === 0) {
    if (unmarked.length > 0) {
      const what = `${unmarked.join(', ')} does not carry the tool's marker (${rule.marker})`;
      why.push(
        upstream
          ? `${what} and is not named as upstream's kit names the ${rule.kind} of VM ${upstream.vm} (${upstream.scheme(upstream.vm)})`
          : rule.upstream
            ? `${what}, so this tool did not create it; if upstream's kit created it for a VM, set accept_upstream_names: true and vm_name to that VM`
            : `${what}, so this tool did not create it`,
      );
    }
    throw new Error(`refusing to delete ${rule.kind} '${req.name}': ${why.join('; ')}`);
  }
  if (ours.length > 1) {
    throw new Error(`several ${rule.kind}s named '${req.name}' may be deleted (${ours.map((x) => `${x.item.id}: ${x.accepted}`).join(', ')}); delete them by ID`);
  }
  return ours[0];
}

const label = (kind: DeleteKind): string => `${kind[0]!.toUpperCase()}${kind.slice(1)}`;

const notFound = (kind: DeleteKind, name: string): DeleteOutcome => ({
  kind,
  changed: false,
  id: null,
  name: null,
  accepted: null,
  msg: `${label(kind)} ${name} not found; nothing to delete`,
});

/** The outcome of a deletion done (or, in check mode, one that would be done); upstream-named objects say so. */
function outcome(kind: DeleteKind, p: Picked<{ id: string }>, name: string, checkMode: boolean, done: string): DeleteOutcome {
  const msg = checkMode ? `${label(kind)} ${name || p.item.id} (${p.item.id}) would be deleted` : done;
  return { kind, changed: true, id: p.item.id, name, accepted: p.accepted, msg: p.accepted === ACCEPTED_BY_MARKER ? msg : `${msg} (${p.accepted})` };
}

export async function deleteToolServer(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const found = [];
  const byId = looksLikeId(req.name) ? await getServer(s, req.name) : undefined;
  if (byId) found.push(byId);
  else {
    found.push(...(await findServersByName(s, req.name)));
    const safe = safeVmName(req.name);
    if (safe !== req.name && safe) found.push(...(await findServersByName(s, safe)));
  }
  const picked = await pickOwned(s, req, unique(found), {
    kind: 'server',
    marker: 'metadata osm=true',
    hasMarker: (x) => hasToolMetadata(x.metadata),
    project: (x) => x.tenant_id,
    upstream: { scheme: (vm) => upstreamServerNames(vm).join(' or '), matches: (x, vm) => upstreamServerNames(vm).includes(x.name) },
  });
  if (!picked) return notFound('server', req.name);
  const server = picked.item;
  if (!req.checkMode) {
    await deleteServer(s, server.id);
    if (req.wait) await waitForServerGone(s, server.id, req.waitOpts);
  }
  return outcome('server', picked, server.name, req.checkMode, 'Server deleted successfully');
}

export async function deleteToolVolume(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const byId = looksLikeId(req.name) ? await getVolume(s, req.name) : undefined;
  const found = byId ? [byId] : (await listVolumesByName(s, req.name)).filter((v) => inProject(volumeProject(v), s.projectId));
  const picked = await pickOwned(s, req, found, {
    kind: 'volume',
    marker: 'metadata osm=true',
    hasMarker: (v) => hasToolMetadata(v.metadata),
    project: volumeProject,
    upstream: {
      scheme: (vm) => `${vm}-sda, ${vm}-sdb, ... with property virt_v2v_guest_name=${vm}`,
      matches: (v, vm) => isUpstreamV2vVolume(vm, v),
    },
  });
  if (!picked) return notFound('volume', req.name);
  const volume = picked.item;
  if (!req.checkMode) {
    if (!isDeletableStatus(volume.status)) {
      // Typically still detaching from a server deleted just before.
      try {
        await waitForVolumeStatus(s, volume.id, 'available', req.waitOpts);
      } catch (e) {
        const servers = volume.attachments.map((a) => a.server_id).filter(Boolean).join(', ');
        throw new Error(
          `volume ${volume.name || volume.id} (${volume.id}) is ${volume.status}${servers ? `, attached to server ${servers}` : ''} and cannot be deleted: ${(e as Error).message}. Delete or detach the server first`,
        );
      }
    }
    await deleteVolume(s, volume.id);
    if (req.wait) await waitForVolumeGone(s, volume.id, req.waitOpts);
  }
  return outcome('volume', picked, volume.name, req.checkMode, 'Volume deleted successfully');
}

/** Upstream names a port after its network as the user gave it (name or ID): the port must be on that network. */
async function isUpstreamPort(s: Session, p: Port, vm: string): Promise<boolean> {
  if (!parseUpstreamPortName(vm, p.name)) return false;
  const net = await getNetwork(s, p.network_id);
  return net !== undefined && isUpstreamPortName(vm, p.name, net);
}

export async function deleteToolPort(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const byId = looksLikeId(req.name) ? await getPort(s, req.name) : undefined;
  const found = byId ? [byId] : (await listPorts(s, { name: req.name })).filter((p) => inProject(p.project_id ?? p.tenant_id, s.projectId));
  const picked = await pickOwned(s, req, found, {
    kind: 'port',
    marker: 'description starting with osm=true',
    hasMarker: (p) => hasToolDescription(p.description),
    project: (p) => p.project_id ?? p.tenant_id,
    upstream: {
      scheme: (vm) => `${safeVmName(vm)}-NIC-<index>-VLAN-<name or ID of the port's network>`,
      matches: (p, vm) => isUpstreamPort(s, p, vm),
    },
  });
  if (!picked) return notFound('port', req.name);
  const port = picked.item;
  if (!req.checkMode) {
    await deletePort(s, port.id);
    if (req.wait) await waitForPortGone(s, port.id, req.waitOpts);
  }
  return outcome('port', picked, port.name, req.checkMode, 'Port deleted successfully');
}

export async function deleteToolFlavor(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const all = await listFlavors(s, { includePrivate: true });
  const byId = all.filter((f) => f.id === req.name);
  const found = byId.length ? byId : all.filter((f) => f.name === req.name);
  const picked = await pickOwned(s, req, found, {
    kind: 'flavor',
    marker: 'description starting with osm=true',
    hasMarker: (f) => hasToolDescription(f.description),
    upstream: { scheme: (vm) => `osm-vmware-${vm}-<0 to 9998>`, matches: (f, vm) => isUpstreamFlavorName(vm, f.name) },
  });
  if (!picked) return notFound('flavor', req.name);
  if (!req.checkMode) await deleteFlavor(s, picked.item.id);
  return outcome('flavor', picked, picked.item.name, req.checkMode, 'Flavor deleted successfully');
}

/** The tool's stack of that name (tag osm), with what Heat made for it (the servers; never the volumes it references). */
export async function deleteToolStack(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const found = await findStackByName(s, req.name);
  const picked = await pickOwned(s, req, found ? [found] : [], {
    kind: 'stack',
    marker: `tag ${STACK_TAG}`,
    hasMarker: (x) => (x.tags ?? []).includes(STACK_TAG),
  });
  if (!picked) return notFound('stack', req.name);
  const stack = picked.item;
  if (!req.checkMode) {
    await deleteStack(s, stack.stack_name, stack.id);
    if (req.wait) await waitForStackGone(s, stack.stack_name, stack.id, req.waitOpts);
  }
  return outcome('stack', picked, stack.stack_name, req.checkMode, 'Stack deleted successfully');
}

export type SweepOptions = Omit<DeleteRequest, 'name' | 'upstreamVm'>;

/**
 * accept_upstream_names in teardown: the servers and ports upstream's kit made for the VM (no marker; they hold the
 * VM's name and MAC addresses, so they go before the tool makes its own). Only objects of the session's project
 * bearing upstream's name for this VM; each one is reported.
 */
export async function deleteUpstreamServersAndPorts(
  s: Session,
  vm: string,
  opts: SweepOptions,
  which: { servers: boolean; ports: boolean },
): Promise<DeleteOutcome[]> {
  const done: DeleteOutcome[] = [];
  const req = (id: string): DeleteRequest => ({ ...opts, name: id, upstreamVm: vm });
  for (const name of which.servers ? upstreamServerNames(vm) : []) {
    for (const x of await findServersByName(s, name)) {
      if (!hasToolMetadata(x.metadata) && inProject(x.tenant_id, s.projectId)) done.push(await deleteToolServer(s, req(x.id)));
    }
  }
  for (const p of which.ports ? await listPorts(s, { project_id: s.projectId }) : []) {
    if (!hasToolDescription(p.description) && (await isUpstreamPort(s, p, vm))) {
      done.push(await deleteToolPort(s, req(p.id)));
    }
  }
  return done;
}

/** accept_upstream_names in teardown: the flavors upstream's kit made for the VM (`osm-vmware-<vm>-<N>`, no marker). */
export async function deleteUpstreamFlavors(s: Session, vm: string, opts: SweepOptions, skip: ReadonlySet<string>): Promise<DeleteOutcome[]> {
  const done: DeleteOutcome[] = [];
  for (const f of await listFlavors(s, { includePrivate: true })) {
    if (!skip.has(f.id) && !hasToolDescription(f.description) && isUpstreamFlavorName(vm, f.name)) {
      done.push(await deleteToolFlavor(s, { ...opts, name: f.id, upstreamVm: vm }));
    }
  }
  return done;
}
