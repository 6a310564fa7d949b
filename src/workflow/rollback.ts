import type { Session } from '../openstack/auth.js';
import { withCloudSession } from '../openstack/connect.js';
import { CBT_ENABLED_KEY, SOURCE_POWERED_OFF_KEY, STACK_TAG, hasToolDescription, hasToolMetadata, inProject } from '../openstack/markers.js';
import { type Port, listPorts } from '../openstack/network.js';
import { findStackByName } from '../openstack/orchestration.js';
import { type Server, findServersByName } from '../openstack/servers.js';
import { detachVolumeFromServer } from '../openstack/volume-attachments.js';
import { type Volume, deleteVolumeMetadataKey, getVolume, isToolVolume, listVolumes, waitForVolumeStatus } from '../openstack/volume.js';
import type { WaitOptions } from '../openstack/wait.js';
import { type Image, deleteImage, listToolImages, waitForImageGone } from '../openstack/image.js';
import { safeVmName } from '../util/names.js';
import type { Logger } from '../util/log.js';
import type { MoRef } from '../vmware/moref.js';
import { powerOn, powerState } from '../vmware/power.js';
import type { VSphereSession } from '../vmware/session.js';
import { SNAPSHOT_DESCRIPTION, SNAPSHOT_NAME, findSnapshots, removeSnapshot } from '../vmware/snapshots.js';
import { UnknownVmError, discover } from './discovery.js';
import { heatStackName } from './import-heat.js';
import { openVSphere } from './vsphere-source.js';
import { lockVm } from '../util/vm-lock.js';
import type { MigrateRequest } from './migrate-request.js';
import { type DeleteOutcome, deleteToolPort, deleteToolServer, deleteToolStack, deleteToolVolume } from './teardown.js';

/**
 * Rollback of one VM's migration, delete-only: the tool's server (or Heat stack) and ports of the VM go, its volumes
 * are detached and kept (still marked, so a later migration reuses them) or deleted when asked, and on the source
 * what the tool recorded doing is undone (power-off) and its snapshots are removed. Nothing reads or copies a disk.
 * Only objects carrying the tool's marker in the session's project are found (teardown.ts checks again before each
 * deletion), so another project's or the user's own objects are never touched.
 */

export type RollbackKind = 'stack' | 'server' | 'port' | 'volume' | 'image' | 'source' | 'snapshot' | 'cbt';

export interface RollbackAction {
  kind: RollbackKind;
  id: string | null;
  name: string | null;
  changed: boolean;
  /** What was done (in check mode: what would be done). */
  msg: string;
}

export interface RollbackRequest {
  vmName: string;
  deleteVolumes: boolean;
  waitOpts: WaitOptions;
  checkMode: boolean;
}

export interface RollbackOutcome {
  changed: boolean;
  msg: string;
  actions: RollbackAction[];
}

