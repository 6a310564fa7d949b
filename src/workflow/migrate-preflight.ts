import { scanForData } from '../transfer/data-scan.js';
import type { DiskSource, Extent } from '../transfer/types.js';
import type { Logger } from '../util/log.js';
import { safeVmName } from '../util/names.js';
import type { MoRef } from '../vmware/moref.js';
import type { VSphereSession } from '../vmware/session.js';
import type { VmDetail, VmDisk } from '../vmware/vm.js';
import { cbtAllocation } from './migrate-disk.js';
import type { DataReadFrom, DiskCheck, DiskPlan, MigrationPlan } from './migrate-plan.js';
import type { MigrateRequest } from './migrate-request.js';
import { type OpenDiskArgs, checkVddkAccess, hostOf, openDiskSource, sshAccess } from './migrate-source.js';

/**
 * The source checks a migration makes before it touches the target (and check mode reports): every disk it will
 * copy can be read through the configured disk source, and holds data. Nothing here changes anything.
 *
 * Before the snapshot the disks' current files are opened: the descriptor and extents (local, https: a GET of the
 * descriptor and a HEAD of each extent with the session; ssh: the key, its passphrase and the pinned host key, and
 * the files over SFTP when the VM is off, since ESXi locks a running VM's disks). A disk's data is read there when
 * that is safe (a local mount, or a VM that is off); otherwise from the snapshot, before the first volume exists
 * (`checkSnapshotData`, which reads only the areas CBT lists allocated when the VM tracks changes).
 */

export interface PreflightContext {
  req: MigrateRequest;
  vs: VSphereSession;
  vm: VmDetail;
  log: Logger;
  signal: AbortSignal;
}

/**
 * The checks of the plan's pending disks before the snapshot. The vddk source reads from a snapshot only: its disks
 * are read there (checkSnapshotData), but what it needs (nbdkit's plugin, the library, the thumbprint) is checked here.
 */
export async function preflight(c: PreflightContext, plan: Pick<MigrationPlan, 'disks' | 'pending'>): Promise<DiskCheck[]> {
  const { req, vm } = c;
  const kind = req.source.kind;
  if (plan.pending.length === 0) return [];
  const access = await sourceAccess(req);
  const running = vm.powerState === 'poweredOn';
  const checks: DiskCheck[] = [];
  for (const d of plan.pending) {
    const where = diskLabel(vm, plan, d);
    if (access) checks.push({ key: d.disk.key, problem: `${where} cannot be read through disk_source ${kind}: ${access}` });
    else if (kind === 'vddk' || (kind === 'ssh' && running)) checks.push({ key: d.disk.key });
    else {
      const scan = kind === 'local' || !running;
      checks.push(await checkDisk(c, where, d, scan ? (running ? 'running VM' : 'powered-off VM') : undefined, () => openForCheck(c, d.disk, undefined)));
    }
  }
  return checks;
}

/** The ssh and vddk sources' prerequisites, common to every disk: undefined when they are met, else the problem. */
async function sourceAccess(req: MigrateRequest): Promise<string | undefined> {
  const settings = req.source;
  const check =
    settings.kind === 'ssh'
      ? sshAccess(settings.ssh, hostOf(req.vmware.server))
      : settings.kind === 'vddk'
        ? checkVddkAccess(settings, req.vmware)
        : undefined;
  return check?.then(
    () => undefined,
    (e: unknown) => (e as Error).message,
  );
}

/** From the snapshot, before any volume is created: the data of the pending disks the pre-checks could not read. */
export async function checkSnapshotData(c: PreflightContext, plan: MigrationPlan, snapshot: MoRef, snapDisks: VmDisk[]): Promise<DiskCheck[]> {
  const checks: DiskCheck[] = [];
  for (const d of plan.pending) {
    if (!needsData(d) || d.hasData !== undefined) continue;
    const snapDisk = snapDisks.find((x) => x.key === d.disk.key);
    if (!snapDisk) continue;
    const allocation = await cbtAllocation({ session: c.vs, vm: { type: 'VirtualMachine', value: c.vm.moid }, snapshot, disk: snapDisk, log: c.log });
    checks.push(await checkDisk(c, diskLabel(c.vm, plan, d), d, 'snapshot', () => openForCheck(c, snapDisk, snapshot.value), allocation));
  }
  return checks;
}

