import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Session } from '../openstack/auth.js';
import { withCloudSession } from '../openstack/connect.js';
import { listVolumesByName } from '../openstack/volume.js';
import type { Logger } from '../util/log.js';
import { type HeatServerOutcome, ensureHeatServer, heatStackName } from './import-heat.js';
import { type MigrationEnv, migrateVm } from './migrate.js';
import { type MigrateOutcome, type MigrateRequest, MigrationFailure } from './migrate-request.js';
import { type PortOutcome, ensurePorts, readNicsFile } from './ports.js';
import { isConverted } from './migrate-plan.js';
import { findVmToolObjects, rollbackAfterFailure } from './rollback.js';
import { type ServerOutcome, ensureServer } from './server.js';
import {
  type DeleteOutcome,
  type SweepOptions,
  deleteToolFlavor,
  deleteToolPort,
  deleteToolServer,
  deleteToolStack,
  deleteToolVolume,
  deleteUpstreamFlavors,
  deleteUpstreamServersAndPorts,
} from './teardown.js';
import { describeIssues, parseJsonFile } from '../util/file-parse.js';

/** The parts of `<data_dir>/<vm>/import_workloads.json` (written by the convert_metadata role) this step reads. */
const importWorkloadsFileSchema = z.looseObject({
  vm_name: z.string().min(1),
  openstack: z.looseObject({
    flavor_name_or_uuid: z.string().min(1, 'no flavor was chosen: rerun the convert_metadata step'),
    flavor_created: z.boolean().optional(),
  }),
  vmware_guest_info: z.looseObject({ hw_folder: z.string().optional() }).optional(),
});

export interface VmPlan {
  vmName: string;
  flavor: string;
  flavorCreated: boolean;
  folder: string | undefined;
  nicsFile: string;
}

/** Read what the earlier steps wrote for one VM, with errors that name the file and the step to rerun. */
export function readVmPlan(dataDir: string, vmName: string, usedMappedNetworks: boolean): VmPlan {
  const dir = join(dataDir, vmName);
  const file = join(dir, 'import_workloads.json');
  let doc: unknown;
  try {
    doc = parseJsonFile(readFileSync(file, 'utf8'), file);
  } catch (e) {
    throw new Error(`cannot read ${file} (${(e as Error).message}): run the gather_guest_metadata and convert_metadata steps for ${vmName} first`);
  }
  const parsed = importWorkloadsFileSchema.safeParse(doc);
  if (!parsed.success) {
    throw new Error(`${file} is not valid: ${describeIssues(parsed.error)}`);
  }
  const nicsFile = join(dir, usedMappedNetworks ? 'nics.json' : 'macs.json');
  if (!existsSync(nicsFile)) {
    throw new Error(`${nicsFile} is missing: rerun gather_guest_metadata with used_mapped_networks: ${String(usedMappedNetworks)}`);
  }
  return {
    vmName,
    flavor: parsed.data.openstack.flavor_name_or_uuid,
    flavorCreated: parsed.data.openstack.flavor_created === true,
    folder: parsed.data.vmware_guest_info?.hw_folder,
    nicsFile,
  };
}

export interface ImportWorkloadsRequest {
  dataDir: string;
  /** The migrate step, without the fields that come from the VM's metadata files. */
  migrate: Omit<MigrateRequest, 'vmName' | 'folder'>;
  ports: {
    create: boolean;
    usedMappedNetworks: boolean;
    networkName: string | undefined;
    securityGroups: string[];
    useFixedIps: boolean;
    subnet: string | undefined;
  };
  server: {
    create: boolean;
    keyName: string | undefined;
    availabilityZone: string | undefined;
    userData: string | undefined;
    bootFromCinder: boolean;
    timeoutMs: number;
    /** The server comes from a Heat stack (import-heat.ts); without autoDeploy only its template is written. */
    heat: { enabled: boolean; autoDeploy: boolean };
  };
  /** upstreamNames (accept_upstream_names): also what upstream's kit made for the VM, by its names (teardown.ts). */
  teardown: { enabled: boolean; server: boolean; volumes: boolean; ports: boolean; upstreamNames: boolean };
  /**
   * rollback_on_failure: when a final run (not a CBT pre-sync) fails, roll the VM back (rollback.ts: its server and
   * ports deleted, volumes kept, the source powered on if the tool powered it off) and say so in the error.
   */
  rollbackOnFailure: boolean;
}

