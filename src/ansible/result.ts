import { writeSync } from 'node:fs';
import { maskDeep } from '../util/secrets.js';

export interface ModuleResult {
  changed: boolean;
  msg?: string;
  [key: string]: unknown;
}

let emitted = false;

/**
 * Print the module's one JSON result on stdout (secrets masked) and return the exit code: 0, or 1 when failed.
 * A second call is a programming error and is refused, so stdout always holds exactly one document.
 */
export function emitResult(result: Record<string, unknown>): number {
  if (emitted) throw new Error('a module result was already printed');
  emitted = true;
  const body = JSON.stringify(maskDeep(result)) + '\n';
  const buf = Buffer.from(body, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(1, buf, off);
  return result.failed === true ? 1 : 0;
}
