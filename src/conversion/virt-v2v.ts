import { access, constants } from 'node:fs/promises';
import { findCommand, forEachLine, runCommand, spawnGroup } from '../util/process.js';


/**
 * In-place guest conversion with virt-v2v-in-place (argv only, no shell anywhere).
 *
 * Command: `virt-v2v-in-place [--run <network script>] [--firstboot <script>] [extra options...] -i disk -if raw <device>`
 * or `... -i libvirtxml <domain.xml>` for a guest whose filesystems span several disks.
 * `--run` is used only for Linux guests. virt-v2v releases without customize options (Debian's 2.2) convert first,
 * then the same scripts are applied with `virt-customize` on the same disks.
 */

export type GuestFamily = 'linux' | 'windows' | 'other';

export type ConversionInput =
  | { kind: 'disk'; /** Block device or raw file of the boot disk. */ path: string }
  | { kind: 'libvirtxml'; /** Domain XML (see virt-v2v-domain-xml.ts). */ path: string; /** Its disks, in order. */ disks: string[] };

export interface ConversionOptions {
  input: ConversionInput;
  guestFamily: GuestFamily;
  /** Guest network script (`--run`), applied to Linux guests only. */
  networkScript?: string;
  /** Script installed to run at the guest's first boot (`--firstboot`). */
  firstbootScript?: string;
  /** Extra virt-v2v-in-place options, one argument per element. */
  extraOptions?: string[];
  /** LIBGUESTFS_DEBUG=1 and LIBGUESTFS_TRACE=1. */
  debug?: boolean;
}

export const VIRT_V2V_IN_PLACE = 'virt-v2v-in-place';
export const VIRT_CUSTOMIZE = 'virt-customize';

/** The customize operations to apply for this guest (`--run` only for Linux guests). */
export function customizeArgs(o: Pick<ConversionOptions, 'guestFamily' | 'networkScript' | 'firstbootScript'>): string[] {
  const args: string[] = [];
  if (o.networkScript && o.guestFamily === 'linux') args.push('--run', o.networkScript);
  if (o.firstbootScript) args.push('--firstboot', o.firstbootScript);
  return args;
}

function inputArgs(input: ConversionInput): string[] {
  return input.kind === 'disk' ? ['-i', 'disk', '-if', 'raw', input.path] : ['-i', 'libvirtxml', input.path];
}

/** virt-v2v-in-place argv (without the command); `withCustomize: false` leaves the scripts for virt-customize. */
export function virtV2vInPlaceArgs(o: ConversionOptions, withCustomize = true): string[] {
  return [...(withCustomize ? customizeArgs(o) : []), ...(o.extraOptions ?? []), ...inputArgs(o.input)];
}

/** virt-customize argv applying the scripts to the converted disks. */
export function virtCustomizeArgs(o: ConversionOptions): string[] {
  const disks = o.input.kind === 'disk' ? [o.input.path] : o.input.disks;
  return [...disks.flatMap((d) => ['--format', 'raw', '-a', d]), ...customizeArgs(o)];
}

/** Environment of the conversion: the direct libguestfs backend, debug tracing on request, the rest inherited. */
export function conversionEnv(debug: boolean, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, LIBGUESTFS_BACKEND: 'direct' };
  if (debug) {
    env.LIBGUESTFS_DEBUG = '1';
    env.LIBGUESTFS_TRACE = '1';
  } else {
    delete env.LIBGUESTFS_DEBUG;
    delete env.LIBGUESTFS_TRACE;
  }
  return env;
}

/** True when this virt-v2v-in-place accepts the customize options (`--run`, `--firstboot`). */
export async function supportsCustomizeOptions(command: string): Promise<boolean> {
  const { stdout, stderr } = await runCommand(command, ['--help'], { env: conversionEnv(false) }).catch((e: { stdout?: string; stderr?: string }) => ({
    stdout: e.stdout ?? '',
    stderr: e.stderr ?? '',
  }));
  return /--firstboot\b/.test(stdout + stderr) && /--run\b/.test(stdout + stderr);
}

export interface RunConversionOptions extends ConversionOptions {
  /** Receives every output line, prefixed `[virt-v2v stdout]` / `[virt-v2v stderr]` (or virt-customize). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Executable names (defaults: found in PATH). */
  virtV2vInPlace?: string;
  virtCustomize?: string;
}

export interface ConversionResult {
  /** The commands run, as argv arrays (for the log). */
  commands: string[][];
  durationSeconds: number;
}

/** Check preconditions, run the conversion (and virt-customize when needed); throws with the last output lines on failure. */
export async function convertInPlace(o: RunConversionOptions): Promise<ConversionResult> {
  const started = performance.now();
  const v2v = findCommand(o.virtV2vInPlace ?? VIRT_V2V_IN_PLACE);
  if (!v2v) {
    throw new Error(`${o.virtV2vInPlace ?? VIRT_V2V_IN_PLACE} not found in PATH: install virt-v2v on the conversion host (it provides virt-v2v-in-place)`);
  }
  for (const [what, file] of [
    ['network script (--run)', o.guestFamily === 'linux' ? o.networkScript : undefined],
    ['firstboot script', o.firstbootScript],
    [o.input.kind === 'disk' ? 'disk' : 'domain XML', o.input.path],
    ...(o.input.kind === 'libvirtxml' ? o.input.disks.map((d) => ['disk', d]) : []),
  ] as [string, string | undefined][]) {
    if (file === undefined || file === '') continue;
    await access(file, constants.R_OK).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`conversion: ${what} ${file} is not readable (${e.code ?? e.message})`);
    });
  }
  const wantsCustomize = customizeArgs(o).length > 0;
  const inline = !wantsCustomize || (await supportsCustomizeOptions(v2v));
  const commands: string[][] = [[v2v, ...virtV2vInPlaceArgs(o, inline)]];
  if (!inline) {
    const vc = findCommand(o.virtCustomize ?? VIRT_CUSTOMIZE);
    if (!vc) {
      throw new Error(`${v2v} has no --run/--firstboot and virt-customize is not installed: install libguestfs-tools (or a virt-v2v with customize options)`);
    }
    commands.push([vc, ...virtCustomizeArgs(o)]);
  }
  const env = conversionEnv(o.debug ?? false);
  for (const [cmd, ...args] of commands) {
    await runLogged(cmd!, args, env, o.onLine, o.signal);
  }
  return { commands, durationSeconds: (performance.now() - started) / 1000 };
}

/** Run a command in its own process group, stream its lines, kill the group on abort. */
async function runLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine: ((l: string) => void) | undefined, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  const name = cmd.endsWith('virt-customize') ? 'virt-customize' : 'virt-v2v';
  const child = spawnGroup(cmd, args, { env, signal });
  const tail: string[] = [];
  for (const [stream, label] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
    forEachLine(stream, (l) => {
      if (tail.length >= 15) tail.shift();
      tail.push(l);
      onLine?.(`[${name} ${label}] ${l}`);
    });
  }
  const { code, sig, err } = await new Promise<{ code: number | null; sig: NodeJS.Signals | null; err?: Error }>((resolve) => {
    child.once('error', (e) => resolve({ code: null, sig: null, err: e }));
    child.once('close', (c, s) => resolve({ code: c, sig: s }));
  });
  signal?.throwIfAborted();
  if (err) throw new Error(`cannot run ${cmd}: ${err.message}`);
  if (code !== 0) {
    throw new Error(`${name} failed (${sig ? `killed by ${sig}` : `exit code ${code}`}): ${tail.slice(-5).join(' | ') || 'no output'}`);
  }
}
