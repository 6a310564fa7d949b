import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import type { Progress } from './types.js';

/**
 * Staged disks: the image target copies each disk into a sparse raw file in the staging directory, converts the
 * files there and streams them to Glance. Beside each file, `<file>.state` records how far it got, so that a rerun
 * after a crash knows whether the file holds a complete copy, a converted guest, or nothing it can trust.
 */

/** `copied`: a complete copy of the source disk at `changeId`; `converting`: a conversion started and did not end; `final`: the bytes to upload. */
export type StagedPhase = 'copied' | 'converting' | 'final';

export interface StagedState {
  phase: StagedPhase;
  changeId: string;
  /** With verify: SHA-256 of the source disk (what the copy wrote). */
  sha256Copy?: string;
  /** With verify: SHA-256 of the final bytes (after the conversion, when one ran). */
  sha256?: string;
  /** The file as the copy left it (size and modification time): a file changed since is not the copy of `changeId`. */
  file?: { size: number; mtimeMs: number };
}

/** `<dir>/<name>.raw`: `name` is the disk's volume name (`<SafeVmName>-<diskkey>`). */
export function stagedPath(dir: string, name: string): string {
  return join(dir, `${name}.raw`);
}

const statePath = (file: string) => `${file}.state`;

/** The recorded state of a staged file, undefined when there is none (or the file itself is gone). */
export async function readStagedState(file: string): Promise<StagedState | undefined> {
  try {
    const text = await readFile(statePath(file), 'utf8');
    if (!(await exists(file))) return undefined;
    const state = JSON.parse(text) as StagedState;
    return ['copied', 'converting', 'final'].includes(state.phase) ? state : undefined;
  } catch {
    return undefined;
  }
}

export async function writeStagedState(file: string, state: StagedState): Promise<void> {
  await writeFile(statePath(file), JSON.stringify(state), { mode: 0o600 });
}

/** Record a complete copy of the source at `changeId`, with the file's size and modification time as it is now. */
export async function recordStagedCopy(file: string, state: Omit<StagedState, 'phase' | 'file'>): Promise<void> {
  const st = await stat(file);
  await writeStagedState(file, { ...state, phase: 'copied', file: { size: st.size, mtimeMs: st.mtimeMs } });
}

/**
 * The change ID a staged file is a complete copy of, when it still is: recorded as copied, of `size` bytes, and not
 * modified since (else undefined: the file is copied again, never patched).
 */
export async function trustedCopyChangeId(file: string, size: number): Promise<string | undefined> {
  const state = await readStagedState(file);
  if (state?.phase !== 'copied' || !state.changeId || !state.file) return undefined;
  const st = await stat(file).catch(() => undefined);
  if (!st || st.size !== size || state.file.size !== size || st.mtimeMs !== state.file.mtimeMs) return undefined;
  return state.changeId;
}

/** A new sparse file of `size` bytes (an earlier one and its state removed): it reads as zeros and holds no block. */
export async function createStagedFile(file: string, size: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await removeStaged(file);
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.truncate(size);
  } finally {
    await fh.close();
  }
}

/** Remove a staged file and its state; true when there was something to remove. */
export async function removeStaged(file: string): Promise<boolean> {
  const existed = (await exists(statePath(file))) || (await exists(file));
  await rm(statePath(file), { force: true });
  await rm(file, { force: true });
  return existed;
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The bytes a new staging of `files` may use in `dir`: free for this user on its file system (the nearest existing
 * ancestor when `dir` does not exist yet: nothing is created here), plus what the files hold now (they are replaced).
 */
export async function stagingRoom(dir: string, files: string[]): Promise<number> {
  let at = resolve(dir);
  for (;;) {
    if (await exists(at)) break;
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const s = await statfs(at);
  let held = 0;
  for (const f of files) held += await stat(f).then((st) => st.blocks * 512, () => 0);
  return s.bavail * s.bsize + held;
}

/** Read sizes of the upload stream: memory in flight stays a few of these, whatever the file's size. */
const UPLOAD_CHUNK = 4 * 1024 * 1024;
const PROGRESS_EVERY_MS = 5000;

export interface UploadStreamOptions {
  size: number;
  onProgress: (p: Progress) => void;
  /** Awaited once when half the bytes have passed (the fault seam's `mid-upload`). */
  onHalf: () => Promise<void>;
}

/** The file as a stream of bounded chunks, reporting bytes, rate and ETA as they pass. */
export function stagedFileStream(file: string, o: UploadStreamOptions): NodeJS.ReadableStream {
  const started = Date.now();
  let done = 0;
  let lastReport = started;
  let halfReached = false;
  const sample = (final: boolean): Progress => {
    const elapsedSeconds = (Date.now() - started) / 1000;
    const bytesPerSecond = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
    const etaSeconds = bytesPerSecond > 0 ? (o.size - done) / bytesPerSecond : undefined;
    return { done, total: o.size, bytesRead: done, elapsedSeconds, bytesPerSecond, etaSeconds, final };
  };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      done += chunk.length;
      const now = Date.now();
      if (now - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = now;
        o.onProgress(sample(false));
      }
      if (!halfReached && done >= o.size / 2) {
        halfReached = true;
        o.onHalf().then(
          () => callback(null, chunk),
          (e: unknown) => callback(e as Error),
        );
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      o.onProgress(sample(true));
      callback();
    },
  });
  const file$ = createReadStream(file, { highWaterMark: UPLOAD_CHUNK });
  file$.on('error', (e) => counter.destroy(e));
  return file$.pipe(counter);
}