/** Delta copies read only what changed: an empty delta is not an empty disk. */
function needsData(d: DiskPlan): boolean {
  return d.action !== 'delta copy';
}

async function checkDisk(
  c: PreflightContext,
  where: string,
  d: DiskPlan,
  /** Where the disk's data is read (undefined: not read here). */
  scan: DataReadFrom | undefined,
  open: () => Promise<DiskSource>,
  allocation?: Extent[],
): Promise<DiskCheck> {
  const kind = c.req.source.kind;
  let source: DiskSource;
  try {
    source = await open();
  } catch (e) {
    return { key: d.disk.key, problem: `${where} cannot be read through disk_source ${kind}: ${(e as Error).message}; ${ADVICE[kind]}` };
  }
  try {
    if (source.size < d.disk.capacityBytes) {
      return { key: d.disk.key, problem: `${where} reads as ${source.size} bytes but the disk has ${d.disk.capacityBytes}; ${ADVICE[kind]}` };
    }
    if (!scan || !needsData(d)) return { key: d.disk.key };
    const started = Date.now();
    const r = await scanForData(source, c.signal, allocation);
    const map = allocation ? ' of the areas CBT lists allocated' : r.allocationKnown ? ' of the allocated areas' : '';
    c.log.info(`${where}: ${r.firstData === undefined ? 'no data' : `data at byte ${r.firstData}`} (${r.bytesRead} bytes read${map}, ${Date.now() - started} ms)`);
    return { key: d.disk.key, hasData: r.firstData !== undefined, readFrom: scan };
  } catch (e) {
    c.signal.throwIfAborted();
    return { key: d.disk.key, problem: `${where} cannot be read through disk_source ${kind}: ${(e as Error).message}; ${ADVICE[kind]}` };
  } finally {
    await source.close();
  }
}

const ADVICE: Record<MigrateRequest['source']['kind'], string> = {
  local: 'check that the datastore is mounted at localdiskpath and the disk files are there and readable',
  https: "check that the disk files are on the datastore and the vCenter user may browse it (Datastore.Browse)",
  ssh: 'check that the disk files are on the datastore and esxi_ssh_user may read them',
  vddk: 'check the VDDK library (libdir) and that the vCenter user may read the disks',
};

export function diskLabel(vm: Pick<VmDetail, 'name'>, plan: Pick<MigrationPlan, 'disks'>, d: DiskPlan): string {
  return `VM ${vm.name} disk ${plan.disks.indexOf(d)} (key ${d.disk.key}, file ${d.disk.fileName})`;
}

/** A disk opened for a check: from the snapshot `snapshotMoid`, or its current files without one. */
async function openForCheck(c: PreflightContext, disk: VmDisk, snapshotMoid: string | undefined): Promise<DiskSource> {
  return (await openDiskSource(sourceArgs(c, disk, snapshotMoid, checkName(c, disk)))).source;
}

function checkName(c: PreflightContext, disk: VmDisk): string {
  return `${safeVmName(c.vm.name).slice(0, 18)}-${c.req.runId}-check-${disk.key}`;
}

/** How a disk of the VM is opened: from `snapshotMoid`, or its current file without one; `name` names sockets. */
export function sourceArgs(c: PreflightContext, disk: VmDisk, snapshotMoid: string | undefined, name: string): OpenDiskArgs {
  return {
    settings: c.req.source,
    endpoint: c.req.vmware,
    session: c.vs,
    datacenter: c.vm.datacenter,
    vmMoid: c.vm.moid,
    snapshotMoid,
    fileName: disk.fileName,
    name,
    onOutput: (line) => c.log.info(`[${c.req.source.kind}] ${line}`),
    signal: c.signal,
  };
}
