import { type Check, type VerifyFacts, cannotRun, check } from './verify-request.js';

/** Device names sort as the guest sees the disks: vda < vdb < ... < vdz < vdaa. */
const deviceOrder = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Each disk has its volume, marked converted when the disks are final; each volume is attached to the server (in
 * VMware disk order, disk 0 the boot device) and to nothing else, such as the conversion host.
 */
export function volumeChecks(f: VerifyFacts): Check[] {
  const { volumes, server, attachments, req } = f;
  const out: Check[] = [];
  for (const { disk, volume } of volumes) {
    const id = `volume.converted.${disk.key}`;
    const want = req.final ? 'true' : 'false';
    if (!volume) out.push(check(id, want, 'no volume', false, `disk ${disk.key} has no volume of the tool`));
    else {
      const got = volume.metadata.converted ?? '(unset)';
      out.push(check(id, want, got, got === want, `volume ${volume.id} of disk ${disk.key}: converted=${got}`));
    }
  }
  if (!req.final || !req.expect.server) return [...out, ...notAttachedElsewhere(f, undefined)];
  const serverId = server?.id;
  const deviceOf = new Map(attachments.map((a) => [a.volumeId, a.device ?? '']));
  for (const { disk, volume } of volumes) {
    const id = `volume.attached.${disk.key}`;
    if (!volume) out.push(cannotRun(id, 'attached to the server', `disk ${disk.key} has no volume`));
    else if (!serverId) out.push(cannotRun(id, 'attached to the server', 'there is no server'));
    else {
      const device = deviceOf.get(volume.id);
      out.push(check(id, `attached to ${serverId}`, device ?? 'not attached', device !== undefined, `volume ${volume.id} of disk ${disk.key}: ${device ? `attached as ${device}` : 'not attached to the server'}`));
    }
  }
  out.push(orderCheck(f));
  return [...out, ...notAttachedElsewhere(f, serverId)];
}

/** The attached volumes, sorted by device, are the disks in VMware order, the first (boot) one disk 0. */
function orderCheck(f: VerifyFacts): Check {
  const id = 'volumes.order';
  const attachedIds = new Set(f.attachments.map((a) => a.volumeId));
  const wanted = f.volumes.filter((v) => v.volume && attachedIds.has(v.volume.id)).map((v) => `${v.disk.key}:${v.volume!.id}`);
  if (!f.server) return cannotRun(id, 'boot volume is disk 0, the rest in VMware disk order', 'there is no server');
  const byDevice = [...f.attachments].sort((a, b) => deviceOrder(a.device ?? '', b.device ?? ''));
  const diskOf = new Map(f.volumes.filter((v) => v.volume).map((v) => [v.volume!.id, v.disk.key]));
  const observed = byDevice.filter((a) => diskOf.has(a.volumeId)).map((a) => `${diskOf.get(a.volumeId)}:${a.volumeId}`);
  const bootDisk = f.volumes[0]?.disk.key;
  const bootOk = observed.length === 0 || observed[0]!.startsWith(`${bootDisk}:`);
  const passed = bootOk && observed.join() === wanted.join();
  const devices = byDevice.map((a) => `${a.device ?? '?'}=${diskOf.has(a.volumeId) ? `disk ${diskOf.get(a.volumeId)}` : a.volumeId}`).join(', ');
  return check(id, wanted, observed, passed, passed ? `devices in disk order: ${devices}` : `devices not in VMware disk order (boot must be disk ${bootDisk}): ${devices}`);
}

/** No volume of the VM is attached to another server (a conversion host the migration did not detach from). */
function notAttachedElsewhere(f: VerifyFacts, serverId: string | undefined): Check[] {
  const elsewhere = f.volumes.flatMap(({ volume }) =>
    (volume?.attachments ?? []).filter((a) => a.server_id && a.server_id !== serverId).map((a) => `${volume!.id} on ${a.server_id}`),
  );
  const where = serverId ? 'the migrated server' : 'no server';
  return [check('volumes.not_attached_elsewhere', `attached only to ${where}`, elsewhere, elsewhere.length === 0, elsewhere.length ? `left attached: ${elsewhere.join(', ')}` : 'no volume is attached to another server')];
}
