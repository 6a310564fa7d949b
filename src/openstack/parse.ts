import type { z } from 'zod';

/** Check an API answer against the shape we depend on; a mismatch names the service call. */
export function parseAnswer<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
  throw new Error(`unexpected answer from ${what}: ${issues}`);
}
