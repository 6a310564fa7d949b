// The migrate workflow against the lab with real bytes: local, https and ssh sources, multi-disk with volume
// types, CBT (full sync, guest writes, delta reads only those blocks, cutover converts), reruns, check mode.
// Conversion runs a stand-in virt-v2v-in-place that records its arguments (a real guest is the e2e test's job).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findToolVolume, getVolume } from '../../src/openstack/volume.js';
import { normalizeExtents } from '../../src/transfer/copy.js';
import { fileAllocation } from '../../src/transfer/sources/local.js';
import { powerState } from '../../src/vmware/power.js';
import { migrateVm } from '../../src/workflow/migrate.js';
import type { MigrateOutcome, MigrateRequest } from '../../src/workflow/migrate-request.js';
import { serverThumbprint } from '../../src/workflow/migrate-source.js';
import {
  deleteVmVolumes,
  diskWrite,
  ensurePoweredOn,
  fakeVirtV2v,
  leftovers,
  localSource,
  openstack,
  request,
  startMetadataService,
  testLogger,
  vmFacts,
  volumeSha256,
  vsphere,
  withOpenstack,
  withVsphere,
} from './migrate-lab.js';

const VMS = ['osm-efi', 'osm-multidisk', 'osm ñame é spaces', 'osm-multinic', 'osm-windows'];

async function run(req: MigrateRequest, checkMode = false): Promise<MigrateOutcome & { log: string }> {
  const log = testLogger();
  const out = await migrateVm(req, { log, signal: new AbortController().signal, checkMode });
  return { ...out, log: readFileSync(log.path, 'utf8') };
}

async function assertNoLeftovers(vm: string, ids: string[]): Promise<void> {
  assert.deepEqual(await leftovers(vm, ids), { snapshots: 0, attachments: [], links: [] });
}

async function fileSha256(path: string, size: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.alloc(8 * 1024 * 1024);
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) {
        hash.update(Buffer.alloc(size - pos));
        break;
      }
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

/** Bytes of the CBT blocks holding data (what QueryChangedDiskAreas with changeId "*" lists), clipped to the disk. */
async function allocatedBlockBytes(flatPath: string, capacity: number, block: number): Promise<number> {
  const blocks = (await fileAllocation(flatPath)).map((e) => {
    const start = Math.floor(e.start / block) * block;
    return { start, length: Math.ceil((e.start + e.length) / block) * block - start };
  });
  return normalizeExtents(blocks, capacity).reduce((s, e) => s + e.length, 0);
}

/** Run `fn` with the stand-in virt-v2v-in-place first in PATH. */
async function withFakeV2v<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  try {
    return await fn();
  } finally {
    process.env.PATH = path;
  }
}

