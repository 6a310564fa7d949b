import { z } from 'zod';

/**
 * The JSON-Schema view of a module's zod options, used for documentation, Ansible-style type coercion,
 * key folding and secret discovery. zod stays the single source of truth.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  additionalProperties?: boolean | JsonSchema;
  minLength?: number;
  /** our metadata: the value must never be printed (Ansible `no_log`) */
  secret?: boolean;
  /** our metadata: documentation type override (e.g. `raw`, `path`) */
  ansibleType?: string;
  /** our metadata: documentation-only aliases of this option */
  aliases?: string[];
  /** our metadata: an upstream argument that does nothing here, and why (see `noEffect`) */
  noEffect?: string;
  [k: string]: unknown;
}

export function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
}

/** A secret string option: documented `no_log: true`, masked in every output. */
export function secretString(description: string) {
  return z.string().meta({ description, secret: true });
}

/**
 * An argument upstream reads or documents that does nothing here. It is accepted under upstream's name, and its value
 * is not validated (upstream's Go modules ignore it too); each one given adds a warning saying `why`, which names what
 * to use instead. `shape` documents its type and marks the secrets inside it for masking.
 */
export function noEffect(why: string, shape: z.ZodType = z.unknown()) {
  return shape.optional().meta({ description: `No effect here, accepted for compatibility with upstream: ${why}`, noEffect: why });
}

/** Ansible's name for a JSON value's type, as used in error messages. */
export function ansibleTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'object':
      return 'dict';
    default:
      return typeof value;
  }
}

/** Ansible's name for a JSON-Schema type. */
export function ansibleTypeOfSchema(s: JsonSchema): string {
  if (s.ansibleType) return s.ansibleType;
  if (s.anyOf) return 'raw';
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null') : s.type;
  if (Array.isArray(t)) return t.length === 1 ? ansibleTypeOfSchema({ type: t[0] }) : 'raw';
  switch (t) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'integer':
      return 'int';
    case 'number':
      return 'float';
    case 'array':
      return 'list';
    case 'object':
      return 'dict';
    default:
      return 'raw';
  }
}
