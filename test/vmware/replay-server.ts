// A local HTTPS endpoint that answers vim25 requests with recorded XML (test/vmware/fixtures), by operation name.
// It records every request it receives, so tests can check what the client sent (or that nothing was sent).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const fixturesDir = new URL('../../../test/vmware/fixtures/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, fixturesDir), 'utf8');
}

export interface RecordedRequest {
  op: string;
  cookie: string | undefined;
  /** The request body as sent. */
  body: string;
}

export interface ReplayServer {
  host: string;
  certFile: string;
  /** SHA-1 and SHA-256 fingerprints of the server certificate. */
  thumbprint: string;
  thumbprint256: string;
  requests: RecordedRequest[];
  /** Answer the next calls of `op` with these fixture files (or literal XML when it starts with '<'), in order. */
  queue(op: string, ...answers: string[]): void;
  close(): Promise<void>;
}

let certPair: { cert: string; key: string; certFile: string } | undefined;

function testCertificate(): { cert: string; key: string; certFile: string } {
  if (certPair) return certPair;
  const dir = mkdtempSync(join(tmpdir(), 'osm-replay-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  certPair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
  return certPair;
}

const empty = (op: string): string =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><${op}Response xmlns="urn:vim25"></${op}Response></soapenv:Body></soapenv:Envelope>`;

export async function startReplayServer(password = 'pass'): Promise<ReplayServer> {
  const { cert, key, certFile } = testCertificate();
  const queues = new Map<string, string[]>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer({ cert, key }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const op = /<soapenv:Body>\s*<(\w+)/.exec(body)?.[1] ?? '?';
      requests.push({ op, cookie: req.headers.cookie, body });
      let answer: string;
      const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
      const queued = queues.get(op)?.shift();
      if (queued) answer = queued.startsWith('<') ? queued : fixture(queued);
      else if (op === 'RetrieveServiceContent') answer = fixture('service-content.xml');
      else if (op === 'Login') {
        if (new RegExp(`<(?:\\w+:)?password>${password}</`).test(body)) {
          answer = fixture('login.xml');
          headers['set-cookie'] = `vmware_soap_session="replay-${requests.length}"; Path=/; HttpOnly; Secure`;
        } else answer = fixture('fault-invalid-login.xml');
      } else if (op === 'Logout' || op === 'DestroyView') answer = empty(op);
      else answer = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>no recorded answer for ${op}</faultstring><detail><MethodNotFoundFault xmlns="urn:vim25"/></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;
      res.writeHead(answer.includes(':Fault>') ? 500 : 200, headers);
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    certFile,
    thumbprint: new X509Certificate(cert).fingerprint,
    thumbprint256: new X509Certificate(cert).fingerprint256,
    requests,
    queue: (op, ...answers) => queues.set(op, [...(queues.get(op) ?? []), ...answers]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
