import type { Session } from '../openstack/auth.js';
import { connect } from '../openstack/connect.js';
import { type Volume, createVolume, findToolVolume, manageExistingVolume, setBootable, setImageMetadata, updateVolumeMetadata } from '../openstack/volume.js';
import type { WaitOptions } from '../openstack/wait.js';
import { findAttachedDevice } from '../transfer/target.js';
import type { DiskSource } from '../transfer/types.js';
import type { Logger } from '../util/log.js';
import { safeVmName } from '../util/names.js';
import { parseBool } from '../util/parse-bool.js';
import { GiB } from '../util/units.js';
import { enableCbt } from '../vmware/cbt.js';
import type { MoRef } from '../vmware/moref.js';
import { powerOff } from '../vmware/power.js';
import { retrieveOne } from '../vmware/property-collector.js';
import { VSphereSession } from '../vmware/session.js';
import { SNAPSHOT_DESCRIPTION, SNAPSHOT_NAME, createSnapshot, findSnapshots, removeSnapshot } from '../vmware/snapshots.js';
import { type VmDetail, type VmDisk, vmDetail } from '../vmware/vm.js';
import { type ConversionHost, detachIfAttached, ensureAttached, findConversionHost } from './conversion-host.js';
import { UnknownVmError, discover } from './discovery.js';
import { copyOneDisk } from './migrate-disk.js';
import { convertGuest, isWindowsGuest } from './migrate-convert.js';
import { lockVm } from './migrate-lock.js';
import { pauseIfAsked } from './migrate-log.js';
import type { DiskResult, MigrateOutcome, MigrateRequest, PlannedDisk } from './migrate-request.js';
import { openDiskSource } from './migrate-source.js';

/** Volume metadata key set to `started` before virt-v2v writes to the volumes and `done` after. */
export const CONVERSION_KEY = 'osm_conversion';
const VOLUME_WAIT_MS = 30 * 60_000;
const CLEANUP_WAIT_MS = 5 * 60_000;

/** Upstream reads `converted` with Go's strconv.ParseBool. */
export function isConverted(v: Volume): boolean {
  const c = v.metadata.converted;
  if (c === undefined) return false;
  const flag = parseBool(c);
  if (flag !== undefined) return flag;
  throw new Error(`volume ${v.name} (${v.id}) has metadata converted=${JSON.stringify(c)}, which is not a boolean; fix or remove it`);
}

/** The volume type of a disk: volume_type_mapping by its datastore, else volumetype, else the cloud's default. */
export function volumeTypeFor(disk: Pick<VmDisk, 'datastore'>, volume: MigrateRequest['volume']): string | undefined {
  const mapped = volume.typeMapping.find((m) => m.vmware_datastore === disk.datastore)?.openstack_type;
  return mapped || volume.type || undefined;
}

