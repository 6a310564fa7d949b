import { appendFileSync } from 'node:fs';
import { maskSecrets } from './secrets.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Path of the log file, when the logger writes to one. */
  readonly file: string | undefined;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger that writes timestamped lines to stderr and, when given, appends them to a file.
 * It never writes to stdout (stdout carries the module's single JSON result) and masks every registered secret.
 */
export function createLogger(opts: { file?: string; level?: LogLevel; stderr?: boolean } = {}): Logger {
  const min = order[opts.level ?? 'info'];
  const toStderr = opts.stderr ?? true;
  const write = (level: LogLevel, msg: string): void => {
    if (order[level] < min) return;
    const line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(maskSecrets(msg))}\n`;
    if (toStderr) process.stderr.write(line);
    if (opts.file) appendFileSync(opts.file, line, { mode: 0o600 });
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    file: opts.file,
  };
}
