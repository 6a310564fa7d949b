import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session } from '../openstack/auth.js';
import { findServersByName, getServer } from '../openstack/servers.js';
import { attachVolumeToServer, detachVolumeFromServer, listVolumeAttachments } from '../openstack/volume-attachments.js';
import { type Volume, getVolume } from '../openstack/volume.js';
import type { WaitOptions } from '../openstack/wait.js';

/**
 * The conversion host: the Nova server this process runs on, to which the migration attaches its volumes.
 * Which server that is comes from (in order) the metadata service, the DMI product UUID (Nova writes the instance
 * UUID there), the `instanceuuid` argument, and the `convhostname` argument. Each candidate must be a server of
 * the destination cloud; none found is an error, never an empty success (upstream appended an empty volume id).
 */

export const DEFAULT_METADATA_URL = 'http://169.254.169.254/openstack/latest/meta_data.json';
export const DMI_PRODUCT_UUID = '/sys/class/dmi/id/product_uuid';

export interface ConversionHostLookup {
  /** `instanceuuid` argument. */
  instanceUuid?: string | undefined;
  /** `convhostname` argument. */
  serverName?: string | undefined;
  /** Metadata service URL (env OSM_METADATA_URL overrides the link-local default; tests point it at loopback). */
  metadataUrl?: string;
  metadataTimeoutMs?: number;
  dmiPath?: string;
}

export interface ConversionHost {
  id: string;
  name: string;
  /** Where the UUID came from. */
  source: 'metadata' | 'dmi' | 'instanceuuid' | 'convhostname';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function metadataUuid(url: string, timeoutMs: number): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') throw new Error(`no answer within ${timeoutMs} ms`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`unreachable (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json().catch(() => undefined)) as { uuid?: unknown } | undefined;
  if (typeof body?.uuid !== 'string' || !UUID.test(body.uuid)) throw new Error('the answer holds no uuid');
  return body.uuid.toLowerCase();
}

async function dmiUuid(path: string): Promise<string> {
  const text = (await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${path} (${e.code ?? e.message})`);
  })).trim();
  if (!UUID.test(text)) throw new Error(`${path} holds no UUID`);
  return text.toLowerCase();
}

/** Find the conversion host's Nova server; the error lists why each source did not answer. */
export async function findConversionHost(s: Session, opts: ConversionHostLookup): Promise<ConversionHost> {
  const reasons: string[] = [];
  const check = async (uuid: string, source: ConversionHost['source']): Promise<ConversionHost | undefined> => {
    const server = await getServer(s, uuid);
    if (server) return { id: server.id, name: server.name, source };
    reasons.push(`${source}: ${uuid} is not a server of project ${s.projectId}`);
    return undefined;
  };
  const metadataUrl = opts.metadataUrl ?? process.env.OSM_METADATA_URL ?? DEFAULT_METADATA_URL;
  try {
    const found = await check(await metadataUuid(metadataUrl, opts.metadataTimeoutMs ?? 3000), 'metadata');
    if (found) return found;
  } catch (e) {
    reasons.push(`metadata service ${metadataUrl}: ${(e as Error).message}`);
  }
  try {
    const found = await check(await dmiUuid(opts.dmiPath ?? DMI_PRODUCT_UUID), 'dmi');
    if (found) return found;
  } catch (e) {
    reasons.push(`DMI: ${(e as Error).message}`);
  }
  if (opts.instanceUuid) {
    const found = await check(opts.instanceUuid.trim(), 'instanceuuid');
    if (found) return found;
  } else reasons.push('instanceuuid: not given');
  if (opts.serverName) {
    const servers = await findServersByName(s, opts.serverName);
    if (servers.length === 1) return { id: servers[0]!.id, name: servers[0]!.name, source: 'convhostname' };
    reasons.push(`convhostname: ${servers.length} servers are named ${opts.serverName}`);
  }
  throw new Error(
    `cannot tell which OpenStack server is the conversion host (${reasons.join('; ')}). ` +
      'Run the migration on a Nova instance of the destination cloud, or set instanceuuid (import_workloads_instance_uuid) to its server ID',
  );
}

const SETTLING = new Set(['attaching', 'detaching', 'reserved', 'creating', 'downloading', 'maintenance']);

/**
 * Make sure `volumeId` is attached to the conversion host. An attachment the tool left (a crashed run) is reused;
 * a volume attached to any other server is never taken away from it. Returns whether this call attached it.
 */
export async function ensureAttached(s: Session, host: ConversionHost, volumeId: string, wait: WaitOptions): Promise<'attached' | 'reused'> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const v = await getVolume(s, volumeId);
    if (!v) throw new Error(`volume ${volumeId} disappeared before it could be attached`);
    if (v.status === 'available') {
      await attachVolumeToServer(s, host.id, volumeId, wait);
      return 'attached';
    }
    if (v.status === 'in-use') {
      const others = v.attachments.map((a) => a.server_id).filter((id) => id && id !== host.id);
      if (v.attachments.some((a) => a.server_id === host.id)) return 'reused';
      throw new Error(
        `volume ${v.name} (${v.id}) is attached to server ${others.join(', ') || '(unknown)'}, not to the conversion host ${host.name} (${host.id}); detach it first`,
      );
    }
    if (!SETTLING.has(v.status)) throw new Error(`volume ${v.name} (${v.id}) is ${v.status}; it cannot be attached (see the Cinder logs)`);
    if (Date.now() >= deadline) throw new Error(`volume ${v.name} (${v.id}) stayed ${v.status} for ${wait.timeoutMs / 1000} s`);
    await sleep(wait.intervalMs, undefined, { signal: wait.signal });
  }
}

/** Detach `volumeId` from the conversion host when it is attached there; no-op otherwise. */
export async function detachIfAttached(s: Session, host: ConversionHost, volumeId: string, wait: WaitOptions): Promise<boolean> {
  const v = await getVolume(s, volumeId);
  if (!v) return false;
  if (SETTLING.has(v.status)) await settle(s, v, wait);
  const attached = (await listVolumeAttachments(s, host.id)).some((a) => a.volumeId === volumeId);
  if (!attached) return false;
  await detachVolumeFromServer(s, host.id, volumeId, wait);
  return true;
}

async function settle(s: Session, v: Volume, wait: WaitOptions): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  let cur: Volume | undefined = v;
  while (cur && SETTLING.has(cur.status)) {
    if (Date.now() >= deadline) throw new Error(`volume ${v.name} (${v.id}) stayed ${cur.status} for ${wait.timeoutMs / 1000} s`);
    await sleep(wait.intervalMs, undefined, { signal: wait.signal });
    cur = await getVolume(s, v.id);
  }
}
