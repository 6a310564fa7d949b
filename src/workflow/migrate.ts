import { connect } from '../openstack/connect.js';
import { findToolVolume } from '../openstack/volume.js';
import type { Logger } from '../util/log.js';
import { lockVm } from '../util/vm-lock.js';
import type { VSphereSession } from '../vmware/session.js';
import { SNAPSHOT_NAME, findSnapshots } from '../vmware/snapshots.js';
import type { VmDetail } from '../vmware/vm.js';
import { type ConversionHost, findConversionHost } from './conversion-host.js';
import { formatBytes } from '../transfer/progress.js';
import { stagingRoom } from '../transfer/staging.js';
import { imageDiskStates, stagedFileOf } from './migrate-image.js';
import { type MigrationPlan, blockedError, checkMigratable, checkModeOutcome, planMigration, volumeNameFor, withChecks } from './migrate-plan.js';
import { preflight } from './migrate-preflight.js';
import { type ImageTarget, type MigrateOutcome, type MigrateRequest, MigrationFailure } from './migrate-request.js';
import type { MigrationProgress } from './migrate-progress.js';
import { type MigrationContext, runPlan } from './migrate-run.js';
import { migrationSteps } from './migrate-steps.js';
import { findVm, openVSphere } from './vsphere-source.js';

/** What a run reports to: its log, and with `progress`, how far it is (migrate-progress.ts). */
export interface MigrationEnv {
  log: Logger;
  signal: AbortSignal;
  checkMode: boolean;
  progress?: MigrationProgress | undefined;
}

/**
 * Migrate one VM: copy each of its disks into the tool's Cinder volume through the conversion host (full copy, or a
 * CBT delta), then convert the guest unless told not to. Safe to repeat: converted volumes are skipped, and what a
 * crashed run left (snapshot, attachments) is cleaned up or reused. In check mode nothing changes and `plan` says
 * what would happen.
 */
export async function migrateVm(req: MigrateRequest, env: MigrationEnv): Promise<MigrateOutcome> {
  const { log } = env;
  let vs: VSphereSession;
  try {
    // No AbortSignal on the sessions: cleanup (detach, snapshot removal) must still run after an abort.
    vs = await openVSphere(req.vmware);
  } catch (e) {
    throw new Error(`Failed to initiate Vmware client: ${(e as Error).message}`);
  }
  try {
    log.info(`connected to vSphere ${vs.server} (${vs.serviceContent.about.fullName})`);
    const os = await connect(req.cloud);
    try {
      const vm = await findSourceVm(vs, req.folder, req.vmName);
      log.info(`VM ${vm.path} (${vm.moid}): ${vm.disks.length} disks, ${vm.powerState}, guest ${vm.guestFullName || vm.guestId}, firmware ${vm.firmware}`);
      const context = { req, vs, os, vm, log, signal: env.signal, steps: migrationSteps(log, env.signal), progress: env.progress };
      if (env.checkMode) return await planAndRun(context, true);
      const unlock = await lockVm(vm.name, 'migrate', { log: (line) => log.warn(line) });
      try {
        return await planAndRun(context, false);
      } finally {
        unlock();
      }
    } finally {
      await os.close();
    }
  } finally {
    await vs.close();
  }
}

/** The VM to migrate (or verify), failing with upstream's message. */
export async function findSourceVm(vs: VSphereSession, folder: string | undefined, name: string): Promise<VmDetail> {
  try {
    return await findVm(vs, folder, name);
  } catch (e) {
    const path = folder ? `${folder}/${name}`.replace(/\/+/g, '/') : name;
    throw new Error(`Failed to find VM: ${(e as Error).message} in vm path: ${path}`);
  }
}

/**
 * Look at what exists (volumes, conversion host, snapshots), plan, check the source disks the plan copies
 * (migrate-preflight.ts), and report the plan (check mode) or carry it out; a source problem fails the run before
 * anything is created.
 */
async function planAndRun(c: Omit<MigrationContext, 'host'>, checkMode: boolean): Promise<MigrateOutcome> {
  const { req, vm, os, log } = c;
  checkMigratable(vm, req);
  const volumes = [];
  for (const disk of vm.disks) volumes.push(await findToolVolume(os, volumeNameFor(vm, disk)));
  const { target } = req;
  let host: ConversionHost | undefined;
  if (target.kind === 'volume') {
    host = await findConversionHost(os, { instanceUuid: req.instanceUuid, serverName: req.convHostName });
    log.info(`conversion host: ${host.name} (${host.id}, from ${host.source})`);
  } else log.info(`migration target image: disks staged in ${target.stagingDir}, uploaded to Glance as ${target.diskFormat}`);
  const snapshots = await findSnapshots(c.vs, { type: 'VirtualMachine', value: vm.moid }, SNAPSHOT_NAME);
  const image = target.kind === 'image' ? await imageDiskStates(os, target, vm.disks.map((d) => ({ volumeName: volumeNameFor(vm, d), size: d.capacityBytes }))) : undefined;
  const draft = planMigration({ vm, volumes, host, snapshots, options: req, ...(image ? { image } : {}) });
  const plan = withChecks(draft, vm, await preflight(c, draft), req);
  if (target.kind === 'image') await checkStagingRoom(target, plan, checkMode);
  if (plan.blocked.length > 0) {
    const error = blockedError(plan);
    const ids = plan.disks.map((d) => d.volume?.id ?? null);
    throw new MigrationFailure(checkMode ? `Check mode: the migration would fail: ${error.message}` : error.message, ids, false, checkMode ? checkModeOutcome(plan, host, req.volume).plan : undefined);
  }
  if (checkMode) return checkModeOutcome(plan, host, req.volume);
  return runPlan({ ...c, host }, plan);
}

/**
 * The image target stages each disk it copies in a sparse file: it holds at most the disk's allocated bytes, plus
 * what the conversion writes; the check asks for the disks' full capacity, so that neither can fill the file system
 * (twice that with qcow2: the qcow2 copy is written beside the raw file before the upload).
 */
async function checkStagingRoom(target: ImageTarget, plan: MigrationPlan, checkMode: boolean): Promise<void> {
  if (plan.pending.length === 0) return;
  const need = plan.pending.reduce((s, d) => s + d.disk.capacityBytes, 0) * (target.diskFormat === 'qcow2' ? 2 : 1);
  const room = await stagingRoom(target.stagingDir, plan.pending.map((d) => stagedFileOf(target, d)));
  if (room >= need) return;
  const message =
    `staging_dir ${target.stagingDir} has ${formatBytes(room)} free but the disks to stage need up to ${formatBytes(need)} (their capacity${target.diskFormat === 'qcow2' ? ', twice for the qcow2 copy' : ''}); ` +
    'free space there or point staging_dir elsewhere. Nothing was created';
  throw new MigrationFailure(checkMode ? `Check mode: the migration would fail: ${message}` : message, plan.disks.map((d) => d.volume?.id ?? null), false);
}
