import { z } from 'zod';
import type { Session } from './auth.js';
import { computeHeaders as headers } from './compute-microversion.js';
import { getOrUndefined, listAll } from './resource.js';
import { DELETED, type WaitOptions, type Watched, waitForDeletion, waitForStatus } from './wait.js';

/** Nova servers: find, get, create (booting from volumes), delete, wait for a status or for the deletion. */

const serverSchema = z.looseObject({
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
  /** Embedded since microversion 2.47: the flavor the server was built with. */
  flavor: z.looseObject({ vcpus: z.number().optional(), ram: z.number().optional(), original_name: z.string().optional() }).optional(),
});
export type Server = z.output<typeof serverSchema>;

/** Servers of the token's project whose name is exactly `name` (Nova's name filter is a regex). */
export async function findServersByName(s: Session, name: string): Promise<Server[]> {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const list = await listAll(s, 'compute', `find servers named ${name}`, '/servers/detail', 'servers', serverSchema, {
    headers,
    query: { name: `^${escaped}$` },
  });
  return list.filter((x) => x.name === name);
}

/** Every server of the token's project. */
export async function listServers(s: Session): Promise<Server[]> {
  return listAll(s, 'compute', 'list servers', '/servers/detail', 'servers', serverSchema, { headers });
}

export async function getServer(s: Session, id: string): Promise<Server | undefined> {
  return getOrUndefined(s, 'compute', `get server ${id}`, `/servers/${encodeURIComponent(id)}`, serverSchema, { headers, key: 'server' });
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

/** The guest's console log (Nova os-getConsoleOutput); `lines` limits it to the last lines. */
export async function getConsoleOutput(s: Session, id: string, lines?: number): Promise<string> {
  const res = await s.request('compute', `get console output of server ${id}`, 'POST', `/servers/${id}/action`, {
    headers,
    body: { 'os-getConsoleOutput': lines ? { length: lines } : {} },
    idempotent: true,
  });
  return (res.body as { output?: string }).output ?? '';
}

class ServerErrorState extends Error {
  override name = 'ServerErrorState';
}

/** ERROR stops a wait with Nova's fault message (while deleting, only when Nova gives one). */
function watchServer(s: Session, id: string): Watched<Server> {
  return {
    what: `server ${id}`,
    get: () => getServer(s, id),
    status: (v) => v.status,
    failure: (v, target) => {
      if (v.status !== 'ERROR') return undefined;
      const f = v.fault;
      if (target === DELETED) return f?.message ? new ServerErrorState(`server ${id} went to ERROR while being deleted: ${f.message}`) : undefined;
      return new ServerErrorState(`server ${v.name} (${id}) went to ERROR: ${f?.message ?? 'Nova gave no fault message'}${f?.code ? ` (code ${f.code})` : ''}`);
    },
  };
}

/** Wait for a server to reach `status`; ERROR aborts with Nova's fault message. */
export async function waitForServerStatus(s: Session, id: string, status: string, opts: WaitOptions): Promise<Server> {
  return waitForStatus(watchServer(s, id), status, opts);
}

export async function waitForServerGone(s: Session, id: string, opts: WaitOptions): Promise<void> {
  return waitForDeletion(watchServer(s, id), opts);
}
