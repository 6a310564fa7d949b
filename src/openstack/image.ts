import { z } from 'zod';
import type { Session } from './auth.js';
import { TOOL_METADATA, hasToolMetadata, inProject } from './markers.js';
import { getOrUndefined, listAll, requestOne, unlessNotFound } from './resource.js';
import { type WaitOptions, waitForDeletion, waitForStatus } from './wait.js';

/** Glance v2: create an image record (marked as the tool's), upload its bytes, watch its status, find the tool's. */

const imageSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable().optional(),
  status: z.string(),
  size: z.number().nullable().optional(),
  checksum: z.string().nullable().optional(),
  os_hash_value: z.string().nullable().optional(),
  owner: z.string().nullable().optional(),
  disk_format: z.string().nullable().optional(),
  osm: z.string().optional(),
});
export type Image = z.output<typeof imageSchema>;

export interface ImageSpec {
  name: string;
  diskFormat: 'raw' | 'qcow2' | 'vmdk';
  containerFormat?: string;
  visibility?: 'private' | 'shared' | 'community' | 'public';
  /** extra image properties (hw_firmware_type, os_distro, osm, ...) */
  properties?: Record<string, string>;
}

/** Create the image record, carrying the tool's marker (property `osm: "true"`) over `spec.properties`. */
export async function createImage(s: Session, spec: ImageSpec): Promise<Image> {
  const body = {
    name: spec.name,
    disk_format: spec.diskFormat,
    container_format: spec.containerFormat ?? 'bare',
    visibility: spec.visibility ?? 'private',
    ...spec.properties,
    ...TOOL_METADATA,
  };
  return requestOne(s, 'image', `create image ${spec.name}`, 'POST', '/images', imageSchema, { body });
}

/**
 * Upload the bytes (sent once: a failed upload must be restarted from the beginning by the caller). A stream is sent
 * as it is read; `size` becomes the content-length.
 */
export async function uploadImage(s: Session, id: string, data: Buffer | NodeJS.ReadableStream, size?: number): Promise<void> {
  const length = size ?? (Buffer.isBuffer(data) ? data.length : undefined);
  await s.request('image', `upload data of image ${id}`, 'PUT', `/images/${id}/file`, {
    rawBody: data,
    headers: { 'content-type': 'application/octet-stream', ...(length !== undefined ? { 'content-length': String(length) } : {}) },
    idempotent: false,
  });
}

/** Carries the tool's marker and belongs to the session's project. */
export function isToolImage(s: Session, i: Image): boolean {
  return hasToolMetadata({ osm: i.osm ?? '' }) && inProject(i.owner ?? undefined, s.projectId);
}

/** Every image of the tool in the session's project. */
export async function listToolImages(s: Session): Promise<Image[]> {
  const list = await listAll(s, 'image', 'list images', '/images', 'images', imageSchema, { query: { owner: s.projectId } });
  return list.filter((i) => isToolImage(s, i));
}

/** The tool's images named `name` in the session's project (several, when a crashed upload left one behind). */
export async function findToolImages(s: Session, name: string): Promise<Image[]> {
  const list = await listAll(s, 'image', `find images named ${name}`, '/images', 'images', imageSchema, { query: { name, owner: s.projectId } });
  return list.filter((i) => i.name === name && isToolImage(s, i));
}

export async function getImage(s: Session, id: string): Promise<Image | undefined> {
  return getOrUndefined(s, 'image', `get image ${id}`, `/images/${encodeURIComponent(id)}`, imageSchema);
}

/** killed or deleted stops the wait: the upload has to start again. */
export async function waitForImageActive(s: Session, id: string, opts: WaitOptions): Promise<Image> {
  return waitForStatus(
    {
      what: `image ${id}`,
      get: () => getImage(s, id),
      status: (i) => i.status,
      failure: (i) => (i.status === 'killed' || i.status === 'deleted' ? new Error(`image ${id} is ${i.status}; upload it again`) : undefined),
    },
    'active',
    opts,
  );
}

export async function deleteImage(s: Session, id: string): Promise<void> {
  await unlessNotFound(s.request('image', `delete image ${id}`, 'DELETE', `/images/${id}`));
}

export async function waitForImageGone(s: Session, id: string, opts: WaitOptions): Promise<void> {
  await waitForDeletion({ what: `image ${id}`, get: () => getImage(s, id), status: (i) => i.status, deleted: (i) => i.status === 'deleted' }, opts);
}
