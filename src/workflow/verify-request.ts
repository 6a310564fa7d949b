import type { Session } from '../openstack/auth.js';
import type { Port } from '../openstack/network.js';
import type { Server } from '../openstack/servers.js';
import type { VolumeAttachment } from '../openstack/volume-attachments.js';
import type { Volume } from '../openstack/volume.js';
import type { SessionOptions } from '../vmware/session.js';
import type { VmDetail, VmDisk } from '../vmware/vm.js';
import type { Nic } from './ports.js';

/** The power state the source must be in; `untouched`: the tool had no reason to change it. */
export type ExpectedPower = 'poweredOn' | 'poweredOff' | 'untouched';

/**
 * The power state a migration leaves the source in, unless the user says otherwise: off after a cutover or a final
 * migration with conversion, untouched after a pre-sync or a copy without conversion.
 */
export function expectedSourcePower(m: { cbtSync: boolean; cutover: boolean; skipConversion: boolean }, override?: ExpectedPower): ExpectedPower {
  if (override) return override;
  const final = !m.cbtSync || m.cutover;
  return final && (m.cutover || !m.skipConversion) ? 'poweredOff' : 'untouched';
}

/** What one VM's verification checks (the `verify_migration` module's options, parsed). */
export interface VerifyRequest {
  vmware: SessionOptions;
  cloud: unknown;
  vmName: string;
  dataDir: string;
  ports: { usedMappedNetworks: boolean; networkName: string | undefined; securityGroups: string[]; useFixedIps: boolean };
  /** The disks are final (not a CBT pre-sync): converted volumes are expected, and the server and ports made. */
  final: boolean;
  /** The migration made the server and the ports (import_workloads' create_server and create_ports). */
  expect: { server: boolean; ports: boolean };
  sourcePower: ExpectedPower;
  checksums: { enabled: boolean; volumeDir: string | undefined; byIdDir: string };
  guest: { consolePattern: string | undefined; tcpPorts: number[]; timeoutMs: number };
}

/** One check: `passed` null when it could not run (the message says why), never counted as passed. */
export interface Check {
  id: string;
  expected: unknown;
  observed: unknown;
  passed: boolean | null;
  message: string;
}

export interface VmVerification {
  vm: string;
  /** Every check passed or could not run; false when one failed. */
  passed: boolean;
  checks: Check[];
  duration_seconds: number;
  /** Why the VM could not be verified at all (then passed is false and there are no checks). */
  error?: string;
}

/** What the checks look at, read once per VM. */
export interface VerifyFacts {
  req: VerifyRequest;
  os: Session;
  vm: VmDetail;
  /** The tool's volume of each disk, in VMware disk order. */
  volumes: { disk: VmDisk; volume: Volume | undefined }[];
  server: Server | undefined;
  attachments: VolumeAttachment[];
  nics: Nic[];
  /** The port holding each NIC's MAC (any network), in NIC order. */
  ports: Port[][];
}

export const check = (id: string, expected: unknown, observed: unknown, passed: boolean | null, message: string): Check => ({
  id,
  expected,
  observed,
  passed,
  message,
});

/** A check that needs something that is missing: it could not run. */
export const cannotRun = (id: string, expected: unknown, why: string): Check => check(id, expected, null, null, `not checked: ${why}`);
