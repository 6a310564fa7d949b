import { z } from 'zod';
import type { Session } from './auth.js';
import { createVolumeAttachment, deleteVolumeAttachment } from './compute.js';
import { isNotFound } from './errors.js';
import { TOOL_METADATA, hasToolMetadata, inProject } from './markers.js';
import { parseAnswer } from './parse.js';
import { type WaitOptions, pollUntil } from './wait.js';

/** Cinder v3: volumes, metadata, bootable, image metadata, manage existing, attachments, types, AZs, quotas. */

export const volumeSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable().transform((v) => v ?? ''),
  status: z.string(),
  size: z.number(),
  bootable: z.union([z.string(), z.boolean()]).transform((v) => String(v)),
  metadata: z.record(z.string(), z.string()).default({}),
  volume_type: z.string().nullable().optional(),
  availability_zone: z.string().nullable().optional(),
  'os-vol-tenant-attr:tenant_id': z.string().optional(),
  attachments: z.array(z.looseObject({ server_id: z.string().optional(), device: z.string().nullable().optional() })).default([]),
  volume_image_metadata: z.record(z.string(), z.string()).optional(),
});
export type Volume = z.output<typeof volumeSchema>;

const DELETABLE = new Set(['available', 'error', 'error_restoring', 'error_extending', 'error_managing']);
export const isDeletableStatus = (status: string): boolean => DELETABLE.has(status);

export function volumeProject(v: Volume): string | undefined {
  return v['os-vol-tenant-attr:tenant_id'];
}

/** Carries the tool's marker and belongs to the session's project. */
export function isToolVolume(s: Session, v: Volume): boolean {
  return hasToolMetadata(v.metadata) && inProject(volumeProject(v), s.projectId);
}

