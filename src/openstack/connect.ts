import { Session } from './auth.js';
import { type CloudConfig, resolveCloud } from './cloud-config.js';

/** Authenticate with a resolved cloud; failures keep upstream's message prefix. */
async function connectResolved(cfg: CloudConfig, signal?: AbortSignal): Promise<Session> {
  try {
    return await Session.connect(cfg, { signal });
  } catch (e) {
    throw new Error(`Failed to authenticate Openstack client: ${(e as Error).message}`);
  }
}

/** Resolve the module's `cloud` argument and authenticate. */
export async function connect(cloudArg: unknown, signal?: AbortSignal): Promise<Session> {
  return connectResolved(resolveCloud(cloudArg), signal);
}

/** Run `fn` with an authenticated session for a resolved cloud and close its connections afterwards. */
export async function withResolvedCloudSession<T>(cfg: CloudConfig, signal: AbortSignal | undefined, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await connectResolved(cfg, signal);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Run `fn` with an authenticated session for the module's `cloud` argument. */
export async function withCloudSession<T>(cloudArg: unknown, signal: AbortSignal | undefined, fn: (s: Session) => Promise<T>): Promise<T> {
  return withResolvedCloudSession(resolveCloud(cloudArg), signal, fn);
}
