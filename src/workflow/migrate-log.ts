import { randomInt } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Progress } from '../transfer/types.js';
import { type Logger, type LogLevel, createLogger } from '../util/log.js';
import { safeVmName } from '../util/names.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Upstream's GenRandom: `n` characters from [a-zA-Z0-9], cryptographically random. */
export function runId(n = 8): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** Upstream's log file name: `/tmp/osm-nbdkit-<SafeVmName>-<runid>.log` (the role greps `/tmp/[^ ]+\.log`). */
export function migrationLogPath(vmName: string, id: string, dir = '/tmp'): string {
  return `${dir}/osm-nbdkit-${safeVmName(vmName) || 'vm'}-${id}.log`;
}

/** A logger writing to the migration's log file (mode 0600, secrets masked) and to stderr. */
export function migrationLogger(path: string, level: LogLevel): Logger {
  closeSync(openSync(path, 'a', 0o600));
  return createLogger({ file: path, level });
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`;
}

function formatSeconds(s: number): string {
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** One progress line: bytes done of total, percentage, bytes read, rate and ETA. */
export function progressLine(what: string, p: Progress): string {
  const pct = p.total > 0 ? ((p.done / p.total) * 100).toFixed(1) : '100.0';
  const eta = p.final ? `done in ${formatSeconds(p.elapsedSeconds)}` : p.etaSeconds === undefined ? 'ETA unknown' : `ETA ${formatSeconds(p.etaSeconds)}`;
  return `${what}: ${formatBytes(p.done)} of ${formatBytes(p.total)} (${pct}%), read ${formatBytes(p.bytesRead)}, ${formatBytes(p.bytesPerSecond)}/s, ${eta}`;
}

/** Environment variable naming a step where the migration stops for good (fault-injection tests kill it there). */
export const PAUSE_ENV = 'OSM_MIGRATE_PAUSE_AT';

/**
 * Fault injection for the crash tests: when OSM_MIGRATE_PAUSE_AT names `step`, log it and wait until the process
 * is killed. Steps: volume-created, attached, mid-copy, copied, converted, detached.
 */
export async function pauseIfAsked(step: string, log: Logger): Promise<void> {
  if (process.env[PAUSE_ENV] !== step) return;
  log.warn(`fault injection: paused at ${step}`);
  for (;;) await sleep(60_000);
}