export async function getVolume(s: Session, id: string): Promise<Volume | undefined> {
  try {
    const res = await s.request('block-storage', `get volume ${id}`, 'GET', `/volumes/${encodeURIComponent(id)}`);
    return parseAnswer(volumeSchema, (res.body as { volume?: unknown }).volume, `block-storage: get volume ${id}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Volumes of the token's project with exactly this name. */
export async function listVolumesByName(s: Session, name: string): Promise<Volume[]> {
  const list = await s.list<unknown>('block-storage', `find volumes named ${name}`, '/volumes/detail', 'volumes', { query: { name } });
  return list.map((v) => parseAnswer(volumeSchema, v, 'block-storage: list volumes')).filter((v) => v.name === name);
}

/** The tool's volume named `name` (upstream's `<SafeVmName>-<diskkey>`), or undefined; two are an error. */
export async function findToolVolume(s: Session, name: string): Promise<Volume | undefined> {
  const ours = (await listVolumesByName(s, name)).filter((v) => isToolVolume(s, v));
  if (ours.length > 1) {
    throw new Error(`more than one volume named ${name} carries the tool's marker (${ours.map((v) => v.id).join(', ')}); delete the extra one`);
  }
  return ours[0];
}

export class VolumeErrorState extends Error {
  override name = 'VolumeErrorState';
}

export async function waitForVolumeStatus(s: Session, id: string, status: string, opts: WaitOptions): Promise<Volume> {
  let last: Volume | undefined;
  return pollUntil(
    async () => {
      last = await getVolume(s, id);
      if (!last) throw new Error(`volume ${id} disappeared while waiting for ${status}`);
      if (last.status === status) return last;
      if (last.status.startsWith('error') && !status.startsWith('error')) {
        throw new VolumeErrorState(`volume ${last.name || id} (${id}) went to ${last.status} while waiting for ${status}; see the Cinder volume service logs`);
      }
      return undefined;
    },
    opts,
    () => new Error(`volume ${id} did not reach ${status} within ${opts.timeoutMs / 1000}s (last status ${last?.status ?? 'unknown'})`),
  );
}

export async function waitForVolumeGone(s: Session, id: string, opts: WaitOptions): Promise<void> {
  let last: Volume | undefined;
  await pollUntil(
    async () => {
      last = await getVolume(s, id);
      if (!last) return true;
      if (last.status === 'error_deleting') throw new VolumeErrorState(`volume ${id} went to error_deleting; see the Cinder volume service logs`);
      return undefined;
    },
    opts,
    () => new Error(`volume ${id} was not deleted within ${opts.timeoutMs / 1000}s (last status ${last?.status ?? 'unknown'})`),
  );
}

export interface VolumeSpec {
  name: string;
  sizeGiB: number;
  volumeType?: string;
  availabilityZone?: string;
  description?: string;
  /** merged over the tool's marker `osm: "true"` */
  metadata?: Record<string, string>;
}

/** Create a volume carrying the tool's marker and wait until it is available. */
export async function createVolume(s: Session, spec: VolumeSpec, wait: WaitOptions): Promise<Volume> {
  const volume: Record<string, unknown> = {
    name: spec.name,
    size: spec.sizeGiB,
    metadata: { ...spec.metadata, ...TOOL_METADATA },
  };
  if (spec.volumeType) volume.volume_type = spec.volumeType;
  if (spec.availabilityZone) volume.availability_zone = spec.availabilityZone;
  if (spec.description) volume.description = spec.description;
  const res = await s.request('block-storage', `create volume ${spec.name} (${spec.sizeGiB} GiB)`, 'POST', '/volumes', { body: { volume } });
  const created = parseAnswer(volumeSchema, (res.body as { volume?: unknown }).volume, `block-storage: create volume ${spec.name}`);
  return waitForVolumeStatus(s, created.id, 'available', wait);
}

async function volumeAction(s: Session, id: string, call: string, body: unknown): Promise<void> {
  await s.request('block-storage', `${call} on volume ${id}`, 'POST', `/volumes/${id}/action`, { body, idempotent: true });
}

export async function setBootable(s: Session, id: string, bootable: boolean): Promise<void> {
  await volumeAction(s, id, 'set bootable', { 'os-set_bootable': { bootable } });
}

/** Glance-style properties Nova reads from a volume it boots (hw_firmware_type, hw_machine_type, ...). */
export async function setImageMetadata(s: Session, id: string, metadata: Record<string, string>): Promise<void> {
  if (Object.keys(metadata).length === 0) return;
  await volumeAction(s, id, 'set image metadata', { 'os-set_image_metadata': { metadata } });
}

/** Merge keys into the volume's metadata (POST), keeping the others; upstream's PUT dropped e.g. changeID. */
export async function updateVolumeMetadata(s: Session, id: string, metadata: Record<string, string>): Promise<Record<string, string>> {
  const res = await s.request('block-storage', `update metadata of volume ${id}`, 'POST', `/volumes/${id}/metadata`, {
    body: { metadata },
    idempotent: true,
  });
  return ((res.body as { metadata?: Record<string, string> }).metadata ?? {}) as Record<string, string>;
}

export async function deleteVolume(s: Session, id: string): Promise<void> {
  try {
    await s.request('block-storage', `delete volume ${id}`, 'DELETE', `/volumes/${id}`);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Attach through Nova and wait until Cinder reports the volume in-use. */
export async function attachVolumeToServer(s: Session, serverId: string, volumeId: string, wait: WaitOptions): Promise<Volume> {
  await createVolumeAttachment(s, serverId, volumeId);
  return waitForVolumeStatus(s, volumeId, 'in-use', wait);
}

/** Detach through Nova and wait until Cinder reports the volume available. Already detached is fine. */
export async function detachVolumeFromServer(s: Session, serverId: string, volumeId: string, wait: WaitOptions): Promise<Volume> {
  try {
    await deleteVolumeAttachment(s, serverId, volumeId);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  return waitForVolumeStatus(s, volumeId, 'available', wait);
}

export interface ManageSpec {
  /** Cinder `host@backend#pool` */
  host: string;
  /** backend volume name (`ref.source-name`) */
  sourceName: string;
  name: string;
  volumeType?: string;
  availabilityZone?: string;
  bootable?: boolean;
  metadata?: Record<string, string>;
}

/** Bring an existing backend volume under Cinder, marked as the tool's, and wait until available. */
export async function manageExistingVolume(s: Session, spec: ManageSpec, wait: WaitOptions): Promise<Volume> {
  const volume: Record<string, unknown> = {
    host: spec.host,
    ref: { 'source-name': spec.sourceName },
    name: spec.name,
    metadata: { ...spec.metadata, ...TOOL_METADATA },
    bootable: spec.bootable ?? true,
  };
  if (spec.volumeType) volume.volume_type = spec.volumeType;
  if (spec.availabilityZone) volume.availability_zone = spec.availabilityZone;
  // Cinder routes POST /manageable_volumes from microversion 3.8 on (404 without it).
  const res = await s.request('block-storage', `manage existing volume ${spec.sourceName} on ${spec.host}`, 'POST', '/manageable_volumes', {
    body: { volume },
    headers: { 'openstack-api-version': 'volume 3.8' },
  });
  const created = parseAnswer(volumeSchema, (res.body as { volume?: unknown }).volume, 'block-storage: manage existing volume');
  return waitForVolumeStatus(s, created.id, 'available', wait);
}

export async function listVolumeTypes(s: Session): Promise<Array<{ id: string; name: string }>> {
  return s.list<{ id: string; name: string }>('block-storage', 'list volume types', '/types', 'volume_types');
}

export async function listVolumeAvailabilityZones(s: Session): Promise<string[]> {
  const res = await s.request('block-storage', 'list volume availability zones', 'GET', '/os-availability-zone');
  const zones = (res.body as { availabilityZoneInfo?: Array<{ zoneName: string; zoneState?: { available?: boolean } }> }).availabilityZoneInfo ?? [];
  return zones.filter((z) => z.zoneState?.available !== false).map((z) => z.zoneName);
}

export async function getVolumeQuotas(s: Session, projectId: string): Promise<Record<string, { limit: number; in_use: number }>> {
  const res = await s.request('block-storage', `get volume quotas of project ${projectId}`, 'GET', `/os-quota-sets/${projectId}`, {
    query: { usage: 'true' },
  });
  const set = (res.body as { quota_set?: Record<string, unknown> }).quota_set ?? {};
  return Object.fromEntries(Object.entries(set).filter(([, v]) => v && typeof v === 'object')) as Record<string, { limit: number; in_use: number }>;
}
