import { readFileSync } from 'node:fs';
import { ModuleFailure } from './errors.js';
import { type JsonSchema, ansibleTypeOfSchema } from './schema.js';
import { registerSecret } from '../util/secrets.js';
import { parseJsonFile } from '../util/file-parse.js';

/** The `_ansible_*` keys Ansible adds to every module's arguments, reduced to what modules act on. */
export interface AnsibleInternals {
  checkMode: boolean;
  diff: boolean;
  noLog: boolean;
  verbosity: number;
  moduleName: string | undefined;
  tmpdir: string | undefined;
}

export interface SplitArgs {
  internals: AnsibleInternals;
  params: Record<string, unknown>;
}

/** Read and parse the JSON args file Ansible writes for binary modules. */
export function readArgsFile(path: string | undefined): Record<string, unknown> {
  if (!path) throw new ModuleFailure('No argument file provided: run as `<module> <args.json>` (see --help)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModuleFailure(`Could not read arguments file ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseJsonFile(text, `Arguments file ${path}`);
  } catch (e) {
    throw new ModuleFailure((e as Error).message);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ModuleFailure(`Arguments file ${path} must hold a JSON object of module arguments`);
  }
  return value as Record<string, unknown>;
}

/**
 * Set an argument as an own property: a plain assignment of the key `__proto__` would set the object's prototype and
 * drop the argument silently; this way it is an argument like any other (and then refused as unknown).
 */
function setArgument(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Separate Ansible's internal keys from the task's arguments. Unknown internal keys are dropped. */
export function splitInternals(raw: Record<string, unknown>): SplitArgs {
  const params: Record<string, unknown> = {};
  const internal: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('_ansible_')) internal[k.slice('_ansible_'.length)] = v;
    else setArgument(params, k, v);
  }
  return {
    params,
    internals: {
      checkMode: internal.check_mode === true,
      diff: internal.diff === true,
      noLog: internal.no_log === true,
      verbosity: typeof internal.verbosity === 'number' ? internal.verbosity : 0,
      moduleName: typeof internal.module_name === 'string' ? internal.module_name : undefined,
      tmpdir: typeof internal.tmpdir === 'string' ? internal.tmpdir : undefined,
    },
  };
}

/**
 * Rename top-level keys to the option names: aliases always, and with `caseInsensitive` any spelling that equals an
 * option name case-insensitively (upstream's Go modules decode JSON that way). An exact name wins over a folded one;
 * two spellings of the same option fail.
 */
export function normalizeKeys(
  params: Record<string, unknown>,
  schema: JsonSchema,
  opts: { caseInsensitive: boolean; aliases: Record<string, string[]> },
): Record<string, unknown> {
  const names = Object.keys(schema.properties ?? {});
  const byAlias = new Map<string, string>();
  for (const [name, aliases] of Object.entries(opts.aliases)) for (const a of aliases) byAlias.set(a, name);
  const byFolded = new Map(names.map((n) => [n.toLowerCase(), n]));
  const out: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  const exact = Object.keys(params).filter((k) => names.includes(k));
  const rest = Object.keys(params).filter((k) => !names.includes(k));
  for (const key of [...exact, ...rest]) {
    const target =
      (names.includes(key) ? key : undefined) ??
      byAlias.get(key) ??
      (opts.caseInsensitive ? (byFolded.get(key.toLowerCase()) ?? byAlias.get(key.toLowerCase())) : undefined) ??
      key;
    if (Object.hasOwn(out, target)) {
      throw new ModuleFailure(`arguments '${source[target]}' and '${key}' both set option '${target}'; keep one`);
    }
    setArgument(out, target, params[key]);
    source[target] = key;
  }
  return out;
}

/**
 * Take out the arguments that have no effect here (upstream reads or documents them; see `noEffect`), with one warning
 * for each one given a value.
 */
export function dropNoEffect(params: Record<string, unknown>, schema: JsonSchema, warn: (message: string) => void): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const why = schema.properties?.[key]?.noEffect;
    if (why === undefined) setArgument(out, key, value);
    else if (value !== null && value !== undefined) warn(`argument '${key}' has no effect here (accepted for compatibility with upstream): ${why}`);
  }
  return out;
}

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/**
 * Ansible's own conversions for typed options: booleans from the strings Ansible accepts ('yes', 'true', '1', ...)
 * and integers from integral strings. Anything else is left for validation to reject with a clear message.
 */
export function coerceAnsibleTypes(value: unknown, schema: JsonSchema): unknown {
  const type = ansibleTypeOfSchema(schema);
  if (type === 'bool' && typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    return value;
  }
  if (type === 'bool' && typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (type === 'int' && typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  if (type === 'float' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  if (type === 'list' && Array.isArray(value) && schema.items) return value.map((v) => coerceAnsibleTypes(v, schema.items!));
  if (type === 'dict' && value && typeof value === 'object' && !Array.isArray(value) && schema.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties[k];
      setArgument(out, k, sub ? coerceAnsibleTypes(v, sub) : v);
    }
    return out;
  }
  return value;
}

/** Register every value of an option marked secret (at any depth, and in every branch of a union). */
export function registerSecretArgs(value: unknown, schema: JsonSchema): void {
  if (schema.secret) registerSecret(value);
  if (value === null || typeof value !== 'object') return;
  for (const branch of schema.anyOf ?? []) registerSecretArgs(value, branch);
  if (Array.isArray(value)) {
    if (schema.items) for (const v of value) registerSecretArgs(v, schema.items);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const sub = schema.properties?.[k];
    if (sub) registerSecretArgs(v, sub);
  }
}
