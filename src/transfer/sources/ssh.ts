import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { posix } from 'node:path';
import ssh2, { Client, type SFTPWrapper } from 'ssh2';
import { registerSecret } from '../../util/secrets.js';
import { type DiskSource, NETWORK_CHUNK_SIZE, type SourceStats } from '../types.js';
import { flatLayout, isBinarySparseVmdk, parseVmdkDescriptor } from '../vmdk.js';
import { LayoutSource } from './layout-source.js';

/**
 * `ssh` source, VDDK-free: the datastore files read over SFTP from the ESXi host (ssh2). The descriptor is read
 * first; the flat extents are read with many SFTP read requests in flight. The host key is pinned by fingerprint.
 */
export interface SshSourceOptions {
  host: string;
  port?: number;
  username: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  password?: string;
  /** Host key fingerprint as `ssh-keygen -l` prints it: `SHA256:<base64>`. Required: the connection is refused otherwise. */
  hostKeySha256: string;
  /** Path of the `.vmdk` descriptor on the host, e.g. `/vmfs/volumes/datastore1/vm-1/vm-1.vmdk`. */
  path: string;
  /** SSH connections (each with its own SFTP session) used in parallel (default 4). */
  connections?: number;
  /** SFTP read requests in flight per chunk read (default 16). */
  requestsPerRead?: number;
  readyTimeoutMs?: number;
}

/** ESXi path of a backing file name: `[datastore1] vm-1/vm-1.vmdk` -> `/vmfs/volumes/datastore1/vm-1/vm-1.vmdk`. */
export function esxiDatastorePath(backingFileName: string): string {
  const m = /^\s*\[([^\]]+)\]\s*(.+?)\s*$/.exec(backingFileName);
  if (!m || m[2]!.split('/').includes('..')) throw new Error(`unexpected backing file name ${JSON.stringify(backingFileName)}`);
  return posix.join('/vmfs/volumes', m[1]!, m[2]!);
}

/**
 * Why `key` (the content of a private key file) cannot be used, or undefined when it can: not a private key, or
 * encrypted and the passphrase is missing or wrong. The reason never quotes the key.
 */
export function privateKeyProblem(key: Buffer, passphrase: string | undefined): string | undefined {
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (!(parsed instanceof Error)) {
    const first = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
    return first && (first as { isPrivateKey(): boolean }).isPrivateKey() ? undefined : 'it holds no private key';
  }
  const m = parsed.message;
  if (/no passphrase/i.test(m)) return 'it is encrypted and no passphrase was given';
  if (/bad passphrase/i.test(m)) return 'the passphrase does not decrypt it';
  return 'it is not a private key ssh can read (OpenSSH, PEM or PuTTY format)';
}

/** One SSH connection with its SFTP session and open extent handles. */
interface SftpConn {
  client: Client;
  sftp: SFTPWrapper;
  handles: Map<string, Buffer>;
  maxReadLen: number;
}

/**
 * A TCP connection whose writes of one tick leave in one syscall: ssh2 writes every SFTP read request (and window
 * adjustment) as its own packet, and a chunk read issues 16 of them at once.
 */
async function coalescingSocket(host: string, port: number, timeoutMs: number, where: string): Promise<Socket> {
  const sock = netConnect({ host, port, timeout: timeoutMs });
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error): void => {
      sock.destroy();
      reject(new Error(`ssh source: cannot connect to ${where}: ${e.message}`));
    };
    const timedOut = (): void => fail(new Error(`no answer within ${timeoutMs / 1000} s`));
    sock.once('error', fail);
    sock.once('timeout', timedOut);
    sock.once('connect', () => {
      sock.off('error', fail);
      sock.off('timeout', timedOut);
      sock.setTimeout(0);
      resolve();
    });
  });
  sock.setNoDelay(true);
  const write = sock.write.bind(sock) as (...args: unknown[]) => boolean;
  let corked = false;
  sock.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      sock.cork();
      process.nextTick(() => {
        corked = false;
        sock.uncork();
      });
    }
    return write(...args);
  }) as typeof sock.write;
  return sock;
}

