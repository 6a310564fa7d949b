import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
}

/**
 * Poll `check` until it returns a value (not undefined) or the deadline passes; `check` may throw to abort
 * (e.g. a resource in ERROR). On timeout, `onTimeout` builds the error with the last observed state.
 */
async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  opts: WaitOptions,
  onTimeout: () => Error,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw onTimeout();
    await sleep(Math.min(opts.intervalMs, Math.max(0, deadline - Date.now())), undefined, { signal: opts.signal });
  }
}

/** What `Watched.failure` is asked about when the wait is for the resource to be deleted. */
export const DELETED = 'deleted';

/** How to watch one resource while waiting for it. */
export interface Watched<R> {
  /** Names the resource in messages, e.g. `volume 0b6f…`. */
  what: string;
  /** The resource as it is now; undefined when it does not exist. */
  get: () => Promise<R | undefined>;
  status: (r: R) => string | undefined;
  /** The error to stop waiting with when `r` will not reach `target` (a status, or DELETED); undefined: keep waiting. */
  failure?: (r: R, target: string) => Error | undefined;
  /** A record that still answers but stands for a deleted resource (Heat's DELETE_COMPLETE). */
  deleted?: (r: R) => boolean;
}

/** Wait until the resource's status is `status`; its disappearing or a failure state stops the wait. */
export async function waitForStatus<R>(w: Watched<R>, status: string, opts: WaitOptions): Promise<R> {
  let last: R | undefined;
  return pollUntil(
    async () => {
      last = await w.get();
      if (last === undefined) throw new Error(`${w.what} disappeared while waiting for ${status}`);
      if (w.status(last) === status) return last;
      const failed = w.failure?.(last, status);
      if (failed) throw failed;
      return undefined;
    },
    opts,
    () => new Error(`${w.what} did not reach ${status} within ${opts.timeoutMs / 1000}s (last status ${lastStatus(w, last)})`),
  );
}

/** Wait until the resource no longer exists; a failure state stops the wait. */
export async function waitForDeletion<R>(w: Watched<R>, opts: WaitOptions): Promise<void> {
  let last: R | undefined;
  await pollUntil(
    async () => {
      last = await w.get();
      if (last === undefined || w.deleted?.(last)) return true;
      const failed = w.failure?.(last, DELETED);
      if (failed) throw failed;
      return undefined;
    },
    opts,
    () => new Error(`${w.what} was not deleted within ${opts.timeoutMs / 1000}s (last status ${lastStatus(w, last)})`),
  );
}

function lastStatus<R>(w: Watched<R>, last: R | undefined): string {
  return (last === undefined ? undefined : w.status(last)) ?? 'unknown';
}
