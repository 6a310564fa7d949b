import type { z } from 'zod';
import { ModuleFailure } from './errors.js';
import { type JsonSchema, ansibleTypeOf, ansibleTypeOfSchema } from './schema.js';

type Issue = z.core.$ZodIssue;

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function schemaAt(root: JsonSchema, path: PropertyKey[]): JsonSchema | undefined {
  let cur: JsonSchema | undefined = root;
  for (const key of path) {
    if (!cur) return undefined;
    cur = typeof key === 'number' ? cur.items : cur.properties?.[String(key)];
  }
  return cur;
}

function describePath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function describeIssue(issue: Issue, input: unknown, schema: JsonSchema): string {
  const where = describePath(issue.path);
  const value = valueAt(input, issue.path);
  const sub = schemaAt(schema, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `missing required argument '${where}'`;
      return `argument '${where}' is of type ${ansibleTypeOf(value)}; expected ${sub ? ansibleTypeOfSchema(sub) : issue.expected}`;
    case 'unrecognized_keys': {
      const props = Object.entries(schemaAt(schema, issue.path)?.properties ?? {});
      const known = props.filter(([, s]) => s.noEffect === undefined).map(([k]) => k).sort();
      const prefix = where ? `${where}.` : '';
      return `unsupported argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${prefix}${k}'`).join(', ')}; supported: ${known.join(', ')}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return `argument '${where}' must not be empty`;
      return `argument '${where}' must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'too_big':
      return `argument '${where}' must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `argument '${where}' must be one of: ${issue.values.map(String).join(', ')}; got '${String(value)}'`;
    case 'invalid_union':
      return `argument '${where}' of type ${ansibleTypeOf(value)} is not valid: expected ${sub ? describeUnion(sub) : 'another type'}`;
    default:
      return where ? `argument '${where}': ${issue.message}` : issue.message;
  }
}

function describeUnion(s: JsonSchema): string {
  return (s.anyOf ?? []).map((b) => ansibleTypeOfSchema(b)).join(' or ');
}

/** Validate module options with zod; every problem is named by its argument path and Ansible type. */
export function validateParams<S extends z.ZodType>(schema: S, json: JsonSchema, params: unknown): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const messages = result.error.issues.map((i) => describeIssue(i, params, json));
  throw new ModuleFailure(`Invalid module arguments: ${[...new Set(messages)].join('; ')}`);
}
