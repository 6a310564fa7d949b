import type { ServiceType, Session } from './auth.js';
import { computeHeaders } from './compute-microversion.js';

/** The availability zones Nova and Cinder offer (both answer `availabilityZoneInfo`). */

async function availableZones(s: Session, service: ServiceType, call: string, headers?: Record<string, string>): Promise<string[]> {
  const res = await s.request(service, call, 'GET', '/os-availability-zone', { headers });
  const zones = (res.body as { availabilityZoneInfo?: Array<{ zoneName: string; zoneState?: { available?: boolean } }> }).availabilityZoneInfo ?? [];
  return zones.filter((z) => z.zoneState?.available !== false).map((z) => z.zoneName);
}

export async function listAvailabilityZones(s: Session): Promise<string[]> {
  return availableZones(s, 'compute', 'list compute availability zones', computeHeaders);
}

export async function listVolumeAvailabilityZones(s: Session): Promise<string[]> {
  return availableZones(s, 'block-storage', 'list volume availability zones');
}
