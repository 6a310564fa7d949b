import { z } from 'zod';
import type { Session } from './auth.js';
import { isNotFound } from './errors.js';
import { parseAnswer } from './parse.js';
import { type WaitOptions, pollUntil } from './wait.js';

/** Nova: flavors (+ extra specs, access), servers, volume attachments, interfaces, keypairs, quotas, limits. */

/** 2.55: flavor descriptions (our flavor marker). Supported by Nova since Queens. */
export const COMPUTE_MICROVERSION = '2.55';
const headers = {
  'openstack-api-version': `compute ${COMPUTE_MICROVERSION}`,
  'x-openstack-nova-api-version': COMPUTE_MICROVERSION,
};

export const flavorSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  vcpus: z.number(),
  ram: z.number(),
  disk: z.number(),
  swap: z.union([z.number(), z.string()]).optional(),
  'OS-FLV-EXT-DATA:ephemeral': z.number().optional(),
  'os-flavor-access:is_public': z.boolean().optional(),
  rxtx_factor: z.number().optional(),
  description: z.string().nullable().optional(),
  extra_specs: z.record(z.string(), z.string()).optional(),
});
export type Flavor = z.output<typeof flavorSchema>;

export interface FlavorSpec {
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral?: number;
  swap?: number;
  rxtxFactor?: number;
  isPublic?: boolean;
  description?: string;
}

export async function listFlavors(s: Session, opts: { includePrivate?: boolean } = {}): Promise<Flavor[]> {
  const list = await s.list<unknown>('compute', 'list flavors', '/flavors/detail', 'flavors', {
    headers,
    query: opts.includePrivate ? { is_public: 'None' } : undefined,
  });
  return list.map((f) => parseAnswer(flavorSchema, f, 'compute: list flavors'));
}

