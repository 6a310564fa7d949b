/**
 * What migrate records for verify_migration, against the lab: with verify, the SHA-256 after the copy (the source
 * disk's) and, since the conversion rewrites the disk, the SHA-256 after the conversion as the one to compare with.
 * The conversion is a stand-in that changes a few bytes of the disk it is given.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getVolume } from '../../src/openstack/volume.js';
import { migrateVm } from '../../src/workflow/migrate.js';
import { SHA256_BYTES_KEY, SHA256_KEY } from '../../src/workflow/volume-checksum.js';
import { deleteVmVolumes, ensurePoweredOn, localSource, openstack, request, testLogger, vmFacts, volumeSha256, withOpenstack } from './migrate-lab.js';

const VM = 'osm-efi';

/** A virt-v2v-in-place stand-in that writes `converted` at byte 512 of the disk it converts (its last argument). */
function scribblingV2v(): string {
  const dir = mkdtempSync(join(tmpdir(), 'osm-scribble-v2v-'));
  const script = [
    '#!/bin/sh',
    '[ "$1" = --help ] && { echo "--run SCRIPT --firstboot SCRIPT"; exit 0; }',
    'for a; do last=$a; done',
    'printf converted | dd of="$last" bs=1 seek=512 conv=notrunc status=none',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'virt-v2v-in-place'), script);
  chmodSync(join(dir, 'virt-v2v-in-place'), 0o755);
  return dir;
}

describe('migrate records the SHA-256 verify_migration compares with', () => {
  before(async () => {
    await ensurePoweredOn(VM);
    await deleteVmVolumes(VM);
  });
  after(async () => {
    await deleteVmVolumes(VM);
    await ensurePoweredOn(VM);
  });

  it('with verify and a conversion: the copy\'s hash (the source disk\'s) and the hash after the conversion', async () => {
    const disk = vmFacts(VM).disks[0]!;
    const path = process.env.PATH;
    process.env.PATH = `${scribblingV2v()}:${path}`;
    let out;
    try {
      const req = request(VM, { source: localSource(VM), instanceUuid: openstack().conversion_host.uuid, verify: true, skipConversion: false });
      out = await migrateVm(req, { log: testLogger(), signal: new AbortController().signal, checkMode: false });
    } finally {
      process.env.PATH = path;
    }
    assert.equal(out.converted, true);
    const id = out.ids[0]!;
    const v = (await withOpenstack((s) => getVolume(s, id)))!;
    const now = await volumeSha256(id, disk.capacity_bytes);
    assert.equal(v.metadata.osm_sha256_copy, disk.sha256);
    assert.notEqual(now, disk.sha256, 'the stand-in conversion changed the disk');
    assert.equal(v.metadata[SHA256_KEY], now);
    assert.equal(v.metadata[SHA256_BYTES_KEY], String(disk.capacity_bytes));
  });
});
