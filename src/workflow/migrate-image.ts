import { rm, stat } from 'node:fs/promises';
import type { Session } from '../openstack/auth.js';
import { type Image, createImage, deleteImage, findToolImages, uploadImage, waitForImageActive, waitForImageGone } from '../openstack/image.js';
import { type Volume, createVolume, deleteVolume, isDeletableStatus, updateVolumeMetadata, waitForVolumeGone, waitForVolumeStatus } from '../openstack/volume.js';
import type { WaitOptions } from '../openstack/wait.js';
import { formatBytes, progressLine } from '../transfer/progress.js';
import {
  type StagedState,
  createStagedFile,
  readStagedState,
  recordStagedCopy,
  removeStaged,
  stagedFileStream,
  stagedPath,
  trustedCopyChangeId,
  writeStagedState,
} from '../transfer/staging.js';
import type { Logger } from '../util/log.js';
import { runCommand } from '../util/process.js';
import { GiB } from '../util/units.js';
import type { VmDetail } from '../vmware/vm.js';
import { CONVERSION_KEY, type DiskPlan, type ImageDiskState, volumeTypeFor } from './migrate-plan.js';
import type { ImageTarget } from './migrate-request.js';
import type { MigrationSteps } from './migrate-steps.js';
import { makeBootable } from './migrate-volume.js';
import type { MigrateRequest } from './migrate-request.js';
import { SHA256_KEY, copyChecksumMetadata } from './volume-checksum.js';

/**
 * The image target of the per-disk flow (no conversion host): each disk is copied into a sparse raw file in the
 * staging directory, the files are converted together, each is streamed to Glance, and a bootable volume is made
 * from each image. The staged files' state files and the images (marked as the tool's, named like the volumes)
 * say how far an earlier run got.
 */

export interface ImageStagingArgs {
  os: Session;
  vm: Pick<VmDetail, 'name' | 'firmware'>;
  req: Pick<MigrateRequest, 'volume' | 'skipConversion'>;
  target: ImageTarget;
  wait: WaitOptions;
  cleanupWait: WaitOptions;
  log: Logger;
  signal: AbortSignal;
  steps: MigrationSteps;
}

/** The staged file of a disk: `<staging_dir>/<SafeVmName>-<diskkey>.raw`. */
export function stagedFileOf(target: ImageTarget, d: Pick<DiskPlan, 'volumeName'>): string {
  return stagedPath(target.stagingDir, d.volumeName);
}

/** What exists of each disk on the image path, for the plan. */
export async function imageDiskStates(os: Session, target: ImageTarget, disks: { volumeName: string; size: number }[]): Promise<ImageDiskState[]> {
  const states: ImageDiskState[] = [];
  const sizes = new Map(disks.map((d) => [d.volumeName, d.size]));
  for (const { volumeName } of disks) {
    const images = await findToolImages(os, volumeName);
    const staged = await readStagedState(stagedFileOf(target, { volumeName }));
    const file = stagedFileOf(target, { volumeName });
    states.push({ imageActive: images.some((i) => i.status === 'active'), stagedFinal: staged?.phase === 'final', stagedChangeId: await trustedCopyChangeId(file, sizes.get(volumeName)!) });
  }
  return states;
}

export class ImageStaging {
  constructor(private readonly a: ImageStagingArgs) {}

  path(d: DiskPlan): string {
    return stagedFileOf(this.a.target, d);
  }

  /**
   * The file the disk is copied into: for a delta, the staged copy of the recorded change ID; else a fresh sparse
   * file (what an earlier run staged is not trusted).
   */
  async stage(d: DiskPlan): Promise<string> {
    const path = this.path(d);
    if (d.action === 'delta copy') {
      this.a.log.info(`disk ${d.disk.key}: applying the changes since ${d.sinceChangeId} to the staged copy ${path}`);
      return path;
    }
    await createStagedFile(path, d.disk.capacityBytes);
    this.a.log.info(`disk ${d.disk.key}: staging into ${path} (sparse, ${formatBytes(d.disk.capacityBytes)})`);
    return path;
  }

  record(d: DiskPlan, state: StagedState): Promise<void> {
    return writeStagedState(this.path(d), state);
  }

  /** The disk's copy is complete: of the source at `changeId`, with the file as it is now. */
  recordCopy(d: DiskPlan, state: Omit<StagedState, 'phase' | 'file'>): Promise<void> {
    return recordStagedCopy(this.path(d), state);
  }

  async state(d: DiskPlan): Promise<StagedState | undefined> {
    return readStagedState(this.path(d));
  }