async function connectSftp(o: SshSourceOptions, pin: string, where: string): Promise<SftpConn> {
  const client = new Client();
  let seenKey = '';
  const sock = await coalescingSocket(o.host, o.port ?? 22, o.readyTimeoutMs ?? 20_000, where);
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (e) => {
      const why = seenKey && seenKey !== pin ? `host key SHA256:${seenKey} does not match the pinned SHA256:${pin}` : e.message;
      reject(new Error(`ssh source: cannot connect to ${where}: ${why}`));
    });
    client.connect({
      sock,
      username: o.username,
      ...(o.privateKey ? { privateKey: o.privateKey } : {}),
      ...(o.passphrase ? { passphrase: o.passphrase } : {}),
      ...(o.password ? { password: o.password } : {}),
      readyTimeout: o.readyTimeoutMs ?? 20_000,
      keepaliveInterval: 15_000,
      hostVerifier: (key: Buffer) => {
        seenKey = createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
        return seenKey === pin;
      },
      algorithms: { cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes256-ctr'] },
    });
  }).catch((e: unknown) => {
    sock.destroy();
    throw e;
  });
  try {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) => (err ? reject(new Error(`ssh source: SFTP unavailable on ${where}: ${err.message}`)) : resolve(s))),
    );
    const maxReadLen = (sftp as unknown as { _maxReadLen?: number })._maxReadLen ?? 32 * 1024;
    return { client, sftp, handles: new Map(), maxReadLen };
  } catch (e) {
    client.end();
    throw e;
  }
}

function openFile(c: SftpConn, path: string, where: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    c.sftp.open(path, 'r', (err, h) => (err ? reject(new Error(`ssh source: cannot open ${where}${path}: ${err.message}`)) : resolve(h))),
  );
}

/** Read into `buf` from `pos` until full or end of file; returns the bytes read. */
async function readFull(c: SftpConn, h: Buffer, buf: Buffer, pos: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const n = await new Promise<number>((resolve, reject) =>
      c.sftp.read(h, buf, done, buf.length - done, pos + done, (err, nb) => {
        if (err && (err as Error & { code?: number }).code === 1) resolve(0); // SSH_FX_EOF
        else if (err) reject(err);
        else resolve(nb);
      }),
    );
    if (n === 0) return done;
    done += n;
  }
  return done;
}

async function closeConn(c: SftpConn): Promise<void> {
  await Promise.allSettled([...c.handles.values()].map((h) => new Promise<void>((r) => c.sftp.close(h, () => r()))));
  c.handles.clear();
  c.client.end();
}

export async function openSshSource(o: SshSourceOptions): Promise<DiskSource> {
  if (o.password) registerSecret(o.password);
  if (o.passphrase) registerSecret(o.passphrase);
  const pin = o.hostKeySha256.replace(/^SHA256:/, '').replace(/=+$/, '');
  if (!pin) throw new Error('ssh source: hostKeySha256 (the ESXi host key fingerprint, SHA256:...) is required');
  const where = `${o.username}@${o.host}:${o.port ?? 22}`;
  const conns: SftpConn[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(conns.map(closeConn));
  };
  try {
    const first = await connectSftp(o, pin, where);
    conns.push(first);
    const descHandle = await openFile(first, o.path, where);
    const head = Buffer.alloc(64 * 1024);
    const got = await readFull(first, descHandle, head, 0);
    await new Promise<void>((r) => first.sftp.close(descHandle, () => r()));
    if (isBinarySparseVmdk(head)) throw new Error(`${o.path} is a sparse VMDK; the ssh source reads flat disks only (use the vddk source)`);
    const layout = flatLayout(parseVmdkDescriptor(head.subarray(0, got).toString('utf8'), `${where}${o.path}`), `${where}${o.path}`);
    // More connections: each is served by its own sshd process and has its own flow-control window.
    const more = await Promise.all(Array.from({ length: Math.max(0, (o.connections ?? 4) - 1) }, () => connectSftp(o, pin, where)));
    conns.push(...more);
    const dir = posix.dirname(o.path);
    for (const c of conns) {
      for (const e of layout.extents) {
        if (e.file !== undefined && !c.handles.has(e.file)) c.handles.set(e.file, await openFile(c, posix.join(dir, e.file), where));
      }
    }
    const stats: SourceStats = { bytesRead: 0, requests: 0 };
    const perRead = o.requestsPerRead ?? 16;
    let turn = 0;
    const readFile = async (file: string, buf: Buffer, fileOffset: number): Promise<void> => {
      const c = conns[turn++ % conns.length]!;
      const h = c.handles.get(file)!;
      // Split into SFTP-sized requests, at most `perRead` in flight.
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < buf.length) {
          const start = next;
          const end = Math.min(buf.length, start + c.maxReadLen);
          next = end;
          stats.requests++;
          const n = await readFull(c, h, buf.subarray(start, end), fileOffset + start);
          // Past the end of a flat extent file reads as zeros.
          if (n < end - start) buf.fill(0, start + n, end);
          stats.bytesRead += n;
        }
      };
      await Promise.all(Array.from({ length: Math.min(perRead, Math.ceil(buf.length / c.maxReadLen)) }, lane));
    };
    return new LayoutSource({ kind: 'ssh', layout, readFile, stats, parallelism: Math.max(4, conns.length), maxReadSize: 64 * 1024 * 1024, chunkSize: NETWORK_CHUNK_SIZE, targetWrites: 'direct', close });
  } catch (e) {
    await close();
    throw e;
  }
}
