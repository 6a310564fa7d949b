import type { z } from 'zod';
import { coerceAnsibleTypes, dropNoEffect, normalizeKeys, readArgsFile, registerSecretArgs, splitInternals } from './args.js';
import { ModuleFailure } from './errors.js';
import { type ModuleResult, emitResult } from './result.js';
import { type JsonSchema, toJsonSchema } from './schema.js';
import { validateParams } from './validate.js';
import { type Logger, createLogger } from '../util/log.js';

export type { ModuleResult };

/** What a module's `run` gets besides its validated options. */
export interface ModuleContext {
  /** Ansible check mode: report what would change (`changed: true`) and change nothing. */
  checkMode: boolean;
  /** Ansible diff mode: include a `diff` (before/after) in the result where it makes sense. */
  diff: boolean;
  /** Ansible no_log: the task's values must not be logged. */
  noLog: boolean;
  verbosity: number;
  log: Logger;
  /** Add a warning shown by Ansible after the task. */
  warn(message: string): void;
  /** Aborted when the process is asked to stop (SIGTERM, SIGINT, SIGHUP): clean up and return. */
  signal: AbortSignal;
}

export interface ReturnDoc {
  description: string;
  returned: string;
  type: 'str' | 'bool' | 'int' | 'float' | 'list' | 'dict' | 'raw';
  elements?: 'str' | 'int' | 'dict' | 'bool';
  sample?: unknown;
  contains?: Record<string, ReturnDoc>;
}

export interface ModuleDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  shortDescription: string;
  description: string[];
  /** Options as a strict zod object: unknown keys are rejected with the list of supported ones. */
  options: S;
  /** Alternative argument names (upstream compatibility), per option. */
  aliases?: Partial<Record<keyof z.input<S> & string, string[]>>;
  /** Accept any capitalisation of the option names, as upstream's Go modules do (Go's JSON decoding). */
  caseInsensitiveKeys?: boolean;
  checkMode: 'full' | 'partial';
  diffMode: 'full' | 'none';
  notes?: string[];
  examples: string;
  returns: Record<string, ReturnDoc>;
  run(params: z.output<S>, ctx: ModuleContext): Promise<ModuleResult>;
}

/** Identity helper that gives `run` the parameter types of `options`. */
export function defineModule<S extends z.ZodObject>(def: ModuleDefinition<S>): ModuleDefinition<S> {
  return def;
}

/** The JSON-Schema view of a module's options, with aliases attached for documentation. */
export function optionsSchema(def: ModuleDefinition): JsonSchema {
  const json = toJsonSchema(def.options);
  for (const [name, aliases] of Object.entries(def.aliases ?? {})) {
    const prop = json.properties?.[name];
    if (prop && aliases) prop.aliases = aliases as string[];
  }
  return json;
}

function failureResult(error: unknown, verbosity: number): Record<string, unknown> {
  if (error instanceof ModuleFailure) return { failed: true, changed: false, ...error.extra, msg: error.message };
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    failed: true,
    changed: false,
    msg: `${err.message}`,
    ...(verbosity >= 3 && err.stack ? { exception: err.stack } : {}),
  };
}

/**
 * Validate the task's arguments for `def`: names folded to the options (aliases, case), secrets registered for
 * masking, arguments without effect here taken out with a warning each, Ansible's type conversions, then the schema.
 */
export function parseParams(def: ModuleDefinition, params: Record<string, unknown>, warn: (message: string) => void = () => {}): unknown {
  const json = optionsSchema(def);
  const normalized = normalizeKeys(params, json, {
    caseInsensitive: def.caseInsensitiveKeys === true,
    aliases: (def.aliases ?? {}) as Record<string, string[]>,
  });
  registerSecretArgs(normalized, json);
  return validateParams(def.options, json, coerceAnsibleTypes(dropNoEffect(normalized, json, warn), json));
}

/**
 * Run one module the way Ansible runs a binary module: read the args file, validate, run, print one JSON result.
 * Returns the exit code.
 */
export async function runModule(def: ModuleDefinition, argsPath: string | undefined, signal: AbortSignal): Promise<number> {
  const warnings: string[] = [];
  let verbosity = 0;
  let result: Record<string, unknown>;
  try {
    const { internals, params } = splitInternals(readArgsFile(argsPath));
    verbosity = internals.verbosity;
    const parsed = parseParams(def, params, (m) => warnings.push(m));
    const ctx: ModuleContext = {
      checkMode: internals.checkMode,
      diff: internals.diff,
      noLog: internals.noLog,
      verbosity,
      log: createLogger({ level: verbosity >= 3 ? 'debug' : 'info' }),
      warn: (m) => warnings.push(m),
      signal,
    };
    result = { ...(await def.run(parsed as never, ctx)) };
  } catch (e) {
    result = failureResult(e, verbosity);
  }
  if (warnings.length > 0) result.warnings = warnings;
  return emitResult(result);
}
