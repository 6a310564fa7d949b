import { spawn, type ChildProcessByStdio, type StdioOptions } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

/** `/proc/<pid>/stat` after the command name: [state, ppid, pgrp, ...], or undefined when the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * When the kernel started process `pid` (clock ticks since boot, /proc/<pid>/stat field 22), or undefined when it has
 * ended (a zombie, dead but not yet reaped by its parent, has ended). A pid with another start time is another
 * process that reused the number.
 */
export function processStartTime(pid: number): string | undefined {
  const f = procStat(pid);
  return f === undefined || f[0] === 'Z' || f[0] === 'X' ? undefined : f[19];
}

/** The processes of group `pgid` that still run (a zombie, dead but not yet reaped, does not count), from /proc. */
export function groupMembers(pgid: number): number[] {
  if (!processAlive(-pgid)) return [];
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = procStat(Number(name));
    if (f && Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') members.push(Number(name));
  }
  return members;
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

/** A process group this process started: its id (the leader's pid) and the leader's start time. */
export interface ChildGroup {
  pgid: number;
  start: string;
}

const liveGroups = new Map<number, ChildGroup>();
const groupWatchers = new Set<(groups: ChildGroup[]) => void>();

/** The process groups started by spawnGroup that have not ended yet. */
export function childGroups(): ChildGroup[] {
  return [...liveGroups.values()];
}

/** Call `onChange` with the live child groups whenever one starts or ends; returns the function that stops it. */
export function watchChildGroups(onChange: (groups: ChildGroup[]) => void): () => void {
  groupWatchers.add(onChange);
  return () => groupWatchers.delete(onChange);
}

function groupsChanged(): void {
  const groups = childGroups();
  for (const w of groupWatchers) w(groups);
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
 * The group leader: a shell that the kernel sends SIGUSR2 when this process dies (`setpriv --pdeathsig`, also after
 * SIGKILL, which this process cannot catch), and that then kills its whole group. It runs the command as its child
 * (arguments as "$@", never parsed by the shell), waits for it through SIGTERM/SIGINT/SIGHUP (the group receives
 * them; the command shuts down on its own) and ends as the command ended: same exit code, or killed by the same signal.
 */
const SUPERVISOR = [
  "trap 'kill -KILL 0' USR2",
  "trap : TERM INT HUP",
  '"$@" &',
  'c=$!',
  'while :; do wait $c; r=$?; kill -0 $c 2>/dev/null || break; done',
  // A signal that interrupted the wait as the command ended: the command's own status is still to be collected.
  'if [ $r -gt 128 ]; then wait $c; s=$?; [ $s -eq 127 ] || r=$s; fi',
  'if [ $r -gt 128 ]; then trap - TERM INT HUP; kill -s "$(kill -l $r)" $$; fi',
  'exit $r',
].join('\n');

/** Path of the executable `command` (a path, or a name looked up in PATH, as execvp does), or undefined. */
export function findCommand(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = command.includes('/') ? [command] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const p of candidates) {
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

/**
 * Spawn `command` (argv, no shell parsing) in a new process group, so that one signal reaches it and every process it
 * starts. The group dies with this process, even when this process is killed with SIGKILL, and the rest of the group
 * is killed when the command ends: nothing it started outlives it. While it runs, the group is listed by
 * childGroups(). stdin is closed, stdout and stderr are pipes. A command that cannot be found is spawned as it is,
 * so that it fails the way Node reports a missing executable (an `error` event, ENOENT).
 */
export function spawnGroup(command: string, args: readonly string[], o: GroupSpawnOptions = {}): GroupChild {
  const env = o.env ?? process.env;
  const stdio: StdioOptions = o.pipeFd3 ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'];
  const resolved = findCommand(command, env);
  const [file, argv] = resolved
    ? ['setpriv', ['--pdeathsig', 'SIGUSR2', '--', '/bin/sh', '-c', SUPERVISOR, 'osm-supervisor', resolved, ...args]]
    : [command, args];
  const child = spawn(file, argv, { env, detached: true, stdio }) as GroupChild;
  const pgid = child.pid;
  const start = pgid === undefined ? undefined : processStartTime(pgid);
  if (pgid !== undefined && start !== undefined) {
    liveGroups.set(pgid, { pgid, start });
    groupsChanged();
    child.once('exit', () => {
      killGroup(pgid, 'SIGKILL');
      liveGroups.delete(pgid);
      groupsChanged();
    });
  }
  const signal = o.signal;
  if (signal) {
    const onAbort = (): void => killGroup(child.pid, 'SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return child;
}

/**
 * Run a short command through spawnGroup (so that it too ends with this process) and collect its output, as
 * execFile does: resolves with stdout and stderr on exit code 0, rejects otherwise with an Error carrying `stdout` and `stderr` (also when
 * it cannot start, or writes more than `maxBuffer` bytes to either stream: then its group is killed).
 */
export function runCommand(command: string, args: readonly string[], o: { env?: NodeJS.ProcessEnv; maxBuffer?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  const maxBuffer = o.maxBuffer ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, { env: o.env });
    const out = { stdout: '', stderr: '' };
    let overflow = false;
    for (const key of ['stdout', 'stderr'] as const) {
      child[key].setEncoding('utf8').on('data', (d: string) => {
        out[key] += d;
        if (out[key].length > maxBuffer && !overflow) {
          overflow = true;
          killGroup(child.pid, 'SIGKILL');
        }
      });
    }
    const fail = (message: string): void => reject(Object.assign(new Error(message), out));
    child.once('error', (e) => fail(`cannot run ${command}: ${e.message}`));
    child.once('close', (code, sig) => {
      if (overflow) fail(`${command} wrote more than ${maxBuffer} bytes`);
      else if (code === 0) resolve(out);
      else fail(`${command} failed (${sig ? `killed by ${sig}` : `exit code ${code}`})${out.stderr.trim() ? `: ${out.stderr.trim()}` : ''}`);
    });
  });
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
