import { z } from 'zod';
import type { Session } from './auth.js';
import { computeHeaders as headers } from './compute-microversion.js';
import { listAll } from './resource.js';

/** Ports plugged into servers (Nova's interface attachments). */

const interfaceSchema = z.looseObject({ port_id: z.string(), net_id: z.string(), mac_addr: z.string(), port_state: z.string() });

export interface ServerInterface {
  portId: string;
  netId: string;
  macAddr: string;
  state: string;
}

export async function listInterfaces(s: Session, serverId: string): Promise<ServerInterface[]> {
  const list = await listAll(
    s,
    'compute',
    `list interfaces of server ${serverId}`,
    `/servers/${serverId}/os-interface`,
    'interfaceAttachments',
    interfaceSchema,
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
