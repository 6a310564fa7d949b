import { z } from 'zod';
import type { Session } from './auth.js';
import { getOrUndefined, listAll, requestOne, unlessNotFound } from './resource.js';
import { type WaitOptions, waitForDeletion } from './wait.js';

/** Neutron: networks, subnets, ports, security groups. */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
export const looksLikeId = (s: string): boolean => UUID.test(s);

const networkSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  subnets: z.array(z.string()).default([]),
  project_id: z.string().optional(),
  shared: z.boolean().optional(),
});
export type Network = z.output<typeof networkSchema>;

class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export async function getNetwork(s: Session, id: string): Promise<Network | undefined> {
  return getOrUndefined(s, 'network', `get network ${id}`, `/networks/${encodeURIComponent(id)}`, networkSchema, { key: 'network' });
}

/** A network by ID, else by exact name (exactly one must match). */
export async function findNetwork(s: Session, nameOrId: string): Promise<Network> {
  if (looksLikeId(nameOrId)) {
    const byId = await getNetwork(s, nameOrId);
    if (byId) return byId;
  }
  const nets = await listAll(s, 'network', `find network ${nameOrId}`, '/networks', 'networks', networkSchema, { query: { name: nameOrId } });
  if (nets.length === 1) return nets[0]!;
  if (nets.length === 0) {
    throw new NotFoundError(`network '${nameOrId}' not found (neither an ID nor the name of a network this project can see)`);
  }
  throw new Error(
    `network name '${nameOrId}' is ambiguous: ${nets.map((n) => `${n.id} (project ${n.project_id ?? '?'})`).join(', ')}; use the network ID`,
  );
}

const subnetSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  network_id: z.string(),
  cidr: z.string(),
  ip_version: z.number(),
});
export type Subnet = z.output<typeof subnetSchema>;

export async function listSubnets(s: Session, networkId: string): Promise<Subnet[]> {
  return listAll(s, 'network', `list subnets of network ${networkId}`, '/subnets', 'subnets', subnetSchema, { query: { network_id: networkId } });
}

const portSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  network_id: z.string(),
  mac_address: z.string(),
  project_id: z.string().optional(),
  tenant_id: z.string().optional(),
  description: z.string().nullable().optional(),
  device_id: z.string().optional(),
  device_owner: z.string().optional(),
  status: z.string().optional(),
  fixed_ips: z.array(z.looseObject({ subnet_id: z.string(), ip_address: z.string() })).default([]),
  security_groups: z.array(z.string()).default([]),
});
export type Port = z.output<typeof portSchema>;

export async function listPorts(s: Session, query: Record<string, string>): Promise<Port[]> {
  return listAll(s, 'network', `list ports (${new URLSearchParams(query).toString()})`, '/ports', 'ports', portSchema, { query });
}

export async function getPort(s: Session, id: string): Promise<Port | undefined> {
  return getOrUndefined(s, 'network', `get port ${id}`, `/ports/${encodeURIComponent(id)}`, portSchema, { key: 'port' });
}

export interface PortSpec {
  name: string;
  networkId: string;
  macAddress: string;
  description?: string;
  /** security group IDs; undefined = Neutron's default group */
  securityGroups?: string[];
  fixedIps?: Array<{ subnet_id?: string; ip_address?: string }>;
}

export async function createPort(s: Session, spec: PortSpec): Promise<Port> {
  const port: Record<string, unknown> = {
    name: spec.name,
    network_id: spec.networkId,
    mac_address: spec.macAddress,
  };
  if (spec.description !== undefined) port.description = spec.description;
  if (spec.securityGroups) port.security_groups = spec.securityGroups;
  if (spec.fixedIps?.length) port.fixed_ips = spec.fixedIps;
  return requestOne(s, 'network', `create port ${spec.name} (MAC ${spec.macAddress})`, 'POST', '/ports', portSchema, { body: { port }, key: 'port' });
}

export async function updatePort(s: Session, id: string, changes: Record<string, unknown>): Promise<Port> {
  return requestOne(s, 'network', `update port ${id}`, 'PUT', `/ports/${id}`, portSchema, { body: { port: changes }, key: 'port' });
}

/** A retried DELETE may find the port already gone: not an error. */
export async function deletePort(s: Session, id: string): Promise<void> {
  await unlessNotFound(s.request('network', `delete port ${id}`, 'DELETE', `/ports/${id}`));
}

export async function waitForPortGone(s: Session, id: string, opts: WaitOptions): Promise<void> {
  await waitForDeletion({ what: `port ${id}`, get: () => getPort(s, id), status: (p) => p.status }, opts);
}

const securityGroupSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  project_id: z.string().optional(),
});
export type SecurityGroup = z.output<typeof securityGroupSchema>;

/** A security group by ID, else by name within `projectId` (admins see every project's groups). */
export async function findSecurityGroup(s: Session, nameOrId: string, projectId: string): Promise<SecurityGroup> {
  if (looksLikeId(nameOrId)) {
    const byId = await getOrUndefined(s, 'network', `get security group ${nameOrId}`, `/security-groups/${nameOrId}`, securityGroupSchema, {
      key: 'security_group',
    });
    if (byId) return byId;
  }
  const groups = await listAll(s, 'network', `find security group ${nameOrId}`, '/security-groups', 'security_groups', securityGroupSchema, {
    query: { name: nameOrId, project_id: projectId },
  });
  if (groups.length === 1) return groups[0]!;
  if (groups.length === 0) throw new NotFoundError(`security group '${nameOrId}' not found in project ${projectId}`);
  throw new Error(`security group name '${nameOrId}' is ambiguous in project ${projectId}: ${groups.map((g) => g.id).join(', ')}; use its ID`);
}
