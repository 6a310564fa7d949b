import type { Extent } from '../util/extent.js';
import { VSphereError } from './faults.js';
import type { MoRef } from './moref.js';
import { retrieveOne } from './property-collector.js';
import type { VSphereSession } from './session.js';
import { waitForTask } from './tasks.js';
import { children, numberAt, textAt } from './xml.js';

/** Turn on changed block tracking (ReconfigVM_Task); no-op when it is on. Returns whether it changed anything. */
export async function enableCbt(session: VSphereSession, vm: MoRef): Promise<boolean> {
  const on = (await retrieveOne(session, vm, ['config.changeTrackingEnabled'])).get('config.changeTrackingEnabled')?.text === 'true';
  if (on) return false;
  const call = `ReconfigVM_Task(${vm.value}, changeTrackingEnabled=true)`;
  await waitForTask(session, await session.invoke('ReconfigVM_Task', { _this: vm, spec: { changeTrackingEnabled: true } }), call);
  return true;
}

/**
 * All areas of disk `deviceKey` changed since `changeId` (`*` = every allocated area), as of `snapshot`.
 * QueryChangedDiskAreas answers one window at a time; we ask again from the end of each window until the disk's
 * capacity is covered. (An empty window does not mean the end: upstream stopping there misses later changes.)
 */
export async function changedAreas(
  session: VSphereSession,
  vm: MoRef,
  snapshot: MoRef | undefined,
  deviceKey: number,
  capacityBytes: number,
  changeId: string,
): Promise<Extent[]> {
  const areas: Extent[] = [];
  let offset = 0;
  while (offset < capacityBytes) {
    const info = await session.invoke('QueryChangedDiskAreas', { _this: vm, snapshot, deviceKey, startOffset: offset, changeId });
    areas.push(...info.changedArea);
    if (info.length <= 0) throw new VSphereError(`QueryChangedDiskAreas(${vm.value}, disk ${deviceKey}) returned an empty window at offset ${offset}`, undefined);
    offset = info.startOffset + info.length;
  }
  return areas;
}

/** Change id of every disk as of a snapshot (disk key -> changeId, '' when CBT was off), read from its config. */
export async function snapshotChangeIds(session: VSphereSession, snapshot: MoRef): Promise<Map<number, string>> {
  const hardware = (await retrieveOne(session, snapshot, ['config.hardware'])).get('config.hardware');
  const out = new Map<number, string>();
  for (const d of children(hardware, 'device')) {
    if (d.xsiType !== 'VirtualDisk') continue;
    out.set(numberAt(d, 'key') ?? 0, textAt(d, 'backing.changeId') ?? '');
  }
  return out;
}
