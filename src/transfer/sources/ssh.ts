import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Client, type SFTPWrapper } from 'ssh2';
import { registerSecret } from '../../util/secrets.js';
import type { DiskSource, SourceStats } from '../types.js';
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

export async function openSshSource(o: SshSourceOptions): Promise<DiskSource> {
  if (o.password) registerSecret(o.password);
  if (o.passphrase) registerSecret(o.passphrase);
  const pin = o.hostKeySha256.replace(/^SHA256:/, '').replace(/=+$/, '');
  if (!pin) throw new Error('ssh source: hostKeySha256 (the ESXi host key fingerprint, SHA256:...) is required');
  const where = `${o.username}@${o.host}:${o.port ?? 22}`;
  const client = new Client();
  let seenKey = '';
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (e) => {
      const why = seenKey && seenKey !== pin ? `host key SHA256:${seenKey} does not match the pinned SHA256:${pin}` : e.message;
      reject(new Error(`ssh source: cannot connect to ${where}: ${why}`));
    });
    client.connect({
      host: o.host,
      port: o.port ?? 22,
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
  });
  const handles = new Map<string, Buffer>();
  let sftp: SFTPWrapper | undefined;
  const close = async (): Promise<void> => {
    if (sftp) await Promise.allSettled([...handles.values()].map((h) => new Promise<void>((r) => sftp!.close(h, () => r()))));
    handles.clear();
    client.end();
  };
  try {
    sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) => (err ? reject(new Error(`ssh source: SFTP unavailable on ${where}: ${err.message}`)) : resolve(s))),
    );
    const s = sftp;
    const openFile = (path: string): Promise<Buffer> =>
      new Promise((resolve, reject) =>
        s.open(path, 'r', (err, h) => (err ? reject(new Error(`ssh source: cannot open ${where}${path}: ${err.message}`)) : resolve(h))),
      );
    const maxLen = (s as unknown as { _maxReadLen?: number })._maxReadLen ?? 32 * 1024;
    const readPart = (h: Buffer, buf: Buffer, pos: number): Promise<number> =>
      new Promise((resolve, reject) => s.read(h, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
    const readFull = async (h: Buffer, buf: Buffer, pos: number, allowShort: boolean): Promise<number> => {
      let done = 0;
      while (done < buf.length) {
        const n = await readPart(h, buf.subarray(done), pos + done).catch((e: Error & { code?: number }) => {
          if (e.code === 1) return 0; // SSH_FX_EOF
          throw e;
        });
        if (n === 0) {
          if (allowShort) return done;
          throw new Error(`ssh source: ${where}: unexpected end of file at ${pos + done}`);
        }
        done += n;
      }
      return done;
    };

    const descHandle = await openFile(o.path);
    const head = Buffer.alloc(64 * 1024);
    const got = await readFull(descHandle, head, 0, true);
    await new Promise<void>((r) => s.close(descHandle, () => r()));
    if (isBinarySparseVmdk(head)) throw new Error(`${o.path} is a sparse VMDK; the ssh source reads flat disks only (use the vddk source)`);
    const layout = flatLayout(parseVmdkDescriptor(head.subarray(0, got).toString('utf8'), `${where}${o.path}`), `${where}${o.path}`);
    const dir = posix.dirname(o.path);
    for (const e of layout.extents) {
      if (e.file !== undefined && !handles.has(e.file)) handles.set(e.file, await openFile(posix.join(dir, e.file)));
    }
    const stats: SourceStats = { bytesRead: 0, requests: 0 };
    const perRead = o.requestsPerRead ?? 16;
    const readFile = async (file: string, buf: Buffer, fileOffset: number): Promise<void> => {
      const h = handles.get(file)!;
      // Split into SFTP-sized requests, at most `perRead` in flight.
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < buf.length) {
          const start = next;
          const end = Math.min(buf.length, start + maxLen);
          next = end;
          stats.requests++;
          const n = await readFull(h, buf.subarray(start, end), fileOffset + start, true);
          // Past the end of a flat extent file reads as zeros.
          if (n < end - start) buf.fill(0, start + n, end);
          stats.bytesRead += n;
        }
      };
      await Promise.all(Array.from({ length: Math.min(perRead, Math.ceil(buf.length / maxLen)) }, lane));
    };
    return new LayoutSource({ kind: 'ssh', layout, readFile, stats, parallelism: 4, maxReadSize: 64 * 1024 * 1024, close });
  } catch (e) {
    await close();
    throw e;
  }
}
