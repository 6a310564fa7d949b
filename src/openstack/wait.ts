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
export async function pollUntil<T>(
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
