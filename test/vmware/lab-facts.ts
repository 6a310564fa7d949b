// The lab vCenter simulator's facts file ($OSM_LAB_DIR/vsphere.json, written by lab/vsphere/up).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionOptions } from '../../src/vmware/session.js';

const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';

export interface LabVm {
  name: string;
  moid: string;
  folder: string;
  guest_id: string;
  guest_full_name: string;
  firmware: string;
  disks: { key: number; datastore: string; file_name: string; flat_path: string; capacity_bytes: number }[];
  nics: { key: number; mac: string; ip: string; network: string; network_moid: string; portgroup_key?: string }[];
}
export interface LabFacts {
  host: string;
  port: number;
  user: string;
  password: string;
  thumbprint: string;
  cert_path: string;
  datacenter: string;
  datastores: Record<string, string>;
  vms: LabVm[];
  base_vms: LabVm[];
}

export function labFacts(): LabFacts {
  try {
    return JSON.parse(readFileSync(join(labDir, 'vsphere.json'), 'utf8')) as LabFacts;
  } catch (e) {
    throw new Error(`the vSphere lab is not up (${(e as Error).message}); run lab/vsphere/up`);
  }
}

export function labSession(f: LabFacts): SessionOptions {
  return { host: `${f.host}:${f.port}`, username: f.user, password: f.password, caFile: f.cert_path };
}

