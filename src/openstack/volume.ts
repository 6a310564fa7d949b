import { z } from 'zod';
import type { Session } from './auth.js';
import { TOOL_METADATA, hasToolMetadata, inProject } from './markers.js';
import { getOrUndefined, listAll, requestOne, unlessNotFound } from './resource.js';
import { DELETED, type WaitOptions, type Watched, waitForDeletion, waitForStatus } from './wait.js';

/** Cinder v3: volumes, metadata, bootable, image metadata, manage existing, types. */

const volumeSchema = z.looseObject({
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
  return getOrUndefined(s, 'block-storage', `get volume ${id}`, `/volumes/${encodeURIComponent(id)}`, volumeSchema, { key: 'volume' });
}

/** Volumes of the token's project with exactly this name. */
export async function listVolumesByName(s: Session, name: string): Promise<Volume[]> {
  const list = await listAll(s, 'block-storage', `find volumes named ${name}`, '/volumes/detail', 'volumes', volumeSchema, { query: { name } });
  return list.filter((v) => v.name === name);
}

/** Every volume the token's project can list. */
export async function listVolumes(s: Session): Promise<Volume[]> {
  return listAll(s, 'block-storage', 'list volumes', '/volumes/detail', 'volumes', volumeSchema);
}

/** The tool's volume named `name` (upstream's `<SafeVmName>-<diskkey>`), or undefined; two are an error. */
export async function findToolVolume(s: Session, name: string): Promise<Volume | undefined> {
  const ours = (await listVolumesByName(s, name)).filter((v) => isToolVolume(s, v));
  if (ours.length > 1) {
    throw new Error(`more than one volume named ${name} carries the tool's marker (${ours.map((v) => v.id).join(', ')}); delete the extra one`);
  }
  return ours[0];
}

class VolumeErrorState extends Error {
  override name = 'VolumeErrorState';
}

/** An error status stops a wait for any other status; error_deleting stops a wait for the deletion. */
function watchVolume(s: Session, id: string): Watched<Volume> {
  return {
    what: `volume ${id}`,
    get: () => getVolume(s, id),
    status: (v) => v.status,
    failure: (v, target) => {
      if (target === DELETED) {
        return v.status === 'error_deleting' ? new VolumeErrorState(`volume ${id} went to error_deleting; see the Cinder volume service logs`) : undefined;
      }
      if (!v.status.startsWith('error') || target.startsWith('error')) return undefined;
      return new VolumeErrorState(`volume ${v.name || id} (${id}) went to ${v.status} while waiting for ${target}; see the Cinder volume service logs`);
    },
  };
}

export async function waitForVolumeStatus(s: Session, id: string, status: string, opts: WaitOptions): Promise<Volume> {
  return waitForStatus(watchVolume(s, id), status, opts);
}

export async function waitForVolumeGone(s: Session, id: string, opts: WaitOptions): Promise<void> {
  return waitForDeletion(watchVolume(s, id), opts);
}

/** What every volume the tool brings into Cinder carries. */
interface ToolVolumeSpec {
  name: string;
  volumeType?: string;
  availabilityZone?: string;
  /** merged over the tool's marker `osm: "true"` */
  metadata?: Record<string, string>;
}

/** POST a volume carrying the tool's marker and wait until it is available. */
async function createToolVolume(
  s: Session,
  call: string,
  path: string,
  spec: ToolVolumeSpec,
  fields: Record<string, unknown>,
  headers: Record<string, string> | undefined,
  wait: WaitOptions,
): Promise<Volume> {
  const volume: Record<string, unknown> = { name: spec.name, ...fields, metadata: { ...spec.metadata, ...TOOL_METADATA } };
  if (spec.volumeType) volume.volume_type = spec.volumeType;
  if (spec.availabilityZone) volume.availability_zone = spec.availabilityZone;
  const created = await requestOne(s, 'block-storage', call, 'POST', path, volumeSchema, { body: { volume }, headers, key: 'volume' });
  return waitForVolumeStatus(s, created.id, 'available', wait);
}

export interface VolumeSpec extends ToolVolumeSpec {
  sizeGiB: number;
  description?: string;
  /** Create it from this Glance image (Cinder copies, or on RBD clones, the image's bytes). */
  imageId?: string;
}

/** Create a volume carrying the tool's marker and wait until it is available. */
export async function createVolume(s: Session, spec: VolumeSpec, wait: WaitOptions): Promise<Volume> {
  const fields = { size: spec.sizeGiB, ...(spec.description ? { description: spec.description } : {}), ...(spec.imageId ? { imageRef: spec.imageId } : {}) };
  const from = spec.imageId ? ` from image ${spec.imageId}` : '';
  return createToolVolume(s, `create volume ${spec.name} (${spec.sizeGiB} GiB)${from}`, '/volumes', spec, fields, undefined, wait);
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

/** Remove one metadata key of the volume; an absent key is fine. */
export async function deleteVolumeMetadataKey(s: Session, id: string, key: string): Promise<void> {
  await unlessNotFound(s.request('block-storage', `delete metadata ${key} of volume ${id}`, 'DELETE', `/volumes/${id}/metadata/${encodeURIComponent(key)}`));
}

export async function deleteVolume(s: Session, id: string): Promise<void> {
  await unlessNotFound(s.request('block-storage', `delete volume ${id}`, 'DELETE', `/volumes/${id}`));
}

export interface ManageSpec extends ToolVolumeSpec {
  /** Cinder `host@backend#pool` */
  host: string;
  /** backend volume name (`ref.source-name`) */
  sourceName: string;
  bootable?: boolean;
}

/** Bring an existing backend volume under Cinder, marked as the tool's, and wait until available. */
export async function manageExistingVolume(s: Session, spec: ManageSpec, wait: WaitOptions): Promise<Volume> {
  const fields = { host: spec.host, ref: { 'source-name': spec.sourceName }, bootable: spec.bootable ?? true };
  // Cinder routes POST /manageable_volumes from microversion 3.8 on (404 without it).
  const headers = { 'openstack-api-version': 'volume 3.8' };
  return createToolVolume(s, `manage existing volume ${spec.sourceName} on ${spec.host}`, '/manageable_volumes', spec, fields, headers, wait);
}

const volumeTypeSchema = z.looseObject({ id: z.string(), name: z.string() });

export async function listVolumeTypes(s: Session): Promise<Array<{ id: string; name: string }>> {
  return listAll(s, 'block-storage', 'list volume types', '/types', 'volume_types', volumeTypeSchema);
}