describe('migrate workflow in the lab', { timeout: 900_000 }, () => {
  let metadata: Awaited<ReturnType<typeof startMetadataService>>;
  const fake = fakeVirtV2v();

  before(async () => {
    metadata = await startMetadataService(openstack().conversion_host.uuid);
    process.env.OSM_METADATA_URL = metadata.url;
    for (const vm of VMS) await deleteVmVolumes(vm);
  });

  after(async () => {
    delete process.env.OSM_METADATA_URL;
    await metadata.close();
    for (const vm of VMS) await deleteVmVolumes(vm);
  });

  it('local source: copies the disk byte for byte into a new bootable UEFI volume and leaves nothing attached', async () => {
    const vm = vmFacts('osm-efi');
    const out = await run(request(vm.name, { source: localSource(vm.name), assumeZero: true, verify: true }));
    const disk = vm.disks[0]!;
    assert.equal(out.changed, true);
    assert.equal(out.conversionHost?.source, 'metadata');
    assert.ok(metadata.hits() > 0);
    assert.equal(out.ids.length, 1);
    const id = out.ids[0]!;
    assert.equal(out.disks[0]!.mode, 'full');
    assert.equal(out.disks[0]!.sha256_source, disk.sha256);
    assert.equal(out.disks[0]!.sha256_target, disk.sha256);
    assert.equal(await volumeSha256(id, disk.capacity_bytes), disk.sha256);
    const v = await withOpenstack((s) => getVolume(s, id));
    assert.equal(v?.name, 'osm-efi-2000');
    assert.equal(v?.size, 1);
    assert.equal(v?.bootable, 'true');
    assert.equal(v?.metadata.osm, 'true');
    // skipconversion: the final disks are marked done (converted) and the record says no conversion ran.
    assert.equal(v?.metadata.converted, 'true');
    assert.equal(v?.metadata.osm_conversion, 'skipped');
    assert.equal(v?.volume_image_metadata?.hw_firmware_type, 'uefi');
    assert.equal(v?.volume_image_metadata?.hw_machine_type, 'q35');
    assert.match(out.log, /disk 2000 \(full\): 64\.0 MiB of 64\.0 MiB \(100%\)/);
    assert.doesNotMatch(out.log, /osm-lab-osm/);
    await assertNoLeftovers(vm.name, out.ids as string[]);
  });

  it('skipconversion at the cutover: the delta copied nothing, yet making the volumes final is a change; a rerun changes nothing', async () => {
    const vm = vmFacts('osm-efi');
    await deleteVmVolumes(vm.name); // the previous test left it final
    const presync = request(vm.name, { source: localSource(vm.name), cbtSync: true });
    const first = await run(presync);
    assert.deepEqual([first.changed, first.converted, first.disks[0]!.mode], [true, false, 'full']);
    const cutover = await run({ ...presync, cutover: true });
    assert.deepEqual([cutover.changed, cutover.converted, cutover.disks[0]!.mode, cutover.disks[0]!.bytes_copied], [true, true, 'delta', 0]);
    const v = await withOpenstack((s) => getVolume(s, cutover.ids[0]!));
    assert.deepEqual([v?.metadata.converted, v?.metadata.osm_conversion], ['true', 'skipped']);
    assert.equal(cutover.source.action, 'guest shutdown', 'the cutover stops the source also with skipconversion');
    const again = await run({ ...presync, cutover: true });
    assert.deepEqual([again.changed, again.converted, again.disks[0]!.mode], [false, true, 'skipped']);
    await assertNoLeftovers(vm.name, cutover.ids as string[]);
    await ensurePoweredOn(vm.name);
  });

  it('https source: a two-datastore VM, volume types per datastore with volumetype as the fallback, disks in order, each read from its ESXi host', async () => {
    const vm = vmFacts('osm-multidisk');
    const host = vsphere().esxi_hosts?.find((h) => h.name === vm.host.split('/').pop());
    assert.ok(host, `the lab facts list the ESXi host of ${vm.name} under esxi_hosts (restart the lab with this simulator)`);
    const out = await run(
      request(vm.name, {
        // vCenter pinned: the host is pinned to the thumbprint vCenter reports for it
        vmware: { ...request(vm.name).vmware, caFile: undefined, thumbprint: vsphere().thumbprint },
        source: { ...request(vm.name).source, kind: 'https' },
        volume: { type: 'ceph-hdd', typeMapping: [{ vmware_datastore: 'LocalDS_0', openstack_type: 'ceph-ssd' }] },
      }),
    );
    assert.deepEqual(
      out.disks.map((d) => [d.key, d.mode]),
      [
        [2000, 'full'],
        [2001, 'full'],
      ],
    );
    const server = `${host.address}:${host.port}`;
    assert.deepEqual(
      out.disks.map((d) => d.https_path),
      vm.disks.map(() => ({ path: 'esxi host', server })),
    );
    for (const d of vm.disks) assert.ok(out.log.includes(`[https] ${d.file_name}: reading straight from ESXi host ${host.name} at ${server}`), d.file_name);
    const volumes = await withOpenstack((s) => Promise.all(out.ids.map((id) => getVolume(s, id!))));
    assert.deepEqual(
      volumes.map((v) => [v?.name, v?.volume_type]),
      [
        ['osm-multidisk-2000', 'ceph-ssd'],
        ['osm-multidisk-2001', 'ceph-hdd'],
      ],
    );
    for (const [i, d] of vm.disks.entries()) assert.equal(await volumeSha256(out.ids[i]!, d.capacity_bytes), d.sha256, `disk ${d.key}`);
    await assertNoLeftovers(vm.name, out.ids as string[]);
  });

  it('multidiskfs: one conversion over a domain XML of every volume, then the volumes are converted and the VM off', async () => {
    const vm = vmFacts('osm-multidisk');
    await deleteVmVolumes(vm.name); // the previous test left them final (copied with skipconversion)
    try {
      const out = await withFakeV2v(fake, () =>
        run(request(vm.name, { source: { ...request(vm.name).source, kind: 'https' }, multiDiskFs: true, skipConversion: false })),
      );
      assert.equal(out.converted, true);
      for (const d of out.disks) {
        assert.deepEqual([d.https_path?.path, d.https_path?.server], ['vcenter', `${vsphere().host}:${vsphere().port}`], 'the CA file does not trust the host');
        assert.match(d.https_path?.reason ?? '', /certificate|SELF_SIGNED/i);
      }
      assert.match(out.log, /\[https\] .*: not read from the ESXi host \(.*\); reading through vCenter .* instead/);
      const args = readFileSync(join(fake, 'args'), 'utf8').trim().split('\n');
      assert.equal(args[0], '--run');
      assert.equal(args.at(-2), 'libvirtxml');
      const xml = readFileSync(join(fake, 'domain.xml'), 'utf8');
      for (const id of out.ids) assert.match(xml, new RegExp(`<source file="[^"]*/volume-${id}"/>`));
      assert.equal(xml.match(/<disk type="file" device="disk">/g)?.length, 2);
      const volumes = await withOpenstack((s) => Promise.all(out.ids.map((id) => getVolume(s, id!))));
      assert.deepEqual(
        volumes.map((v) => v?.metadata.converted),
        ['true', 'true'],
      );
      assert.equal(await withVsphere((vs) => powerState(vs, { type: 'VirtualMachine', value: vm.moid })), 'poweredOff');
      assert.deepEqual(out.source, { power_state_before: 'poweredOn', action: 'guest shutdown', cbt_enabled_by_tool: false }, 'stopped by default, as upstream');
      assert.ok(out.log.indexOf('is off: guest shutdown') < out.log.indexOf('created snapshot'), 'before the copy');
      await assertNoLeftovers(vm.name, out.ids as string[]);
    } finally {
      await ensurePoweredOn(vm.name);
    }
  });

  it('ssh source: a VM whose name and datastore path hold spaces and accents', async () => {
    const vm = vmFacts('osm ñame é spaces');
    const out = await run(request(vm.name, { source: { ...request(vm.name).source, kind: 'ssh' }, verify: true }));
    const id = out.ids[0]!;
    assert.equal((await withOpenstack((s) => getVolume(s, id)))?.name, 'osm_name_e_spaces-2000');
    assert.equal(await volumeSha256(id, vm.disks[0]!.capacity_bytes), vm.disks[0]!.sha256);
    assert.equal(out.disks[0]!.sha256_source, vm.disks[0]!.sha256);
    await assertNoLeftovers(vm.name, out.ids as string[]);
  });

  it('reads the vCenter certificate thumbprint VDDK pins, verified against the CA file', async () => {
    const v = vsphere();
    assert.equal(await serverThumbprint({ server: `${v.host}:${v.port}`, user: v.user, password: v.password, insecure: false, caFile: v.cert_path }), v.thumbprint);
    await assert.rejects(serverThumbprint({ server: `${v.host}:${v.port}`, user: v.user, password: v.password, insecure: false }), /set vmware_thumbprint, vmware_ca_file or vmware_insecure/);
  });

  it('check mode resolves the VM and its volumes, reports the plan and creates nothing', async () => {
    const vm = vmFacts('osm-windows');
    const out = await run(request(vm.name, { source: localSource(vm.name), skipConversion: false }), true);
    assert.equal(out.changed, true);
    assert.deepEqual(out.ids, [null]);
    assert.deepEqual(
      out.plan?.disks,
      [
        {
          key: 2000,
          volume_name: 'osm-windows-2000',
          volume_id: null,
          action: 'create and copy',
          data: 'yes',
          datastore: vm.disks[0]!.datastore,
          capacity_bytes: vm.disks[0]!.capacity_bytes,
          size_gib: 1,
          volume_type: null,
          availability_zone: null,
        },
      ],
      'the pre-checks read the disk: it holds data; the volume it would create',
    );
    assert.equal(out.plan?.conversion, true);
    assert.equal(out.plan?.shutdown, true, 'a plain migration that converts stops the source by default');
    assert.deepEqual(out.plan?.source, { power_state: 'poweredOn', action: 'stop', reason: 'conversion (source_power_off default)', enable_cbt: false });
    assert.equal(await withOpenstack((s) => findToolVolume(s, 'osm-windows-2000')), undefined);
  });

  it('fails before creating anything when the conversion host cannot be found', async () => {
    const vm = vmFacts('osm-windows');
    process.env.OSM_METADATA_URL = 'http://127.0.0.1:9/openstack/latest/meta_data.json';
    try {
      await assert.rejects(
        run(request(vm.name, { source: localSource(vm.name), instanceUuid: '00000000-0000-4000-8000-000000000000' })),
        /cannot tell which OpenStack server is the conversion host \(metadata service .*unreachable.*instanceuuid: 00000000-0000-4000-8000-000000000000 is not a server/,
      );
    } finally {
      process.env.OSM_METADATA_URL = metadata.url;
    }
    const ok = await run(request(vm.name, { source: localSource(vm.name), instanceUuid: openstack().conversion_host.uuid, verify: true }));
    assert.equal(ok.conversionHost?.source, 'metadata');
    assert.equal(ok.disks[0]!.sha256_target, vm.disks[0]!.sha256);
  });

  describe('CBT: full sync, delta of the blocks the guest wrote, cutover', () => {
    const vm = vmFacts('osm-multinic');
    const disk = vm.disks[0]!;
    const block = vsphere().cbt.block_size;
    const writes = [1024 * 1024, 1024 * 1024 + block, 40 * 1024 * 1024];
    let original: Buffer[] = [];
    let ids: string[] = [];
    const cbt = (over: Partial<MigrateRequest> = {}) => request(vm.name, { source: { ...request(vm.name).source, kind: 'https' }, cbtSync: true, ...over });

    before(async () => {
      const fh = await open(disk.flat_path, 'r');
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
      for (const [i, o] of writes.entries()) diskWrite(vm.name, 0, o, original[i]!);
      await ensurePoweredOn(vm.name);
    });

    it('first sync copies the whole disk, fetching only the allocated areas CBT lists, and records the change ID', async () => {
      const out = await run(cbt());
      ids = out.ids as string[];
      assert.equal(out.disks[0]!.mode, 'full');
      const allocated = await allocatedBlockBytes(disk.flat_path, disk.capacity_bytes, block);
      assert.ok(allocated < disk.capacity_bytes, 'the test disk has holes');
      assert.equal(out.disks[0]!.bytes_read, allocated);
      assert.match(out.log, new RegExp(`\\(${allocated} bytes allocated per CBT\\)`));
      assert.match(out.log, new RegExp(`read ${allocated} bytes \\(source fetched ${allocated}\\)`), 'https fetched exactly those bytes');
      assert.equal(out.converted, false);
      const v = await withOpenstack((s) => getVolume(s, ids[0]!));
      assert.match(v?.metadata.changeID ?? '', /\/\d+$/);
      assert.equal(v?.metadata.converted, 'false');
      assert.equal(await volumeSha256(ids[0]!, disk.capacity_bytes), disk.sha256);
      await assertNoLeftovers(vm.name, ids);
    });

    it('a sync without guest writes reads nothing and changes nothing', async () => {
      const out = await run(cbt());
      assert.deepEqual(out.ids, ids);
      assert.equal(out.changed, false);
      assert.equal(out.disks[0]!.mode, 'delta');
      assert.equal(out.disks[0]!.bytes_read, 0);
    });

    it('after the guest writes three blocks the delta reads exactly those and records the new change ID', async () => {
      const before = (await withOpenstack((s) => getVolume(s, ids[0]!)))?.metadata.changeID;
      for (const o of writes) diskWrite(vm.name, 0, o, randomBytes(block));
      const out = await run(cbt({ verify: true }));
      assert.equal(out.changed, true);
      assert.equal(out.disks[0]!.mode, 'delta');
      assert.equal(out.disks[0]!.bytes_read, writes.length * block);
      assert.equal(out.disks[0]!.bytes_copied, writes.length * block);
      const now = await fileSha256(disk.flat_path, disk.capacity_bytes);
      assert.equal(await volumeSha256(ids[0]!, disk.capacity_bytes), now);
      assert.equal(out.disks[0]!.sha256_target, now);
      const after = (await withOpenstack((s) => getVolume(s, ids[0]!)))?.metadata.changeID;
      assert.notEqual(after, before);
      await assertNoLeftovers(vm.name, ids);
    });

    it('cutover stops the VM first, syncs, converts with the network script and marks the volumes converted', async () => {
      diskWrite(vm.name, 0, writes[2]!, randomBytes(block));
      const out = await withFakeV2v(fake, () => run(cbt({ cutover: true, skipConversion: false })));
      assert.equal(out.converted, true);
      assert.equal(out.disks[0]!.mode, 'delta');
      assert.equal(out.disks[0]!.bytes_read, block);
      assert.equal(await volumeSha256(ids[0]!, disk.capacity_bytes), await fileSha256(disk.flat_path, disk.capacity_bytes));
      const args = readFileSync(join(fake, 'args'), 'utf8').trim().split('\n');
      assert.equal(args[0], '--run');
      assert.deepEqual(args.slice(-5, -1), ['-i', 'disk', '-if', 'raw']);
      assert.ok(args.at(-1)!.endsWith(`/volume-${ids[0]}`), `converts the attached volume (${args.at(-1)})`);
      const script = readFileSync(join(fake, 'run.sh'), 'utf8');
      for (const nic of vm.nics) assert.ok(script.includes(nic.mac), `network script pins ${nic.mac}`);
      const v = await withOpenstack((s) => getVolume(s, ids[0]!));
      assert.equal(v?.metadata.converted, 'true');
      assert.match(v?.metadata.changeID ?? '', /\/\d+$/, 'the change ID is kept after conversion');
      assert.equal(await withVsphere((vs) => powerState(vs, { type: 'VirtualMachine', value: vm.moid })), 'poweredOff');
      await assertNoLeftovers(vm.name, ids);
    });

    it('a rerun after cutover returns the same volumes, skipped, changed false, without a snapshot', async () => {
      const out = await run(cbt({ cutover: true, skipConversion: false }));
      assert.deepEqual(out.ids, ids);
      assert.equal(out.changed, false);
      assert.deepEqual(
        out.disks.map((d) => d.mode),
        ['skipped'],
      );
      assert.doesNotMatch(out.log, /created snapshot/);
    });
  });
});
