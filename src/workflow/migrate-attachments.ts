import type { Session } from '../openstack/auth.js';
import type { Volume } from '../openstack/volume.js';
import type { WaitOptions } from '../openstack/wait.js';
import { findAttachedDevice } from '../transfer/target.js';
import type { Logger } from '../util/log.js';
import { type ConversionHost, detachIfAttached, ensureAttached } from './conversion-host.js';
import type { MigrationSteps } from './migrate-steps.js';

export interface AttachmentArgs {
  os: Session;
  host: ConversionHost;
  byIdDir: string;
  /** Attaching (and waiting for the device) stops on the run's abort signal. */
  wait: WaitOptions;
  /** Detaching runs after an abort too. */
  cleanupWait: WaitOptions;
  log: Logger;
  signal: AbortSignal;
  steps: MigrationSteps;
}

/**
 * The volumes of one run attached to the conversion host: those it attached and those a crashed run left attached
 * (reused). Like the snapshot, an attachment lives only for the run and is not a change; `detachAll` ends them all.
 */
export class HostAttachments {
  /** Volume ID -> its device on the conversion host; `undefined` while attached but the device is not known yet. */
  private readonly devices = new Map<string, string | undefined>();

  constructor(
    private readonly a: AttachmentArgs,
    reused: string[],
  ) {
    for (const id of reused) this.devices.set(id, undefined);
  }

  /** Attach the volume (or reuse its attachment) and wait for its device. */
  async attach(volume: Volume): Promise<string> {
    const { a } = this;
    const known = this.devices.get(volume.id);
    if (known) return known;
    const how = await ensureAttached(a.os, a.host, volume.id, a.wait);
    this.devices.set(volume.id, undefined);
    const device = await findAttachedDevice({ volumeId: volume.id, byIdDir: a.byIdDir, signal: a.signal });
    this.devices.set(volume.id, device);
    await a.steps.reached('attached', `volume ${volume.id} ${how === 'attached' ? 'attached' : 'already attached'} to the conversion host as ${device}`);
    return device;
  }

  /** Detach every volume, the last attached first; fails naming those still attached (a rerun detaches them). */
  async detachAll(): Promise<void> {
    const { a } = this;
    const errors: string[] = [];
    for (const id of [...this.devices.keys()].reverse()) {
      try {
        await detachIfAttached(a.os, a.host, id, a.cleanupWait);
        a.log.info(`volume ${id} detached from the conversion host`);
      } catch (e) {
        errors.push(`volume ${id}: ${(e as Error).message}`);
      }
    }
    await a.steps.reached('detached');
    if (errors.length) throw new Error(`could not detach from the conversion host ${a.host.name}: ${errors.join('; ')}; a rerun detaches them`);
  }
}
