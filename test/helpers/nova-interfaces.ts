// Plugging a port into a server and out again (Nova's os-interface): what a person tampering with a migrated server
// does, for the verification tests. The collection itself never does it.
import type { Session } from '../../src/openstack/auth.js';
import { computeHeaders as headers } from '../../src/openstack/compute-microversion.js';

export async function attachInterface(s: Session, serverId: string, portId: string): Promise<void> {
  await s.request('compute', `attach port ${portId} to server ${serverId}`, 'POST', `/servers/${serverId}/os-interface`, {
    headers,
    body: { interfaceAttachment: { port_id: portId } },
  });
}

export async function detachInterface(s: Session, serverId: string, portId: string): Promise<void> {
  await s.request('compute', `detach port ${portId} from server ${serverId}`, 'DELETE', `/servers/${serverId}/os-interface/${portId}`, { headers });
}
