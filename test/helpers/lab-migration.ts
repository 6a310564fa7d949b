/**
 * Running the collection's migration playbook against the lab, and finding or removing what it created, for the
 * end-to-end tests. Everything goes through the lab's own variable files (lab/env) like a user's run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '../../src/openstack/auth.js';
import { type Server, findServersByName } from '../../src/openstack/servers.js';
import { listPorts } from '../../src/openstack/network.js';
import { type Volume, listVolumesByName } from '../../src/openstack/volume.js';
import { safeVmName } from '../../src/util/names.js';
import { deleteToolPort, deleteToolServer, deleteToolVolume } from '../../src/workflow/teardown.js';
import { FQCN, type InstalledCollection, type PlaybookRun, runPlaybook } from './collection.js';
import { repoRoot } from './run-module.js';

export const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';

export interface LabVm {
  name: string;
  moid: string;
  disks: { key: number; capacity_bytes: number; sha256: string; flat_path: string }[];
  nics: { mac: string }[];
}

const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
export const vsphereFacts = read<{ host: string; port: number; user: string; password: string; thumbprint: string; vms: LabVm[] }>(
  join(labDir, 'vsphere.json'),
);
export const openstackFacts = read<{
  cinder_volumes_dir: string;
  foreign: { server_id: string; volume_id: string; port_id: string };
}>(join(labDir, 'openstack.json'));
export const labVm = (name: string): LabVm => {
  const vm = vsphereFacts.vms.find((v) => v.name === name);
  if (!vm) throw new Error(`${name} is not in ${join(labDir, 'vsphere.json')}: run lab/up`);
  return vm;
};

/** The directory lab/env writes inventory.yml, secrets.yml and myvars.yml to. */
export const envDir = execFileSync(join(repoRoot, 'lab', 'env'), { encoding: 'utf8' }).trim();

/** A variable of one of lab/env's variable files (read with Debian's python3-yaml, as Ansible reads it). */
export function labEnvVar(file: 'secrets.yml' | 'myvars.yml', name: string): unknown {
  const py = 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]]))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, join(envDir, file), name], { encoding: 'utf8' }));
}

/** `dst_cloud` from the lab's secrets.yml. */
export function labDstCloud(): unknown {
  return labEnvVar('secrets.yml', 'dst_cloud');
}

/** `ansible-playbook [flags] -i inventory.yml os_migrate.vmware_migration_kit.<playbook> -e @secrets.yml -e @myvars.yml -e @extra`. */
export function labMigration(c: InstalledCollection, extra: Record<string, unknown>, playbook = 'migration', flags: string[] = []): PlaybookRun & { seconds: number } {
  const vars = join(c.work, `vars-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(vars, JSON.stringify({ os_migrate_conversion_host_content_install: false, ...extra }));
  const start = Date.now();
  const run = runPlaybook(c, [
    ...flags,
    '-i', join(envDir, 'inventory.yml'),
    `${FQCN}.${playbook}`,
    '-e', `@${join(envDir, 'secrets.yml')}`,
    '-e', `@${join(envDir, 'myvars.yml')}`,
    '-e', `@${vars}`,
  ]);
  return { ...run, seconds: Math.round((Date.now() - start) / 1000) };
}

/** The import_workloads module's result for each VM of a run (a host skips the batches it has no VMs for). */
export function importResults(run: PlaybookRun): Record<string, unknown>[] {
  return run.tasks
    .filter((t) => t.task.endsWith('Wait for the batch to finish') && t.result.skipped !== true)
    .flatMap((t) => (t.result.results as Record<string, unknown>[] | undefined) ?? [t.result]);
}

/** Each VM's line of the import_workloads report ("Report each VM"). */
export function reportLines(run: PlaybookRun): string[] {
  return run.tasks.filter((t) => t.task.endsWith('Report each VM')).flatMap((t) => (t.result.results as { msg: string }[] | undefined) ?? []).map((r) => r.msg);
}

export async function toolServer(s: Session, vm: string): Promise<Server | undefined> {
  return (await findServersByName(s, safeVmName(vm))).find((x) => x.metadata?.osm === 'true');
}

export async function toolVolumes(s: Session, vm: string): Promise<Volume[]> {
  const found = await Promise.all(labVm(vm).disks.map((d) => listVolumesByName(s, `${safeVmName(vm)}-${d.key}`)));
  return found.flat().filter((v) => v.metadata.osm === 'true');
}

/** Remove what earlier runs left for a lab VM: only the tool's own server, volumes and ports. */
export async function cleanLabVm(s: Session, vm: string): Promise<void> {
  const del = (id: string) => ({ name: id, wait: true, waitOpts: { timeoutMs: 120_000, intervalMs: 1000 }, checkMode: false });
  const server = await toolServer(s, vm);
  if (server) await deleteToolServer(s, del(server.id));
  for (const v of await toolVolumes(s, vm)) await deleteToolVolume(s, del(v.id));
  for (const nic of labVm(vm).nics) {
    for (const p of await listPorts(s, { mac_address: nic.mac })) await deleteToolPort(s, del(p.id));
  }
}
