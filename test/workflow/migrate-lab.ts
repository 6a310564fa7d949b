// Shared helpers of the migrate lab tests: lab facts, a loopback metadata service, requests, leftovers, cleanup.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '../../src/openstack/auth.js';
import { findServersByName } from '../../src/openstack/servers.js';
import { listVolumeAttachments } from '../../src/openstack/volume-attachments.js';
import { connect } from '../../src/openstack/connect.js';
import { deleteVolume, isToolVolume, listVolumesByName, waitForVolumeGone } from '../../src/openstack/volume.js';
import { sha256OfPath } from '../../src/transfer/verify.js';
import { createLogger, type Logger } from '../../src/util/log.js';
import { safeVmName } from '../../src/util/names.js';
import { powerOn } from '../../src/vmware/power.js';
import { VSphereSession } from '../../src/vmware/session.js';
import { findSnapshots } from '../../src/vmware/snapshots.js';
import { detachIfAttached } from '../../src/workflow/conversion-host.js';
import { deleteToolServer } from '../../src/workflow/teardown.js';
import type { MigrateRequest } from '../../src/workflow/migrate-request.js';

export const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
export const repoRoot = join(import.meta.dirname, '..', '..', '..');

export interface DiskFacts {
  key: number;
  datastore: string;
  file_name: string;
  descriptor_path: string;
  flat_path: string;
  capacity_bytes: number;
  sha256: string;
}
export interface VmFacts {
  name: string;
  moid: string;
  folder: string;
  /** Inventory path of the ESXi host that runs it. */
  host: string;
  firmware: string;
  disks: DiskFacts[];
  nics: { mac: string }[];
}
interface VsphereFacts {
  /** The simulator's own VMs (DC0_H0_VM0 ...): their disks hold no data. */
  base_vms: VmFacts[];
  host: string;
  port: number;
  user: string;
  password: string;
  cert_path: string;
  thumbprint: string;
  datastores: Record<string, string>;
  ssh: { host: string; port: number; user: string; key_path: string; known_hosts_path: string };
  /** The ESXi hosts' own datastore access (absent on a simulator without it). */
  esxi_hosts?: { name: string; moid: string; address: string; port: number; cert_path: string; thumbprint: string }[];
  cbt: { block_size: number; window: number };
  vms: VmFacts[];
}
interface OpenstackFacts {
  auth_url: string;
  region: string;
  osm: { username: string; password: string; project_name: string; user_domain_name: string };
  conversion_host: { name: string; uuid: string };
  by_id_dir: string;
  cinder_volumes_dir: string;
}

