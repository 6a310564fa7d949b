import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { localDiskPath, openLocalSource } from '../transfer/sources/local.js';
import { checkVddkInstalled, isSha1Thumbprint, openVddkSource } from '../transfer/sources/vddk.js';
import type { DiskSource } from '../transfer/types.js';
import { normalizeThumbprint } from '../util/tls-pinning.js';
import { sdkEndpoint, type VSphereSession } from '../vmware/session.js';
import type { HttpsPathUsed, SourceSettings, VmwareEndpoint } from './migrate-request.js';
import { openHttpsDisk } from './migrate-source-https.js';

export interface OpenDiskArgs {
  settings: SourceSettings;
  endpoint: VmwareEndpoint;
  session: VSphereSession;
  datacenter: string;
  vmMoid: string;
  /** The snapshot the disk is read from; without one (the pre-checks) the disk's current file is read. */
  snapshotMoid?: string | undefined;
  /** Backing file of the disk in the snapshot, `[datastore] folder/disk.vmdk`. */
  fileName: string;
  /** Name for sockets, `<SafeVmName>-<runid>-<diskkey>`. */
  name: string;
  onOutput: (line: string) => void;
  signal: AbortSignal;
}

/** An opened disk, and for disk_source https the path its bytes come through. */
export interface OpenedDisk {
  source: DiskSource;
  httpsPath?: HttpsPathUsed;
}

/** Open the snapshot's copy of one disk through the configured source. */
export async function openDiskSource(a: OpenDiskArgs): Promise<OpenedDisk> {
  const { settings, endpoint } = a;
  const host = hostOf(endpoint.server);
  switch (settings.kind) {
    case 'local': {
      if (!settings.localDiskPath) throw new Error('disk_source local needs localdiskpath (the mount point of the datastore)');
      return { source: await openLocalSource({ path: localDiskPath(settings.localDiskPath, a.fileName), name: a.name, onOutput: a.onOutput }) };
    }
    case 'https': {
      const { source, path } = await openHttpsDisk(a);
      return { source, httpsPath: path };
    }
    case 'ssh': {
      const { esxiDatastorePath, openSshSource } = await loadSshSource();
      return { source: await openSshSource({ ...(await sshAccess(settings.ssh, host)), path: esxiDatastorePath(a.fileName) }) };
    }
    case 'vddk':
      if (!a.snapshotMoid) throw new Error('the vddk source reads disks from a snapshot only');
      return { source: await openVddkSource({
        server: host,
        user: endpoint.user,
        password: endpoint.password,
        thumbprint: endpoint.thumbprint ? normalizeThumbprint(endpoint.thumbprint) : await serverThumbprint(endpoint),
        vmMoref: a.vmMoid,
        snapshotMoref: a.snapshotMoid,
        file: a.fileName,
        libdir: settings.vddk.libdir,
        compression: settings.vddk.compression,
        name: a.name,
        onOutput: a.onOutput,
        signal: a.signal,
      }) };
  }
}

/**
 * What the vddk source needs before a snapshot is taken: nbdkit's vddk plugin and the VDDK library under libdir, and
 * the certificate thumbprint VDDK pins (vmware_thumbprint, else read from the server over a verified connection).
 */
export async function checkVddkAccess(settings: SourceSettings, endpoint: VmwareEndpoint): Promise<void> {
  await checkVddkInstalled(settings.vddk.libdir);
  if (!endpoint.thumbprint) {
    await serverThumbprint(endpoint);
    return;
  }
  let thumbprint: string;
  try {
    thumbprint = normalizeThumbprint(endpoint.thumbprint);
  } catch (e) {
    throw new Error(`vmware_thumbprint: ${(e as Error).message}`);
  }
  if (!isSha1Thumbprint(thumbprint)) {
    throw new Error("vmware_thumbprint is a SHA-256 fingerprint, and VDDK pins the SHA-1 one: set vmware_thumbprint to the certificate's SHA-1 fingerprint");
  }
}

/**
 * What the ssh source logs in with, each part checked with a message that says what to fix: the key file readable
 * and usable (decrypted with esxi_ssh_key_passphrase when it is encrypted), and the host key pinned in known_hosts.
 */
