import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../util/process.js';
import { registerSecret } from '../../util/secrets.js';
import { nbdkitArgs, startNbdServer } from '../nbd/server-process.js';
import type { DiskSource } from '../types.js';
import { NbdSource } from './nbd.js';

/**
 * `vddk` source (upstream's default): nbdkit's vddk plugin reads the snapshot's disk from ESXi/vCenter and serves it
 * read-only on a private Unix socket (one per migration); the pipeline reads it with the NBD client.
 * The password reaches nbdkit through a pipe on fd 3 (`password=-3`): never on a command line, in a file or a log.
 */
export interface VddkOptions {
  /** vCenter or ESXi host name. */
  server: string;
  user: string;
  password: string;
  /** SHA-1 thumbprint of the server certificate, `AB:CD:...`. */
  thumbprint: string;
  /** VM managed object reference value, e.g. `vm-123`. */
  vmMoref: string;
  /** Snapshot managed object reference value, e.g. `snapshot-456`. */
  snapshotMoref: string;
  /** Backing file name of the disk, e.g. `[datastore1] vm-1/vm-1.vmdk`. */
  file: string;
  /** VDDK library directory (default /usr/lib/vmware-vix-disklib). */
  libdir?: string;
  compression?: 'none' | 'zlib' | 'fastlz' | 'skipz';
  /** VDDK transport modes in order of preference (default file, nbdssl, nbd). */
  transports?: string[];
}

export const DEFAULT_VDDK_LIBDIR = '/usr/lib/vmware-vix-disklib';

export const isSha1Thumbprint = (t: string): boolean => /^([0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}$/.test(t);

/**
 * What the vddk source needs on the conversion host, checked without a snapshot or a connection: nbdkit with its
 * vddk plugin, and the VDDK library (`<libdir>/lib64/libvixDiskLib.so*`). Throws what is missing and what to do.
 */
export async function checkVddkInstalled(libdir: string = DEFAULT_VDDK_LIBDIR): Promise<void> {
  const lib64 = join(libdir, 'lib64');
  const libs = await readdir(lib64).then(
    (names) => names.filter((n) => n.startsWith('libvixDiskLib.so')),
    () => [],
  );
  if (libs.length === 0) {
    throw new Error(`libdir ${libdir} holds no VDDK library (no ${lib64}/libvixDiskLib.so*): install the VMware VDDK there, or point libdir at it`);
  }
  const config = await runCommand('nbdkit', ['--dump-config']).catch((e: Error) => {
    throw new Error(`nbdkit cannot be run (${e.message}): install nbdkit on the conversion host`);
  });
  const plugindir = /^plugindir=(.*)$/m.exec(config.stdout)?.[1];
  const plugin = plugindir ? join(plugindir, 'nbdkit-vddk-plugin.so') : undefined;
  const present = plugin ? await readdir(plugindir!).then((names) => names.includes('nbdkit-vddk-plugin.so'), () => false) : false;
  if (!present) {
    throw new Error(`nbdkit has no vddk plugin (${plugin ?? 'nbdkit --dump-config names no plugindir'}): install nbdkit's vddk plugin (e.g. the nbdkit-plugin-vddk package), or choose another disk_source`);
  }
}

/** nbdkit's argv (without the `nbdkit` command) for the vddk plugin on `socketPath`. */
export function vddkNbdkitArgs(o: VddkOptions, socketPath: string): string[] {
  for (const [k, v] of Object.entries({ server: o.server, user: o.user, thumbprint: o.thumbprint, vm: o.vmMoref, snapshot: o.snapshotMoref, file: o.file })) {
    if (!v) throw new Error(`vddk source: ${k} is required`);
    if (/[\0\n]/.test(v)) throw new Error(`vddk source: ${k} contains a control character`);
  }
  if (!isSha1Thumbprint(o.thumbprint)) {
    throw new Error(`vddk source: thumbprint ${JSON.stringify(o.thumbprint)} is not a SHA-1 fingerprint like AB:CD:...`);
  }
  return nbdkitArgs(socketPath, [
    'vddk',
    `server=${o.server}`,
    `user=${o.user}`,
    'password=-3',
    `thumbprint=${o.thumbprint.toUpperCase()}`,
    `libdir=${o.libdir ?? DEFAULT_VDDK_LIBDIR}`,
    `vm=moref=${o.vmMoref}`,
    `snapshot=${o.snapshotMoref}`,
    `compression=${o.compression ?? 'fastlz'}`,
    `transports=${(o.transports ?? ['file', 'nbdssl', 'nbd']).join(':')}`,
    `file=${o.file}`,
  ]);
}

export interface VddkSourceOptions extends VddkOptions {
  /** Socket name, e.g. `<SafeVmName>-<runid>`. */
  name: string;
  readyTimeoutMs?: number;
  /** nbdkit's output lines (for the migration log). */
  onOutput?: (line: string) => void;
  signal?: AbortSignal;
}

export async function openVddkSource(o: VddkSourceOptions): Promise<DiskSource> {
  registerSecret(o.password);
  const server = await startNbdServer(
    {
      command: 'nbdkit',
      name: o.name,
      args: (socket) => vddkNbdkitArgs(o, socket),
      secretFd3: o.password,
      readyTimeoutMs: o.readyTimeoutMs,
      onOutput: o.onOutput,
    },
    o.signal,
  );
  return NbdSource.open('vddk', server.socketPath, server);
}
