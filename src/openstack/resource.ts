import type { z } from 'zod';
import type { HttpRequest } from './http.js';
import type { RequestOptions, ServiceType, Session } from './auth.js';
import { isNotFound } from './errors.js';

/**
 * The calls every resource file is made of: send a request and check its answer against the shape we depend on,
 * get one resource (undefined when it does not exist), list a whole collection.
 */

/** Check an API answer against the shape we depend on; a mismatch names the service call. */
export function parseAnswer<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
  throw new Error(`unexpected answer from ${what}: ${issues}`);
}

/** `call`'s value, or undefined when OpenStack answers 404 (the resource does not exist, or no longer does). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

interface OneOptions extends RequestOptions {
  /** The member of the answer that holds the resource (Nova's `{"server": {...}}`); the whole body without it. */
  key?: string;
}

/** Send a request whose answer is one resource, checked against `schema`. */
export async function requestOne<S extends z.ZodType>(
  s: Session,
  service: ServiceType,
  call: string,
  method: HttpRequest['method'],
  path: string,
  schema: S,
  opts: OneOptions = {},
): Promise<z.output<S>> {
  const res = await s.request(service, call, method, path, opts);
  const value = opts.key === undefined ? res.body : (res.body as Record<string, unknown> | undefined)?.[opts.key];
  return parseAnswer(schema, value, `${service}: ${call}`);
}

/** GET one resource; undefined when it does not exist. */
export function getOrUndefined<S extends z.ZodType>(
  s: Session,
  service: ServiceType,
  call: string,
  path: string,
  schema: S,
  opts: OneOptions = {},
): Promise<z.output<S> | undefined> {
  return unlessNotFound(requestOne(s, service, call, 'GET', path, schema, opts));
}

/** GET every page of a collection (the list under `key`), each item checked against `schema`. */
export async function listAll<S extends z.ZodType>(
  s: Session,
  service: ServiceType,
  call: string,
  path: string,
  key: string,
  schema: S,
  opts: RequestOptions = {},
): Promise<Array<z.output<S>>> {
  const items = await s.list<unknown>(service, call, path, key, opts);
  return items.map((x) => parseAnswer(schema, x, `${service}: ${call}`));
}
