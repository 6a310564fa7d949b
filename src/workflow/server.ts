import type { Session } from '../openstack/auth.js';
import { type Server, createServer, findServersByName, waitForServerStatus } from '../openstack/servers.js';
import { getKeypair } from '../openstack/keypairs.js';
import { TOOL_METADATA, hasToolMetadata } from '../openstack/markers.js';
import { findNetwork, findSecurityGroup, getPort } from '../openstack/network.js';
import { getVolume } from '../openstack/volume.js';
import { safeVmName } from '../util/names.js';
import { findFlavor } from './flavor.js';

/** A Nova server booting from the migrated volume: idempotent by name and the tool's marker. */

export interface ServerNic {
  'net-id'?: string;
  'port-id'?: string;
  'fixed-ip'?: string;
}

export interface ServerRequest {
  name: string;
  flavor: string;
  bootVolume: string;
  volumes: string[];
  nics: ServerNic[];
  securityGroups: string[];
  keyName: string | undefined;
  availabilityZone: string | undefined;
  userData: string | undefined;
  metadata: Record<string, string>;
  wait: boolean;
  timeoutMs: number;
  intervalMs: number;
  checkMode: boolean;
}

export interface ServerOutcome {
  id: string | null;
  name: string;
  status: string;
  changed: boolean;
  msg: string;
}

async function checkVolume(s: Session, id: string, role: string, vm: string, mustBoot: boolean): Promise<void> {
  const v = await getVolume(s, id);
  if (!v) throw new Error(`${role} volume ${id} of VM ${vm} not found`);
  if (v.status !== 'available') {
    const where = v.attachments.map((a) => a.server_id).filter(Boolean).join(', ');
    throw new Error(`${role} volume ${v.name || id} (${id}) of VM ${vm} is ${v.status}${where ? ` (attached to ${where})` : ''}; it must be available`);
  }
  if (mustBoot && v.bootable !== 'true') {
    throw new Error(`Volume is not bootable: boot volume ${v.name || id} (${id}) of VM ${vm}; was the migration completed?`);
  }
}

async function validate(s: Session, req: ServerRequest, serverName: string): Promise<string> {
  const flavor = await findFlavor(s, req.flavor);
  if (!flavor) throw new Error(`flavor '${req.flavor}' not found (neither a flavor ID nor the name of a flavor this project can use)`);
  await checkVolume(s, req.bootVolume, 'boot', serverName, true);
  for (const v of req.volumes) await checkVolume(s, v, 'data', serverName, false);
  for (const nic of req.nics) {
    if (nic['port-id']) {
      const port = await getPort(s, nic['port-id']);
      if (!port) throw new Error(`port ${nic['port-id']} for server ${serverName} not found`);
      if (port.device_id) throw new Error(`port ${port.id} (${port.name}) is already attached to ${port.device_owner || 'device'} ${port.device_id}`);
    } else if (nic['net-id']) {
      await findNetwork(s, nic['net-id']);
    } else {
      throw new Error(`each entry of nics needs port-id or net-id (server ${serverName})`);
    }
  }
  for (const sg of req.securityGroups) await findSecurityGroup(s, sg, s.projectId);
  if (req.keyName && !(await getKeypair(s, req.keyName))) {
    throw new Error(`key pair '${req.keyName}' not found for this user; create it or omit key_name`);
  }
  return flavor.id;
}

function encodeUserData(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

const waitOpts = (req: ServerRequest, signal?: AbortSignal) => ({ timeoutMs: req.timeoutMs, intervalMs: req.intervalMs, signal });

export async function ensureServer(s: Session, req: ServerRequest): Promise<ServerOutcome> {
  const name = safeVmName(req.name);
  if (!name) throw new Error(`server name '${req.name}' has no usable character`);
  const same = await findServersByName(s, name);
  const ours = same.filter((x) => hasToolMetadata(x.metadata));
  if (ours.length > 1) throw new Error(`several servers named ${name} carry the tool's marker (${ours.map((x) => x.id).join(', ')}); delete the extras`);
  const existing = ours[0];
  if (!existing && same.length > 0) {
    throw new Error(
      `a server named ${name} already exists (${same.map((x) => x.id).join(', ')}) and was not created by this tool; it is left alone. Rename or remove it, then rerun`,
    );
  }
  if (existing) return settle(s, req, existing, false);
  const flavorId = await validate(s, req, name);
  if (req.checkMode) return { id: null, name, status: 'absent', changed: true, msg: `Server ${name} would be created` };
  const blockDevices = [
    { volumeId: req.bootVolume, bootIndex: 0 },
    ...req.volumes.filter((v) => v !== '').map((volumeId, i) => ({ volumeId, bootIndex: i + 1 })),
  ];
  const { id } = await createServer(s, {
    name,
    flavorRef: flavorId,
    networks: req.nics.map((n) =>
      n['port-id'] ? { port: n['port-id'] } : { uuid: n['net-id']!, ...(n['fixed-ip'] ? { fixed_ip: n['fixed-ip'] } : {}) },
    ),
    blockDevices,
    securityGroups: req.securityGroups,
    keyName: req.keyName,
    availabilityZone: req.availabilityZone,
    userData: req.userData !== undefined && req.userData !== '' ? encodeUserData(req.userData) : undefined,
    metadata: { ...req.metadata, ...TOOL_METADATA },
  });
  return settle(s, req, { id, name, status: 'BUILD' }, true);
}

async function settle(s: Session, req: ServerRequest, server: Pick<Server, 'id' | 'name' | 'status' | 'fault'>, changed: boolean): Promise<ServerOutcome> {
  if (server.status === 'ERROR') {
    throw new Error(
      `server ${server.name} (${server.id}) is in ERROR: ${server.fault?.message ?? 'Nova gave no fault message'}; delete it with delete_server and rerun`,
    );
  }
  if (!req.wait || server.status === 'ACTIVE' || req.checkMode) {
    return { id: server.id, name: server.name, status: server.status, changed, msg: changed ? `Server ${server.name} created` : `Server ${server.name} already exists` };
  }
  const active = await waitForServerStatus(s, server.id, 'ACTIVE', waitOpts(req, s.signal));
  return { id: active.id, name: active.name, status: active.status, changed, msg: changed ? `Server ${active.name} created and ACTIVE` : `Server ${active.name} already exists and is ACTIVE` };
}