export interface ImportWorkloadsOutcome {
  changed: boolean;
  msg: string;
  /** The disk step; on a teardown of a VM whose volumes were already final, the volumes found (nothing copied). */
  /** What the migration step did; a teardown of a finished VM does not migrate, so it has no source or plan. */
  migration: Pick<MigrateOutcome, 'changed' | 'ids' | 'disks' | 'converted'> & Partial<Pick<MigrateOutcome, 'source' | 'plan'>>;
  /** Disks are final (not a CBT pre-sync), so the VM gets its ports and server. */
  final: boolean;
  ports: PortOutcome[];
  server: ServerOutcome | undefined;
  heat: HeatServerOutcome | undefined;
  teardown: DeleteOutcome[];
}

const TEARDOWN_WAIT = { timeoutMs: 10 * 60_000, intervalMs: 2000 };
const teardownOptions = (checkMode: boolean): SweepOptions => ({ wait: true, waitOpts: TEARDOWN_WAIT, checkMode });

async function bootVolumeOf(s: Session, vmName: string, ids: string[], fromCinder: boolean): Promise<string> {
  if (fromCinder) {
    const found = await listVolumesByName(s, vmName);
    if (found.length !== 1) {
      throw new Error(`boot_from_cinder: expected exactly one volume named ${vmName}, found ${found.length}`);
    }
    return found[0]!.id;
  }
  const boot = ids[0];
  if (!boot) throw new Error(`VM ${vmName} has no migrated boot volume`);
  return boot;
}

/** What teardown deletes besides the stack and the flavor, by ID. */
interface TeardownTargets {
  serverIds: string[];
  volumeIds: string[];
  portIds: string[];
}

async function tearDown(s: Session, req: ImportWorkloadsRequest, plan: VmPlan, out: TeardownTargets, checkMode: boolean): Promise<DeleteOutcome[]> {
  const upstreamVm = req.teardown.upstreamNames ? plan.vmName : undefined;
  const del = (name: string) => ({ ...teardownOptions(checkMode), name, upstreamVm });
  const done: DeleteOutcome[] = [];
  if (req.teardown.server) {
    // A stack's server goes with its stack; the volumes and ports it only referenced stay for the steps below. The
    // tool's stack is looked for on every cloud with Heat, so a teardown run without use_heat leaves none behind.
    const heat = req.server.heat.enabled;
    if (heat || s.hasService('orchestration')) {
      const stack = await deleteToolStack(s, del(heatStackName(plan.vmName)));
      if (heat || stack.changed) done.push(stack);
    }
    if (!heat) for (const id of out.serverIds) done.push(await deleteToolServer(s, del(id)));
  }
  if (req.teardown.volumes) {
    for (const id of out.volumeIds) done.push(await deleteToolVolume(s, del(id)));
  }
  if (req.teardown.ports) {
    for (const id of out.portIds) done.push(await deleteToolPort(s, del(id)));
  }
  if (plan.flavorCreated) done.push(await deleteToolFlavor(s, del(plan.flavor)));
  if (upstreamVm) {
    const seen = new Set(done.map((d) => d.id).filter((id): id is string => id !== null));
    done.push(...(await deleteUpstreamFlavors(s, upstreamVm, teardownOptions(checkMode), seen)));
  }
  return done;
}

