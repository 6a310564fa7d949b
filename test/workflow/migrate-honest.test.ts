// Honest results against the lab: source problems are found before the target is touched, and a failed run says
// what exists. The simulator's own VMs (DC0_H0_VM3, DC0_H0_VM4) have 10 GiB disks that hold no data.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { findToolVolume, listVolumesByName } from '../../src/openstack/volume.js';
import { PAUSE_ENV } from '../../src/workflow/migrate-steps.js';
import { migrateVm } from '../../src/workflow/migrate.js';
import { type MigrateOutcome, type MigrateRequest, MigrationFailure } from '../../src/workflow/migrate-request.js';
import { powerOff } from '../../src/vmware/power.js';
import { deleteVmVolumes, ensurePoweredOn, leftovers, localSource, openstack, request as labRequest, testLogger, vmFacts, withOpenstack, withVsphere } from './migrate-lab.js';

const EMPTY = 'DC0_H0_VM3';
const UNREADABLE = 'DC0_H0_VM4';
/** Gets CBT turned on by the test (EMPTY keeps it off, so its https check reads the disk). */
const CBT_EMPTY = 'DC0_H0_VM5';

/** A lab request naming the conversion host (no metadata service here). */
const request = (vm: string, over: Partial<MigrateRequest> = {}): MigrateRequest => labRequest(vm, { instanceUuid: openstack().conversion_host.uuid, ...over });

async function run(req: MigrateRequest, checkMode = false, signal = new AbortController().signal): Promise<MigrateOutcome & { log: string }> {
  const log = testLogger();
  const out = await migrateVm(req, { log, signal, checkMode });
  return { ...out, log: readFileSync(log.path, 'utf8') };
}

