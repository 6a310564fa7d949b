import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

/**
 * Certificate pinning for every HTTPS client of the tool (the vSphere SDK and the datastore file access): a
 * thumbprint, SHA-1 (as vSphere shows it) or SHA-256, replaces CA verification, and a connection whose certificate
 * does not match is closed right after the TLS handshake, before any HTTP byte (so before any password or session
 * cookie) is sent.
 */
export interface TlsPolicy {
  /** PEM CA bundle (or self-signed certificate) to trust in addition to the system store. */
  ca?: string | Buffer;
  /** Skip certificate verification (the user opted out). */
  insecure?: boolean;
  /** SHA-1 or SHA-256 thumbprint of the server certificate (`AB:CD:...`, any case, colons optional). */
  thumbprint?: string;
}

/** A pin refused the server's certificate; nothing was sent on the connection. */
export class ThumbprintMismatch extends Error {
  constructor(
    readonly server: string,
    readonly expected: string,
    readonly got: string | undefined,
  ) {
    super(
      `${server} presented a certificate with ${algorithmName(expected)} thumbprint ${got ?? '(none)'} but ${expected} was expected; ` +
        'nothing was sent. Check the thumbprint (it changes when the vCenter certificate is replaced)',
    );
    this.name = 'ThumbprintMismatch';
  }
}

/**
 * `AB:CD:...` upper-case hex pairs, the form vSphere and upstream use, from a SHA-1 (20 bytes) or SHA-256 (32 bytes)
 * thumbprint in any case, with or without colons, optionally prefixed `SHA1:` or `SHA256:`.
 */
export function normalizeThumbprint(value: string): string {
  const hex = value
    .trim()
    .replace(/^sha-?(1|256):/i, '')
    .replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(hex) || (hex.length !== 40 && hex.length !== 64)) {
    throw new Error(`thumbprint "${value}" is neither a SHA-1 (20 hex bytes) nor a SHA-256 (32 hex bytes) fingerprint`);
  }
  return hex.toUpperCase().match(/../g)!.join(':');
}

function algorithmName(pin: string): string {
  return pin.length > 59 ? 'SHA-256' : 'SHA-1';
}

/**
 * TLS options for a policy: with a pin (or `insecure`) the chain is not verified, the pin is checked instead; and
 * TLS sessions are not resumed, since a resumed session shows no peer certificate to compare with the pin.
 */
function tlsOptions(policy: TlsPolicy): ConnectionOptions {
  const pinned = policy.thumbprint !== undefined;
  return {
    rejectUnauthorized: !policy.insecure && !pinned,
    ...(policy.ca ? { ca: policy.ca } : {}),
    ...(pinned ? { maxCachedSessions: 0 } : {}),
  } as ConnectionOptions;
}

/** Throw ThumbprintMismatch (after destroying the socket) when `pin` is set and the socket's certificate differs. */
function checkPin(socket: TLSSocket, pin: string | undefined, server: string): void {
  if (pin === undefined) return;
  const cert = socket.getPeerCertificate();
  const got = (pin.length > 59 ? cert.fingerprint256 : cert.fingerprint)?.toUpperCase();
  if (got !== pin) {
    socket.destroy();
    throw new ThumbprintMismatch(server, pin, got);
  }
}

/**
 * A TLS policy ready for connections: the options to connect with and the check to run on each connection once
 * the handshake is done (before the first request). The thumbprint is normalized here, so a malformed one fails
 * before any connection.
 */
export interface PinnedTls {
  options: ConnectionOptions;
  check: (socket: TLSSocket, server: string) => void;
}

export function pinnedTls(policy: TlsPolicy): PinnedTls {
  const pin = policy.thumbprint === undefined ? undefined : normalizeThumbprint(policy.thumbprint);
  return {
    options: tlsOptions({ ...policy, ...(pin ? { thumbprint: pin } : {}) }),
    check: (socket, server) => checkPin(socket, pin, server),
  };
}

/**
 * An undici connector applying the policy: a refused certificate's socket is destroyed before undici sees it, so
 * no request is written. `describe` turns connection errors (TLS verification, refused, pin mismatch) into the
 * caller's errors.
 */
export function pinningConnector(
  tls: PinnedTls,
  describe: (err: Error, server: string) => Error = (err) => err,
  timeout = 30_000,
): buildConnector.connector {
  const connector = buildConnector({ ...tls.options, timeout } as buildConnector.BuildOptions);
  return (options, callback) => {
    const server = `${options.hostname}:${options.port || 443}`;
    connector(options, (err, socket) => {
      if (err || !socket) return callback(describe(err ?? new Error('TLS connect failed'), server), null);
      try {
        tls.check(socket as TLSSocket, server);
      } catch (e) {
        return callback(describe(e as Error, server), null);
      }
      callback(null, socket);
    });
  };
}
