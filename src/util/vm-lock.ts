import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { safeVmName } from './names.js';
import { type ChildGroup, childGroups, groupMembers, killGroup, processStartTime, watchChildGroups } from './process.js';

/**
 * One run writing a VM's volumes at a time on a conversion host (migrate, import_vmware_volume): two would both find
 * no volume and both create one, or both write into it. The lock file names its owner (pid and start time, what it
 * runs) and the process groups the owner has started and that still run (virt-v2v, nbdkit, ...), rewritten whenever
 * one starts or ends. A lock whose owner is gone (killed) is taken over, but only once every process of the owner's
 * recorded groups has ended: they are sent SIGKILL and waited for, so that nothing of the earlier run writes after
 * the new one started.
 */

const LockRecord = z.object({
  pid: z.number().int().positive(),
  start: z.string(),
  what: z.string(),
  groups: z.array(z.object({ pgid: z.number().int().positive(), start: z.string() })),
});
type LockRecord = z.infer<typeof LockRecord>;

export interface VmLockOptions {
  /** Directory of the lock files (default /tmp: one per host, whatever TMPDIR says). */
  dir?: string;
  /** Receives a line when processes of a killed run had to be stopped. */
  log?: (line: string) => void;
  /** How long to wait for them to end after SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
}

function recordOf(what: string, groups: ChildGroup[]): string {
  const r: LockRecord = { pid: process.pid, start: processStartTime(process.pid) ?? '', what, groups };
  return `${JSON.stringify(r)}\n`;
}

/** Create `path` holding `content` in one step (link of a complete file); false when it exists. */
function createWith(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.new`;
  writeFileSync(tmp, content, { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

function readLock(path: string, vmName: string): { text: string; record: LockRecord } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const record = LockRecord.safeParse(parsed);
  if (!record.success) throw new Error(`the lock file ${path} of VM ${vmName} is not one this tool wrote; remove it if no migration or import of ${vmName} runs`);
  return { text, record: record.data };
}

/** SIGKILL the recorded groups of a dead owner and wait until none of their processes runs; returns the pids found. */
async function stopGroups(r: LockRecord, path: string, vmName: string, timeoutMs: number): Promise<number[]> {
  // A leader with another start time means the number was reused by a process of someone else: leave it alone. A
  // leader gone while members remain is safe to signal: Linux does not reuse a number that is still a group id.
  const ours = r.groups.filter((g) => {
    const leader = processStartTime(g.pgid);
    return leader === undefined || leader === g.start;
  });
  const found = ours.flatMap((g) => groupMembers(g.pgid));
  if (found.length === 0) return [];
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    for (const g of ours) killGroup(g.pgid, 'SIGKILL');
    const left = ours.flatMap((g) => groupMembers(g.pgid));
    if (left.length === 0) return found;
    if (performance.now() > deadline) {
      throw new Error(
        `processes ${left.join(', ')} of the killed ${r.what} of VM ${vmName} (pid ${r.pid}) still run ${timeoutMs / 1000} s after SIGKILL ` +
          `(stuck in I/O?); the lock ${path} is kept: check them with ps -o pid,stat,cmd -p ${left.join(',')} and run again once they are gone`,
      );
    }
    await sleep(5);
  }
}

/**
 * Take the per-VM lock for `what` (e.g. `migrate`). Fails naming the running owner when another run holds it; takes
 * over the lock of a killed run after stopping what that run started. Returns the release function.
 */
export async function lockVm(vmName: string, what: string, o: VmLockOptions = {}): Promise<() => void> {
  const path = join(o.dir ?? '/tmp', `osm-vm-${safeVmName(vmName) || 'vm'}.lock`);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createWith(path, recordOf(what, childGroups()))) return holding(path, what);
    const held = readLock(path, vmName);
    if (!held) continue;
    const r = held.record;
    if (processStartTime(r.pid) === r.start) {
      throw new Error(`${r.what} of VM ${vmName} is already running on this conversion host (pid ${r.pid}, lock ${path}); wait for it to finish`);
    }
    const started = performance.now();
    const stopped = await stopGroups(r, path, vmName, o.stopTimeoutMs ?? 10_000);
    if (stopped.length > 0) {
      o.log?.(`stopped processes ${stopped.join(', ')} left running by a killed ${r.what} of VM ${vmName} (pid ${r.pid}) in ${(performance.now() - started).toFixed(0)} ms`);
    }
    takeOver(path, held.text);
  }
  throw new Error(`could not take the lock ${path} of VM ${vmName}: other runs keep taking it; run again`);
}

/** Remove a dead owner's lock, unless another run replaced it meanwhile (then it is put back). */
function takeOver(path: string, staleText: string): void {
  const moved = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, moved);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    if (readFileSync(moved, 'utf8') !== staleText) linkSync(moved, path);
  } catch {
    // Someone took the lock meanwhile: theirs stands.
  } finally {
    unlinkSync(moved);
  }
}

/** Keep the lock's list of child groups current until released. */
function holding(path: string, what: string): () => void {
  const update = (groups: ChildGroup[]): void => {
    const tmp = `${path}.${process.pid}.new`;
    writeFileSync(tmp, recordOf(what, groups), { mode: 0o600 });
    renameSync(tmp, path);
  };
  const unwatch = watchChildGroups(update);
  return () => {
    unwatch();
    try {
      const r = readLock(path, '')?.record;
      if (r?.pid === process.pid) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
}
