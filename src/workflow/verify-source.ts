import { SNAPSHOT_NAME } from '../vmware/snapshots.js';
import { flattenSnapshots } from '../vmware/vm.js';
import { type Check, type VerifyFacts, check } from './verify-request.js';

/** No snapshot of the tool is left on the source, and the source is powered as the migration should leave it. */
export function sourceChecks(f: VerifyFacts): Check[] {
  const { vm, req } = f;
  const left = flattenSnapshots(vm.snapshots).filter((s) => s.name === SNAPSHOT_NAME);
  const out = [
    check('source.no_tool_snapshot', `no snapshot named ${SNAPSHOT_NAME}`, left.map((s) => s.moid), left.length === 0,
      left.length ? `VM ${vm.name} still has ${left.length} snapshot(s) ${SNAPSHOT_NAME}: ${left.map((s) => s.moid).join(', ')}` : `no ${SNAPSHOT_NAME} snapshot on ${vm.name}`),
  ];
  const state = vm.powerState;
  if (req.sourcePower === 'untouched') {
    // The tool does not power the source off in this mode; it cannot tell how the VM was before the run.
    const on = state === 'poweredOn';
    out.push(check('source.power_state', 'untouched (a pre-sync or a copy without cutover leaves the source running)', state, on ? true : null,
      on ? `VM ${vm.name} is running` : `not checked: VM ${vm.name} is ${state}, and whether it was so before the migration is not recorded; set verify_source_power_state to check`));
  } else {
    out.push(check('source.power_state', req.sourcePower, state, state === req.sourcePower, `VM ${vm.name} is ${state}`));
  }
  return out;
}
