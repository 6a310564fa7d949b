import { setTimeout as sleep } from 'node:timers/promises';
import { VSphereError, errorFromTaskFault } from './faults.js';
import type { MoRef } from './moref.js';
import { retrieveOne } from './property-collector.js';
import type { VSphereSession } from './session.js';
import { type XmlNode, child } from './xml.js';

/**
 * Wait for a task to finish; returns its `info.result` (if any). A task that ends in `error` throws the typed
 * error of its fault; `timeoutMs` bounds the wait.
 */
export async function waitForTask(
  session: VSphereSession,
  task: MoRef,
  call: string,
  timeoutMs = 30 * 60_000,
): Promise<XmlNode | undefined> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    const info = (await retrieveOne(session, task, ['info'])).get('info');
    const state = child(info, 'state')?.text;
    if (state === 'success') return child(info, 'result');
    if (state === 'error') throw errorFromTaskFault(child(info, 'error'), call, session.server);
    if (Date.now() > deadline) {
      throw new VSphereError(`${call}: task ${task.value} still ${state ?? 'unknown'} after ${Math.round(timeoutMs / 1000)} s; check it in vCenter`, undefined);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}
