import { Session } from './auth.js';
import { resolveCloud } from './cloud-config.js';

/** Resolve the module's `cloud` argument and authenticate; failures keep upstream's message prefix. */
export async function connect(cloudArg: unknown, signal?: AbortSignal): Promise<Session> {
  try {
    return await Session.connect(resolveCloud(cloudArg), { signal });
  } catch (e) {
    throw new Error(`Failed to authenticate Openstack client: ${(e as Error).message}`);
  }
}

/** Run `fn` with an authenticated session and close its connections afterwards. */
export async function withSession<T>(cloudArg: unknown, signal: AbortSignal | undefined, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await connect(cloudArg, signal);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