  /**
   * The disk's volume from its image: the active image, else the staged file uploaded (`marks`, what the run did to
   * the source, go on the new image too); a volume an earlier run
   * started from that image is waited for, any other unconverted one of the tool replaced. Marked converted last.
   */
  async toVolume(d: DiskPlan, marks: Record<string, string>): Promise<Volume> {
    const { a } = this;
    const staged = await this.state(d);
    const image = (await findToolImages(a.os, d.volumeName)).find((i) => i.status === 'active') ?? (await this.upload(d, staged));
    let volume = d.volume ? await this.reuse(d.volume, image) : undefined;
    if (!volume) {
      const sizeGiB = Math.max(1, Math.ceil(d.disk.capacityBytes / GiB));
      const volumeType = volumeTypeFor(d.disk, a.req.volume);
      const az = a.req.volume.availabilityZone;
      a.log.info(`creating volume ${d.volumeName} from image ${image.id}: ${sizeGiB} GiB, type ${volumeType ?? '(default)'}${az ? `, AZ ${az}` : ''}`);
      const metadata = { converted: 'false', osm_image: image.id, ...marks };
      volume = await createVolume(a.os, { name: d.volumeName, sizeGiB, imageId: image.id, metadata, ...(volumeType ? { volumeType } : {}), ...(az ? { availabilityZone: az } : {}) }, a.wait);
      await a.steps.reached('volume-created');
    }
    await makeBootable(a, volume);
    const checksums = staged?.sha256 ? { ...copyChecksumMetadata(staged.sha256Copy, d.disk.capacityBytes), [SHA256_KEY]: staged.sha256 } : {};
    const done = { converted: 'true', [CONVERSION_KEY]: a.req.skipConversion ? 'skipped' : 'done', ...checksums };
    Object.assign(volume.metadata, await updateVolumeMetadata(a.os, volume.id, done));
    a.log.info(`volume ${d.volumeName} (${volume.id}) made from image ${image.id}`);
    return volume;
  }

  /** An unconverted volume of an earlier run: kept when it is being made from `image`, else deleted. */
  private async reuse(v: Volume, image: Image): Promise<Volume | undefined> {
    const { a } = this;
    if (v.metadata.osm_image === image.id && !v.status.startsWith('error')) {
      a.log.info(`volume ${v.name} (${v.id}) was being made from image ${image.id} by an earlier run: waiting for it`);
      return waitForVolumeStatus(a.os, v.id, 'available', a.wait);
    }
    a.log.warn(`volume ${v.name} (${v.id}, ${v.status}) left unconverted by an earlier run: replacing it`);
    if (!isDeletableStatus(v.status)) await waitForVolumeStatus(a.os, v.id, 'available', a.cleanupWait).catch(() => undefined);
    await deleteVolume(a.os, v.id);
    await waitForVolumeGone(a.os, v.id, a.cleanupWait);
    return undefined;
  }

  /** Stream the staged file to a new image (the tool's older images of the disk deleted first) and wait until it is active. */
  private async upload(d: DiskPlan, staged: StagedState | undefined): Promise<Image> {
    const { a } = this;
    const raw = this.path(d);
    if (staged?.phase !== 'final') {
      throw new Error(`disk ${d.disk.key}: neither an active image ${d.volumeName} nor a final staged file ${raw} exists; run the migration again to copy the disk`);
    }
    await this.deleteImages(d, 'replacing');
    const format = a.target.diskFormat;
    const file = format === 'raw' ? raw : `${raw}.${format}`;
    try {
      if (file !== raw) await runCommand('qemu-img', ['convert', '-f', 'raw', '-O', format, raw, file]);
      const size = (await stat(file)).size;
      const properties = { osm_vm: a.vm.name, osm_disk: String(d.disk.key), ...(a.vm.firmware === 'efi' ? { hw_firmware_type: 'uefi', hw_machine_type: 'q35' } : {}) };
      const image = await createImage(a.os, { name: d.volumeName, diskFormat: format, properties });
      a.log.info(`uploading ${file} to image ${d.volumeName} (${image.id}): ${formatBytes(size)}, ${format}`);
      const label = `image ${d.volumeName} (upload)`;
      const body = stagedFileStream(file, {
        size,
        onProgress: (p) => a.log.info(progressLine(label, p)),
        onHalf: () => a.steps.reached('mid-upload'),
      });
      await uploadImage(a.os, image.id, body, size);
      const active = await waitForImageActive(a.os, image.id, a.wait);
      await a.steps.reached('uploaded', `image ${d.volumeName} (${image.id}) is active: ${size} bytes`);
      return active;
    } finally {
      if (file !== raw) await rm(file, { force: true });
    }
  }

  /** Delete the tool's images of the disk; true when there were some. */
  async deleteImages(d: Pick<DiskPlan, 'volumeName'>, why: string): Promise<boolean> {
    const { a } = this;
    const images = await findToolImages(a.os, d.volumeName);
    for (const i of images) {
      a.log.info(`deleting image ${d.volumeName} (${i.id}, ${i.status}): ${why}`);
      await deleteImage(a.os, i.id);
      await waitForImageGone(a.os, i.id, a.cleanupWait);
    }
    return images.length > 0;
  }

  /** The end of a migration: the staged files removed, the images too unless keep_images; true when something was removed. */
  async cleanUp(disks: DiskPlan[]): Promise<boolean> {
    let changed = false;
    for (const d of disks) {
      if (await removeStaged(this.path(d))) {
        this.a.log.info(`removed staged file ${this.path(d)}`);
        changed = true;
      }
      if (!this.a.target.keepImages && (await this.deleteImages(d, 'its volume exists (keep_images is false)'))) changed = true;
    }
    return changed;
  }
}
