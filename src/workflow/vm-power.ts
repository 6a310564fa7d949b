import { type PowerState, powerOff, powerOffHard, powerOn, powerState } from '../vmware/power.js';
import type { VSphereSession } from '../vmware/session.js';
import { findVm } from './vsphere-source.js';

/** The power state asked for: on, off hard, or off through a guest shutdown. */
export type WantedPower = 'poweredon' | 'poweredoff' | 'shutdownguest';

export type PowerAction = 'none' | 'power on' | 'hard power-off' | 'guest shutdown' | 'guest shutdown, then hard power-off';

export interface PowerRequest {
  vmName: string;
  /** Inventory folder: the VM is looked up at `<folder>/<vmName>`, else by its name. */
  folder?: string | undefined;
  state: WantedPower;
  timeoutMs: number;
  /** shutdownguest: power off hard when the guest did not shut down in time. */
  force: boolean;
}

export interface PowerOutcome {
  changed: boolean;
  vm: { name: string; moid: string; path: string };
  power_state_before: PowerState;
  /** The state after the run (check mode: the state a run would leave). */
  power_state: PowerState;
  /** What was done (check mode: what would be done). */
  action: PowerAction;
}

/** Bring one VM to the wanted power state; nothing is done when it is there already, nor in check mode. */
export async function setVmPower(vs: VSphereSession, r: PowerRequest, checkMode: boolean): Promise<PowerOutcome> {
  const vm = await findVm(vs, r.folder, r.vmName);
  const ref = { type: 'VirtualMachine', value: vm.moid };
  const before = await powerState(vs, ref);
  const target: PowerState = r.state === 'poweredon' ? 'poweredOn' : 'poweredOff';
  const base = { vm: { name: vm.name, moid: vm.moid, path: vm.path }, power_state_before: before };
  if (before === target) return { ...base, changed: false, power_state: before, action: 'none' };
  const planned: PowerAction = r.state === 'poweredon' ? 'power on' : r.state === 'poweredoff' ? 'hard power-off' : 'guest shutdown';
  if (checkMode) return { ...base, changed: true, power_state: target, action: planned };
  let action: PowerAction = planned;
  if (r.state === 'poweredon') await powerOn(vs, ref);
  else if (r.state === 'poweredoff') await powerOffHard(vs, ref);
  else {
    const how = await powerOff(vs, ref, { timeoutMs: r.timeoutMs, force: r.force }).catch((e: unknown) => {
      throw new Error(`${(e as Error).message.replace(`VM ${vm.moid}`, `VM ${vm.name} (${vm.moid})`)}${r.force ? '' : ' (force is false)'}`);
    });
    if (how === 'hard') action = 'guest shutdown, then hard power-off';
  }
  return { ...base, changed: true, power_state: await powerState(vs, ref), action };
}
