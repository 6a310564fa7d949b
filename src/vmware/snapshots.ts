import type { MoRef } from './moref.js';
import { retrieveOne } from './property-collector.js';
import type { VSphereSession } from './session.js';
import { waitForTask } from './tasks.js';
import { type VmSnapshot, flattenSnapshots, parseSnapshots } from './vm.js';
import { children } from './xml.js';

/** Upstream's snapshot name and description (§3.6). */
export const SNAPSHOT_NAME = 'osm-snap';
export const SNAPSHOT_DESCRIPTION = 'OS Migrate snapshot.';

/** The VM's snapshot tree (empty when it has none). */
export async function listSnapshots(session: VSphereSession, vm: MoRef): Promise<VmSnapshot[]> {
  const info = (await retrieveOne(session, vm, ['snapshot'])).get('snapshot');
  return parseSnapshots(children(info, 'rootSnapshotList'));
}

/** Snapshots of the VM with this name, depth first. */
export async function findSnapshots(session: VSphereSession, vm: MoRef, name: string): Promise<VmSnapshot[]> {
  return flattenSnapshots(await listSnapshots(session, vm)).filter((s) => s.name === name);
}

/** CreateSnapshot_Task without memory or quiescing; returns the new snapshot's MoRef. */
export async function createSnapshot(
  session: VSphereSession,
  vm: MoRef,
  name = SNAPSHOT_NAME,
  description = SNAPSHOT_DESCRIPTION,
): Promise<MoRef> {
  const call = `CreateSnapshot_Task(${vm.value}, ${name})`;
  const task = await session.invoke('CreateSnapshot_Task', { _this: vm, name, description, memory: false, quiesce: false });
  const result = await waitForTask(session, task, call);
  if (!result?.text) throw new Error(`${call}: the task finished without a snapshot reference`);
  return { type: 'VirtualMachineSnapshot', value: result.text };
}

/** RemoveSnapshot_Task (children kept, disks consolidated). */
export async function removeSnapshot(session: VSphereSession, snapshot: MoRef): Promise<void> {
  const call = `RemoveSnapshot_Task(${snapshot.value})`;
  await waitForTask(session, await session.invoke('RemoveSnapshot_Task', { _this: snapshot, removeChildren: false, consolidate: true }), call);
}
