import { setTimeout as sleep } from 'node:timers/promises';
import { VSphereError } from './faults.js';
import type { MoRef } from './moref.js';
import { retrieveOne } from './property-collector.js';
import type { VSphereSession } from './session.js';
import { waitForTask } from './tasks.js';

export type PowerState = 'poweredOn' | 'poweredOff' | 'suspended';

export async function powerState(session: VSphereSession, vm: MoRef): Promise<PowerState> {
  return ((await retrieveOne(session, vm, ['runtime.powerState'])).get('runtime.powerState')?.text ?? 'poweredOff') as PowerState;
}

export interface PowerOffOptions {
  /** How long to wait for the guest to shut down. */
  timeoutMs: number;
  /** Power off hard when the guest did not shut down in time (or has no VMware Tools). */
  force: boolean;
}

/**
 * Shut the guest down (needs VMware Tools) and wait up to `timeoutMs`; then, if asked, power off hard.
 * Returns how the VM ended up off ('already' when it was off).
 */
export async function powerOff(session: VSphereSession, vm: MoRef, opts: PowerOffOptions): Promise<'already' | 'guest' | 'hard'> {
  if ((await powerState(session, vm)) === 'poweredOff') return 'already';
  let guestError: unknown;
  try {
    await session.invoke('ShutdownGuest', { _this: vm });
    const deadline = Date.now() + opts.timeoutMs;
    let delay = 200;
    while (Date.now() < deadline) {
      if ((await powerState(session, vm)) === 'poweredOff') return 'guest';
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  } catch (e) {
    guestError = e;
  }
  if (!opts.force) {
    const why = guestError instanceof Error ? `guest shutdown failed: ${guestError.message}` : `still on after ${Math.round(opts.timeoutMs / 1000)} s`;
    throw new VSphereError(`VM ${vm.value}: ${why}; allow a hard power-off or shut the guest down yourself`, undefined);
  }
  return (await powerOffHard(session, vm)) ? 'hard' : 'guest';
}

/** Power the VM off hard, without asking the guest (no-op when it is off). Returns whether it changed anything. */
export async function powerOffHard(session: VSphereSession, vm: MoRef): Promise<boolean> {
  if ((await powerState(session, vm)) === 'poweredOff') return false;
  const call = `PowerOffVM_Task(${vm.value})`;
  await waitForTask(session, await session.invoke('PowerOffVM_Task', { _this: vm }), call);
  return true;
}

/** Power the VM on (no-op when it is on). Returns whether it changed anything. */
export async function powerOn(session: VSphereSession, vm: MoRef): Promise<boolean> {
  if ((await powerState(session, vm)) === 'poweredOn') return false;
  const call = `PowerOnVM_Task(${vm.value})`;
  await waitForTask(session, await session.invoke('PowerOnVM_Task', { _this: vm }), call);
  return true;
}
