import { registerSecret } from '../../util/secrets.js';
import { startNbdServer } from '../nbd/server-process.js';
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

/** nbdkit's argv (without the `nbdkit` command) for the vddk plugin on `socketPath`. */
export function vddkNbdkitArgs(o: VddkOptions, socketPath: string): string[] {
  for (const [k, v] of Object.entries({ server: o.server, user: o.user, thumbprint: o.thumbprint, vm: o.vmMoref, snapshot: o.snapshotMoref, file: o.file })) {
    if (!v) throw new Error(`vddk source: ${k} is required`);
    if (/[\0\n]/.test(v)) throw new Error(`vddk source: ${k} contains a control character`);
  }
  if (!/^([0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}$/.test(o.thumbprint)) {
    throw new Error(`vddk source: thumbprint ${JSON.stringify(o.thumbprint)} is not a SHA-1 fingerprint like AB:CD:...`);
  }
  return [
    '--readonly',
    '--exit-with-parent',
    '--foreground',
    '--unix',
    socketPath,
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
  ];
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