/** What the tool made in OpenStack for a VM, found by marker and name alone (no vCenter). */
export interface VmToolObjects {
  stack: { id: string; name: string } | undefined;
  servers: Server[];
  ports: Port[];
  /** The VM's disk volumes (`<SafeVmName>-<disk key>`), in disk-key order. */
  volumes: Volume[];
  /** The VM's disk images (migration_target image, named like the volumes): kept ones (keep_images) or a crashed run's. */
  images: Image[];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PORT_DESCRIPTION = /^osm=true vm=(.*) nic=\d+ by os_migrate\.vmware_migration_kit$/;

/** The port description create_network_port writes for a NIC of `vm` (markers.ts toolDescription). */
export const isPortOfVm = (p: Port, vm: string): boolean => hasToolDescription(p.description) && PORT_DESCRIPTION.exec(p.description ?? '')?.[1] === vm;

const diskKey = (v: Volume): number => Number(v.name.slice(v.name.lastIndexOf('-') + 1));

/** The tool's servers of `vm` among `servers` (named like the VM or its SafeVmName), once each. */
export function toolServersOf(s: Session, servers: Server[], vm: string): Server[] {
  const names = new Set([vm, safeVmName(vm)]);
  const named = servers.filter((x) => names.has(x.name));
  return [...new Map(named.map((x) => [x.id, x])).values()].filter((x) => hasToolMetadata(x.metadata) && inProject(x.tenant_id, s.projectId));
}

/** `<SafeVmName>-<disk key>`: the names of a VM's disk volumes and images. */
const diskObjectName = (vm: string): RegExp => new RegExp(`^${escapeRegExp(safeVmName(vm))}-\\d+$`);

/** The tool's disk volumes of `vm` among `volumes`, in disk-key order. */
export function toolVolumesOf(s: Session, volumes: Volume[], vm: string): Volume[] {
  const name = diskObjectName(vm);
  return volumes.filter((v) => isToolVolume(s, v) && name.test(v.name)).sort((a, b) => diskKey(a) - diskKey(b));
}

export async function findVmToolObjects(s: Session, vm: string): Promise<VmToolObjects> {
  const safe = safeVmName(vm);
  const stack = await findStackByName(s, heatStackName(vm));
  const servers = toolServersOf(s, [...(await findServersByName(s, vm)), ...(safe !== vm && safe ? await findServersByName(s, safe) : [])], vm);
  const ports = (await listPorts(s, { project_id: s.projectId })).filter((p) => inProject(p.project_id ?? p.tenant_id, s.projectId) && isPortOfVm(p, vm));
  const volumes = toolVolumesOf(s, await listVolumes(s), vm);
  const images = (await listToolImages(s)).filter((i) => diskObjectName(vm).test(i.name ?? ''));
  return {
    stack: stack && (stack.tags ?? []).includes(STACK_TAG) ? { id: stack.id, name: stack.stack_name } : undefined,
    servers,
    ports,
    volumes,
    images,
  };
}

const fromDeletion = (d: DeleteOutcome): RollbackAction => ({ kind: d.kind as RollbackKind, id: d.id, name: d.name, changed: d.changed, msg: d.msg });

/** The vCenter side of a rollback; undefined when no vCenter was given (the source steps are then skipped). */
export interface RollbackSource {
  session: VSphereSession;
}

/**
 * Roll one VM back. `source` is the vCenter session, or undefined: then the source steps are skipped with a note,
 * and a recorded power-off refuses rollback_delete_volumes (the volumes hold the only record of it).
 */
export async function rollbackVm(
  s: Session,
  source: RollbackSource | undefined,
  req: RollbackRequest,
  log: Logger,
): Promise<RollbackOutcome> {
  const vm = req.vmName;
  const found = await findVmToolObjects(s, vm);
  const marks = [...found.volumes.map((v) => v.metadata), ...found.images.map((i) => i as Record<string, unknown>)];
  const poweredOff = marks.some((m) => m[SOURCE_POWERED_OFF_KEY] === 'true');
  const cbtEnabled = marks.some((m) => m[CBT_ENABLED_KEY] === 'true');
  if (poweredOff && !source && req.deleteVolumes) {
    throw new Error(
      `the tool powered the source VM ${vm} off (recorded on its volumes as ${SOURCE_POWERED_OFF_KEY}); without vcenter_hostname it cannot power it back on, and rollback_delete_volumes would delete that record. Give the vCenter, or power ${vm} on and run again`,
    );
  }
  const unlock = req.checkMode ? () => undefined : await lockVm(vm, 'rollback', { log: (line) => log.warn(line) });
  try {
    const actions: RollbackAction[] = [];
    const note = (a: RollbackAction) => {
      actions.push(a);
      log.info(`rollback ${vm}: ${a.kind} ${a.name || a.id || ''}: ${a.msg}`);
    };
    const del = (name: string) => ({ name, wait: true, waitOpts: req.waitOpts, checkMode: req.checkMode });
    // The stack's server goes with the stack (then found absent below); the ports and volumes it only referenced stay.
    if (found.stack) note(fromDeletion(await deleteToolStack(s, del(found.stack.name))));
    for (const x of found.servers) {
      const d = await deleteToolServer(s, del(x.id));
      if (d.changed) note(fromDeletion(d));
    }
    const removed = new Set(found.servers.map((x) => x.id));
    for (const p of found.ports) note(fromDeletion(await deleteToolPort(s, del(p.id))));
    for (const v of found.volumes) note(await volumeAction(s, v, removed, req));
    for (const i of found.images) note(await imageAction(s, i, req));
    if (source) {
      for (const a of await sourceActions(source.session, vm, poweredOff, req.checkMode)) note(a);
      if (poweredOff && !req.deleteVolumes && !req.checkMode) {
        for (const v of found.volumes) await deleteVolumeMetadataKey(s, v.id, SOURCE_POWERED_OFF_KEY);
      }
    } else {
      note({
        kind: 'source',
        id: null,
        name: vm,
        changed: false,
        msg: poweredOff
          ? `not powered on: no vCenter given (vcenter_hostname); the tool powered ${vm} off, power it on yourself or run the rollback with the vCenter`
          : 'source steps skipped: no vCenter given (vcenter_hostname); tool snapshots on the source, if any, are left',
      });
    }
    if (cbtEnabled) {
      note({ kind: 'cbt', id: null, name: vm, changed: false, msg: 'CBT, enabled by the tool, left enabled: a later migration syncs only what changed' });
    }
    const changed = actions.some((a) => a.changed);
    const what = actions.filter((a) => a.changed).map((a) => `${a.kind} ${a.name || a.id}`);
    const msg = req.checkMode
      ? changed
        ? `Check mode: ${vm} would be rolled back (${what.join(', ')})`
        : `Check mode: nothing to roll back for ${vm}`
      : changed
        ? `${vm} rolled back: ${what.join(', ')}`
        : `nothing to roll back for ${vm}`;
    return { changed, msg, actions };
  } finally {
    unlock();
  }
}

/** Detach (when a server other than the deleted ones still holds it) and keep, or delete with deleteVolumes. */
async function volumeAction(s: Session, v: Volume, removed: ReadonlySet<string>, req: RollbackRequest): Promise<RollbackAction> {
  const base = { kind: 'volume' as const, id: v.id, name: v.name };
  if (req.deleteVolumes) {
    if (!req.checkMode) {
      for (const a of v.attachments) if (a.server_id && !removed.has(a.server_id)) await detachVolumeFromServer(s, a.server_id, v.id, req.waitOpts);
    }
    return fromDeletion(await deleteToolVolume(s, { name: v.id, wait: true, waitOpts: req.waitOpts, checkMode: req.checkMode }));
  }
  const holders = v.attachments.map((a) => a.server_id).filter((id): id is string => Boolean(id));
  if (holders.length === 0) return { ...base, changed: false, msg: 'kept (not attached; still marked, a later migration reuses it)' };
  if (!req.checkMode) {
    for (const id of holders) {
      if (removed.has(id)) {
        const now = await getVolume(s, v.id);
        if (now && now.status !== 'available') await waitForVolumeStatus(s, v.id, 'available', req.waitOpts);
      } else await detachVolumeFromServer(s, id, v.id, req.waitOpts);
    }
  }
  const verb = req.checkMode ? 'would be detached' : 'detached';
  return { ...base, changed: true, msg: `${verb} from server ${holders.join(', ')} and kept (still marked, a later migration reuses it)` };
}

/** Keep the image (still marked: a later migration makes the volume from it), or delete it with deleteVolumes. */
async function imageAction(s: Session, i: Image, req: RollbackRequest): Promise<RollbackAction> {
  const base = { kind: 'image' as const, id: i.id, name: i.name ?? null };
  if (!req.deleteVolumes) return { ...base, changed: false, msg: 'kept (still marked, a later migration makes the volume from it)' };
  if (!req.checkMode) {
    await deleteImage(s, i.id);
    await waitForImageGone(s, i.id, req.waitOpts);
  }
  return { ...base, changed: true, msg: req.checkMode ? 'would be deleted' : 'deleted' };
}

/** Remove the tool's snapshots of the source, and power it on when the tool powered it off. */
async function sourceActions(vs: VSphereSession, vm: string, poweredOff: boolean, checkMode: boolean): Promise<RollbackAction[]> {
  let ref: MoRef;
  try {
    ref = { type: 'VirtualMachine', value: (await discover(vs, [vm])).vms[0]!.moid };
  } catch (e) {
    if (!(e instanceof UnknownVmError)) throw e;
    if (poweredOff) throw new Error(`the tool powered the source VM off but it is not in vCenter ${vs.server}: ${e.message}`);
    return [{ kind: 'source', id: null, name: vm, changed: false, msg: `not in vCenter ${vs.server}; nothing to do on the source` }];
  }
  const actions: RollbackAction[] = [];
  for (const snap of await findSnapshots(vs, ref, SNAPSHOT_NAME)) {
    if (snap.description !== SNAPSHOT_DESCRIPTION) continue;
    if (!checkMode) await removeSnapshot(vs, { type: 'VirtualMachineSnapshot', value: snap.moid });
    actions.push({ kind: 'snapshot', id: snap.moid, name: snap.name, changed: true, msg: checkMode ? 'would be removed' : 'removed' });
  }
  const state = await powerState(vs, ref);
  if (!poweredOff) {
    actions.push({ kind: 'source', id: ref.value, name: vm, changed: false, msg: `left ${state}: the tool did not power it off` });
  } else if (state === 'poweredOn') {
    actions.push({ kind: 'source', id: ref.value, name: vm, changed: false, msg: 'already powered on' });
  } else {
    if (!checkMode) await powerOn(vs, ref);
    actions.push({ kind: 'source', id: ref.value, name: vm, changed: true, msg: checkMode ? 'would be powered on (the tool powered it off)' : 'powered on (the tool had powered it off)' });
  }
  return actions;
}

/**
 * rollback_on_failure: roll the VM back after its migration failed (volumes kept), and say what was done, as a
 * sentence for the failure message (`changed`: the rollback changed something). A vCenter that cannot be reached
 * leaves the source steps out, with a note; a rollback that fails itself is reported, never hidden.
 */
export async function rollbackAfterFailure(
  vmName: string,
  m: Pick<MigrateRequest, 'vmware' | 'cloud'>,
  env: { log: Logger; signal: AbortSignal },
): Promise<{ msg: string; changed: boolean }> {
  const waitOpts = { timeoutMs: 10 * 60_000, intervalMs: 2000 };
  try {
    let vs: VSphereSession | undefined;
    let unreachable = '';
    try {
      vs = await openVSphere(m.vmware);
    } catch (e) {
      unreachable = ` (vCenter not reachable, the source was not touched: ${(e as Error).message})`;
    }
    try {
      const out = await withCloudSession(m.cloud, env.signal, (s) =>
        rollbackVm(s, vs ? { session: vs } : undefined, { vmName, deleteVolumes: false, waitOpts, checkMode: false }, env.log),
      );
      const done = out.actions.filter((a) => a.changed || a.kind === 'volume').map((a) => `${a.kind} ${a.name || a.id} ${a.msg}`);
      return { msg: `rolled back (rollback_on_failure): ${done.length ? done.join('; ') : 'nothing to undo'}${unreachable}`, changed: out.changed };
    } finally {
      await vs?.close();
    }
  } catch (e) {
    return { msg: `rollback_on_failure failed too: ${(e as Error).message}; run the rollback playbook for ${vmName}`, changed: true };
  }
}
