import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { ConnectionError, ThumbprintMismatchError } from './faults.js';

export interface TlsOptions {
  /** Skip certificate verification (vmware_insecure). */
  insecure?: boolean;
  /**
   * SHA-1 thumbprint of the server certificate (`AB:CD:...`, any case, colons optional). When set, the
   * certificate is accepted if and only if it matches, and a mismatch closes the connection before any
   * HTTP byte (so before any credential) is sent.
   */
  thumbprint?: string;
  /** PEM file of the CA (or self-signed certificate) to trust in addition to the system store. */
  caFile?: string;
}

/** `AB:CD:...` upper-case hex pairs, the form vSphere and upstream use. */
export function normalizeThumbprint(value: string): string {
  const hex = value.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length !== 40) throw new ConnectionError(`thumbprint "${value}" is not a SHA-1 fingerprint (20 hex bytes)`, undefined);
  return hex.match(/../g)!.join(':');
}

/** An HTTP dispatcher for one vCenter, with the requested TLS policy applied on every connection. */
export function createDispatcher(server: string, tls: TlsOptions): Agent {
  const pin = tls.thumbprint ? normalizeThumbprint(tls.thumbprint) : undefined;
  const base = buildConnector({
    rejectUnauthorized: !tls.insecure && !pin,
    ...(tls.caFile ? { ca: readFileSync(tls.caFile, 'utf8') } : {}),
    timeout: 30_000,
    // a resumed TLS session has no peer certificate to compare with the pin
    ...(pin ? { maxCachedSessions: 0 } : {}),
  });
  const connect: buildConnector.connector = (opts, callback) => {
    base(opts, (err, socket) => {
      if (err || !socket) {
        callback(describeTlsError(err ?? new Error('no socket'), server), null);
        return;
      }
      if (pin) {
        const got = (socket as TLSSocket).getPeerCertificate().fingerprint?.toUpperCase();
        if (got !== pin) {
          socket.destroy();
          callback(
            new ThumbprintMismatchError(
              `${server} presented a certificate with SHA-1 thumbprint ${got ?? '(none)'} but ${pin} was expected; ` +
                'nothing was sent. Check the thumbprint (it changes when the vCenter certificate is replaced)',
              undefined,
            ),
            null,
          );
          return;
        }
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect, keepAliveTimeout: 30_000, pipelining: 1 });
}

function describeTlsError(err: Error, server: string): Error {
  const code = (err as { code?: string }).code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /certificate/i.test(err.message)) {
    return new ConnectionError(
      `TLS verification of ${server} failed (${err.message}); trust its CA, give its thumbprint, or set vmware_insecure: true`,
      undefined,
    );
  }
  if (err instanceof ConnectionError) return err;
  return new ConnectionError(`cannot connect to ${server}: ${err.message}`, undefined);
}
