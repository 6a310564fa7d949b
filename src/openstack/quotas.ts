import type { Session } from './auth.js';
import { computeHeaders } from './compute-microversion.js';

/** A project's quotas and their use, per service (Nova, Cinder, Neutron), and Nova's absolute limits. */

export interface QuotaUsage {
  limit: number;
  in_use: number;
  reserved?: number;
}

/** The entries of a quota set that carry a limit and a use (Nova and Cinder mix in plain values such as `id`). */
function usages(set: Record<string, unknown> | undefined): Record<string, QuotaUsage> {
  return Object.fromEntries(Object.entries(set ?? {}).filter(([, v]) => v && typeof v === 'object')) as Record<string, QuotaUsage>;
}

export async function getComputeQuotas(s: Session, projectId: string): Promise<Record<string, QuotaUsage>> {
  const res = await s.request('compute', `get compute quotas of project ${projectId}`, 'GET', `/os-quota-sets/${projectId}/detail`, {
    headers: computeHeaders,
  });
  return usages((res.body as { quota_set?: Record<string, unknown> }).quota_set);
}

export async function getVolumeQuotas(s: Session, projectId: string): Promise<Record<string, QuotaUsage>> {
  const res = await s.request('block-storage', `get volume quotas of project ${projectId}`, 'GET', `/os-quota-sets/${projectId}`, {
    query: { usage: 'true' },
  });
  return usages((res.body as { quota_set?: Record<string, unknown> }).quota_set);
}

export async function getNetworkQuotas(s: Session, projectId: string): Promise<Record<string, { limit: number; used: number }>> {
  const res = await s.request('network', `get network quotas of project ${projectId}`, 'GET', `/quotas/${projectId}/details.json`);
  return ((res.body as { quota?: Record<string, { limit: number; used: number }> }).quota ?? {}) as Record<string, { limit: number; used: number }>;
}
