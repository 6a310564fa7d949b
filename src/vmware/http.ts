import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { ThumbprintMismatch, pinnedTls, pinningConnector } from '../util/tls-pinning.js';
import { ConnectionError, ThumbprintMismatchError } from './faults.js';

export interface TlsOptions {
  /** Skip certificate verification (vmware_insecure). */
  insecure?: boolean;
  /**
   * SHA-1 (as vSphere shows it) or SHA-256 thumbprint of the server certificate (`AB:CD:...`, any case, colons
   * optional). When set, the certificate is accepted if and only if it matches, and a mismatch closes the
   * connection before any HTTP byte (so before any credential) is sent.
   */
  thumbprint?: string;
  /** PEM file of the CA (or self-signed certificate) to trust in addition to the system store. */
  caFile?: string;
}

/** An HTTP dispatcher for one vCenter, with the requested TLS policy (util/tls-pinning.ts) on every connection. */
export function createDispatcher(tls: TlsOptions): Agent {
  const ca = tls.caFile ? readFileSync(tls.caFile, 'utf8') : undefined;
  let pinned;
  try {
    pinned = pinnedTls({ ...(ca ? { ca } : {}), ...(tls.insecure ? { insecure: true } : {}), ...(tls.thumbprint ? { thumbprint: tls.thumbprint } : {}) });
  } catch (e) {
    throw new ConnectionError((e as Error).message, undefined);
  }
  return new Agent({ connect: pinningConnector(pinned, describeTlsError), keepAliveTimeout: 30_000, pipelining: 1 });
}

function describeTlsError(err: Error, server: string): Error {
  if (err instanceof ThumbprintMismatch) return new ThumbprintMismatchError(err.message, undefined);
  const code = (err as { code?: string }).code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /certificate/i.test(err.message)) {
    return new ConnectionError(
      `TLS verification of ${server} failed (${err.message}); trust its CA, give its thumbprint, or set vmware_insecure: true`,
      undefined,
    );
  }
  return new ConnectionError(`cannot connect to ${server}: ${err.message}`, undefined);
}
