// The image target against the lab (no conversion host): each disk staged as a sparse file, converted there (a
// stand-in virt-v2v-in-place that records its arguments), streamed to the lab's Glance (file store) and made into a
// Cinder volume from the image (NFS backend, which copies the image; RBD would clone a raw one). Bytes equal to the
// source, reruns unchanged, crashes at each step converge, another project's images and unmarked ones untouched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../src/openstack/connect.js';
import { createImage, deleteImage, findToolImages, getImage, uploadImage } from '../../src/openstack/image.js';
import { findToolVolume, listVolumesByName } from '../../src/openstack/volume.js';
import { safeVmName } from '../../src/util/names.js';
import { PAUSE_ENV } from '../../src/workflow/migrate-steps.js';
import { migrateVm } from '../../src/workflow/migrate.js';
import { type MigrateOutcome, type MigrateRequest, MigrationFailure } from '../../src/workflow/migrate-request.js';
import type { Session } from '../../src/openstack/auth.js';
import { listPorts } from '../../src/openstack/network.js';
import { importWorkload } from '../../src/workflow/import-workloads.js';
import { rollbackVm } from '../../src/workflow/rollback.js';
import { deleteToolPort } from '../../src/workflow/teardown.js';
import { failedChecks, verifyVm } from '../../src/workflow/verify.js';
import { randomBytes } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import { sha256OfPath } from '../../src/transfer/verify.js';
import { deleteVmVolumes, diskWrite, ensurePoweredOn, fakeVirtV2v, vsphere, leftovers, localSource, openstack, request, testLogger, vmFacts, volumeSha256, withOpenstack } from './migrate-lab.js';

const MULTI = 'osm-multidisk';
const EFI = 'osm-efi';
const NIC = 'osm-multinic';
const SINGLE = 'osm-single';
const VMS = [MULTI, EFI, NIC, SINGLE];

const staging = mkdtempSync(join(tmpdir(), 'osm-staging-test-'));

function imageRequest(vm: string, over: Partial<MigrateRequest> = {}, target: Partial<Extract<MigrateRequest['target'], { kind: 'image' }>> = {}): MigrateRequest {
  return request(vm, {
    source: localSource(vm),
    target: { kind: 'image', stagingDir: staging, diskFormat: 'raw', keepImages: false, ...target },
    // No conversion host: a wrong one here would fail the run if it were looked up.
    instanceUuid: '00000000-0000-0000-0000-000000000000',
    // The source is left running: the image path's stops are the volume path's (tested there).
    sourcePowerOff: false,
    ...over,
  });
}

async function run(req: MigrateRequest, signal = new AbortController().signal, checkMode = false): Promise<MigrateOutcome & { log: string }> {
  const log = testLogger();
  const out = await migrateVm(req, { log, signal, checkMode });
  return { ...out, log: readFileSync(log.path, 'utf8') };
}

async function withFakeV2v<T>(fn: () => Promise<T>, dir = fakeVirtV2v()): Promise<T> {
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  try {
    return await fn();
  } finally {
    process.env.PATH = path;
  }
}

/** The tool's images of the VM's disks. */
async function toolImages(vm: string): Promise<string[]> {
  return withOpenstack(async (s) => {
    const ids: string[] = [];
    for (const d of vmFacts(vm).disks) ids.push(...(await findToolImages(s, `${safeVmName(vm)}-${d.key}`)).map((i) => i.id));
    return ids;
  });
}

async function deleteVmImages(vm: string): Promise<void> {
  await withOpenstack(async (s) => {
    for (const d of vmFacts(vm).disks) for (const i of await findToolImages(s, `${safeVmName(vm)}-${d.key}`)) await deleteImage(s, i.id);
  });
}

async function reset(vm: string): Promise<void> {
  await deleteVmVolumes(vm);
  await deleteVmImages(vm);
}

const stagedFiles = () => readdirSync(staging);

/** Every disk's volume holds the source's bytes, is converted, bootable, and there is exactly one. */
async function assertVolumesMatch(vm: string, out: MigrateOutcome): Promise<void> {
  const f = vmFacts(vm);
  for (const [i, d] of f.disks.entries()) {
    const volumes = await withOpenstack((s) => listVolumesByName(s, `${safeVmName(vm)}-${d.key}`));
    assert.equal(volumes.length, 1, `one volume for disk ${d.key}`);
    const v = volumes[0]!;
    assert.equal(v.id, out.ids[i]);
    assert.deepEqual([v.metadata.osm, v.metadata.converted, v.bootable, v.status], ['true', 'true', 'true', 'available']);
    assert.equal(await volumeSha256(v.id, d.capacity_bytes), d.sha256, `volume of disk ${d.key} holds the source bytes`);
  }
}