/**
 * Teardown of a VM whose volumes are all final already: delete-only, without vCenter and without copying the disks
 * again (what the tool made for the VM is found in OpenStack by marker and name, rollback.ts). Undefined when the VM
 * was not migrated to the end (no volume, or one not final): the migration runs first, as upstream's teardown does.
 */
async function tearDownMigrated(
  s: Session,
  req: ImportWorkloadsRequest,
  plan: VmPlan,
  env: { log: Logger; checkMode: boolean },
): Promise<ImportWorkloadsOutcome | undefined> {
  const found = await findVmToolObjects(s, plan.vmName);
  if (found.volumes.length === 0 || !found.volumes.every(isConverted)) return undefined;
  env.log.info(`${plan.vmName}: every volume is final; teardown deletes without migrating again`);
  const upstream =
    req.teardown.upstreamNames
      ? await deleteUpstreamServersAndPorts(s, plan.vmName, teardownOptions(env.checkMode), { servers: req.teardown.server, ports: req.teardown.ports })
      : [];
  const ids = found.volumes.map((v) => v.id);
  const own = await tearDown(s, req, plan, { serverIds: found.servers.map((x) => x.id), volumeIds: ids, portIds: found.ports.map((p) => p.id) }, env.checkMode);
  const teardown = [...upstream, ...own];
  for (const t of teardown) env.log.info(`teardown: ${describeDeletion(t)}`);
  const changed = teardown.some((t) => t.changed);
  const msg = `${plan.vmName} was migrated already (${ids.length} final volumes): torn down without copying again`;
  return {
    changed,
    msg: env.checkMode ? `Check mode: ${msg.replace('torn down', 'would be torn down')}` : msg,
    migration: { changed: false, ids, disks: [], converted: true },
    final: true,
    ports: [],
    server: undefined,
    heat: undefined,
    teardown,
  };
}

/** A run whose disks end final (not a CBT pre-sync), so the VM gets its ports and server. */
const isFinalRun = (m: ImportWorkloadsRequest['migrate']): boolean => !m.cbtSync || m.cutover;

const describeDeletion = (t: DeleteOutcome): string => (t.id ? `${t.kind} ${t.name || t.id} (${t.id}): ${t.msg}` : t.msg);

/**
 * Migrate one VM end to end: its disks (migrate workflow), then, when the disks are final, its Neutron ports with
 * the VMware MACs and a Nova server booting from the volumes; optionally tear it all down again. Every step is
 * idempotent, so the whole is safe to repeat.
 */
export async function importWorkload(
  vmName: string,
  req: ImportWorkloadsRequest,
  env: MigrationEnv,
): Promise<ImportWorkloadsOutcome> {
  const plan = readVmPlan(req.dataDir, vmName, req.ports.usedMappedNetworks);
  if (req.teardown.enabled) {
    const done = await withCloudSession(req.migrate.cloud, env.signal, (s) => tearDownMigrated(s, req, plan, env));
    if (done) return done;
  }
  if (!isFinalRun(req.migrate) || env.checkMode || req.teardown.enabled) return migrateAndBoot(vmName, req, plan, env);
  if (!req.rollbackOnFailure) {
    try {
      return await migrateAndBoot(vmName, req, plan, env);
    } catch (e) {
      throw failureWith(e, `not rolled back (rollback_on_failure is false): the rollback playbook (os_migrate.vmware_migration_kit.rollback) for ${vmName} undoes this run`);
    }
  }
  // A server the tool made for the VM before this run is in service: a failure now does not undo it.
  const earlier = await withCloudSession(req.migrate.cloud, env.signal, async (s) => (await findVmToolObjects(s, vmName)).servers.map((x) => x.id));
  try {
    return await migrateAndBoot(vmName, req, plan, env);
  } catch (e) {
    if (earlier.length > 0) {
      throw failureWith(e, `not rolled back: the server ${earlier.join(', ')} of ${vmName} existed before this run (the rollback playbook undoes the migration)`);
    }
    const rollback = await rollbackAfterFailure(vmName, req.migrate, env);
    throw failureWith(e, rollback.msg, rollback.changed);
  }
}

