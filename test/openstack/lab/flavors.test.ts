import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listFlavors } from '../../../src/openstack/flavors.js';
import { cloudDict, expectFail, expectOk, labFacts, runModule, session, uniqueName } from './lab.js';

const GiB = 1024 ** 3;

function vmFiles(vcpus: number, ramMb: number, diskBytes: number[]): { guest: string; disk: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'osm-vm-'));
  const guest = join(dir, 'guest_info.json');
  const disk = join(dir, 'disk_info.json');
  writeFileSync(guest, JSON.stringify({ hw_name: 'vm', hw_processor_count: vcpus, hw_memtotal_mb: ramMb, hw_folder: '/DC0/vm' }));
  writeFileSync(disk, JSON.stringify({ disks: diskBytes.map((capacity, i) => ({ capacity, label: `Hard disk ${i + 1}` })), disk_keys: diskBytes.map((_, i) => String(2000 + i)) }));
  return { guest, disk, dir };
}

test('best_match_flavor: never smaller than the VM, boot-from-volume flavors preferred, disks in bytes', async () => {
  const f = labFacts();
  // 2 vCPU / 4 GiB, 100 GiB of disk: upstream's KiB-vs-GB distance would pick the largest-disk flavor.
  const vm = vmFiles(2, 4096, [60 * GiB, 40 * GiB]);
  const r = expectOk(await runModule('best_match_flavor', { cloud: cloudDict(), guest_info_path: vm.guest, disk_info_path: vm.disk }), 'best match');
  assert.equal(r.changed, false);
  const chosen = r.flavor as { name: string; vcpus: number; ram: number; disk: number };
  assert.ok(chosen.vcpus >= 2 && chosen.ram >= 4096, `too small: ${JSON.stringify(chosen)}`);
  assert.equal(chosen.disk, 0);
  assert.ok(['m2.4', 'm2.medium-bfv'].includes(chosen.name), chosen.name);
  assert.equal(r.openstack_flavor_uuid, f.flavors[chosen.name]);
  assert.deepEqual(r.required, { vcpus: 2, ram: 4096, disk_gb: 100 });

  // A 1 vCPU / 300 MiB VM does not fit m1.tiny (256 MiB).
  const small = vmFiles(1, 300, [GiB]);
  const s = expectOk(await runModule('best_match_flavor', { cloud: cloudDict(), guest_info_path: small.guest, disk_info_path: small.disk }), 'small');
  assert.equal((s.flavor as { name: string }).name, 'm1.small-bfv');

  // Image boot: the flavor disk must hold the disks; only m1.small has 20 GB.
  const imageBoot = vmFiles(2, 2048, [10 * GiB]);
  const ib = expectOk(
    await runModule('best_match_flavor', { cloud: cloudDict(), guest_info_path: imageBoot.guest, disk_info_path: imageBoot.disk, boot_from_volume: false }),
    'image boot',
  );
  assert.equal((ib.flavor as { name: string }).name, 'm1.small');
});

test('best_match_flavor fails clearly when no flavor is large enough', async () => {
  const vm = vmFiles(64, 512 * 1024, [GiB]);
  const r = await runModule('best_match_flavor', { cloud: cloudDict(), guest_info_path: vm.guest, disk_info_path: vm.disk });
  expectFail(r, /no flavor fits the VM: it needs 64 vCPU and 524288 MiB RAM; the largest flavors are m8\.20/, 'no fit');
  assert.equal(r.result.openstack_flavor_uuid, '');
});