describe('migrate with migration_target image in the lab', { timeout: 1_200_000 }, () => {
  before(async () => {
    for (const vm of VMS) await reset(vm);
  });
  after(async () => {
    for (const vm of VMS) await reset(vm);
    rmSync(staging, { recursive: true, force: true });
  });

  it('a multi-disk VM: staged, uploaded with progress, volumes from the images equal to the source; nothing left; a rerun is unchanged', async () => {
    const req = imageRequest(MULTI, {
      source: { ...request(MULTI).source, kind: 'https' },
      volume: { type: 'ceph-hdd', typeMapping: [{ vmware_datastore: 'LocalDS_0', openstack_type: 'ceph-ssd' }] },
      skipConversion: true,
      verify: true,
    });
    const check = await run(req, undefined, true);
    assert.deepEqual(check.plan?.disks.map((d) => d.action), ['create and copy', 'create and copy']);
    assert.equal(check.conversionHost, undefined);
    const out = await run(req);
    assert.equal(out.changed, true);
    assert.equal(out.converted, true);
    assert.equal(out.conversionHost, undefined);
    assert.match(out.log, /migration target image: disks staged in .*, uploaded to Glance as raw/);
    assert.match(out.log, /image osm-multidisk-2000 \(upload\): 96\.0 MiB of 96\.0 MiB \(100%\), read 96\.0 MiB, .*\/s, done in/);
    assert.match(out.log, /creating volume osm-multidisk-2001 from image /);
    assert.doesNotMatch(out.log, /conversion host/);
    for (const [i, d] of vmFacts(MULTI).disks.entries()) assert.equal(out.disks[i]!.sha256_target, d.sha256);
    await assertVolumesMatch(MULTI, out);
    const v = await withOpenstack((s) => findToolVolume(s, `${MULTI}-2000`));
    assert.equal(v?.metadata.osm_sha256, vmFacts(MULTI).disks[0]!.sha256, 'the checksum verify_migration compares');
    assert.deepEqual(stagedFiles(), [], 'staged files removed');
    assert.deepEqual(await toolImages(MULTI), [], 'images removed (keep_images false)');
    const types = await withOpenstack(async (s) => Promise.all(out.ids.map(async (id) => (await listVolumesByName(s, `${MULTI}-${id === out.ids[0] ? 2000 : 2001}`))[0]?.volume_type)));
    assert.deepEqual(types, ['ceph-ssd', 'ceph-hdd'], 'volume types per datastore, as on the volume path');
    assert.deepEqual(await leftovers(MULTI, out.ids as string[]), { snapshots: 0, attachments: [], links: [] });
    const again = await run(req);
    assert.equal(again.changed, false);
    assert.deepEqual(again.ids, out.ids);
  });

  it('multidiskfs: one conversion over a domain XML of both staged files', async () => {
    await reset(MULTI);
    const fake = fakeVirtV2v();
    const out = await withFakeV2v(() => run(imageRequest(MULTI, { source: { ...request(MULTI).source, kind: 'https' }, multiDiskFs: true, skipConversion: false })), fake);
    const xml = readFileSync(join(fake, 'domain.xml'), 'utf8');
    for (const d of vmFacts(MULTI).disks) assert.match(xml, new RegExp(`<source file="${staging}/osm-multidisk-${d.key}\.raw"/>`));
    await assertVolumesMatch(MULTI, out);
  });

  it('conversion over the staged files, UEFI on the images and volumes, keep_images keeps the marked images; qcow2 upload', async () => {
    const out = await withFakeV2v(() => run(imageRequest(EFI, { skipConversion: false }, { keepImages: true, diskFormat: 'qcow2' })));
    assert.equal(out.changed, true);
    assert.match(out.log, /converted osm-efi on disk 2000/);
    assert.match(out.log, new RegExp(`uploading ${staging}/osm-efi-2000\\.raw\\.qcow2 to image osm-efi-2000 .*qcow2`));
    await assertVolumesMatch(EFI, out);
    const v = (await withOpenstack((s) => findToolVolume(s, `${EFI}-2000`)))!;
    assert.equal(v.volume_image_metadata?.hw_firmware_type, 'uefi');
    assert.equal(v.metadata.osm_conversion, 'done');
    const images = await toolImages(EFI);
    assert.equal(images.length, 1, 'the image is kept');
    const image = await withOpenstack((s) => getImage(s, images[0]!));
    assert.deepEqual([image?.status, image?.disk_format, image?.osm], ['active', 'qcow2', 'true']);
    assert.deepEqual(stagedFiles(), []);
  });

  for (const step of ['mid-copy', 'copied', 'converted', 'mid-upload', 'uploaded', 'volume-created'] as const) {
    it(`a run interrupted at ${step} converges on the rerun: one image at most, one volume, the source's bytes`, async () => {
      await reset(NIC);
      const abort = new AbortController();
      process.env[PAUSE_ENV] = step;
      const log = testLogger();
      let running: Promise<unknown>;
      try {
        running = withFakeV2v(() => migrateVm(imageRequest(NIC, { skipConversion: false }), { log, signal: abort.signal, checkMode: false }));
        const deadline = Date.now() + 180_000;
        while (!existsSync(log.path) || !readFileSync(log.path, 'utf8').includes(`fault injection: paused at ${step}`)) {
          assert.ok(Date.now() < deadline, `paused at ${step}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        delete process.env[PAUSE_ENV];
      }
      abort.abort(new Error('interrupted by the test'));
      const e = await running.then(
        () => assert.fail('the run was interrupted'),
        (x: unknown) => x,
      );
      assert.ok(e instanceof MigrationFailure, String(e));
      assert.ok((await toolImages(NIC)).length <= 1);
      const out = await withFakeV2v(() => run(imageRequest(NIC, { skipConversion: false })));
      assert.equal(out.changed, true);
      assert.equal(out.converted, true);
      if (step === 'uploaded' || step === 'volume-created') assert.doesNotMatch(out.log, /created snapshot|uploading/, 'the source is not read again, nothing uploaded again');
      if (step === 'mid-upload') assert.match(out.log, /deleting image osm-multinic-2000 .*: replacing/);
      await assertVolumesMatch(NIC, out);
      assert.deepEqual(await toolImages(NIC), []);
      assert.deepEqual(stagedFiles(), []);
      assert.deepEqual(await leftovers(NIC, out.ids as string[]), { snapshots: 0, attachments: [], links: [] });
    });
  }

  it("another project's image and an unmarked image of the same name are not touched", async () => {
    await reset(SINGLE);
    const name = `${SINGLE}-2000`;
    const o = openstack() as ReturnType<typeof openstack> & { ffp: { username: string; password: string; project_name: string } };
    const ffp = await connect({ auth: { auth_url: o.auth_url, username: o.ffp.username, password: o.ffp.password, project_name: o.ffp.project_name, user_domain_name: 'Default' }, region_name: o.region });
    const theirs = await createImage(ffp, { name, diskFormat: 'raw' });
    await uploadImage(ffp, theirs.id, Buffer.alloc(4096, 1));
    const unmarked = await withOpenstack(async (s) => {
      const body = { name, disk_format: 'raw', container_format: 'bare' };
      return ((await s.request('image', 'create an unmarked image', 'POST', '/images', { body })).body as { id: string }).id;
    });
    try {
      const out = await run(imageRequest(SINGLE, { skipConversion: true }));
      await assertVolumesMatch(SINGLE, out);
      assert.equal((await getImage(ffp, theirs.id))?.status, 'active', "the other project's image");
      assert.ok(await withOpenstack((s) => getImage(s, unmarked)), 'the unmarked image');
    } finally {
      await deleteImage(ffp, theirs.id);
      await ffp.close();
      await withOpenstack((s) => deleteImage(s, unmarked));
    }
  });

  it('a staging directory without room for the disks fails before anything is created', async () => {
    await reset(SINGLE);
    const small = join(staging, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', small]);
    try {
      const req = imageRequest(SINGLE, { skipConversion: true }, { stagingDir: join(small, 'sub') });
      const e = await run(req).then(
        () => assert.fail('no room'),
        (x: unknown) => x,
      );
      assert.ok(e instanceof MigrationFailure);
      assert.match(e.message, /^staging_dir .*small\/sub has 16\.0 MiB free but the disks to stage need up to 128\.0 MiB \(their capacity\); .*Nothing was created$/);
      assert.deepEqual([e.ids, e.changed], [[null], false]);
      assert.equal(existsSync(join(small, 'sub')), false);
      assert.deepEqual(await toolImages(SINGLE), []);
      assert.deepEqual(await withOpenstack((s) => listVolumesByName(s, `${SINGLE}-2000`)), []);
      assert.deepEqual(await leftovers(SINGLE, []), { snapshots: 0, attachments: [], links: [] });
    } finally {
      execFileSync('umount', [small]);
    }
  });
});

describe('import_workloads with migration_target image: server, ports, verification, rollback', { timeout: 900_000 }, () => {
  const VM = MULTI;
  const NET = 'frontier-net';
  const SG = 'osm-sg';
  const WAIT = { timeoutMs: 120_000, intervalMs: 500 };
  const signal = new AbortController().signal;
  const dir = mkdtempSync(join(tmpdir(), 'osm-image-e2e-'));
  const f = vmFacts(VM);
  mkdirSync(join(dir, VM));
  const flavor = (openstack() as unknown as { flavors: Record<string, string> }).flavors['m1.tiny']!;
  writeFileSync(join(dir, VM, 'import_workloads.json'), JSON.stringify({ vm_name: VM, openstack: { flavor_name_or_uuid: flavor }, vmware_guest_info: { hw_folder: f.folder } }));
  writeFileSync(join(dir, VM, 'macs.json'), JSON.stringify(f.nics.map((n) => ({ mac: n.mac, ipaddresses: [], subnet: '' }))));
  const removePorts = async (s: Session) => {
    for (const nic of f.nics) for (const p of await listPorts(s, { mac_address: nic.mac })) await deleteToolPort(s, { name: p.id, wait: true, waitOpts: WAIT, checkMode: false });
  };

  before(async () => {
    await reset(VM);
    await withOpenstack(removePorts);
  });
  after(async () => {
    await reset(VM);
    await withOpenstack(removePorts);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the server boots from the volumes made from images; every verification check passes; rollback removes server, ports, volumes and kept images', async () => {
    const { vmName: _n, folder: _f, ...migrate } = imageRequest(VM, { source: { ...request(VM).source, kind: 'https' }, skipConversion: true, verify: true }, { keepImages: true });
    const out = await importWorkload(
      VM,
      {
        dataDir: dir,
        migrate,
        ports: { create: true, usedMappedNetworks: false, networkName: NET, securityGroups: [SG], useFixedIps: false, subnet: undefined },
        server: { create: true, keyName: undefined, availabilityZone: undefined, userData: undefined, bootFromCinder: false, timeoutMs: 300_000, heat: { enabled: false, autoDeploy: true } },
        teardown: { enabled: false, server: false, volumes: false, ports: false, upstreamNames: false },
        rollbackOnFailure: false,
      },
      { log: testLogger(), signal, checkMode: false },
    );
    assert.ok(out.server?.id, out.msg);
    const v = vsphere();
    const r = await verifyVm(
      {
        vmware: { host: `${v.host}:${v.port}`, username: v.user, password: v.password, caFile: v.cert_path },
        cloud: request(VM).cloud,
        vmName: VM,
        dataDir: dir,
        ports: { usedMappedNetworks: false, networkName: NET, securityGroups: [SG], useFixedIps: false },
        final: true,
        expect: { server: true, ports: true },
        sourcePower: 'untouched',
        checksums: { enabled: true, volumeDir: openstack().cinder_volumes_dir, byIdDir: openstack().by_id_dir },
        guest: { consolePattern: undefined, tcpPorts: [], timeoutMs: 5000 },
      },
      { log: testLogger(), signal },
    );
    assert.deepEqual(failedChecks(r), []);
    assert.deepEqual(r.checks.filter((c) => c.passed !== true).map((c) => `${c.id}: ${c.message}`), []);
    for (const d of f.disks) assert.equal(r.checks.find((c) => c.id === `volume.sha256.${d.key}`)?.expected, d.sha256);
    assert.equal((await toolImages(VM)).length, 2, 'keep_images');
    const rb = await withOpenstack((s) => rollbackVm(s, undefined, { vmName: VM, deleteVolumes: true, waitOpts: WAIT, checkMode: false }, testLogger()));
    assert.deepEqual(
      rb.actions.filter((a) => a.changed).map((a) => a.kind).sort(),
      ['image', 'image', 'port', 'server', 'volume', 'volume'],
    );
    assert.deepEqual(await toolImages(VM), []);
    for (const d of f.disks) assert.deepEqual(await withOpenstack((s) => listVolumesByName(s, `${VM}-${d.key}`)), []);
  });
});

describe('migration_target image with cbtsync: the staged file kept between syncs, the cutover converts and uploads', { timeout: 900_000 }, () => {
  const vm = vmFacts(SINGLE);
  const disk = vm.disks[0]!;
  const block = vsphere().cbt.block_size;
  const writes = [2 * 1024 * 1024, 2 * 1024 * 1024 + block, 60 * 1024 * 1024];
  const staged = join(staging, `${SINGLE}-${disk.key}.raw`);
  let original: Buffer[] = [];
  const cbt = (over: Partial<MigrateRequest> = {}) => imageRequest(SINGLE, { source: { ...request(SINGLE).source, kind: 'https' }, cbtSync: true, skipConversion: false, ...over });

  before(async () => {
    mkdirSync(staging, { recursive: true });
    await reset(SINGLE);
    const fh = await openFile(disk.flat_path, 'r');
    original = await Promise.all(
      writes.map(async (o) => {
        const b = Buffer.alloc(block);
        await fh.read(b, 0, block, o);
        return b;
      }),
    );
    await fh.close();
  });
  after(async () => {
    for (const [i, o] of writes.entries()) diskWrite(SINGLE, 0, o, original[i]!);
    await ensurePoweredOn(SINGLE);
    await reset(SINGLE);
    rmSync(staged, { force: true });
    rmSync(`${staged}.state`, { force: true });
  });

  it('pre-sync, delta of what the guest wrote, a touched staged file recopied, cutover: the volume holds the source', async () => {
    const first = await run(cbt());
    assert.deepEqual([first.disks[0]!.mode, first.converted, first.ids], ['full', false, [null]]);
    assert.equal(await sha256OfPath(staged, disk.capacity_bytes), disk.sha256, 'the staged file is the disk');
    assert.deepEqual(await toolImages(SINGLE), [], 'nothing uploaded before the cutover');
    assert.deepEqual(await withOpenstack((s) => listVolumesByName(s, `${SINGLE}-${disk.key}`)), []);

    const idle = await run(cbt());
    assert.deepEqual([idle.disks[0]!.mode, idle.disks[0]!.bytes_read, idle.changed], ['delta', 0, false]);

    for (const o of writes.slice(0, 2)) diskWrite(SINGLE, 0, o, randomBytes(block));
    const delta = await run(cbt());
    assert.deepEqual([delta.disks[0]!.mode, delta.disks[0]!.bytes_read], ['delta', 2 * block]);
    assert.match(delta.log, /applying the changes since .* to the staged copy/);
    assert.equal(await sha256OfPath(staged, disk.capacity_bytes), await sha256OfPath(disk.flat_path, disk.capacity_bytes));

    // Someone writes to the staged file: it no longer is the copy of the recorded change ID, so it is copied again.
    const fh = await openFile(staged, 'r+');
    await fh.write(Buffer.from('not the source'), 0, 14, 4096);
    await fh.close();
    const recopy = await run(cbt());
    assert.equal(recopy.disks[0]!.mode, 'full');
    assert.equal(await sha256OfPath(staged, disk.capacity_bytes), await sha256OfPath(disk.flat_path, disk.capacity_bytes));

    diskWrite(SINGLE, 0, writes[2]!, randomBytes(block));
    const cutover = await withFakeV2v(() => run(cbt({ cutover: true })));
    assert.deepEqual([cutover.disks[0]!.mode, cutover.disks[0]!.bytes_read, cutover.converted], ['delta', block, true]);
    assert.match(cutover.log, /converted osm-single on disk 2000/);
    const now = await sha256OfPath(disk.flat_path, disk.capacity_bytes);
    assert.equal(await volumeSha256(cutover.ids[0]!, disk.capacity_bytes), now, 'the volume made from the image holds the source as of the cutover');
    assert.equal(existsSync(staged), false, 'the staged file is removed');
    assert.deepEqual(await toolImages(SINGLE), []);
    const again = await run(cbt({ cutover: true }));
    assert.deepEqual([again.changed, again.ids], [false, cutover.ids]);
  });
});