/** The failure `e` with `note` appended, keeping what it says exists (a MigrationFailure's volume ids and changed). */
function failureWith(e: unknown, note: string, changed = false): MigrationFailure {
  const message = `${(e as Error).message}; ${note}`;
  return e instanceof MigrationFailure ? new MigrationFailure(message, e.ids, e.changed || changed) : new MigrationFailure(message, [], changed);
}

async function migrateAndBoot(
  vmName: string,
  req: ImportWorkloadsRequest,
  plan: VmPlan,
  env: MigrationEnv,
): Promise<ImportWorkloadsOutcome> {
  const { checkMode } = env;
  const migration = await migrateVm({ ...req.migrate, vmName, folder: plan.folder }, env);
  const final = isFinalRun(req.migrate);
  if (!final) {
    return {
      changed: migration.changed,
      msg: `CBT pre-sync of ${vmName} done (${migration.ids.length} disks); run again with cutover to finish`,
      migration,
      final,
      ports: [],
      server: undefined,
      heat: undefined,
      teardown: [],
    };
  }
  // A failure past the disks says what exists: the volumes, and whether this run changed something (a step that
  // failed may have created part of its objects, so it counts as a change).
  const track = { changed: migration.changed, pending: false };
  const step = async <T>(run: () => Promise<T>, changed: (r: T) => boolean): Promise<T> => {
    track.pending = !checkMode;
    const r = await run();
    track.pending = false;
    track.changed ||= changed(r);
    return r;
  };
  if (req.ports.create || req.server.create) env.progress?.phase('creating the ports and the server');
  try {
    return await withCloudSession(req.migrate.cloud, env.signal, (s) => bootMigrated(s, vmName, req, plan, migration, step, env));
  } catch (e) {
    if (e instanceof MigrationFailure) throw e;
    const ids = migration.ids.filter((id): id is string => id !== null);
    const exist = ids.length > 0 ? ` (the volumes ${ids.join(', ')} of ${vmName} exist)` : '';
    throw new MigrationFailure(`${(e as Error).message}${exist}`, migration.ids, track.changed || track.pending);
  }
}

/** Runs one step that may change the cloud; `changed` says from its result whether it did. */
type Step = <T>(run: () => Promise<T>, changed: (r: T) => boolean) => Promise<T>;

