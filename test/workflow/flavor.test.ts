import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { Flavor } from '../../src/openstack/flavors.js';
import { GiB } from '../../src/util/units.js';
import { NoFlavorFits, bestMatchFlavor, readFlavorsFile, renderFlavorsFile, toolFlavorName } from '../../src/workflow/flavor.js';

const f = (name: string, vcpus: number, ram: number, disk: number): Flavor => ({ id: `id-${name}`, name, vcpus, ram, disk });

// The lab's flavor set (lab/openstack/seed.py), in API order.
const lab = [
  f('m2.2', 2, 2048, 0),
  f('m1.tiny', 1, 256, 0),
  f('m2.medium-bfv', 2, 4096, 0),
  f('m1.small', 2, 2048, 20),
  f('m1.small-bfv', 1, 2048, 0),
  f('m8.20', 4, 8192, 0),
  f('m1.large', 2, 8192, 0),
  f('m2.large-bfv', 2, 8192, 0),
  f('m2.4', 2, 4096, 0),
];

test('best match never picks a flavor smaller than the VM and ignores the disk when booting from volume', () => {
  const bfv = { bootFromVolume: true };
  assert.equal(bestMatchFlavor(lab, { vcpus: 2, ramMb: 4096, diskBytes: 100 * GiB }, bfv).flavor.name, 'm2.4');
  assert.equal(bestMatchFlavor(lab, { vcpus: 1, ramMb: 1024, diskBytes: GiB }, bfv).flavor.name, 'm1.small-bfv');
  assert.equal(bestMatchFlavor(lab, { vcpus: 3, ramMb: 2048, diskBytes: GiB }, bfv).flavor.name, 'm8.20');
  assert.equal(bestMatchFlavor(lab, { vcpus: 2, ramMb: 5000, diskBytes: GiB }, bfv).flavor.name, 'm1.large');
  // Exact fit with a root disk loses to the same sizes with disk 0.
  assert.equal(bestMatchFlavor([f('with-disk', 2, 2048, 20), f('bfv', 2, 2048, 0)], { vcpus: 2, ramMb: 2048, diskBytes: GiB }, bfv).flavor.name, 'bfv');
});

test("upstream's unit bug is gone: disk bytes are not read as KiB-vs-GB", () => {
  // Upstream: diskCapacityMb = bytes/1024 = 10485760 for 10 GiB, so the distance favours the largest disk.
  const flavors = [f('small-disk', 2, 2048, 20), f('huge-disk', 2, 2048, 2000)];
  assert.equal(bestMatchFlavor(flavors, { vcpus: 2, ramMb: 2048, diskBytes: 10 * GiB }, { bootFromVolume: false }).flavor.name, 'small-disk');
  // Image boot: the flavor disk must hold the VM disks.
  assert.throws(() => bestMatchFlavor(flavors.slice(0, 1), { vcpus: 2, ramMb: 2048, diskBytes: 21 * GiB }, { bootFromVolume: false }), /a 21 GB root disk/);
});

test('no fit fails naming the largest flavors; an empty list fails', () => {
  assert.throws(() => bestMatchFlavor(lab, { vcpus: 8, ramMb: 1024, diskBytes: 0 }, { bootFromVolume: true }), (e: unknown) => e instanceof NoFlavorFits && /needs 8 vCPU and 1024 MiB RAM; the largest flavors are m8\.20/.test((e as Error).message));
  assert.throws(() => bestMatchFlavor([], { vcpus: 1, ramMb: 1, diskBytes: 0 }, { bootFromVolume: true }), /no flavors found/);
});

test('flavors.yml: written as upstream (disk rounded up), every resource read back', () => {
  const text = renderFlavorsFile({ name: 'osm-vmware-vm1-42', vcpus: 2, ram: 4096, diskBytes: 40 * GiB + 1 });
  const doc = parse(text) as { os_migrate_version: string; resources: Array<{ params: Record<string, unknown>; type: string }> };
  assert.equal(doc.os_migrate_version, '1.0.1');
  assert.equal(doc.resources[0]!.type, 'openstack.compute.Flavor');
  assert.deepEqual(doc.resources[0]!.params, { description: null, disk: 41, ephemeral: 0, extra_specs: {}, is_public: true, name: 'osm-vmware-vm1-42', ram: 4096, rxtx_factor: 1, swap: 0, vcpus: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'flv-'));
  const two = text + text.replace(/^os_migrate_version.*\nresources:\n/, '').replace('osm-vmware-vm1-42', 'second');
  writeFileSync(join(dir, 'flavors.yml'), two);
  assert.deepEqual(readFlavorsFile(join(dir, 'flavors.yml')).map((r) => [r.name, r.disk, r.vcpus]), [['osm-vmware-vm1-42', 41, 2], ['second', 41, 2]]);
  writeFileSync(join(dir, 'empty.yml'), 'resources: []\n');
  assert.throws(() => readFlavorsFile(join(dir, 'empty.yml')), /No flavors found in the YAML file/);
});

test('generated flavor names follow upstream (osm-vmware-<vm>-<N>) and are stable', () => {
  const a = toolFlavorName('web-01', { vcpus: 2, ram: 4096, disk: 0 });
  assert.match(a, /^osm-vmware-web-01-\d{1,4}$/);
  assert.equal(toolFlavorName('web-01', { vcpus: 2, ram: 4096, disk: 0 }), a);
  assert.notEqual(toolFlavorName('web-01', { vcpus: 4, ram: 4096, disk: 0 }), a);
});