export function volumeNameFor(vm: Pick<VmDetail, 'name'>, disk: Pick<VmDisk, 'key'>): string {
  return `${safeVmName(vm.name)}-${disk.key}`;
}

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
      if (env.checkMode) return await new Migration(req, vs, os, vm, env).run();
      const unlock = lockVm(vm.name);
      try {
        return await new Migration(req, vs, os, vm, env).run();
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

async function findVm(vs: VSphereSession, folder: string | undefined, name: string): Promise<VmDetail> {
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

class Migration {
  private readonly vmRef: MoRef;
  private readonly wait: WaitOptions;
  private readonly cleanupWait: WaitOptions;
  private changed = false;

  constructor(
    private readonly req: MigrateRequest,
    private readonly vs: VSphereSession,
    private readonly os: Session,
    private readonly vm: VmDetail,
    private readonly env: { log: Logger; signal: AbortSignal; checkMode: boolean },
  ) {
    this.vmRef = { type: 'VirtualMachine', value: vm.moid };
    this.wait = { timeoutMs: VOLUME_WAIT_MS, intervalMs: 1000, signal: env.signal };
    this.cleanupWait = { timeoutMs: CLEANUP_WAIT_MS, intervalMs: 1000 };
  }

  private get log(): Logger {
    return this.env.log;
  }

  async run(): Promise<MigrateOutcome> {
    const { req, vm, log } = this;
    if (vm.disks.length === 0) throw new Error(`Failed to migrate VM: no disk found on VM ${vm.name}`);
    if (req.volume.external && vm.disks.length > 1) {
      throw new Error(`Failed to migrate VM: externalvolume manages one backend volume, but VM ${vm.name} has ${vm.disks.length} disks`);
    }
    const volumes: (Volume | undefined)[] = [];
    for (const disk of vm.disks) volumes.push(await findToolVolume(this.os, volumeNameFor(vm, disk)));
    const converted = volumes.map((v) => (v ? isConverted(v) : false));
    const host = await findConversionHost(this.os, { instanceUuid: req.instanceUuid, serverName: req.convHostName });
    log.info(`conversion host: ${host.name} (${host.id}, from ${host.source})`);
    const pending = vm.disks.map((_, i) => i).filter((i) => !converted[i]);
    const convert = !req.skipConversion && (!req.cbtSync || req.cutover) && pending.length > 0;
    const shutdown = convert && (req.cutover || isWindowsGuest(vm));
    const staleSnapshots = (await findSnapshots(this.vs, this.vmRef, SNAPSHOT_NAME)).filter((s) => s.description === SNAPSHOT_DESCRIPTION);
    const leftoverAttached = volumes.filter((v, i) => v && converted[i] && v.attachments.some((a) => a.server_id === host.id));

    if (this.env.checkMode) {
      const disks = vm.disks.map((d, i): PlannedDisk => {
        const v = volumes[i];
        const action = converted[i]
          ? 'skip (converted)'
          : !v
            ? 'create and copy'
            : req.cbtSync && v.metadata.changeID && v.metadata[CONVERSION_KEY] !== 'started'
              ? 'delta copy'
              : 'full copy';
        return { key: d.key, volume_name: volumeNameFor(vm, d), volume_id: v?.id ?? null, action };
      });
      const cleanup = [
        ...staleSnapshots.map((s) => `remove snapshot ${s.name} (${s.moid}) left by an earlier run`),
        ...leftoverAttached.map((v) => `detach volume ${v!.name} (${v!.id}) from the conversion host`),
      ];
      return {
        changed: pending.length > 0 || cleanup.length > 0,
        ids: volumes.map((v) => v?.id ?? null),
        disks: [],
        converted: pending.length === 0,
        conversionHost: host,
        plan: { disks, conversion: convert, shutdown, cleanup },
      };
    }

    for (const s of staleSnapshots) {
      log.warn(`removing snapshot ${s.name} (${s.moid}) left by an earlier run`);
      await removeSnapshot(this.vs, { type: 'VirtualMachineSnapshot', value: s.moid });
      this.changed = true;
    }
    for (const v of leftoverAttached) {
      log.warn(`detaching volume ${v!.name} (${v!.id}) left attached by an earlier run`);
      if (await detachIfAttached(this.os, host, v!.id, this.cleanupWait)) this.changed = true;
    }
    if (pending.length === 0) {
      log.info('every volume is converted already; nothing to do');
      return {
        changed: this.changed,
        ids: volumes.map((v) => v!.id),
        disks: vm.disks.map((d, i) => ({ key: d.key, volume_id: volumes[i]!.id, mode: 'skipped', bytes_copied: 0, bytes_read: 0 })),
        converted: true,
        conversionHost: host,
      };
    }
    return this.sync(volumes, pending, host, convert, shutdown);
  }

  /** Snapshot, copy the pending disks, convert; detach and remove the snapshot whatever happens. */
  private async sync(volumes: (Volume | undefined)[], pending: number[], host: ConversionHost, convert: boolean, shutdown: boolean): Promise<MigrateOutcome> {
    const { req, vm, log, env } = this;
    if (req.cbtSync && !vm.changeTrackingEnabled) {
      log.info(`enabling changed block tracking on VM ${vm.name} (cbtsync)`);
      this.changed = (await enableCbt(this.vs, this.vmRef)) || this.changed;
    }
    if (shutdown) await this.shutdownSource(req.cutover ? 'cutover' : 'Windows guest conversion');
    // Attachments a crashed run left are reused, and detached at the end like ours. Like the snapshot, an attachment
    // lives only for this run and is not a change.
    const attached = new Map<string, string>(
      pending.flatMap((i) => (volumes[i]?.attachments.some((a) => a.server_id === host.id) ? [[volumes[i]!.id, '']] : [])),
    );
    const results: DiskResult[] = vm.disks.map((d, i) => ({
      key: d.key,
      volume_id: volumes[i]?.id ?? '',
      mode: 'skipped',
      bytes_copied: 0,
      bytes_read: 0,
    }));
    let converted = false;
    let failure: unknown;
    try {
      // The snapshot lives only for this run: it does not count as a change.
      const snapshot = await createSnapshot(this.vs, this.vmRef);
      log.info(`created snapshot ${SNAPSHOT_NAME} (${snapshot.value})`);
      try {
        const snapDisks = await this.snapshotDisks(snapshot);
        for (const i of pending) {
          env.signal.throwIfAborted();
          const disk = vm.disks[i]!;
          const snapDisk = snapDisks.find((d) => d.key === disk.key);
          if (!snapDisk) throw new Error(`disk ${disk.key} is not in snapshot ${snapshot.value}`);
          const { volume, created } = await this.ensureVolume(disk, volumes[i]);
          volumes[i] = volume;
          results[i]!.volume_id = volume.id;
          const devicePath = await this.attach(host, volume, attached);
          // A conversion that started and did not finish changed the volume: only a full copy makes it whole again.
          const convertedHalfway = volume.metadata[CONVERSION_KEY] === 'started';
          if (convertedHalfway) log.warn(`volume ${volume.id}: an earlier conversion did not finish; copying the whole disk again`);
          const since = req.cbtSync && !created && !convertedHalfway ? volume.metadata.changeID || undefined : undefined;
          const outcome = await this.withSource(snapshot, snapDisk, (source) =>
            copyOneDisk({
              session: this.vs,
              vm: this.vmRef,
              snapshot,
              disk: snapDisk,
              source,
              devicePath,
              sinceChangeId: since,
              targetIsZero: created && req.assumeZero,
              verify: req.verify,
              log,
              signal: env.signal,
            }),
          );
          await pauseIfAsked('copied', log);
          Object.assign(results[i]!, {
            mode: outcome.mode,
            bytes_copied: outcome.bytesCopied,
            bytes_read: outcome.bytesRead,
            ...(outcome.sha256Source ? { sha256_source: outcome.sha256Source, sha256_target: outcome.sha256Target } : {}),
          });
          if (outcome.bytesCopied > 0) this.changed = true;
          if (outcome.changeId && outcome.changeId !== volume.metadata.changeID) {
            // Recorded only after a complete copy: a crash mid-copy leaves the previous (older) change ID.
            // Bookkeeping, not a change of the volume's content: a sync that copied nothing stays changed=false.
            await updateVolumeMetadata(this.os, volume.id, { changeID: outcome.changeId });
            log.info(`volume ${volume.id}: recorded changeID ${outcome.changeId}`);
          }
        }
      } finally {
        await this.removeSnapshotQuietly(snapshot);
      }
      if (convert) {
        const all = volumes as Volume[];
        const devices: string[] = [];
        for (const v of all) devices.push(await this.attach(host, v, attached));
        for (const v of all) await updateVolumeMetadata(this.os, v.id, { [CONVERSION_KEY]: 'started' });
        await convertGuest({ vm, volumes: all, devices, request: req, log, signal: env.signal });
        await pauseIfAsked('converted', log);
        for (const v of all) await updateVolumeMetadata(this.os, v.id, { converted: 'true', [CONVERSION_KEY]: 'done' });
        converted = true;
        this.changed = true;
        log.info(`marked ${all.length} volumes converted`);
        if (!shutdown) await this.shutdownSource('after conversion').catch((e: unknown) => log.warn(`${(e as Error).message}; power the VM off yourself`));
      } else if (req.skipConversion && (!req.cbtSync || req.cutover)) {
        // The disks are final and the user asked for no conversion: mark them done, so a rerun leaves them alone
        // (they may already be attached to the migrated server) and the record says no conversion ran.
        for (const v of volumes as Volume[]) await updateVolumeMetadata(this.os, v.id, { converted: 'true', [CONVERSION_KEY]: 'skipped' });
        converted = true;
        log.info('skipconversion: the guest is not converted; the volumes are final');
      } else {
        log.info('cbtsync without cutover: the guest is not converted yet');
      }
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      await this.detachAll(host, attached).catch((e: unknown) => {
        if (failure === undefined) throw e;
        log.error((e as Error).message);
      });
    }
    return { changed: this.changed, ids: volumes.map((v) => v!.id), disks: results, converted, conversionHost: host };
  }

  private async shutdownSource(why: string): Promise<void> {
    const how = await powerOff(this.vs, this.vmRef, { timeoutMs: this.req.shutdownTimeoutMs, force: true });
    if (how !== 'already') this.changed = true;
    this.log.info(`VM ${this.vm.name} is off (${why}: ${how === 'already' ? 'it was off' : how === 'guest' ? 'guest shutdown' : 'hard power-off after the guest shutdown timed out'})`);
  }

  /** The VM's disks as recorded in the snapshot (backing file and change ID of that point in time). */
  private async snapshotDisks(snapshot: MoRef): Promise<VmDisk[]> {
    const props = await retrieveOne(this.vs, snapshot, ['config.hardware']);
    const entity = { moid: this.vm.moid, type: 'VirtualMachine', name: this.vm.name, parent: undefined, path: this.vm.path };
    const inv = { byMoid: new Map(), networks: [] } as unknown as Parameters<typeof vmDetail>[2];
    return vmDetail(entity, props, inv).disks;
  }

  private async ensureVolume(disk: VmDisk, existing: Volume | undefined): Promise<{ volume: Volume; created: boolean }> {
    const { req, vm, log } = this;
    let volume = existing;
    let created = false;
    const name = volumeNameFor(vm, disk);
    if (!volume) {
      const sizeGiB = Math.max(1, Math.ceil(disk.capacityBytes / GiB));
      const volumeType = volumeTypeFor(disk, req.volume);
      const metadata = { converted: 'false' };
      if (req.volume.external) {
        log.info(`managing backend volume ${req.volume.external.name} on ${req.volume.external.hostPool} as ${name}`);
        volume = await manageExistingVolume(
          this.os,
          { host: req.volume.external.hostPool, sourceName: req.volume.external.name, name, metadata, ...(volumeType ? { volumeType } : {}) },
          this.wait,
        );
      } else {
        log.info(`creating volume ${name}: ${sizeGiB} GiB, type ${volumeType ?? '(default)'}${req.volume.availabilityZone ? `, AZ ${req.volume.availabilityZone}` : ''}`);
        volume = await createVolume(
          this.os,
          {
            name,
            sizeGiB,
            metadata,
            ...(volumeType ? { volumeType } : {}),
            ...(req.volume.availabilityZone ? { availabilityZone: req.volume.availabilityZone } : {}),
          },
          this.wait,
        );
        created = true;
      }
      this.changed = true;
      await pauseIfAsked('volume-created', log);
    } else {
      log.info(`reusing volume ${name} (${volume.id}, ${volume.status}${volume.metadata.changeID ? `, changeID ${volume.metadata.changeID}` : ''})`);
    }
    if (volume.bootable !== 'true') await setBootable(this.os, volume.id, true);
    if (vm.firmware === 'efi' && volume.volume_image_metadata?.hw_firmware_type !== 'uefi') {
      await setImageMetadata(this.os, volume.id, { hw_machine_type: 'q35', hw_firmware_type: 'uefi' });
    }
    return { volume, created };
  }

  /** Attach (or reuse the attachment of) a volume and wait for its device; remembers it for detachAll. */
  private async attach(host: ConversionHost, volume: Volume, attached: Map<string, string>): Promise<string> {
    const known = attached.get(volume.id);
    if (known) return known;
    const how = await ensureAttached(this.os, host, volume.id, this.wait);
    attached.set(volume.id, '');
    const device = await findAttachedDevice({ volumeId: volume.id, byIdDir: this.req.byIdDir, signal: this.env.signal });
    attached.set(volume.id, device);
    this.log.info(`volume ${volume.id} ${how === 'attached' ? 'attached' : 'already attached'} to the conversion host as ${device}`);
    await pauseIfAsked('attached', this.log);
    return device;
  }

  private async detachAll(host: ConversionHost, attached: Map<string, string>): Promise<void> {
    const errors: string[] = [];
    for (const id of [...attached.keys()].reverse()) {
      try {
        await detachIfAttached(this.os, host, id, this.cleanupWait);
        this.log.info(`volume ${id} detached from the conversion host`);
      } catch (e) {
        errors.push(`volume ${id}: ${(e as Error).message}`);
      }
    }
    await pauseIfAsked('detached', this.log);
    if (errors.length) throw new Error(`could not detach from the conversion host ${host.name}: ${errors.join('; ')}; a rerun detaches them`);
  }

  private async removeSnapshotQuietly(snapshot: MoRef): Promise<void> {
    try {
      await removeSnapshot(this.vs, snapshot);
      this.log.info(`removed snapshot ${SNAPSHOT_NAME} (${snapshot.value})`);
    } catch (e) {
      this.log.error(`could not remove snapshot ${snapshot.value}: ${(e as Error).message}; the next run removes it`);
    }
  }

  private async withSource<T>(snapshot: MoRef, disk: VmDisk, fn: (s: DiskSource) => Promise<T>): Promise<T> {
    const source = await openDiskSource({
      settings: this.req.source,
      endpoint: this.req.vmware,
      session: this.vs,
      datacenter: this.vm.datacenter,
      vmMoid: this.vm.moid,
      snapshotMoid: snapshot.value,
      fileName: disk.fileName,
      name: `${safeVmName(this.vm.name).slice(0, 24)}-${this.req.runId}-${disk.key}`,
      onOutput: (line) => this.log.info(`[${this.req.source.kind}] ${line}`),
      signal: this.env.signal,
    });
    try {
      return await fn(source);
    } finally {
      await source.close();
    }
  }
}
