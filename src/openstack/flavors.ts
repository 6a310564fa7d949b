import { z } from 'zod';
import type { Session } from './auth.js';
import { computeHeaders as headers } from './compute-microversion.js';
import { getOrUndefined, listAll, requestOne } from './resource.js';

/** Nova flavors, their extra specs and project access. */

const flavorSchema = z.looseObject({
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
  return listAll(s, 'compute', 'list flavors', '/flavors/detail', 'flavors', flavorSchema, {
    headers,
    query: opts.includePrivate ? { is_public: 'None' } : undefined,
  });
}

export async function getFlavor(s: Session, id: string): Promise<Flavor | undefined> {
  return getOrUndefined(s, 'compute', `get flavor ${id}`, `/flavors/${encodeURIComponent(id)}`, flavorSchema, { headers, key: 'flavor' });
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
  return requestOne(s, 'compute', `create flavor ${spec.name}`, 'POST', '/flavors', flavorSchema, { headers, body, key: 'flavor' });
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
