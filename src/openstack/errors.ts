import { maskSecrets } from '../util/secrets.js';

/** Errors of OpenStack API calls; kept apart from the HTTP layer so callers need not load the HTTP client. */

/** An error answer from an OpenStack API (or no answer at all: `status` 0). */
export class OpenStackApiError extends Error {
  override name = 'OpenStackApiError';
  constructor(
    message: string,
    readonly service: string,
    readonly call: string,
    readonly status: number,
    /** OpenStack's fault type when it gave one (e.g. MacAddressInUse, overLimit, itemNotFound) */
    readonly faultType: string | undefined,
    /** OpenStack's own fault message */
    readonly fault: string | undefined,
  ) {
    super(maskSecrets(message));
  }
}

/** OpenStack services wrap faults differently (Nova/Cinder `{"badRequest":{...}}`, Neutron `NeutronError`, ...). */
export function parseFault(body: unknown): { type: string | undefined; message: string | undefined } {
  if (typeof body === 'string') {
    const text = body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    return { type: undefined, message: text ? text.slice(0, 500) : undefined };
  }
  if (!body || typeof body !== 'object') return { type: undefined, message: undefined };
  const b = body as Record<string, unknown>;
  const neutron = b.NeutronError as Record<string, unknown> | undefined;
  if (neutron && typeof neutron === 'object') {
    return { type: String(neutron.type ?? ''), message: String(neutron.message ?? '') };
  }
  if (typeof b.NeutronError === 'string') return { type: undefined, message: b.NeutronError };
  const err = b.error as Record<string, unknown> | undefined;
  if (err && typeof err === 'object') {
    // Keystone {"error":{"code","message","title"}}, Heat {"error":{"message","type"},"explanation"}
    return { type: String(err.type ?? err.title ?? ''), message: String(err.message ?? b.explanation ?? '') };
  }
  for (const [k, v] of Object.entries(b)) {
    if (v && typeof v === 'object' && 'message' in (v as object)) {
      return { type: k, message: String((v as Record<string, unknown>).message) };
    }
  }
  if (typeof b.message === 'string') return { type: undefined, message: b.message };
  if (typeof b.title === 'string') return { type: undefined, message: `${b.title}${b.description ? `: ${b.description}` : ''}` };
  return { type: undefined, message: undefined };
}

export function isNotFound(e: unknown): boolean {
  return e instanceof OpenStackApiError && e.status === 404;
}
