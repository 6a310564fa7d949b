import type { Session } from './auth.js';

/** The availability zones Cinder offers (`availabilityZoneInfo`), those not marked unavailable. */
export async function listVolumeAvailabilityZones(s: Session): Promise<string[]> {
  const res = await s.request('block-storage', 'list volume availability zones', 'GET', '/os-availability-zone');
  const zones = (res.body as { availabilityZoneInfo?: Array<{ zoneName: string; zoneState?: { available?: boolean } }> }).availabilityZoneInfo ?? [];
  return zones.filter((z) => z.zoneState?.available !== false).map((z) => z.zoneName);
}
