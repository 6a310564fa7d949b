import { request } from 'undici';
import { ObjectNotFoundError, VSphereError } from './faults.js';
import type { VSphereSession } from './session.js';

/** A file on a datastore: `[dsName] path` as vSphere writes backing file names. */
export interface DatastoreFile {
  datacenter: string;
  datastore: string;
  /** Path inside the datastore, e.g. `vm/vm-flat.vmdk`. */
  path: string;
}

/** `[LocalDS_0] vm/disk.vmdk` -> datastore and path. */
export function parseDatastorePath(fileName: string, datacenter: string): DatastoreFile {
  const m = /^\[([^\]]+)\]\s*(.*)$/.exec(fileName);
  if (!m) throw new VSphereError(`"${fileName}" is not a datastore path like "[datastore] folder/file"`, undefined);
  return { datacenter, datastore: m[1] as string, path: m[2] as string };
}

/** The datastore HTTP URL: `https://<server>/folder/<path>?dcPath=<datacenter>&dsName=<datastore>`. */
export function datastoreUrl(server: string, file: DatastoreFile): string {
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  const query = new URLSearchParams({ dcPath: file.datacenter, dsName: file.datastore });
  return `https://${server}/folder/${path}?${query.toString().replace(/\+/g, '%20')}`;
}

function headers(session: VSphereSession, extra: Record<string, string> = {}): Record<string, string> {
  const cookie = session.cookieHeader();
  return cookie ? { ...extra, cookie } : extra;
}

function statusError(file: DatastoreFile, method: string, status: number): VSphereError {
  const where = `[${file.datastore}] ${file.path} (datacenter ${file.datacenter})`;
  if (status === 404) return new ObjectNotFoundError(`${method} ${where}: no such datastore file; check the VM's disk backing`, undefined);
  if (status === 401 || status === 403) return new VSphereError(`${method} ${where}: HTTP ${status}; the user needs Datastore.Browse`, undefined);
  return new VSphereError(`${method} ${where}: HTTP ${status}`, undefined);
}

/** Size in bytes of a datastore file (HTTP HEAD). */
export async function datastoreFileSize(session: VSphereSession, file: DatastoreFile): Promise<number> {
  const res = await request(datastoreUrl(session.server, file), { dispatcher: session.dispatcher, method: 'HEAD', headers: headers(session) });
  await res.body.dump();
  if (res.statusCode !== 200) throw statusError(file, 'HEAD', res.statusCode);
  return Number(res.headers['content-length'] ?? 0);
}

/** Bytes `[start, start+length)` of a datastore file (HTTP ranged GET). */
export async function readDatastoreRange(session: VSphereSession, file: DatastoreFile, start: number, length: number): Promise<Buffer> {
  const res = await request(datastoreUrl(session.server, file), {
    dispatcher: session.dispatcher,
    method: 'GET',
    headers: headers(session, { range: `bytes=${start}-${start + length - 1}` }),
  });
  if (res.statusCode !== 206 && res.statusCode !== 200) {
    await res.body.dump();
    throw statusError(file, 'GET', res.statusCode);
  }
  const data = Buffer.from(await res.body.arrayBuffer());
  return res.statusCode === 200 ? data.subarray(start, start + length) : data;
}
