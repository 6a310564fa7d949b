import type { Extent } from '../util/extent.js';
import { VSphereError } from './faults.js';
import { type MoRef, soapMoRef } from './moref.js';
import { retrieveOne } from './property-collector.js';
import type { VSphereSession } from './session.js';
import { taskOf, waitForTask } from './tasks.js';
import { children, numberAt, textAt } from './xml.js';

/** Turn on changed block tracking (ReconfigVM_Task); no-op when it is on. Returns whether it changed anything. */
export async function enableCbt(session: VSphereSession, vm: MoRef): Promise<boolean> {
  const on = (await retrieveOne(session, vm, ['config.changeTrackingEnabled'])).get('config.changeTrackingEnabled')?.text === 'true';
  if (on) return false;
  const call = `ReconfigVM_Task(${vm.value}, changeTrackingEnabled=true)`;
  const response = await session.call('ReconfigVM_Task', { _this: soapMoRef(vm), spec: { changeTrackingEnabled: true } }, { idempotent: false });
  await waitForTask(session, taskOf(response, call), call);
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
    const response = await session.call(
      'QueryChangedDiskAreas',
      { _this: soapMoRef(vm), ...(snapshot ? { snapshot: soapMoRef(snapshot) } : {}), deviceKey, startOffset: offset, changeId },
      { idempotent: true },
    );
    const info = response.children.find((c) => c.name === 'returnval');
    const start = numberAt(info, 'startOffset') ?? offset;
    const length = numberAt(info, 'length') ?? 0;
    for (const a of children(info, 'changedArea')) areas.push({ start: numberAt(a, 'start') ?? 0, length: numberAt(a, 'length') ?? 0 });
    if (length <= 0) throw new VSphereError(`QueryChangedDiskAreas(${vm.value}, disk ${deviceKey}) returned an empty window at offset ${offset}`, undefined);
    offset = start + length;
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