async function failure(p: Promise<unknown>): Promise<MigrationFailure> {
  const e = await p.then(
    () => assert.fail('the migration did not fail'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof MigrationFailure, `a MigrationFailure: ${String(e)}`);
  return e;
}

/** A run that fails, with its log. */
async function failureWithLog(req: MigrateRequest): Promise<{ e: MigrationFailure; log: string }> {
  const log = testLogger();
  const e = await failure(migrateVm(req, { log, signal: new AbortController().signal, checkMode: false }));
  return { e, log: readFileSync(log.path, 'utf8') };
}

const ref = (vm: string) => ({ type: 'VirtualMachine', value: vmFacts(vm).moid });

/** Nothing exists on either side: no volume with the VM's name, no snapshot, no attachment. */
async function assertNothingCreated(vm: string): Promise<void> {
  const volumes = await withOpenstack((s) => listVolumesByName(s, `${vm}-2000`));
  assert.deepEqual(volumes.map((v) => v.id), [], `no volume ${vm}-2000`);
  assert.deepEqual(await leftovers(vm, []), { snapshots: 0, attachments: [], links: [] });
}

describe('migrate: source problems found before the target is touched', { timeout: 600_000 }, () => {
  before(async () => {
    await deleteVmVolumes(EMPTY);
    await deleteVmVolumes(UNREADABLE);
  });
  after(async () => {
    await deleteVmVolumes(EMPTY);
    await deleteVmVolumes(UNREADABLE);
  });

  const emptyMessage = new RegExp(`^VM ${EMPTY} disk 0 \\(key 2000, file \\[LocalDS_0\\] ${EMPTY}/disk1\\.vmdk\\) holds no data: no allocated block, or only zeros; .*allow_empty_disks: true`);

  it('an empty simulator VM is refused with nothing created; check mode shows the disk blocked', async () => {
    const req = request(EMPTY, { source: localSource(EMPTY) });
    const e = await failure(run(req));
    assert.match(e.message, emptyMessage);
    assert.match(e.message, /Nothing was created$/);
    assert.deepEqual([e.ids, e.changed], [[null], false]);
    await assertNothingCreated(EMPTY);
    const check = await failure(run(req, true));
    assert.match(check.message, /^Check mode: the migration would fail: VM DC0_H0_VM3 disk 0/);
    assert.deepEqual(check.plan?.disks.map((d) => [d.action, d.data]), [['blocked', 'none']]);
  });

  it('over https the running VM is read from the snapshot, before any volume; the snapshot is removed', async () => {
    const e = await failure(run(request(EMPTY, { source: { ...request(EMPTY).source, kind: 'https' } })));
    assert.match(e.message, emptyMessage);
    assert.deepEqual([e.ids, e.changed], [[null], false]);
    await assertNothingCreated(EMPTY);
  });

  it('with CBT the snapshot\'s allocation map ("*" areas) tells it without reading the disk', async () => {
    const log = testLogger();
    const e = await failure(migrateVm(request(CBT_EMPTY, { source: { ...request(CBT_EMPTY).source, kind: 'https' }, cbtSync: true }), { log, signal: new AbortController().signal, checkMode: false }));
    assert.match(e.message, new RegExp(`^VM ${CBT_EMPTY} disk 0 .* holds no data`));
    assert.match(readFileSync(log.path, 'utf8'), /disk1\.vmdk\): no data \(0 bytes read of the areas CBT lists allocated/);
    await assertNothingCreated(CBT_EMPTY);
  });

  it('a blank boot disk with conversion on is refused even with allow_empty_disks', async () => {
    const e = await failure(run(request(EMPTY, { source: localSource(EMPTY), allowEmptyDisks: true, skipConversion: false })));
    assert.match(e.message, /holds no data.*it is the boot disk and there is no guest to convert/);
    await assertNothingCreated(EMPTY);
  });

  it('with allow_empty_disks (and skip_conversion) it migrates, and the result says the disk was blank', async () => {
    const out = await run(request(EMPTY, { source: localSource(EMPTY), allowEmptyDisks: true, assumeZero: true }));
    assert.equal(out.changed, true);
    assert.equal(out.converted, true);
    assert.equal(out.disks[0]?.empty, true);
    assert.match(out.log, /disk 2000 holds no data: copied as a blank volume \(allow_empty_disks\)/);
    const volume = await withOpenstack((s) => findToolVolume(s, `${EMPTY}-2000`));
    assert.equal(volume?.id, out.ids[0]);
  });

  it('over https without CBT, a disk the check read as all zeros is not read again by the copy (from the snapshot, or while off)', async () => {
    const req = request(EMPTY, { source: { ...request(EMPTY).source, kind: 'https' }, allowEmptyDisks: true, assumeZero: true });
    for (const power of ['poweredOn', 'poweredOff'] as const) {
      await deleteVmVolumes(EMPTY);
      if (power === 'poweredOff') await withVsphere((vs) => powerOff(vs, ref(EMPTY), { timeoutMs: 1000, force: true }));
      else await ensurePoweredOn(EMPTY);
      try {
        const out = await run(req);
        assert.equal(out.disks[0]?.empty, true);
        assert.equal(out.disks[0]?.bytes_read, 0, `${power}: the copy read nothing`);
        assert.match(out.log, /disk1\.vmdk\): no data \(\d+ bytes read[^)]*, \d+ ms\)/);
        assert.match(out.log, /disk 2000: full copy of 10737418240 bytes \(all zeros, as the pre-check read it: nothing read again\)/);
        assert.equal((out.log.match(/no data \(/g) ?? []).length, 1, `${power}: one scan`);
      } finally {
        await ensurePoweredOn(EMPTY);
      }
    }
  });

  it('the vddk source is checked before any snapshot: a libdir without VDDK fails, nothing created, no snapshot taken', async () => {
    const source = { ...request(EMPTY).source, kind: 'vddk' as const, vddk: { libdir: '/nonexistent/vddk', compression: 'none' as const } };
    await deleteVmVolumes(EMPTY);
    const { e, log } = await failureWithLog(request(EMPTY, { source }));
    assert.match(e.message, new RegExp(`^VM ${EMPTY} disk 0 .* cannot be read through disk_source vddk: libdir /nonexistent/vddk holds no VDDK library .*Nothing was created$`));
    assert.deepEqual([e.ids, e.changed], [[null], false]);
    assert.doesNotMatch(log, /created snapshot/);
    await assertNothingCreated(EMPTY);
  });

  it('a disk file that cannot be read is found before any volume exists (https and local)', async () => {
    const flat = vmFacts(UNREADABLE).disks[0]!.flat_path;
    renameSync(flat, `${flat}.away`);
    try {
      // The VM runs: over https its file is checked without a snapshot, so none is taken (nor left behind).
      const { e: https, log } = await failureWithLog(request(UNREADABLE, { source: { ...request(UNREADABLE).source, kind: 'https' } }));
      assert.doesNotMatch(log, /created snapshot/);
      assert.match(https.message, new RegExp(`^VM ${UNREADABLE} disk 0 \\(key 2000, file \\[LocalDS_0\\] ${UNREADABLE}/disk1\\.vmdk\\) cannot be read through disk_source https: HEAD .*disk1-flat\\.vmdk returned HTTP 404.*Datastore\\.Browse`));
      assert.deepEqual([https.ids, https.changed], [[null], false]);
      const local = await failure(run(request(UNREADABLE, { source: localSource(UNREADABLE) })));
      assert.match(local.message, /cannot be read through disk_source local: .*disk1-flat\.vmdk.*ENOENT.*localdiskpath/);
      await assertNothingCreated(UNREADABLE);
    } finally {
      renameSync(`${flat}.away`, flat);
    }
  });

  it('a run that fails after it created a volume reports the volume id and changed true', async () => {
    const abort = new AbortController();
    const req = request(EMPTY, { source: localSource(EMPTY), allowEmptyDisks: true, assumeZero: true });
    await deleteVmVolumes(EMPTY);
    process.env[PAUSE_ENV] = 'attached';
    try {
      const log = testLogger();
      const running = migrateVm(req, { log, signal: abort.signal, checkMode: false });
      const deadline = Date.now() + 120_000;
      while (!existsSync(log.path) || !readFileSync(log.path, 'utf8').includes('fault injection: paused at attached')) {
        assert.ok(Date.now() < deadline, 'paused at attached');
        await new Promise((r) => setTimeout(r, 200));
      }
      abort.abort(new Error('interrupted by the test'));
      const e = await failure(running);
      assert.match(e.message, /interrupted by the test/);
      const volume = await withOpenstack((s) => findToolVolume(s, `${EMPTY}-2000`));
      assert.ok(volume, 'the volume exists');
      assert.deepEqual([e.ids, e.changed], [[volume.id], true]);
      assert.deepEqual(await leftovers(EMPTY, [volume.id]), { snapshots: 0, attachments: [], links: [] });
    } finally {
      delete process.env[PAUSE_ENV];
    }
  });
});
