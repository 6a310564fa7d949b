import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listVolumeAvailabilityZones } from '../../../src/openstack/availability-zones.js';
import { createImage, deleteImage, getImage, uploadImage, waitForImageActive } from '../../../src/openstack/image.js';
import { getComputeQuotas, getNetworkQuotas, getVolumeQuotas } from '../../../src/openstack/quotas.js';
import { attachVolumeToServer, detachVolumeFromServer, listVolumeAttachments } from '../../../src/openstack/volume-attachments.js';
import {
  createVolume,
  deleteVolume,
  findToolVolume,
  getVolume,
  listVolumeTypes,
  manageExistingVolume,
  setBootable,
  setImageMetadata,
  updateVolumeMetadata,
  waitForVolumeGone,
} from '../../../src/openstack/volume.js';
import { labFacts, session, uniqueName } from './lab.js';

const wait = { timeoutMs: 180_000, intervalMs: 1000 };

/** The calls the migrate module builds on, against the real services. */
test('volume lifecycle for migrate: typed volume, merged metadata, image metadata, attach to the conversion host, detach', async () => {
  const f = labFacts() as ReturnType<typeof labFacts> & { conversion_host: { uuid: string } };
  const s = await session();
  const name = uniqueName('osm-svc-vol');
  let id: string | undefined;
  try {
    assert.ok((await listVolumeTypes(s)).some((t) => t.name === 'ceph-ssd'));
    assert.ok((await listVolumeAvailabilityZones(s)).includes('nova'));
    const v = await createVolume(s, { name, sizeGiB: 1, volumeType: 'ceph-ssd', availabilityZone: 'nova', metadata: { converted: 'false', changeID: '52 64 3d/7' } }, wait);
    id = v.id;
    assert.equal(v.status, 'available');
    assert.equal(v.volume_type, 'ceph-ssd');
    assert.deepEqual(v.metadata, { osm: 'true', converted: 'false', changeID: '52 64 3d/7' });
    assert.equal((await findToolVolume(s, name))?.id, id);
    await setBootable(s, id, true);
    await setImageMetadata(s, id, { hw_machine_type: 'q35', hw_firmware_type: 'uefi' });
    // Marking converted keeps changeID (upstream's PUT dropped it).
    await updateVolumeMetadata(s, id, { converted: 'true' });
    const after = (await getVolume(s, id))!;
    assert.deepEqual(after.metadata, { osm: 'true', converted: 'true', changeID: '52 64 3d/7' });
    assert.equal(after.bootable, 'true');
    assert.equal(after.volume_image_metadata?.hw_firmware_type, 'uefi');

    const attached = await attachVolumeToServer(s, f.conversion_host.uuid, id, wait);
    assert.equal(attached.status, 'in-use');
    assert.ok((await listVolumeAttachments(s, f.conversion_host.uuid)).some((a) => a.volumeId === id));
    const detached = await detachVolumeFromServer(s, f.conversion_host.uuid, id, wait);
    assert.equal(detached.status, 'available');
    // Detaching again is fine (already detached).
    assert.equal((await detachVolumeFromServer(s, f.conversion_host.uuid, id, wait)).status, 'available');
  } finally {
    if (id) {
      await deleteVolume(s, id);
      await waitForVolumeGone(s, id, wait);
    }
    await s.close();
  }
});

test('manage existing: a backend file becomes a marked, bootable, available volume', async () => {
  const f = labFacts() as ReturnType<typeof labFacts> & { cinder_volumes_dir: string };
  const s = await session();
  const name = uniqueName('osm-svc-managed');
  const file = join(f.cinder_volumes_dir, `${name}.img`);
  writeFileSync(file, '');
  truncateSync(file, 1024 ** 3);
  let id: string | undefined;
  try {
    const v = await manageExistingVolume(s, { host: 'osm-lab@nfs#nfs', sourceName: `127.0.0.1:${file}`, name, metadata: { converted: 'false' } }, wait);
    id = v.id;
    assert.equal(v.status, 'available');
    assert.equal(v.metadata.osm, 'true');
    assert.equal(v.bootable, 'true');
    assert.equal((await findToolVolume(s, name))?.id, id);
  } finally {
    if (id) {
      await deleteVolume(s, id);
      await waitForVolumeGone(s, id, wait);
    }
    await s.close();
  }
});

test('image create, upload, active; quotas, volume availability zones', async () => {
  const s = await session();
  try {
    const img = await createImage(s, { name: uniqueName('osm-svc-img'), diskFormat: 'raw', properties: { osm: 'true' } });
    try {
      const data = Buffer.alloc(1024 * 1024, 7);
      await uploadImage(s, img.id, data);
      const active = await waitForImageActive(s, img.id, wait);
      assert.equal(active.size, data.length);
    } finally {
      await deleteImage(s, img.id);
    }
    assert.equal(await getImage(s, img.id), undefined);

    const cq = await getComputeQuotas(s, s.projectId);
    assert.equal(typeof cq.instances?.in_use, 'number');
    assert.equal(typeof (await getVolumeQuotas(s, s.projectId)).gigabytes?.in_use, 'number');
    assert.equal(typeof (await getNetworkQuotas(s, s.projectId)).port?.used, 'number');

  } finally {
    await s.close();
  }
});
