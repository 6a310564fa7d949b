import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { createPrivateDir } from '../../util/private-dir.js';
import { type GroupChild, forEachLine, killGroup, spawnGroup } from '../../util/process.js';

/**
 * Lifecycle of an NBD server child process (nbdkit or qemu-nbd) serving one disk on a private Unix socket:
 * its own process group, readiness wait with a timeout, and on every exit path SIGTERM then SIGKILL to the whole
 * group plus removal of the socket and of its private (0700) directory.
 */

/**
 * Worker threads nbdkit starts per connection (its default is 16). NbdSource spreads at most 8 full-copy reads over up
 * to 4 connections, and a CBT delta's small reads at most 64; more threads than that only cost start-up, context
 * switches on the conversion host's cores, and a slower exit. With 4 (measured on a 64 MiB delta of 256 KiB areas
 * from nbdkit file, 2 cores): 0.10-0.13 s per delta against 0.11-0.15 s with 16, of which nbdkit's exit 4-5 ms
 * against 9-12 ms; a full copy of 1 GiB is no slower.
 */
const NBDKIT_THREADS = 4;

/** nbdkit's argv (without the command) serving `plugin` (its name, then its parameters) read-only on `socketPath`. */
export function nbdkitArgs(socketPath: string, plugin: string[]): string[] {
  return ['--readonly', '--exit-with-parent', '--foreground', '--unix', socketPath, '--threads', String(NBDKIT_THREADS), ...plugin];
}

export interface NbdServerSpec {
  /** Executable, e.g. `nbdkit` or `qemu-nbd`. */
  command: string;
  /** Builds the argv (without the command) once the socket path is known. */
  args: (socketPath: string) => string[];
  /**
   * A secret written to the child's file descriptor 3 through a pipe, then closed: nbdkit reads it with
   * `password=-3` (nbdkit refuses `password=-` without a tty). It never appears on a command line or on disk.
   */
  secretFd3?: string;
  /** Short name used in the socket file name, e.g. `<SafeVmName>-<runid>`. */
  name: string;
  /** Parent directory of the private directory (default: the OS temp dir). */
  baseDir?: string;
  /** How long to wait for the server to accept connections (default 30 s). */
  readyTimeoutMs?: number;
  /** Receives each line of the child's stderr/stdout. */
  onOutput?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface NbdServer {
  readonly socketPath: string;
  readonly pid: number;
  /** `nbd+unix:///?socket=<path>` for tools such as nbdcopy. */
  readonly uri: string;
  /** Terminate the process group and remove the socket and private directory. Idempotent. */
  stop(): Promise<void>;
}

export async function startNbdServer(spec: NbdServerSpec, signal?: AbortSignal): Promise<NbdServer> {
  signal?.throwIfAborted();
  const privateDir = createPrivateDir('osm-nbd-', spec.baseDir);
  const socketPath = join(privateDir, `${spec.name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'disk'}.sock`);
  if (Buffer.byteLength(socketPath) > 107) {
    rmSync(privateDir, { recursive: true, force: true });
    throw new Error(`socket path too long for a Unix socket (${socketPath}); use a shorter name or base directory`);
  }
  let child: GroupChild;
  try {
    child = spawnGroup(spec.command, spec.args(socketPath), { env: spec.env, pipeFd3: spec.secretFd3 !== undefined });
  } catch (e) {
    rmSync(privateDir, { recursive: true, force: true });
    throw e;
  }
  const exited = new Promise<{ code: number | null; sig: NodeJS.Signals | null; err?: Error }>((resolve) => {
    child.once('exit', (code, sig) => resolve({ code, sig }));
    child.once('error', (err) => resolve({ code: null, sig: null, err }));
  });
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const lines: string[] = [];
  const onLine = (line: string): void => {
    if (lines.length >= 20) lines.shift();
    lines.push(line);
    spec.onOutput?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) forEachLine(stream, onLine);
  if (spec.secretFd3 !== undefined) {
    const fd3 = child.stdio[3] as Writable | null;
    fd3?.on('error', () => undefined);
    fd3?.end(spec.secretFd3);
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (running && child.pid !== undefined) {
        killGroup(child.pid, 'SIGTERM');
        const t = await Promise.race([exited.then(() => 'exited'), sleep(3000, 'timeout')]);
        if (t === 'timeout') {
          killGroup(child.pid, 'SIGKILL');
          await exited;
        }
      }
      // Children of the server (if any) share its group: make sure none survive.
      killGroup(child.pid, 'SIGKILL');
      rmSync(privateDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  try {
    // Poll every 2 ms for the first 100 ms (nbdkit is up within 6-10 ms; a CBT delta pays this wait), then every 50 ms.
    const started = Date.now();
    for (;;) {
      signal?.throwIfAborted();
      const state = await Promise.race([exited, sleep(Date.now() - started < 100 ? 2 : 50, undefined)]);
      if (state !== undefined) {
        const why = state.err ? state.err.message : state.sig ? `killed by ${state.sig}` : `exit code ${state.code}`;
        const hint = state.err && (state.err as NodeJS.ErrnoException).code === 'ENOENT' ? ` (install ${spec.command})` : '';
        throw new Error(`${spec.command} failed to start: ${why}${hint}${lines.length ? `: ${lines.join(' | ')}` : ''}`);
      }
      if (exists(socketPath) && (await canConnect(socketPath))) break;
      if (Date.now() > deadline) {
        throw new Error(`${spec.command} did not accept connections on ${socketPath} within ${(spec.readyTimeoutMs ?? 30_000) / 1000} s${lines.length ? `: ${lines.join(' | ')}` : ''}`);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { socketPath, pid: child.pid!, uri: `nbd+unix:///?socket=${socketPath}`, stop };
}

function exists(p: string): boolean {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