/** The ports, the server (or stack) and the teardown of a VM whose disks are final, each change made through `step`. */
async function bootMigrated(
  s: Session,
  vmName: string,
  req: ImportWorkloadsRequest,
  plan: VmPlan,
  migration: MigrateOutcome,
  step: Step,
  env: { log: Logger; checkMode: boolean },
): Promise<ImportWorkloadsOutcome> {
  const { log, checkMode } = env;
  // Upstream's server and ports of the VM hold its name and MACs, so they go before the tool makes its own.
  const upstream =
    req.teardown.enabled && req.teardown.upstreamNames
      ? await step(
          () => deleteUpstreamServersAndPorts(s, vmName, teardownOptions(checkMode), { servers: req.teardown.server, ports: req.teardown.ports }),
          (done) => done.some((t) => t.changed),
        )
      : [];
  for (const t of upstream) log.info(`teardown: ${describeDeletion(t)}`);
  // In check mode they are still there, and the ports and the server cannot be previewed past them.
  const preview = !(checkMode && upstream.length > 0);
  const nics = readNicsFile(plan.nicsFile);
  const ports = req.ports.create && preview
    ? await step(() => ensurePorts(s, {
        vmName,
        nics,
        usedMappedNetworks: req.ports.usedMappedNetworks,
        networkName: req.ports.networkName,
        securityGroups: req.ports.securityGroups,
        useFixedIps: req.ports.useFixedIps,
        subnetUuid: req.ports.subnet,
        checkMode,
      }), (made) => made.some((p) => p.action !== 'reused'))
    : [];
  for (const p of ports) log.info(`port ${p.name} (${p.mac_address}): ${p.action}`);
  let server: ServerOutcome | undefined;
  let heat: HeatServerOutcome | undefined;
  if (req.server.create && preview) {
    const ids = migration.ids.filter((id): id is string => id !== null);
    const boot = checkMode && ids.length === 0 ? undefined : await bootVolumeOf(s, vmName, ids, req.server.bootFromCinder);
    const portIds = ports.map((p) => p.id).filter((id): id is string => id !== null);
    // Check mode before the first run: the ports do not exist yet, so there is no template to render.
    if (boot && req.server.heat.enabled && portIds.length === ports.length) {
      heat = await step(() => ensureHeatServer(s, {
        vmName,
        dir: join(req.dataDir, vmName),
        flavor: plan.flavor,
        bootVolume: boot,
        volumes: ids.filter((id) => id !== boot),
        portIds,
        network: req.ports.networkName,
        securityGroups: req.ports.securityGroups,
        keyName: req.server.keyName,
        availabilityZone: req.server.availabilityZone,
        userData: req.server.userData,
        autoDeploy: req.server.heat.autoDeploy,
        timeoutMs: req.server.timeoutMs,
        checkMode,
      }), (h) => h.changed);
      server = heat.server;
      log.info(heat.stack ? `stack ${heat.stack.name}: ${heat.stack.status}` : `Heat template ${heat.template_path}; create the stack with: ${heat.command}`);
    } else if (boot && !req.server.heat.enabled) {
      server = await step(() => ensureServer(s, {
        name: vmName,
        flavor: plan.flavor,
        bootVolume: boot,
        volumes: ids.filter((id) => id !== boot),
        nics: ports.filter((p) => p.id).map((p) => ({ 'port-id': p.id! })),
        securityGroups: req.ports.securityGroups,
        keyName: req.server.keyName,
        availabilityZone: req.server.availabilityZone,
        userData: req.server.userData,
        metadata: {},
        wait: true,
        timeoutMs: req.server.timeoutMs,
        intervalMs: 2000,
        checkMode,
      }), (x) => x.changed);
      log.info(`server ${server.name}: ${server.msg}`);
    }
  }
  const partial = { migration, final: true, ports, server, heat };
  const targets = {
    serverIds: server?.id ? [server.id] : [],
    volumeIds: migration.ids.filter((id): id is string => id !== null),
    portIds: ports.map((p) => p.id).filter((id): id is string => id !== null),
  };
  const own = req.teardown.enabled ? await step(() => tearDown(s, req, plan, targets, checkMode), (done) => done.some((t) => t.changed)) : [];
  for (const t of own) log.info(`teardown: ${describeDeletion(t)}`);
  const teardown = [...upstream, ...own];
  const changed =
    migration.changed ||
    ports.some((p) => p.action !== 'reused') ||
    server?.changed === true ||
    heat?.changed === true ||
    teardown.some((t) => t.changed);
  const msg = req.teardown.enabled
    ? `${vmName} migrated and torn down`
    : server?.id
      ? `${vmName} migrated: server ${server.id} is ${server.status}${heat?.stack ? ` (stack ${heat.stack.name})` : ''}`
      : heat && !req.server.heat.autoDeploy
        ? `${vmName} migrated; Heat template ${heat.template_path} written, create the stack with: ${heat.command}`
        : `${vmName} migrated`;
  const checkMsg = `Check mode: ${msg.replace(/^(\S+) migrated/, '$1 would be migrated')}${
    preview ? '' : "; the ports and the server are not previewed while upstream's server and ports of the VM are still there"
  }`;
  return { changed, msg: checkMode ? checkMsg : msg, ...partial, teardown };
}
