import { connect } from '../openstack/connect.js';
import { findToolVolume } from '../openstack/volume.js';
import type { Logger } from '../util/log.js';
import { VSphereSession } from '../vmware/session.js';
import { SNAPSHOT_NAME, findSnapshots } from '../vmware/snapshots.js';
import type { VmDetail } from '../vmware/vm.js';
import { findConversionHost } from './conversion-host.js';
import { UnknownVmError, discover } from './discovery.js';
import { lockVm } from './migrate-lock.js';
import { checkMigratable, checkModeOutcome, planMigration, volumeNameFor } from './migrate-plan.js';
import type { MigrateOutcome, MigrateRequest } from './migrate-request.js';
import { type MigrationContext, runPlan } from './migrate-run.js';
import { migrationSteps } from './migrate-steps.js';

/**
 * Migrate one VM: copy each of its disks into the tool's Cinder volume through the conversion host (full copy, or a
 * CBT delta), then convert the guest unless told not to. Safe to repeat: converted volumes are skipped, and what a
 * crashed run left (snapshot, attachments) is cleaned up or reused. In check mode nothing changes and `plan` says
 * what would happen.
 */
export async function migrateVm(req: MigrateRequest, env: { log: Logger; signal: AbortSignal; checkMode: boolean }): Promise<MigrateOutcome> {
  const { log } = env;
  let vs: VSphereSession;
  try {
    // No AbortSignal on the sessions: cleanup (detach, snapshot removal) must still run after an abort.
    vs = await VSphereSession.open({
      host: req.vmware.server,
      username: req.vmware.user,
      password: req.vmware.password,
      insecure: req.vmware.insecure,
      ...(req.vmware.caFile ? { caFile: req.vmware.caFile } : {}),
      ...(req.vmware.thumbprint ? { thumbprint: req.vmware.thumbprint } : {}),
    });
  } catch (e) {
    throw new Error(`Failed to initiate Vmware client: ${(e as Error).message}`);
  }
  try {
    log.info(`connected to vSphere ${vs.server} (${vs.serviceContent.about.fullName})`);
    const os = await connect(req.cloud);
    try {
      const vm = await findVm(vs, req.folder, req.vmName);
      log.info(`VM ${vm.path} (${vm.moid}): ${vm.disks.length} disks, ${vm.powerState}, guest ${vm.guestFullName || vm.guestId}, firmware ${vm.firmware}`);
      const context = { req, vs, os, vm, log, signal: env.signal, steps: migrationSteps(log, env.signal) };
      if (env.checkMode) return await planAndRun(context, true);
      const unlock = lockVm(vm.name);
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

/** The VM at `<folder>/<name>`, else by its name. */
export async function findVm(vs: VSphereSession, folder: string | undefined, name: string): Promise<VmDetail> {
  const path = folder ? `${folder}/${name}`.replace(/\/+/g, '/') : undefined;
  try {
    if (path) {
      try {
        return (await discover(vs, [path])).vms[0]!;
      } catch (e) {
        if (!(e instanceof UnknownVmError)) throw e;
      }
    }
    return (await discover(vs, [name])).vms[0]!;
  } catch (e) {
    throw new Error(`Failed to find VM: ${(e as Error).message} in vm path: ${path ?? name}`);
  }
}

/** Look at what exists (volumes, conversion host, snapshots), plan, and report the plan (check mode) or carry it out. */
async function planAndRun(c: Omit<MigrationContext, 'host'>, checkMode: boolean): Promise<MigrateOutcome> {
  const { req, vm, os, log } = c;
  checkMigratable(vm, req);
  const volumes = [];
  for (const disk of vm.disks) volumes.push(await findToolVolume(os, volumeNameFor(vm, disk)));
  const host = await findConversionHost(os, { instanceUuid: req.instanceUuid, serverName: req.convHostName });
  log.info(`conversion host: ${host.name} (${host.id}, from ${host.source})`);
  const snapshots = await findSnapshots(c.vs, { type: 'VirtualMachine', value: vm.moid }, SNAPSHOT_NAME);
  const plan = planMigration({ vm, volumes, host, snapshots, options: req });
  return checkMode ? checkModeOutcome(plan, host) : runPlan({ ...c, host }, plan);
}
