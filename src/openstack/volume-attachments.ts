import { z } from 'zod';
import type { Session } from './auth.js';
import { computeHeaders as headers } from './compute-microversion.js';
import { listAll, unlessNotFound } from './resource.js';
import { type Volume, waitForVolumeStatus } from './volume.js';
import type { WaitOptions } from './wait.js';

/** Volumes attached to servers: asked of Nova, seen complete on the Cinder volume (in-use, available). */

const attachmentSchema = z.looseObject({
  id: z.string(),
  volumeId: z.string(),
  serverId: z.string(),
  device: z.string().nullable().optional(),
});

export interface VolumeAttachment {
  id: string;
  volumeId: string;
  serverId: string;
  device: string | undefined;
}

export async function listVolumeAttachments(s: Session, serverId: string): Promise<VolumeAttachment[]> {
  const list = await listAll(
    s,
    'compute',
    `list volume attachments of server ${serverId}`,
    `/servers/${serverId}/os-volume_attachments`,
    'volumeAttachments',
    attachmentSchema,
    { headers },
  );
  return list.map((x) => ({ id: x.id, volumeId: x.volumeId, serverId: x.serverId, device: x.device ?? undefined }));
}

/** Attach through Nova and wait until Cinder reports the volume in-use. */
export async function attachVolumeToServer(s: Session, serverId: string, volumeId: string, wait: WaitOptions): Promise<Volume> {
  await s.request('compute', `attach volume ${volumeId} to server ${serverId}`, 'POST', `/servers/${serverId}/os-volume_attachments`, {
    headers,
    body: { volumeAttachment: { volumeId } },
  });
  return waitForVolumeStatus(s, volumeId, 'in-use', wait);
}

/** Detach through Nova and wait until Cinder reports the volume available. Already detached is fine. */
export async function detachVolumeFromServer(s: Session, serverId: string, volumeId: string, wait: WaitOptions): Promise<Volume> {
  await unlessNotFound(
    s.request('compute', `detach volume ${volumeId} from server ${serverId}`, 'DELETE', `/servers/${serverId}/os-volume_attachments/${volumeId}`, {
      headers,
    }),
  );
  return waitForVolumeStatus(s, volumeId, 'available', wait);
}
