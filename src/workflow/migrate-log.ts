import { randomInt } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
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

/** One migration run: its id (also in socket names), its log file and logger, and a clock for `duration_seconds`. */
export interface MigrationRun {
  id: string;
  logFile: string;
  log: Logger;
  /** Seconds since the run started, rounded to 10 ms. */
  duration(): number;
}

export function startMigrationRun(vmName: string, debug: boolean): MigrationRun {
  const started = performance.now();
  const id = runId();
  const logFile = migrationLogPath(vmName, id);
  return {
    id,
    logFile,
    log: migrationLogger(logFile, debug ? 'debug' : 'info'),
    duration: () => Math.round((performance.now() - started) / 10) / 100,
  };
}
