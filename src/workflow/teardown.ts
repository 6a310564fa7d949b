import type { Session } from '../openstack/auth.js';
import { deleteFlavor, listFlavors } from '../openstack/flavors.js';
import { deleteServer, findServersByName, getServer, waitForServerGone } from '../openstack/servers.js';
import { STACK_TAG, hasToolDescription, hasToolMetadata, inProject } from '../openstack/markers.js';
import { deleteStack, findStackByName, waitForStackGone } from '../openstack/orchestration.js';
import { deletePort, getPort, listPorts, looksLikeId, waitForPortGone } from '../openstack/network.js';
import {
  deleteVolume,
  getVolume,
  isDeletableStatus,
  isToolVolume,
  listVolumesByName,
  volumeProject,
  waitForVolumeGone,
  waitForVolumeStatus,
} from '../openstack/volume.js';
import { type WaitOptions } from '../openstack/wait.js';
import { safeVmName } from '../util/names.js';

/**
 * Teardown of what the tool created: by name or ID; absent is success (changed false); anything without the tool's
 * marker, or in another project, is refused and never touched.
 */

export interface DeleteRequest {
  name: string;
  wait: boolean;
  waitOpts: WaitOptions;
  checkMode: boolean;
}

export interface DeleteOutcome {
  changed: boolean;
  id: string | null;
  msg: string;
}

const unique = <T extends { id: string }>(xs: T[]): T[] => [...new Map(xs.map((x) => [x.id, x])).values()];

function pickOwned<T extends { id: string }>(kind: string, name: string, found: T[], owned: (x: T) => boolean, marker: string): T | undefined {
  if (found.length === 0) return undefined;
  const ours = found.filter(owned);
  if (ours.length === 0) {
    throw new Error(
      `refusing to delete ${kind} '${name}' (${found.map((x) => x.id).join(', ')}): it does not carry the tool's marker (${marker}), so this tool did not create it`,
    );
  }
  if (ours.length > 1) throw new Error(`several ${kind}s named '${name}' were created by this tool (${ours.map((x) => x.id).join(', ')}); delete them by ID`);
  return ours[0];
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
  const server = pickOwned(
    'server',
    req.name,
    unique(found),
    (x) => hasToolMetadata(x.metadata) && inProject(x.tenant_id, s.projectId),
    'metadata osm=true',
  );
  if (!server) return { changed: false, id: null, msg: `Server ${req.name} not found; nothing to delete` };
  if (req.checkMode) return { changed: true, id: server.id, msg: `Server ${server.name} (${server.id}) would be deleted` };
  await deleteServer(s, server.id);
  if (req.wait) await waitForServerGone(s, server.id, req.waitOpts);
  return { changed: true, id: server.id, msg: 'Server deleted successfully' };
}

export async function deleteToolVolume(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const byId = looksLikeId(req.name) ? await getVolume(s, req.name) : undefined;
  const found = byId ? [byId] : await listVolumesByName(s, req.name);
  const mine = found.filter((v) => inProject(volumeProject(v), s.projectId));
  const volume = pickOwned('volume', req.name, byId ? found : mine, (v) => isToolVolume(s, v), 'metadata osm=true');
  if (!volume) return { changed: false, id: null, msg: `Volume ${req.name} not found; nothing to delete` };
  if (req.checkMode) return { changed: true, id: volume.id, msg: `Volume ${volume.name || volume.id} (${volume.id}) would be deleted` };
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
  return { changed: true, id: volume.id, msg: 'Volume deleted successfully' };
}

export async function deleteToolPort(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const byId = looksLikeId(req.name) ? await getPort(s, req.name) : undefined;
  const found = byId ? [byId] : (await listPorts(s, { name: req.name })).filter((p) => inProject(p.project_id ?? p.tenant_id, s.projectId));
  const port = pickOwned(
    'port',
    req.name,
    found,
    (p) => hasToolDescription(p.description) && inProject(p.project_id ?? p.tenant_id, s.projectId),
    'description starting with osm=true',
  );
  if (!port) return { changed: false, id: null, msg: `Port ${req.name} not found; nothing to delete` };
  if (req.checkMode) return { changed: true, id: port.id, msg: `Port ${port.name} (${port.id}) would be deleted` };
  await deletePort(s, port.id);
  if (req.wait) await waitForPortGone(s, port.id, req.waitOpts);
  return { changed: true, id: port.id, msg: 'Port deleted successfully' };
}

export async function deleteToolFlavor(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const all = await listFlavors(s, { includePrivate: true });
  const byId = all.filter((f) => f.id === req.name);
  const found = byId.length ? byId : all.filter((f) => f.name === req.name);
  const flavor = pickOwned('flavor', req.name, found, (f) => hasToolDescription(f.description), 'description starting with osm=true');
  if (!flavor) return { changed: false, id: null, msg: `Flavor ${req.name} not found; nothing to delete` };
  if (req.checkMode) return { changed: true, id: flavor.id, msg: `Flavor ${flavor.name} (${flavor.id}) would be deleted` };
  await deleteFlavor(s, flavor.id);
  return { changed: true, id: flavor.id, msg: 'Flavor deleted successfully' };
}

/** The tool's stack of that name (tag osm), with what Heat made for it (the servers; never the volumes it references). */
export async function deleteToolStack(s: Session, req: DeleteRequest): Promise<DeleteOutcome> {
  const found = await findStackByName(s, req.name);
  const stack = pickOwned('stack', req.name, found ? [found] : [], (x) => (x.tags ?? []).includes(STACK_TAG), `tag ${STACK_TAG}`);
  if (!stack) return { changed: false, id: null, msg: `Stack ${req.name} not found; nothing to delete` };
  if (req.checkMode) return { changed: true, id: stack.id, msg: `Stack ${stack.stack_name} (${stack.id}) would be deleted` };
  await deleteStack(s, stack.stack_name, stack.id);
  if (req.wait) await waitForStackGone(s, stack.stack_name, stack.id, req.waitOpts);
  return { changed: true, id: stack.id, msg: 'Stack deleted successfully' };
}