function readFacts<T>(name: string): T {
  const path = join(labDir, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: the lab is not up (run lab/up)`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export const vsphere = (): VsphereFacts => readFacts<VsphereFacts>('vsphere.json');
export const openstack = (): OpenstackFacts => readFacts<OpenstackFacts>('openstack.json');

export function vmFacts(name: string): VmFacts {
  const vm = vsphere().vms.find((v) => v.name === name) ?? vsphere().base_vms.find((v) => v.name === name);
  if (!vm) throw new Error(`no VM ${name} in the lab facts`);
  return vm;
}

/** The destination cloud as upstream's dst_cloud dict. */
export function cloud(): Record<string, unknown> {
  const o = openstack();
  return {
    auth: { auth_url: o.auth_url, username: o.osm.username, password: o.osm.password, project_name: o.osm.project_name, user_domain_name: o.osm.user_domain_name },
    region_name: o.region,
  };
}

/** Module arguments for the lab (upstream key names). */
export function moduleArgs(vm: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const v = vsphere();
  return {
    dst_cloud: cloud(),
    user: v.user,
    password: v.password,
    server: `${v.host}:${v.port}`,
    vmname: vm,
    vddkpath: vsphere().vms.find((v) => v.name === vm)?.folder ?? '/DC0/vm',
    instanceuuid: openstack().conversion_host.uuid,
    vmware_ca_file: v.cert_path,
    disk_by_id_dir: openstack().by_id_dir,
    skipconversion: true,
    ...extra,
  };
}

/** A workflow request for the lab (what the module builds from moduleArgs). */
export function request(vm: string, over: Partial<MigrateRequest> = {}): MigrateRequest {
  const v = vsphere();
  return {
    vmware: { server: `${v.host}:${v.port}`, user: v.user, password: v.password, insecure: false, caFile: v.cert_path },
    cloud: cloud(),
    vmName: vm,
    folder: vmFacts(vm).folder,
    source: {
      kind: 'local',
      vddk: { libdir: '/usr/lib/vmware-vix-disklib', compression: 'fastlz' },
      localDiskPath: undefined,
      https: { viaHost: true, hostPort: v.esxi_hosts?.[0]?.port ?? 443 },
      ssh: { user: v.ssh.user, keyPath: v.ssh.key_path, port: v.ssh.port, knownHosts: v.ssh.known_hosts_path },
    },
    volume: { typeMapping: [] },
    assumeZero: false,
    cbtSync: false,
    cutover: false,
    target: { kind: 'volume' },
    skipConversion: true,
    multiDiskFs: false,
    conversion: { extraOpts: [], debug: false },
    byIdDir: openstack().by_id_dir,
    allowEmptyDisks: false,
    verify: false,
    shutdownTimeoutMs: 10_000,
    forcePowerOff: true,
    runId: 'testrun1',
    ...over,
  };
}

/** A local source request: the datastore directory of the VM's (first) disk is the "NFS mount". */
export function localSource(vm: string, datastore?: string): MigrateRequest['source'] {
  const v = vsphere();
  const ds = datastore ?? vmFacts(vm).disks[0]!.datastore;
  return { ...request(vm).source, kind: 'local', localDiskPath: v.datastores[ds] };
}

export function testLogger(): Logger & { path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'osm-migrate-test-')), 'migrate.log');
  return Object.assign(createLogger({ file: path, stderr: false, level: 'debug' }), { path });
}

/** A loopback stand-in for the Nova metadata service answering the conversion host's UUID. */
export async function startMetadataService(uuid: string): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    if (req.url === '/openstack/latest/meta_data.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ uuid, name: 'osm-conversion-host' }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/openstack/latest/meta_data.json`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

export async function withOpenstack<T>(fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await connect(cloud());
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export async function withVsphere<T>(fn: (vs: VSphereSession) => Promise<T>): Promise<T> {
  const v = vsphere();
  const vs = await VSphereSession.open({ host: `${v.host}:${v.port}`, username: v.user, password: v.password, caFile: v.cert_path });
  try {
    return await fn(vs);
  } finally {
    await vs.close();
  }
}

const conversionHost = () => {
  const o = openstack();
  return { id: o.conversion_host.uuid, name: o.conversion_host.name, source: 'instanceuuid' as const };
};

/**
 * Reset a lab VM's target side: the tool's server for it (named <SafeVmName>, osm marker, e.g. left by the playbook
 * test) and the tool's volumes of it (named <SafeVmName>-<key>, osm marker), detached from the conversion host first.
 */
export async function deleteVmVolumes(vm: string): Promise<void> {
  await withOpenstack(async (s) => {
    const server = (await findServersByName(s, safeVmName(vm))).find((x) => x.metadata?.osm === 'true');
    if (server) await deleteToolServer(s, { name: server.id, wait: true, waitOpts: { timeoutMs: 120_000, intervalMs: 1000 }, checkMode: false });
    for (const d of vmFacts(vm).disks) {
      for (const v of (await listVolumesByName(s, `${safeVmName(vm)}-${d.key}`)).filter((x) => isToolVolume(s, x))) {
        const others = v.attachments.map((a) => a.server_id).filter((id) => id && id !== conversionHost().id);
        if (others.length) throw new Error(`volume ${v.name} (${v.id}) is attached to server ${others.join(', ')}: another test is using VM ${vm}`);
        await detachIfAttached(s, conversionHost(), v.id, { timeoutMs: 120_000, intervalMs: 500 });
        await deleteVolume(s, v.id);
        await waitForVolumeGone(s, v.id, { timeoutMs: 120_000, intervalMs: 500 });
      }
    }
  });
}

/** What a migration of `vm` could leave behind: osm-snap snapshots, attachments to the conversion host, by-id links. */
export async function leftovers(vm: string, volumeIds: string[]): Promise<{ snapshots: number; attachments: string[]; links: string[] }> {
  const f = vmFacts(vm);
  const snapshots = await withVsphere(async (vs) => (await findSnapshots(vs, { type: 'VirtualMachine', value: f.moid }, 'osm-snap')).length);
  const attachments = await withOpenstack(async (s) =>
    (await listVolumeAttachments(s, openstack().conversion_host.uuid)).map((a) => a.volumeId).filter((id) => volumeIds.includes(id)),
  );
  const links = readdirSync(openstack().by_id_dir).filter((n) => volumeIds.some((id) => n === `virtio-${id.slice(0, 20)}`));
  return { snapshots, attachments, links };
}

/** SHA-256 of the first `size` bytes of a Cinder volume's backing file. */
export function volumeSha256(volumeId: string, size: number): Promise<string> {
  return sha256OfPath(join(openstack().cinder_volumes_dir, `volume-${volumeId}`), size);
}

/** lab/vsphere/disk-write: the guest writes `data` at `offset` of its `index`-th disk. */
export function diskWrite(vm: string, index: number, offset: number, data: Buffer): void {
  execFileSync(join(repoRoot, 'lab', 'vsphere', 'disk-write'), [vm, String(index), String(offset), '-'], { input: data, stdio: ['pipe', 'ignore', 'pipe'] });
}

export async function ensurePoweredOn(vm: string): Promise<void> {
  await withVsphere((vs) => powerOn(vs, { type: 'VirtualMachine', value: vmFacts(vm).moid }));
}

/** A stand-in virt-v2v-in-place that records its arguments, the --run script and the domain XML in `dir`. */
export function fakeVirtV2v(): string {
  const dir = mkdtempSync(join(tmpdir(), 'osm-fake-v2v-'));
  writeFileSync(
    join(dir, 'virt-v2v-in-place'),
    [
      '#!/bin/sh',
      '[ "$1" = --help ] && { echo "--run SCRIPT --firstboot SCRIPT"; exit 0; }',
      `printf '%s\\n' "$@" > "${dir}/args"`,
      'while [ $# -gt 0 ]; do',
      `  [ "$1" = --run ] && cp "$2" "${dir}/run.sh"`,
      `  [ "$1" = libvirtxml ] && cp "$2" "${dir}/domain.xml"`,
      '  shift',
      'done',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'virt-v2v-in-place'), 0o755);
  return dir;
}