export async function sshAccess(ssh: SourceSettings['ssh'], host: string): Promise<SshAccess> {
  const keyPath = ssh.keyPath;
  if (!keyPath) throw new Error('disk_source ssh needs esxi_ssh_key_path (a private key the ESXi host accepts for esxi_ssh_user)');
  const privateKey = await readFile(keyPath).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read esxi_ssh_key_path ${keyPath} (${e.code ?? e.message}); point it at a readable private key file`);
  });
  const { privateKeyProblem } = await loadSshSource();
  const problem = privateKeyProblem(privateKey, ssh.passphrase);
  if (problem) {
    const fix = problem.includes('passphrase') ? 'set esxi_ssh_key_passphrase to its passphrase' : 'point esxi_ssh_key_path at the private key (not the .pub file)';
    throw new Error(`esxi_ssh_key_path ${keyPath} cannot be used: ${problem}; ${fix}`);
  }
  const knownHosts = ssh.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
  const hostKeySha256 = await knownHostKey(knownHosts, host, ssh.port);
  return { host, port: ssh.port, username: ssh.user, privateKey, ...(ssh.passphrase ? { passphrase: ssh.passphrase } : {}), hostKeySha256 };
}

export interface SshAccess {
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  passphrase?: string;
  hostKeySha256: string;
}

/** `host:port` / `[v6]:port` / `host` -> host. */
export function hostOf(server: string): string {
  const hp = sdkEndpoint(server).server;
  return hp.startsWith('[') ? hp.slice(1, hp.indexOf(']')) : hp.slice(0, hp.lastIndexOf(':'));
}

/**
 * SHA-1 thumbprint of the vCenter/ESXi certificate (what VDDK pins), read over a TLS connection verified as the
 * session is (CA file, or insecure when the user opted out).
 */
export async function serverThumbprint(endpoint: VmwareEndpoint): Promise<string> {
  const hp = sdkEndpoint(endpoint.server).server;
  const host = hostOf(endpoint.server);
  const port = Number(hp.slice(hp.lastIndexOf(':') + 1));
  const ca = endpoint.caFile ? await readFile(endpoint.caFile) : undefined;
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, servername: host, rejectUnauthorized: !endpoint.insecure, ...(ca ? { ca } : {}), timeout: 15_000 }, () => {
      const fp = socket.getPeerCertificate().fingerprint;
      socket.destroy();
      if (fp) resolve(normalizeThumbprint(fp));
      else reject(new Error(`${hp} presented no certificate`));
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', (e) =>
      reject(new Error(`cannot read the certificate thumbprint of ${hp} for VDDK (${e.message}); set vmware_thumbprint, vmware_ca_file or vmware_insecure`)),
    );
  });
}

/**
 * The pinned host key of `host:port` from a known_hosts file, as `SHA256:<base64>`: plain entries (`host`,
 * `[host]:port`) and hashed ones (`|1|salt|hash`). The first matching key is used.
 */
export async function knownHostKey(path: string, host: string, port: number): Promise<string> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read known_hosts file ${path} (${e.code ?? e.message}); add the ESXi host key there (ssh-keyscan) or set esxi_ssh_known_hosts`);
  });
  const wanted = port === 22 ? host : `[${host}]:${port}`;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#') || fields[0]!.startsWith('@')) continue;
    const [names, , key] = fields as [string, string, string];
    const match = names.split(',').some((n) => {
      if (!n.startsWith('|1|')) return n === wanted;
      const [, , salt, hash] = n.split('|');
      return createHmac('sha1', Buffer.from(salt ?? '', 'base64')).update(wanted).digest('base64') === hash;
    });
    if (match) return `SHA256:${createHash('sha256').update(Buffer.from(key, 'base64')).digest('base64').replace(/=+$/, '')}`;
  }
  throw new Error(`no host key for ${wanted} in ${path}; add it (ssh-keyscan -p ${port} ${host}) after checking it, or set esxi_ssh_known_hosts`);
}

/**
 * The ssh source, loaded on first use. ssh2 reads `__dirname` when it loads, which the single executable's module
 * wrapper does not define (lead: src/launcher.ts could pass __filename/__dirname to compileFunction); until then a
 * global stands in for it.
 */
async function loadSshSource(): Promise<typeof import('../transfer/sources/ssh.js')> {
  const g = globalThis as { __dirname?: string };
  g.__dirname ??= dirname(process.execPath);
  return import('../transfer/sources/ssh.js');
}
