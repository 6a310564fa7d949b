import { z } from 'zod';
import type { Session } from './auth.js';
import { isNotFound } from './errors.js';
import { parseAnswer } from './parse.js';
import { type WaitOptions, pollUntil } from './wait.js';

/** Glance v2: create an image record, upload its bytes, watch its status. */

export const imageSchema = z.looseObject({
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
  const res = await s.request('image', `create image ${spec.name}`, 'POST', '/images', { body });
  return parseAnswer(imageSchema, res.body, `image: create image ${spec.name}`);
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
  try {
    const res = await s.request('image', `get image ${id}`, 'GET', `/images/${encodeURIComponent(id)}`);
    return parseAnswer(imageSchema, res.body, `image: get image ${id}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function waitForImageActive(s: Session, id: string, opts: WaitOptions): Promise<Image> {
  let last: Image | undefined;
  return pollUntil(
    async () => {
      last = await getImage(s, id);
      if (!last) throw new Error(`image ${id} disappeared while waiting for it to become active`);
      if (last.status === 'active') return last;
      if (last.status === 'killed' || last.status === 'deleted') throw new Error(`image ${id} is ${last.status}; upload it again`);
      return undefined;
    },
    opts,
    () => new Error(`image ${id} did not become active within ${opts.timeoutMs / 1000}s (last status ${last?.status ?? 'unknown'})`),
  );
}

export async function deleteImage(s: Session, id: string): Promise<void> {
  try {
    await s.request('image', `delete image ${id}`, 'DELETE', `/images/${id}`);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
