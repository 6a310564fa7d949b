import { spawn, type ChildProcessByStdio, type StdioOptions } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Whether a process exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Send `sig` to the process group led by `pid`; a group already gone is not an error. */
export function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // Group already gone.
  }
}

/** A child leading its own process group: stdin closed, stdout and stderr piped. */
export type GroupChild = ChildProcessByStdio<null, Readable, Readable>;

interface GroupSpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Open a pipe on the child's file descriptor 3 too (`child.stdio[3]`). */
  pipeFd3?: boolean;
  /** Aborting kills the whole group with SIGKILL (until the child has closed). */
  signal?: AbortSignal;
}

/**
 * Spawn `command` (argv, no shell) as the leader of a new process group, so that one signal reaches it and every
 * process it starts. stdin is closed, stdout and stderr are pipes.
 */
export function spawnGroup(command: string, args: readonly string[], o: GroupSpawnOptions = {}): GroupChild {
  const stdio: StdioOptions = o.pipeFd3 ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(command, args, { env: o.env ?? process.env, detached: true, stdio }) as GroupChild;
  const signal = o.signal;
  if (signal) {
    const onAbort = (): void => killGroup(child.pid, 'SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return child;
}

/** Call `onLine` with every non-blank line of a child's output stream (`\n`, `\r\n` or `\r` ends a line). */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    const parts = (rest + d).split(/\r?\n|\r/);
    rest = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) onLine(l);
  });
}
