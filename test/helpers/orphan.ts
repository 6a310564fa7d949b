import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers } from '../../src/util/process.js';

/**
 * Kill a module with SIGKILL while the process group of its child (led by the supervisor `pgid`) survives it, as it
 * would if the supervisor had failed: the supervisor is stopped first (so it cannot act on its parent's death), then
 * killed. Resolves once `child` (a process of the group) runs on as an orphan.
 */
export async function orphanGroup(modulePid: number, moduleExited: Promise<unknown>, pgid: number, child: number): Promise<void> {
  process.kill(pgid, 'SIGSTOP');
  process.kill(modulePid, 'SIGKILL');
  await moduleExited;
  process.kill(pgid, 'SIGKILL');
  await sleep(200);
  assert.ok(groupMembers(pgid).includes(child), `process ${child} did not survive as an orphan`);
}
