import type { Session } from '../openstack/auth.js';
import { listServers } from '../openstack/servers.js';
import { listVolumes } from '../openstack/volume.js';
import { SNAPSHOT_DESCRIPTION } from '../vmware/snapshots.js';
import { isConverted, volumeNameFor } from './migrate-plan.js';
import { type VmToolObjects, toolServersOf, toolVolumesOf } from './rollback.js';
import { type ExportedVm, readExportedVm } from './vm-metadata-files.js';

/**
 * Which VMs are migrated already, so that a rerun of the migration playbook need not map them or start their
 * migration again (a run would find nothing to copy, convert or create). Read-only: OpenStack and the metadata the
 * run has just exported, no vCenter call.
 */

export interface VmStatus {
  vm: string;
  /** The tool's server is ACTIVE on a final volume of every disk, attached to nothing else, and no tool snapshot is left. */
  migrated: boolean;
  server_id: string | null;
  /** Why the VM is or is not migrated. */
  reason: string;
}

export async function migrationStatus(s: Session, dataDir: string, vms: string[]): Promise<VmStatus[]> {
  const exported = vms.map((vm) => readExportedVm(dataDir, vm));
  const [servers, volumes] = await Promise.all([listServers(s), listVolumes(s)]);
  return vms.map((vm, i) => judgeMigrated(vm, exported[i]!, { servers: toolServersOf(s, servers, vm), volumes: toolVolumesOf(s, volumes, vm) }));
}

/** The decision for one VM, from what the last export saw of it and what the tool made for it. Pure. */
export function judgeMigrated(vm: string, exported: ExportedVm, found: Pick<VmToolObjects, 'servers' | 'volumes'>): VmStatus {
  const no = (reason: string, serverId: string | null = null): VmStatus => ({ vm, migrated: false, server_id: serverId, reason });
  const snapshot = exported.snapshots.find((x) => x.description === SNAPSHOT_DESCRIPTION);
  if (exported.diskKeys.length === 0) return no('its disk_info.json lists no disk');
  if (snapshot) return no(`the tool's snapshot ${snapshot.name} is still on the source`);
  if (found.servers.length === 0) return no('the tool made no server for it');
  if (found.servers.length > 1) return no(`the tool's servers ${found.servers.map((x) => x.id).join(', ')} are named like it`);
  const server = found.servers[0]!;
  if (server.status !== 'ACTIVE') return no(`its server ${server.id} is ${server.status}`, server.id);
  for (const key of exported.diskKeys) {
    const name = volumeNameFor({ name: vm }, { key });
    const volume = found.volumes.find((v) => v.name === name);
    if (!volume) return no(`disk ${key} has no volume ${name}`, server.id);
    let final: boolean;
    try {
      final = isConverted(volume);
    } catch (e) {
      return no((e as Error).message, server.id);
    }
    if (!final) return no(`volume ${name} (${volume.id}) of disk ${key} is not final (converted is not true)`, server.id);
    const elsewhere = volume.attachments.filter((a) => a.server_id !== server.id).map((a) => a.server_id ?? '?');
    if (elsewhere.length > 0) return no(`volume ${name} (${volume.id}) is attached to ${elsewhere.join(', ')}`, server.id);
    if (volume.attachments.length === 0) return no(`volume ${name} (${volume.id}) is not attached to its server ${server.id}`, server.id);
  }
  const n = exported.diskKeys.length;
  return { vm, migrated: true, server_id: server.id, reason: `server ${server.id} is ACTIVE on the final volumes of its ${n} disk${n === 1 ? '' : 's'}` };
}
