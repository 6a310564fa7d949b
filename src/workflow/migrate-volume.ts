import type { Session } from '../openstack/auth.js';
import { type Volume, createVolume, manageExistingVolume, setBootable, setImageMetadata } from '../openstack/volume.js';
import type { WaitOptions } from '../openstack/wait.js';
import type { Logger } from '../util/log.js';
import type { VmDetail } from '../vmware/vm.js';
import { type DiskPlan, volumeSizeGiB, volumeTypeFor } from './migrate-plan.js';
import type { MigrateRequest } from './migrate-request.js';
import type { MigrationSteps } from './migrate-steps.js';

export interface VolumeArgs {
  os: Session;
  vm: Pick<VmDetail, 'firmware'>;
  volume: MigrateRequest['volume'];
  wait: WaitOptions;
  log: Logger;
  steps: MigrationSteps;
}

/**
 * The disk's volume: the one that exists, else a new one (or, with externalvolume, the managed backend volume),
 * marked converted=false; then bootable, and UEFI when the VM is.
 */
export async function ensureVolume(a: VolumeArgs, d: DiskPlan): Promise<Volume> {
  let volume = d.volume;
  if (volume) a.log.info(`reusing volume ${d.volumeName} (${volume.id}, ${volume.status}${volume.metadata.changeID ? `, changeID ${volume.metadata.changeID}` : ''})`);
  else volume = await newVolume(a, d);
  await makeBootable(a, volume);
  return volume;
}

/** Bootable, and UEFI (q35) when the VM is, as Nova reads it from the volume's image metadata. */
export async function makeBootable(a: Pick<VolumeArgs, 'os' | 'vm'>, volume: Volume): Promise<void> {
  if (volume.bootable !== 'true') await setBootable(a.os, volume.id, true);
  if (a.vm.firmware === 'efi' && volume.volume_image_metadata?.hw_firmware_type !== 'uefi') {
    await setImageMetadata(a.os, volume.id, { hw_machine_type: 'q35', hw_firmware_type: 'uefi' });
  }
}

async function newVolume(a: VolumeArgs, d: DiskPlan): Promise<Volume> {
  const { volume: req, log } = a;
  const name = d.volumeName;
  const volumeType = volumeTypeFor(d.disk, req);
  const metadata = { converted: 'false' };
  let volume: Volume;
  if (req.external) {
    log.info(`managing backend volume ${req.external.name} on ${req.external.hostPool} as ${name}`);
    volume = await manageExistingVolume(a.os, { host: req.external.hostPool, sourceName: req.external.name, name, metadata, ...(volumeType ? { volumeType } : {}) }, a.wait);
  } else {
    const sizeGiB = volumeSizeGiB(d.disk);
    log.info(`creating volume ${name}: ${sizeGiB} GiB, type ${volumeType ?? '(default)'}${req.availabilityZone ? `, AZ ${req.availabilityZone}` : ''}`);
    const spec = { name, sizeGiB, metadata, ...(volumeType ? { volumeType } : {}), ...(req.availabilityZone ? { availabilityZone: req.availabilityZone } : {}) };
    volume = await createVolume(a.os, spec, a.wait);
  }
  await a.steps.reached('volume-created');
  return volume;
}