test('create_flavor / import_flavor: idempotent, check mode creates nothing, marker, delete_flavor', async () => {
  const vmName = uniqueName('osm-test-vm');
  const args = { cloud: cloudDict(), vm_name: vmName, vcpus: 2, ram: 3072, disk: 0, extra_specs: { 'hw:cpu_policy': 'shared' } };
  const s = await session();
  try {
    const before = (await listFlavors(s, { includePrivate: true })).length;
    const check = expectOk(await runModule('create_flavor', args, { check: true }), 'check mode');
    assert.equal(check.changed, true);
    assert.equal((check.created_flavor as { id: unknown }).id, null);
    assert.equal((await listFlavors(s, { includePrivate: true })).length, before, 'check mode created a flavor');

    const first = expectOk(await runModule('create_flavor', args), 'create');
    assert.equal(first.changed, true);
    const created = first.created_flavor as { id: string; name: string };
    assert.match(created.name, new RegExp(`^osm-vmware-${vmName}-\\d{1,4}$`));
    const again = expectOk(await runModule('create_flavor', args), 'rerun');
    assert.equal(again.changed, false);
    assert.deepEqual(again.created_flavor, created);
    assert.equal((await listFlavors(s, { includePrivate: true })).length, before + 1);

    const info = expectOk(await runModule('flavor_info', { cloud: cloudDict(), flavor_name: created.name }), 'flavor_info');
    const flavor = info.flavor as { description: string; extra_specs: Record<string, string>; ram: number };
    assert.match(flavor.description, /^osm=true /);
    assert.deepEqual(flavor.extra_specs, { 'hw:cpu_policy': 'shared' });

    // Same name, other sizes: refused, never modified.
    expectFail(await runModule('create_flavor', { ...args, name: created.name, ram: 4096 }), /exists with other sizes/, 'other sizes');

    // Upstream's import_flavor with the flavors.yml written by export_flavor.
    const dir = mkdtempSync(join(tmpdir(), 'osm-flv-'));
    writeFileSync(join(dir, 'guest.json'), JSON.stringify({ hw_processor_count: 1, hw_memtotal_mb: 1536 }));
    writeFileSync(join(dir, 'disk.json'), JSON.stringify({ disks: [{ capacity: 5 * GiB + 1 }] }));
    const exportArgs = { path: join(dir, 'flavors.yml'), guest_info_path: join(dir, 'guest.json'), disk_info_path: join(dir, 'disk.json'), flavor_name: `${vmName}-imp` };
    assert.equal(expectOk(await runModule('export_flavor', exportArgs, { check: true }), 'export check').changed, true);
    assert.throws(() => readFileSync(exportArgs.path), 'check mode wrote the file');
    assert.equal(expectOk(await runModule('export_flavor', exportArgs), 'export').changed, true);
    assert.equal(expectOk(await runModule('export_flavor', exportArgs), 'export again').changed, false);
    assert.match(readFileSync(exportArgs.path, 'utf8'), /disk: 6\n/);
    const imported = expectOk(await runModule('import_flavor', { cloud: cloudDict(), flavors_file: exportArgs.path }), 'import_flavor');
    assert.equal(imported.changed, true);
    assert.equal(expectOk(await runModule('import_flavor', { cloud: cloudDict(), flavors_file: exportArgs.path }), 'import again').changed, false);

    // Teardown: check mode, delete, delete again.
    const del = { cloud: cloudDict(), name: created.name };
    assert.equal(expectOk(await runModule('delete_flavor', del, { check: true }), 'delete check').changed, true);
    assert.equal(expectOk(await runModule('delete_flavor', del), 'delete').changed, true);
    assert.equal(expectOk(await runModule('delete_flavor', del), 'delete again').changed, false);
    const impId = (imported.created_flavor as { id: string }).id;
    assert.equal(expectOk(await runModule('delete_flavor', { cloud: cloudDict(), name: impId }), 'delete by id').changed, true);
    assert.equal((await listFlavors(s, { includePrivate: true })).length, before);
  } finally {
    await s.close();
  }
});

test('delete_flavor refuses a flavor the tool did not create; flavor_info reports unknown flavors', async () => {
  const r = await runModule('delete_flavor', { cloud: cloudDict(), name: 'm1.tiny' });
  expectFail(r, /refusing to delete flavor 'm1\.tiny'.*does not carry the tool's marker/, 'foreign flavor');
  const s = await session();
  try {
    assert.ok((await listFlavors(s)).some((f) => f.name === 'm1.tiny'), 'm1.tiny must still exist');
  } finally {
    await s.close();
  }
  expectFail(await runModule('flavor_info', { cloud: cloudDict(), flavor_name: 'no-such-flavor' }), /flavor not found: no-such-flavor/, 'unknown flavor');
});