export async function getFlavor(s: Session, id: string): Promise<Flavor | undefined> {
  try {
    const res = await s.request('compute', `get flavor ${id}`, 'GET', `/flavors/${encodeURIComponent(id)}`, { headers });
    return parseAnswer(flavorSchema, (res.body as { flavor?: unknown }).flavor, `compute: get flavor ${id}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function createFlavor(s: Session, spec: FlavorSpec): Promise<Flavor> {
  const body = {
    flavor: {
      name: spec.name,
      vcpus: spec.vcpus,
      ram: spec.ram,
      disk: spec.disk,
      'OS-FLV-EXT-DATA:ephemeral': spec.ephemeral ?? 0,
      swap: spec.swap ?? 0,
      rxtx_factor: spec.rxtxFactor ?? 1.0,
      'os-flavor-access:is_public': spec.isPublic ?? true,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
    },
  };
  const res = await s.request('compute', `create flavor ${spec.name}`, 'POST', '/flavors', { headers, body });
  return parseAnswer(flavorSchema, (res.body as { flavor?: unknown }).flavor, `compute: create flavor ${spec.name}`);
}

export async function getFlavorExtraSpecs(s: Session, id: string): Promise<Record<string, string>> {
  const res = await s.request('compute', `get extra specs of flavor ${id}`, 'GET', `/flavors/${id}/os-extra_specs`, { headers });
  return ((res.body as { extra_specs?: Record<string, string> }).extra_specs ?? {}) as Record<string, string>;
}

export async function setFlavorExtraSpecs(s: Session, id: string, specs: Record<string, string>): Promise<void> {
  if (Object.keys(specs).length === 0) return;
  await s.request('compute', `set extra specs of flavor ${id}`, 'POST', `/flavors/${id}/os-extra_specs`, {
    headers,
    body: { extra_specs: specs },
    idempotent: true,
  });
}

export async function addFlavorAccess(s: Session, id: string, projectId: string): Promise<void> {
  await s.request('compute', `give project ${projectId} access to flavor ${id}`, 'POST', `/flavors/${id}/action`, {
    headers,
    body: { addTenantAccess: { tenant: projectId } },
  });
}

export async function deleteFlavor(s: Session, id: string): Promise<void> {
  await s.request('compute', `delete flavor ${id}`, 'DELETE', `/flavors/${id}`, { headers });
}

export const serverSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  tenant_id: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  fault: z.looseObject({ message: z.string().optional(), code: z.number().optional(), details: z.string().optional() }).optional(),
  'OS-EXT-AZ:availability_zone': z.string().optional(),
  'os-extended-volumes:volumes_attached': z.array(z.looseObject({ id: z.string() })).optional(),
  key_name: z.string().nullable().optional(),
  addresses: z.record(z.string(), z.unknown()).optional(),
});
export type Server = z.output<typeof serverSchema>;

/** Servers of the token's project whose name is exactly `name` (Nova's name filter is a regex). */
export async function findServersByName(s: Session, name: string): Promise<Server[]> {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const list = await s.list<unknown>('compute', `find servers named ${name}`, '/servers/detail', 'servers', {
    headers,
    query: { name: `^${escaped}$` },
  });
  return list.map((x) => parseAnswer(serverSchema, x, 'compute: list servers')).filter((x) => x.name === name);
}

export async function getServer(s: Session, id: string): Promise<Server | undefined> {
  try {
    const res = await s.request('compute', `get server ${id}`, 'GET', `/servers/${encodeURIComponent(id)}`, { headers });
    return parseAnswer(serverSchema, (res.body as { server?: unknown }).server, `compute: get server ${id}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export interface BlockDevice {
  volumeId: string;
  bootIndex: number;
}

export interface ServerSpec {
  name: string;
  flavorRef: string;
  networks: Array<{ uuid?: string; port?: string; fixed_ip?: string }>;
  blockDevices: BlockDevice[];
  securityGroups?: string[];
  keyName?: string;
  availabilityZone?: string;
  /** already base64-encoded */
  userData?: string;
  metadata?: Record<string, string>;
}

export async function createServer(s: Session, spec: ServerSpec): Promise<{ id: string }> {
  const server: Record<string, unknown> = {
    name: spec.name,
    flavorRef: spec.flavorRef,
    networks: spec.networks,
    block_device_mapping_v2: spec.blockDevices.map((b) => ({
      boot_index: b.bootIndex,
      uuid: b.volumeId,
      source_type: 'volume',
      destination_type: 'volume',
      delete_on_termination: false,
    })),
  };
  if (spec.securityGroups?.length) server.security_groups = spec.securityGroups.map((name) => ({ name }));
  if (spec.keyName) server.key_name = spec.keyName;
  if (spec.availabilityZone) server.availability_zone = spec.availabilityZone;
  if (spec.userData) server.user_data = spec.userData;
  if (spec.metadata) server.metadata = spec.metadata;
  const res = await s.request('compute', `create server ${spec.name}`, 'POST', '/servers', { headers, body: { server } });
  const id = (res.body as { server?: { id?: string } }).server?.id;
  if (!id) throw new Error(`compute: create server ${spec.name}: the answer has no server id`);
  return { id };
}

export async function deleteServer(s: Session, id: string): Promise<void> {
  await s.request('compute', `delete server ${id}`, 'DELETE', `/servers/${id}`, { headers });
}

export class ServerErrorState extends Error {
  override name = 'ServerErrorState';
}

/** Wait for a server to reach `status`; ERROR aborts with Nova's fault message. */
export async function waitForServerStatus(s: Session, id: string, status: string, opts: WaitOptions): Promise<Server> {
  let last: Server | undefined;
  return pollUntil(
    async () => {
      last = await getServer(s, id);
      if (!last) throw new Error(`server ${id} disappeared while waiting for ${status}`);
      if (last.status === status) return last;
      if (last.status === 'ERROR') {
        const f = last.fault;
        throw new ServerErrorState(
          `server ${last.name} (${id}) went to ERROR: ${f?.message ?? 'Nova gave no fault message'}${f?.code ? ` (code ${f.code})` : ''}`,
        );
      }
      return undefined;
    },
    opts,
    () => new Error(`server ${id} did not reach ${status} within ${opts.timeoutMs / 1000}s (last status ${last?.status ?? 'unknown'})`),
  );
}

export async function waitForServerGone(s: Session, id: string, opts: WaitOptions): Promise<void> {
  let last: Server | undefined;
  await pollUntil(
    async () => {
      last = await getServer(s, id);
      if (!last) return true;
      if (last.status === 'ERROR' && last.fault?.message) {
        throw new ServerErrorState(`server ${id} went to ERROR while being deleted: ${last.fault.message}`);
      }
      return undefined;
    },
    opts,
    () => new Error(`server ${id} was not deleted within ${opts.timeoutMs / 1000}s (last status ${last?.status ?? 'unknown'})`),
  );
}

export interface VolumeAttachment {
  id: string;
  volumeId: string;
  serverId: string;
  device: string | undefined;
}

const attachmentSchema = z.looseObject({
  id: z.string(),
  volumeId: z.string(),
  serverId: z.string(),
  device: z.string().nullable().optional(),
});

export async function listVolumeAttachments(s: Session, serverId: string): Promise<VolumeAttachment[]> {
  const list = await s.list<unknown>(
    'compute',
    `list volume attachments of server ${serverId}`,
    `/servers/${serverId}/os-volume_attachments`,
    'volumeAttachments',
    { headers },
  );
  return list.map((a) => {
    const x = parseAnswer(attachmentSchema, a, 'compute: list volume attachments');
    return { id: x.id, volumeId: x.volumeId, serverId: x.serverId, device: x.device ?? undefined };
  });
}

/** Ask Nova to attach a volume; completion is seen on the volume (in-use), see volume.ts attachVolumeToServer. */
export async function createVolumeAttachment(s: Session, serverId: string, volumeId: string): Promise<VolumeAttachment> {
  const res = await s.request('compute', `attach volume ${volumeId} to server ${serverId}`, 'POST', `/servers/${serverId}/os-volume_attachments`, {
    headers,
    body: { volumeAttachment: { volumeId } },
  });
  const x = parseAnswer(attachmentSchema, (res.body as { volumeAttachment?: unknown }).volumeAttachment, 'compute: attach volume');
  return { id: x.id, volumeId: x.volumeId, serverId: x.serverId, device: x.device ?? undefined };
}

export async function deleteVolumeAttachment(s: Session, serverId: string, volumeId: string): Promise<void> {
  await s.request('compute', `detach volume ${volumeId} from server ${serverId}`, 'DELETE', `/servers/${serverId}/os-volume_attachments/${volumeId}`, {
    headers,
  });
}

export interface ServerInterface {
  portId: string;
  netId: string;
  macAddr: string;
  state: string;
}

export async function listInterfaces(s: Session, serverId: string): Promise<ServerInterface[]> {
  const list = await s.list<{ port_id: string; net_id: string; mac_addr: string; port_state: string }>(
    'compute',
    `list interfaces of server ${serverId}`,
    `/servers/${serverId}/os-interface`,
    'interfaceAttachments',
    { headers },
  );
  return list.map((i) => ({ portId: i.port_id, netId: i.net_id, macAddr: i.mac_addr, state: i.port_state }));
}

export async function attachInterface(s: Session, serverId: string, portId: string): Promise<void> {
  await s.request('compute', `attach port ${portId} to server ${serverId}`, 'POST', `/servers/${serverId}/os-interface`, {
    headers,
    body: { interfaceAttachment: { port_id: portId } },
  });
}

export async function detachInterface(s: Session, serverId: string, portId: string): Promise<void> {
  await s.request('compute', `detach port ${portId} from server ${serverId}`, 'DELETE', `/servers/${serverId}/os-interface/${portId}`, {
    headers,
  });
}

export async function getKeypair(s: Session, name: string): Promise<{ name: string } | undefined> {
  try {
    const res = await s.request('compute', `get keypair ${name}`, 'GET', `/os-keypairs/${encodeURIComponent(name)}`, { headers });
    return (res.body as { keypair: { name: string } }).keypair;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export interface QuotaUsage {
  limit: number;
  in_use: number;
  reserved?: number;
}

export async function getComputeQuotas(s: Session, projectId: string): Promise<Record<string, QuotaUsage>> {
  const res = await s.request('compute', `get compute quotas of project ${projectId}`, 'GET', `/os-quota-sets/${projectId}/detail`, {
    headers,
  });
  const set = (res.body as { quota_set?: Record<string, unknown> }).quota_set ?? {};
  return Object.fromEntries(Object.entries(set).filter(([, v]) => v && typeof v === 'object')) as Record<string, QuotaUsage>;
}

export async function getComputeLimits(s: Session): Promise<Record<string, number>> {
  const res = await s.request('compute', 'get compute limits', 'GET', '/limits', { headers });
  return ((res.body as { limits?: { absolute?: Record<string, number> } }).limits?.absolute ?? {}) as Record<string, number>;
}

export async function listAvailabilityZones(s: Session): Promise<string[]> {
  const res = await s.request('compute', 'list compute availability zones', 'GET', '/os-availability-zone', { headers });
  const zones = (res.body as { availabilityZoneInfo?: Array<{ zoneName: string; zoneState?: { available?: boolean } }> }).availabilityZoneInfo ?? [];
  return zones.filter((z) => z.zoneState?.available !== false).map((z) => z.zoneName);
}
