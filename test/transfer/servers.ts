import { execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, connect } from 'node:net';
import { join, normalize } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A self-signed certificate for 127.0.0.1 made with openssl in `dir`. */
export function selfSignedCert(dir: string): { key: Buffer; cert: Buffer; sha1: string; sha256: string } {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const pem = readFileSync(cert);
  const x = new X509Certificate(pem);
  return { key: readFileSync(key), cert: pem, sha1: x.fingerprint, sha256: x.fingerprint256 };
}

export interface DatastoreServer {
  port: number;
  /** `https://127.0.0.1:<port>/folder/<path>?dcPath=DC0&dsName=<ds>` */
  url(path: string): string;
  /** Body bytes sent for GET requests so far. */
  bytesServed: number;
  requests: number;
  cert: { cert: Buffer; sha1: string; sha256: string };
  /** From now on every request is refused with 401, as after a session timeout. */
  expireSession(): void;
  close(): Promise<void>;
}

/**
 * A real HTTPS server speaking the datastore file-access dialect (GET/HEAD `/folder/<path>?dcPath=&dsName=`,
 * byte ranges, a required session cookie), serving files from `root`.
 */
export async function startDatastoreServer(opts: {
  root: string;
  dir: string;
  dsName?: string;
  cookie?: string;
  /** Require HTTP basic auth `user:password` instead of the cookie. */
  basicAuth?: string;
  /** Drop the connection (no response) for this many ranged GETs of more than 64 KiB: a flaky network. */
  dropRangedGets?: number;
  /** Answer `Connection: close` and close after every response (no keep-alive). */
  connectionClose?: boolean;
}): Promise<DatastoreServer> {
  let drops = opts.dropRangedGets ?? 0;
  const tls = selfSignedCert(opts.dir);
  const ds = opts.dsName ?? 'LocalDS_0';
  const state = { bytesServed: 0, requests: 0, expired: false };
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    state.requests++;
    if (opts.connectionClose) res.shouldKeepAlive = false;
    const u = new URL(req.url ?? '/', 'https://x');
    if (state.expired) {
      res.writeHead(401).end();
      return;
    }
    if (opts.basicAuth && req.headers.authorization !== `Basic ${Buffer.from(opts.basicAuth).toString('base64')}`) {
      res.writeHead(401).end();
      return;
    }
    if (opts.cookie && req.headers.cookie !== opts.cookie) {
      res.writeHead(401).end();
      return;
    }
    if (!u.pathname.startsWith('/folder/') || u.searchParams.get('dcPath') !== 'DC0' || u.searchParams.get('dsName') !== ds) {
      res.writeHead(404).end();
      return;
    }
    const file = join(opts.root, normalize(decodeURIComponent(u.pathname.slice('/folder/'.length))));
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' }).end();
      return;
    }
    let start = 0;
    let end = size - 1;
    if (range && drops > 0 && Number(range[2]) - Number(range[1]) >= 65536) {
      drops--;
      req.socket.destroy();
      return;
    }
    if (range) {
      start = Number(range[1]);
      end = Math.min(Number(range[2]), size - 1);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
    } else {
      res.writeHead(200, { 'content-length': size });
    }
    const stream = createReadStream(file, { start, end, highWaterMark: 1024 * 1024 });
    stream.on('data', (c) => {
      state.bytesServed += c.length;
    });
    stream.pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (path) => `https://127.0.0.1:${port}/folder/${path.split('/').map(encodeURIComponent).join('/')}?dcPath=DC0&dsName=${ds}`,
    get bytesServed() {
      return state.bytesServed;
    },
    set bytesServed(v: number) {
      state.bytesServed = v;
    },
    get requests() {
      return state.requests;
    },
    set requests(v: number) {
      state.requests = v;
    },
    cert: tls,
    expireSession: () => {
      state.expired = true;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface TestSshd {
  /** The listening sshd; each connection is served by a child of it. */
  pid: number;
  port: number;
  user: string;
  privateKey: Buffer;
  /** `SHA256:<base64>` of the host key. */
  hostKeySha256: string;
  stop(): Promise<void>;
}

/** OpenSSH's sshd on a free loopback port with a temporary host key and one authorized client key (SFTP subsystem). */
export async function startSshd(dir: string): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientKey = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${stderr}`);
    await sleep(100);
  }
  const blob = Buffer.from(readFileSync(`${hostKey}.pub`, 'utf8').split(' ')[1]!, 'base64');
  return {
    pid: child.pid!,
    port,
    user: 'root',
    privateKey: readFileSync(clientKey),
    hostKeySha256: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
