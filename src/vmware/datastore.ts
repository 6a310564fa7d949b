import { VSphereError } from './faults.js';

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
