import { rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { conversionEnv } from './virt-v2v.js';
import { createPrivateDir } from '../util/private-dir.js';
import { spawnGroup } from '../util/process.js';

/**
 * The legacy virt-v2v path: virt-v2v reads the VM from vCenter through VDDK (`-it vddk`) and writes Cinder volumes
 * itself (`-o openstack`, named `<vm>-sda`, `<vm>-sdb`, ...). No shell: an argument list. The vCenter password and
 * the OpenStack credentials reach virt-v2v through 0600 files in a private 0700 directory, removed on every exit path.
 */

export interface VddkImportSpec {
  vcenterHostname: string;
  vcenterUsername: string;
  datacenter: string;
  cluster: string;
  esxiHostname: string;
  vddkLibdir: string;
  vddkThumbprint: string;
  conversionHostId: string;
  vmName: string;
  /** Add `?no_verify=1`: libvirt then skips the vCenter certificate check. */
  insecure: boolean;
}

/** A host name, an IPv4 address or an IPv6 address, optionally with a port: the URL authority (brackets for IPv6). */
export function uriHost(hostname: string): string {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(hostname);
  if (bracketed) return `[${bracketed[1]}]${bracketed[2] ? `:${port(bracketed[2], hostname)}` : ''}`;
  if (/^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/.test(hostname)) return `[${hostname}]`;
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/.exec(hostname);
  if (!m) throw new Error(`vcenter_hostname '${hostname}' is not a host name, an IP address or host:port`);
  return m[2] ? `${m[1]}:${port(m[2], hostname)}` : m[1]!;
}

function port(p: string, hostname: string): string {
  const n = Number(p);
  if (n < 1 || n > 65535) throw new Error(`vcenter_hostname '${hostname}': port ${p} is not between 1 and 65535`);
  return String(n);
}

/** Percent-encode every segment of an inventory path; `/` separates folders (a `/` inside a name is `%2f` in vSphere). */
function pathSegments(what: string, value: string): string[] {
  const segments = value.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new Error(`${what} '${value}' names no inventory object`);
  return segments.map((s) => encodeURIComponent(s));
}

/** `vpx://<user>@<host>/<datacenter>/host/<cluster>/<esxi>[?no_verify=1]`, every component percent-encoded. */
export function vpxUri(s: Pick<VddkImportSpec, 'vcenterHostname' | 'vcenterUsername' | 'datacenter' | 'cluster' | 'esxiHostname' | 'insecure'>): string {
  const path = [
    ...pathSegments('vcenter_datacenter', s.datacenter),
    'host',
    ...pathSegments('vcenter_cluster', s.cluster),
    ...pathSegments('esxi_hostname', s.esxiHostname),
  ];
  return `vpx://${encodeURIComponent(s.vcenterUsername)}@${uriHost(s.vcenterHostname)}/${path.join('/')}${s.insecure ? '?no_verify=1' : ''}`;
}

/** virt-v2v's argument list (without the command). The password is only ever named by its file. */
export function virtV2vVddkArgs(s: VddkImportSpec, passwordFile: string): string[] {
  return [
    '-ip', passwordFile,
    '-ic', vpxUri(s),
    '-it', 'vddk',
    '-io', `vddk-libdir=${s.vddkLibdir}`,
    '-io', `vddk-thumbprint=${s.vddkThumbprint}`,
    '-o', 'openstack',
    '-oo', `server-id=${s.conversionHostId}`,
    '--',
    s.vmName,
  ];
}

/** Name of the cloud in the private clouds.yaml handed to virt-v2v's openstack client. */
export const V2V_CLOUD_NAME = 'osm-v2v';


/** The child's environment: no inherited OS_* variable (they would override the file), the private cloud selected. */
export function virtV2vEnv(cloudsFile: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = conversionEnv(false, Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('OS_'))));
  return { ...env, OS_CLIENT_CONFIG_FILE: cloudsFile, OS_CLOUD: V2V_CLOUD_NAME };
}

/** Prefix of the private directories holding the password and clouds.yaml (see src/util/private-dir.ts). */
const PRIVATE_PREFIX = 'osm-v2v-';

export interface VirtV2vRun {
  rc: number;
  stdout: string;
  stderr: string;
  /** The command run (argv): only a file path stands for the password. */
  cmd: string[];
}

export interface RunVirtV2vOptions {
  spec: VddkImportSpec;
  password: string;
  /** The destination cloud as a clouds.yaml naming it V2V_CLOUD_NAME (openstack/cloud-config.ts `cloudsYaml`). */
  cloudsYaml: string;
  /** virt-v2v executable (name looked up in PATH, or a path). */
  command: string;
  signal?: AbortSignal;
  /** Parent of the private directory (default: the OS temp dir). */
  baseDir?: string;
  /** Output kept per stream (the end of it), in bytes. */
  maxOutput?: number;
}

/**
 * Write the password and clouds.yaml into a fresh private directory, run virt-v2v with its output captured, and
 * remove the directory whatever happens (success, failure, spawn error, abort: the process group is killed first).
 */
export async function runVirtV2v(o: RunVirtV2vOptions): Promise<VirtV2vRun> {
  o.signal?.throwIfAborted();
  const dir = createPrivateDir(PRIVATE_PREFIX, o.baseDir);
  try {
    const passwordFile = join(dir, 'password');
    // virt-v2v wants the password alone in the file, without a trailing newline.
    writeFileSync(passwordFile, o.password, { mode: 0o600, flag: 'wx' });
    const cloudsFile = join(dir, 'clouds.yaml');
    writeFileSync(cloudsFile, o.cloudsYaml, { mode: 0o600, flag: 'wx' });
    const args = virtV2vVddkArgs(o.spec, passwordFile);
    const cmd = [o.command, ...args];
    const { rc, stdout, stderr } = await runCaptured(o.command, args, virtV2vEnv(cloudsFile), o.maxOutput ?? 1 << 20, o.signal);
    return { rc, stdout, stderr, cmd };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runCaptured(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  maxOutput: number,
  signal: AbortSignal | undefined,
): Promise<{ rc: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, { env, signal });
    const out = { stdout: '', stderr: '' };
    const keep = (key: 'stdout' | 'stderr') => (d: string) => {
      out[key] = (out[key] + d).slice(-maxOutput);
    };
    child.stdout.setEncoding('utf8').on('data', keep('stdout'));
    child.stderr.setEncoding('utf8').on('data', keep('stderr'));
    child.once('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'ENOENT' ? ': install virt-v2v on the conversion host, or set virt_v2v_path' : '';
      reject(new Error(`cannot run ${command}: ${e.message}${hint}`));
    });
    child.once('close', (code, sig) => {
      if (signal?.aborted) reject(signal.reason instanceof Error ? signal.reason : new Error('interrupted'));
      else resolve({ rc: code ?? 128 + (sig ? constants.signals[sig] : 0), ...out });
    });
  });
}
