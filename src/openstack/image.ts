import { z } from 'zod';
import type { Session } from './auth.js';
import { getOrUndefined, requestOne, unlessNotFound } from './resource.js';
import { type WaitOptions, waitForStatus } from './wait.js';

/** Glance v2: create an image record, upload its bytes, watch its status. */

const imageSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable().optional(),
  status: z.string(),
  size: z.number().nullable().optional(),
  checksum: z.string().nullable().optional(),
  os_hash_value: z.string().nullable().optional(),
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

export async function createImage(s: Session, spec: ImageSpec): Promise<Image> {
  const body = {
    name: spec.name,
    disk_format: spec.diskFormat,
    container_format: spec.containerFormat ?? 'bare',
    visibility: spec.visibility ?? 'private',
    ...spec.properties,
  };
  return requestOne(s, 'image', `create image ${spec.name}`, 'POST', '/images', imageSchema, { body });
}

/** Upload the bytes (sent once: a failed upload must be restarted from the beginning by the caller). */
export async function uploadImage(s: Session, id: string, data: Buffer | NodeJS.ReadableStream): Promise<void> {
  await s.request('image', `upload data of image ${id}`, 'PUT', `/images/${id}/file`, {
    rawBody: data,
    headers: { 'content-type': 'application/octet-stream' },
    idempotent: false,
  });
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
