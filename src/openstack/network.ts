import { z } from 'zod';
import type { Session } from './auth.js';
import { isNotFound } from './errors.js';
import { parseAnswer } from './parse.js';
import { type WaitOptions, pollUntil } from './wait.js';

/** Neutron: networks, subnets, ports, security groups, quotas. */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
export const looksLikeId = (s: string): boolean => UUID.test(s);

export const networkSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  subnets: z.array(z.string()).default([]),
  project_id: z.string().optional(),
  shared: z.boolean().optional(),
});
export type Network = z.output<typeof networkSchema>;

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export async function getNetwork(s: Session, id: string): Promise<Network | undefined> {
  try {
    const res = await s.request('network', `get network ${id}`, 'GET', `/networks/${encodeURIComponent(id)}`);
    return parseAnswer(networkSchema, (res.body as { network?: unknown }).network, `network: get network ${id}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** A network by ID, else by exact name (exactly one must match). */
export async function findNetwork(s: Session, nameOrId: string): Promise<Network> {
  if (looksLikeId(nameOrId)) {
    const byId = await getNetwork(s, nameOrId);
    if (byId) return byId;
  }
  const list = await s.list<unknown>('network', `find network ${nameOrId}`, '/networks', 'networks', { query: { name: nameOrId } });
  const nets = list.map((n) => parseAnswer(networkSchema, n, 'network: list networks'));
  if (nets.length === 1) return nets[0]!;
  if (nets.length === 0) {
    throw new NotFoundError(`network '${nameOrId}' not found (neither an ID nor the name of a network this project can see)`);
  }
  throw new Error(
    `network name '${nameOrId}' is ambiguous: ${nets.map((n) => `${n.id} (project ${n.project_id ?? '?'})`).join(', ')}; use the network ID`,
  );
}

export const subnetSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  network_id: z.string(),
  cidr: z.string(),
  ip_version: z.number(),
});
export type Subnet = z.output<typeof subnetSchema>;

export async function listSubnets(s: Session, networkId: string): Promise<Subnet[]> {
  const list = await s.list<unknown>('network', `list subnets of network ${networkId}`, '/subnets', 'subnets', {
    query: { network_id: networkId },
  });
  return list.map((x) => parseAnswer(subnetSchema, x, 'network: list subnets'));
}

export async function getSubnet(s: Session, id: string): Promise<Subnet | undefined> {
  try {
    const res = await s.request('network', `get subnet ${id}`, 'GET', `/subnets/${encodeURIComponent(id)}`);
    return parseAnswer(subnetSchema, (res.body as { subnet?: unknown }).subnet, `network: get subnet ${id}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export const portSchema = z.looseObject({
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
  const list = await s.list<unknown>('network', `list ports (${new URLSearchParams(query).toString()})`, '/ports', 'ports', { query });
  return list.map((x) => parseAnswer(portSchema, x, 'network: list ports'));
}

export async function getPort(s: Session, id: string): Promise<Port | undefined> {
  try {
    const res = await s.request('network', `get port ${id}`, 'GET', `/ports/${encodeURIComponent(id)}`);
    return parseAnswer(portSchema, (res.body as { port?: unknown }).port, `network: get port ${id}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
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
  const res = await s.request('network', `create port ${spec.name} (MAC ${spec.macAddress})`, 'POST', '/ports', { body: { port } });
  return parseAnswer(portSchema, (res.body as { port?: unknown }).port, `network: create port ${spec.name}`);
}

export async function updatePort(s: Session, id: string, changes: Record<string, unknown>): Promise<Port> {
  const res = await s.request('network', `update port ${id}`, 'PUT', `/ports/${id}`, { body: { port: changes } });
  return parseAnswer(portSchema, (res.body as { port?: unknown }).port, `network: update port ${id}`);
}

export async function deletePort(s: Session, id: string): Promise<void> {
  try {
    await s.request('network', `delete port ${id}`, 'DELETE', `/ports/${id}`);
  } catch (e) {
    // A retried DELETE may find the port already gone.
    if (!isNotFound(e)) throw e;
  }
}

export async function waitForPortGone(s: Session, id: string, opts: WaitOptions): Promise<void> {
  await pollUntil(async () => ((await getPort(s, id)) ? undefined : true), opts, () => new Error(`port ${id} still exists after ${opts.timeoutMs / 1000}s`));
}

export const securityGroupSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  project_id: z.string().optional(),
});
export type SecurityGroup = z.output<typeof securityGroupSchema>;

/** A security group by ID, else by name within `projectId` (admins see every project's groups). */
export async function findSecurityGroup(s: Session, nameOrId: string, projectId: string): Promise<SecurityGroup> {
  if (looksLikeId(nameOrId)) {
    try {
      const res = await s.request('network', `get security group ${nameOrId}`, 'GET', `/security-groups/${nameOrId}`);
      return parseAnswer(securityGroupSchema, (res.body as { security_group?: unknown }).security_group, 'network: get security group');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  const list = await s.list<unknown>('network', `find security group ${nameOrId}`, '/security-groups', 'security_groups', {
    query: { name: nameOrId, project_id: projectId },
  });
  const groups = list.map((x) => parseAnswer(securityGroupSchema, x, 'network: list security groups'));
  if (groups.length === 1) return groups[0]!;
  if (groups.length === 0) throw new NotFoundError(`security group '${nameOrId}' not found in project ${projectId}`);
  throw new Error(`security group name '${nameOrId}' is ambiguous in project ${projectId}: ${groups.map((g) => g.id).join(', ')}; use its ID`);
}

export async function getNetworkQuotas(s: Session, projectId: string): Promise<Record<string, { limit: number; used: number }>> {
  const res = await s.request('network', `get network quotas of project ${projectId}`, 'GET', `/quotas/${projectId}/details.json`);
  return ((res.body as { quota?: Record<string, { limit: number; used: number }> }).quota ?? {}) as Record<string, { limit: number; used: number }>;
}
