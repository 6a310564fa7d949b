// Pure parts of the migrate workflow: the plan (per-disk and per-VM decisions, check mode's result), the step seam
// and its fault injection, naming, volume types, guest detection and NIC names, the lock, known_hosts pinning, and
// the module's option parsing.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseParams } from '../../src/ansible/module.js';
import migrateModule from '../../src/modules/migrate.js';
import { migrationRequest } from '../../src/modules/options/migration.js';
import { guestNics, isLinuxGuest, isWindowsGuest } from '../../src/workflow/migrate-convert.js';
import { migrationLogPath, runId } from '../../src/workflow/migrate-log.js';
import { hostOf, knownHostKey } from '../../src/workflow/migrate-source.js';
import {
  type PlanInput,
  type PlanOptions,
  checkMigratable,
  checkModeOutcome,
  isConverted,
  planDisk,
  planMigration,
  sourceStop,
  volumeNameFor,
  volumeTypeFor,
  withChecks,
} from '../../src/workflow/migrate-plan.js';
import { migrationSteps } from '../../src/workflow/migrate-steps.js';
import type { Volume } from '../../src/openstack/volume.js';
import type { DiskSource } from '../../src/transfer/types.js';
import { createLogger } from '../../src/util/log.js';
import type { VmDisk, VmSnapshot } from '../../src/vmware/vm.js';

describe('migrate naming and volume types', () => {
  it('names volumes <SafeVmName>-<disk key> and log files like upstream', () => {
    assert.equal(volumeNameFor({ name: 'osm ñame é spaces' }, { key: 2000 }), 'osm_name_e_spaces-2000');
    const id = runId();
    assert.match(id, /^[A-Za-z0-9]{8}$/);
    assert.notEqual(runId(), id);
    assert.equal(migrationLogPath('My VM (prod) #1', 'abcdEFG1'), '/tmp/osm-nbdkit-My_VM_prod_1-abcdEFG1.log');
    assert.match(migrationLogPath('My VM', id), /^\/tmp\/[^ ]+\.log$/);
  });

  it('takes the type from the datastore mapping, else volumetype (never the previous disk type), else the default', () => {
    const volume = { type: 'ceph-hdd', typeMapping: [{ vmware_datastore: 'LocalDS_0', openstack_type: 'ceph-ssd' }] };
    const types = [{ datastore: 'LocalDS_0' }, { datastore: 'LocalDS_1' }, { datastore: 'LocalDS_0' }].map((d) => volumeTypeFor(d, volume));
    assert.deepEqual(types, ['ceph-ssd', 'ceph-hdd', 'ceph-ssd']);
    assert.equal(volumeTypeFor({ datastore: 'LocalDS_1' }, { typeMapping: [] }), undefined);
  });

  it('reads converted like strconv.ParseBool and rejects anything else', () => {
    const v = (converted?: string) => ({ id: 'v', name: 'n', metadata: converted === undefined ? {} : { converted } }) as unknown as Volume;
    assert.equal(isConverted(v()), false);
    assert.equal(isConverted(v('True')), true);
    assert.equal(isConverted(v('0')), false);
    assert.throws(() => isConverted(v('yes')), /not a boolean/);
  });
});

describe('migrate guest detection', () => {
  it('detects Windows and Linux guests and names NICs from their PCI slot', () => {
    assert.equal(isWindowsGuest({ guestFullName: 'Microsoft Windows Server 2019 (64-bit)', guestId: 'windows2019srv_64Guest' }), true);
    assert.equal(isLinuxGuest({ guestFullName: 'Red Hat Enterprise Linux 8 (64-bit)', guestId: 'rhel8_64Guest' }), true);
    assert.equal(isLinuxGuest({ guestFullName: 'Microsoft Windows Server 2019 (64-bit)', guestId: 'windows2019srv_64Guest' }), false);
    const nics = guestNics({
      nics: [
        { mac: '00:50:56:01:03:00', pciSlot: 192, ipAddresses: ['10.1.0.13'] },
        { mac: '00:50:56:01:03:01', pciSlot: undefined, ipAddresses: [] },
      ] as never,
    });
    assert.deepEqual(nics, [
      { mac: '00:50:56:01:03:00', name: 'ens192', ipaddresses: ['10.1.0.13'] },
      { mac: '00:50:56:01:03:01', ipaddresses: [] },
    ]);
  });
});

describe('migrate ssh host key pinning', () => {
  const key = Buffer.from('ssh-ed25519-test-key-blob');
  const b64 = key.toString('base64');
  const fingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

  it('finds plain and hashed known_hosts entries for host:port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-kh-'));
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('esxi.example').digest('base64')}`;
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `# comment\nother.example ssh-ed25519 AAAA\n[127.0.0.1]:2222 ssh-ed25519 ${b64}\n${hashed} ssh-ed25519 ${b64}\n`);
    assert.equal(await knownHostKey(file, '127.0.0.1', 2222), fingerprint);
    assert.equal(await knownHostKey(file, 'esxi.example', 22), fingerprint);
    await assert.rejects(knownHostKey(file, '127.0.0.1', 22), /no host key for 127\.0\.0\.1 in/);
  });

  it('takes the host out of server host[:port]', () => {
    assert.equal(hostOf('vcenter.example'), 'vcenter.example');
    assert.equal(hostOf('127.0.0.1:8989'), '127.0.0.1');
    assert.equal(hostOf('[::1]:443'), '::1');
  });
});

describe('migrate module options', () => {
  const base = { user: 'u', password: 'secret-pw', server: 'vc', vmname: 'vm' };

  it('accepts upstream keys in any capitalisation and applies defaults', () => {
    const p = parseParams(migrateModule, { user: 'u', password: 'secret-pw', server: 'vc', VmName: 'vm-1', CBTSync: true, volume_type_mapping: [{ vmware_datastore: 'ds', openstack_type: 't' }] }) as Record<
      string,
      unknown
    >;
    assert.equal(p.vmname, 'vm-1');
    assert.equal(p.cbtsync, true);
    assert.equal(p.compression, 'fastlz');
    assert.equal(p.disk_by_id_dir, '/dev/disk/by-id');
    assert.equal(p.libdir, '/usr/lib/vmware-vix-disklib');
  });

  it('fails naming the required key that is missing or empty', () => {
    assert.throws(() => parseParams(migrateModule, { ...base, user: '' }), /argument 'user' must not be empty/);
    assert.throws(() => parseParams(migrateModule, { password: 'x', server: 'vc', vmname: 'vm' }), /user/);
  });
});

const HOST = 'c0ffee00-0000-4000-8000-000000000001';
const OTHER_SERVER = 'c0ffee00-0000-4000-8000-000000000002';
/** No volume type and no AZ asked for: the cloud's defaults. */
const NO_TYPE = { typeMapping: [] };

function vmDisk(key: number): VmDisk {
  return { key, capacityBytes: 2 ** 30, datastore: 'LocalDS_0', fileName: `[LocalDS_0] vm/vm_${key}.vmdk`, changeId: '52 1a/7' } as VmDisk;
}

function volume(key: number, metadata: Record<string, string> = {}, attachedTo: string[] = []): Volume {
  return {
    id: `vol-${key}-0000-0000-0000-000000000000`,
    name: `vm-${key}`,
    status: attachedTo.length ? 'in-use' : 'available',
    size: 1,
    bootable: 'true',
    metadata,
    attachments: attachedTo.map((server_id) => ({ server_id })),
  } as Volume;
}

function snapshot(moid: string, description = 'OS Migrate snapshot.'): VmSnapshot {
  return { moid, id: 1, name: 'osm-snap', description, createTime: '', state: 'poweredOn', quiesced: false, children: [] };
}

const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({ assumeZero: false, cbtSync: false, cutover: false, skipConversion: false, allowEmptyDisks: false, volume: {}, ...over });

function input(over: Partial<PlanInput> & { guest?: string } = {}): PlanInput {
  const disks = [vmDisk(2000), vmDisk(2001)];
  return {
    vm: { name: 'vm', disks, guestFullName: over.guest ?? 'Red Hat Enterprise Linux 9 (64-bit)', guestId: '', changeTrackingEnabled: true, powerState: 'poweredOn' },
    volumes: [undefined, undefined],
    host: { id: HOST },
    snapshots: [],
    options: options(),
    ...over,
  };
}

describe('migrate plan: one disk', () => {
  const vm = { name: 'vm' };
  const d = vmDisk(2000);

  it('no volume: create and copy everything; the new volume reads as zeros only with assumezero and not when managed', () => {
    const p = planDisk(vm, d, undefined, options());
    assert.deepEqual(
      { action: p.action, volumeName: p.volumeName, since: p.sinceChangeId, zero: p.targetIsZero, unfinished: p.conversionUnfinished },
      { action: 'create and copy', volumeName: 'vm-2000', since: undefined, zero: false, unfinished: false },
    );
    assert.equal(planDisk(vm, d, undefined, options({ assumeZero: true })).targetIsZero, true);
    assert.equal(planDisk(vm, d, undefined, options({ assumeZero: true, volume: { external: { name: 'b', hostPool: 'h@b#p' } } })).targetIsZero, false);
    assert.equal(planDisk(vm, d, undefined, options({ assumeZero: true, cbtSync: true })).action, 'create and copy');
  });

  it('a converted volume is skipped, whatever the options', () => {
    for (const o of [options(), options({ cbtSync: true, cutover: true }), options({ skipConversion: true })]) {
      const p = planDisk(vm, d, volume(2000, { converted: 'True', changeID: '52 1a/5' }), o);
      assert.equal(p.action, 'skip (converted)');
      assert.equal(p.sinceChangeId, undefined);
    }
  });

  it('cbtsync with a recorded change ID: delta since it, onto a volume that is not zero', () => {
    const p = planDisk(vm, d, volume(2000, { converted: 'false', changeID: '52 1a/5' }), options({ cbtSync: true, assumeZero: true }));
    assert.deepEqual([p.action, p.sinceChangeId, p.targetIsZero], ['delta copy', '52 1a/5', false]);
  });

  it('an existing volume without cbtsync, or without a change ID, gets a full copy', () => {
    assert.equal(planDisk(vm, d, volume(2000, { converted: 'false', changeID: '52 1a/5' }), options()).action, 'full copy');
    const p = planDisk(vm, d, volume(2000, { converted: 'false' }), options({ cbtSync: true, assumeZero: true }));
    assert.deepEqual([p.action, p.sinceChangeId, p.targetIsZero], ['full copy', undefined, false]);
    assert.equal(planDisk(vm, d, volume(2000, { changeID: '' }), options({ cbtSync: true })).action, 'full copy');
  });

  it('a conversion that started and did not finish makes the next copy a full one, change ID or not', () => {
    const p = planDisk(vm, d, volume(2000, { converted: 'false', changeID: '52 1a/5', osm_conversion: 'started' }), options({ cbtSync: true, cutover: true }));
    assert.deepEqual([p.action, p.sinceChangeId, p.conversionUnfinished], ['full copy', undefined, true]);
    const done = planDisk(vm, d, volume(2000, { converted: 'false', changeID: '52 1a/5', osm_conversion: 'skipped' }), options({ cbtSync: true }));
    assert.deepEqual([done.action, done.conversionUnfinished], ['delta copy', false]);
  });

  it('a converted flag that is not a boolean stops the plan, naming the volume', () => {
    assert.throws(() => planDisk(vm, d, volume(2000, { converted: 'yes' }), options()), /volume vm-2000 \(vol-2000-.*\) has metadata converted="yes", which is not a boolean; fix or remove it/);
  });
});

describe('migrate plan: the VM', () => {
  it('a plain run converts and, by default (as upstream), stops the source before the snapshot, whatever the guest', () => {
    const linux = planMigration(input());
    assert.deepEqual([linux.finish, linux.stopSource, linux.enableCbt, linux.pending.length], ['convert', 'conversion (source_power_off default)', false, 2]);
    const windows = planMigration(input({ guest: 'Microsoft Windows Server 2019 (64-bit)' }));
    assert.deepEqual([windows.finish, windows.stopSource, windows.windowsRunning], ['convert', 'conversion (source_power_off default)', false]);
  });

  it('source_power_off false leaves the source running; a running Windows guest converted that way is flagged', () => {
    const keep = options({ sourcePowerOff: false });
    const linux = planMigration(input({ options: keep }));
    assert.deepEqual([linux.finish, linux.stopSource, linux.windowsRunning], ['convert', undefined, false]);
    const windows = planMigration(input({ options: keep, guest: 'Microsoft Windows 10 (64-bit)' }));
    assert.deepEqual([windows.stopSource, windows.windowsRunning], [undefined, true]);
    const off = planMigration({ ...input({ options: keep, guest: 'Microsoft Windows 10 (64-bit)' }), vm: { ...input().vm, guestFullName: 'Microsoft Windows 10 (64-bit)', powerState: 'poweredOff' } });
    assert.equal(off.windowsRunning, false, 'a Windows guest that is off is copied whole');
  });

  it('cbtsync before the cutover keeps syncing and never touches the source; the cutover stops it first and converts', () => {
    const presync = planMigration(input({ options: options({ cbtSync: true, sourcePowerOff: true }), guest: 'Microsoft Windows 10 (64-bit)' }));
    assert.deepEqual([presync.finish, presync.stopSource], ['keep syncing', undefined]);
    const cutover = planMigration(input({ options: options({ cbtSync: true, cutover: true, sourcePowerOff: false }) }));
    assert.deepEqual([cutover.finish, cutover.stopSource], ['convert', 'cutover'], 'a cutover stops the source even with source_power_off false');
  });

  it('skipconversion marks the volumes final; a cutover still stops the source first, a plain run only when asked', () => {
    const skip = planMigration(input({ options: options({ skipConversion: true, cutover: true }), guest: 'Microsoft Windows 10 (64-bit)' }));
    assert.deepEqual([skip.finish, skip.stopSource], ['mark final', 'cutover']);
    const cbtCutover = planMigration(input({ options: options({ skipConversion: true, cbtSync: true, cutover: true }) }));
    assert.deepEqual([cbtCutover.finish, cbtCutover.stopSource], ['mark final', 'cutover']);
    assert.equal(planMigration(input({ options: options({ skipConversion: true, cbtSync: true }) })).finish, 'keep syncing');
    assert.deepEqual([planMigration(input({ options: options({ skipConversion: true }) })).stopSource], [undefined], 'default with skipconversion: left alone, as upstream');
    assert.equal(planMigration(input({ options: options({ skipConversion: true, sourcePowerOff: true }) })).stopSource, 'source_power_off');
  });

  it('the source decision for every combination of cbtsync, cutover, skipconversion and source_power_off', () => {
    const expected = (cbtSync: boolean, cutover: boolean, skipConversion: boolean, sourcePowerOff: boolean | undefined) => {
      if (cbtSync && !cutover) return undefined;
      if (cutover) return 'cutover';
      if (sourcePowerOff === undefined) return skipConversion ? undefined : 'conversion (source_power_off default)';
      return sourcePowerOff ? 'source_power_off' : undefined;
    };
    let n = 0;
    for (const cbtSync of [false, true])
      for (const cutover of [false, true])
        for (const skipConversion of [false, true])
          for (const sourcePowerOff of [undefined, false, true]) {
            const o = options({ cbtSync, cutover, skipConversion, sourcePowerOff });
            const plan = planMigration(input({ options: o }));
            const want = expected(cbtSync, cutover, skipConversion, sourcePowerOff);
            assert.equal(plan.stopSource, want, JSON.stringify({ cbtSync, cutover, skipConversion, sourcePowerOff }));
            assert.equal(sourceStop(plan.finish, o), want);
            const source = checkModeOutcome(plan, { id: HOST, name: 'conv', source: 'instanceuuid' }, NO_TYPE).plan?.source;
            assert.deepEqual(source, { power_state: 'poweredOn', action: want ? 'stop' : 'none', reason: want ?? null, enable_cbt: false });
            n++;
          }
    assert.equal(n, 24);
    const done = [volume(2000, { converted: 'true' }), volume(2001, { converted: 'true' })];
    assert.equal(planMigration(input({ volumes: done, options: options({ cutover: true, sourcePowerOff: true }) })).stopSource, undefined, 'nothing to copy: the source is not touched');
  });

  it('enables CBT only for cbtsync on a VM without it, and only when there is something to copy', () => {
    const off = (o: PlanOptions, volumes: (Volume | undefined)[] = [undefined, undefined]) => {
      const i = input({ options: o, volumes });
      return planMigration({ ...i, vm: { ...i.vm, changeTrackingEnabled: false } }).enableCbt;
    };
    assert.equal(off(options({ cbtSync: true })), true);
    assert.equal(off(options()), false);
    assert.equal(off(options({ cbtSync: true }), [volume(2000, { converted: 'true' }), volume(2001, { converted: 'true' })]), false);
    assert.equal(planMigration(input({ options: options({ cbtSync: true }) })).enableCbt, false, 'CBT already on');
  });

  it('only the unconverted disks are pending; all converted: nothing to do, nothing to shut down', () => {
    const half = planMigration(input({ volumes: [volume(2000, { converted: 'true' }), volume(2001, { converted: 'false' })] }));
    assert.deepEqual(half.pending.map((d) => d.disk.key), [2001]);
    assert.equal(half.finish, 'convert');
    const done = planMigration(input({ volumes: [volume(2000, { converted: 'true' }), volume(2001, { converted: '1' })], guest: 'Microsoft Windows 10 (64-bit)' }));
    assert.deepEqual([done.pending.length, done.finish, done.stopSource, done.enableCbt], [0, 'nothing', undefined, false]);
  });

  it('cleans up what an earlier run left: its snapshots (not the user\'s), converted volumes attached to the conversion host', () => {
    const plan = planMigration(
      input({
        volumes: [volume(2000, { converted: 'true' }, [HOST]), volume(2001, { converted: 'false' }, [HOST])],
        snapshots: [snapshot('snapshot-1'), snapshot('snapshot-2', 'the user made this one')],
      }),
    );
    assert.deepEqual(plan.staleSnapshots.map((s) => s.moid), ['snapshot-1']);
    assert.deepEqual(plan.leftAttached.map((v) => v.name), ['vm-2000'], 'the converted one is detached');
    assert.deepEqual(plan.reuseAttached, [volume(2001).id], 'the pending one is reused');
    const elsewhere = planMigration(input({ volumes: [volume(2000, { converted: 'true' }, [OTHER_SERVER]), volume(2001, {}, [OTHER_SERVER])] }));
    assert.deepEqual([elsewhere.leftAttached, elsewhere.reuseAttached], [[], []], 'attachments to other servers are not ours');
  });

  it('check mode reports the plan: per disk action and volume, conversion, shutdown, cleanup, and whether anything changes', () => {
    const host = { id: HOST, name: 'conv', source: 'instanceuuid' as const };
    const plan = planMigration(
      input({
        volumes: [volume(2000, { converted: 'false', changeID: '52 1a/5' }), undefined],
        snapshots: [snapshot('snapshot-9')],
        options: options({ cbtSync: true, cutover: true }),
      }),
    );
    const volumeReq = { type: 'ceph-hdd', availabilityZone: 'az1', typeMapping: [{ vmware_datastore: 'LocalDS_0', openstack_type: 'ceph-ssd' }] };
    const sized = { datastore: 'LocalDS_0', capacity_bytes: 2 ** 30, size_gib: 1, volume_type: 'ceph-ssd', availability_zone: 'az1' };
    assert.deepEqual(checkModeOutcome(plan, host, volumeReq), {
      changed: true,
      ids: [volume(2000).id, null],
      disks: [],
      converted: false,
      conversionHost: host,
      source: { power_state_before: 'poweredOn', action: 'none', cbt_enabled_by_tool: false },
      plan: {
        disks: [
          { key: 2000, volume_name: 'vm-2000', volume_id: volume(2000).id, action: 'delta copy', data: 'not read', ...sized },
          { key: 2001, volume_name: 'vm-2001', volume_id: null, action: 'create and copy', data: 'not read', ...sized },
        ],
        conversion: true,
        shutdown: true,
        source: { power_state: 'poweredOn', action: 'stop', reason: 'cutover', enable_cbt: false },
        cleanup: ['remove snapshot osm-snap (snapshot-9) left by an earlier run'],
      },
    });
    const converted = [volume(2000, { converted: 'true' }, [HOST]), volume(2001, { converted: 'true' })];
    const leftover = checkModeOutcome(planMigration(input({ volumes: converted })), host, NO_TYPE);
    assert.deepEqual([leftover.changed, leftover.converted, leftover.plan?.conversion, leftover.plan?.cleanup], [true, true, false, [`detach volume vm-2000 (${converted[0]!.id}) from the conversion host`]]);
    const clean = checkModeOutcome(planMigration(input({ volumes: [volume(2000, { converted: 'true' }), volume(2001, { converted: 'true' })] })), host, NO_TYPE);
    const odd = checkModeOutcome(planMigration({ ...input(), vm: { ...input().vm, disks: [{ ...vmDisk(2000), capacityBytes: 2 ** 30 + 1 }] } }), host, NO_TYPE).plan?.disks[0];
    assert.deepEqual([odd?.size_gib, odd?.volume_type, odd?.availability_zone], [2, null, null], 'rounded up to whole GiB; the default type and AZ are null');
    assert.deepEqual([clean.changed, clean.converted, clean.plan?.disks.map((d) => d.action)], [false, true, ['skip (converted)', 'skip (converted)']]);
  });

  it('check mode shows what the source checks found: data per disk, a blocked disk with its problem, and no change', () => {
    const host = { id: HOST, name: 'conv', source: 'instanceuuid' as const };
    const o = options({ skipConversion: true });
    const checked = withChecks(planMigration(input({ options: o })), { name: 'vm' }, [{ key: 2000, hasData: true }, { key: 2001, hasData: false }], o);
    const out = checkModeOutcome(checked, host, NO_TYPE);
    assert.equal(out.changed, false, 'a blocked run changes nothing');
    assert.deepEqual(out.plan?.disks.map((d) => [d.action, d.data]), [['create and copy', 'yes'], ['blocked', 'none']]);
    assert.match(out.plan!.disks[1]!.problem!, /^VM vm disk 1 \(key 2001, file \[LocalDS_0\] vm\/vm_2001\.vmdk\) holds no data.*allow_empty_disks: true/);
    const allowed = withChecks(planMigration(input({ options: { ...o, allowEmptyDisks: true } })), { name: 'vm' }, [{ key: 2001, hasData: false }], { ...o, allowEmptyDisks: true });
    assert.deepEqual([allowed.blocked, checkModeOutcome(allowed, host, NO_TYPE).plan?.disks.map((d) => d.data)], [[], ['not read', 'none']]);
    const unreadable = withChecks(planMigration(input({ options: o })), { name: 'vm' }, [{ key: 2000, problem: 'cannot be read' }], { ...o, allowEmptyDisks: true });
    assert.deepEqual(unreadable.blocked.map((d) => d.blocked), ['cannot be read']);
  });

  it('refuses a VM without disks, and externalvolume for more than one disk', () => {
    assert.throws(() => checkMigratable({ name: 'empty', disks: [] }, options()), /^Error: Failed to migrate VM: no disk found on VM empty$/);
    const external = options({ volume: { external: { name: 'b', hostPool: 'h@b#p' } } });
    assert.throws(() => checkMigratable({ name: 'two', disks: [vmDisk(2000), vmDisk(2001)] }, external), /externalvolume manages one backend volume, but VM two has 2 disks/);
    checkMigratable({ name: 'one', disks: [vmDisk(2000)] }, external);
  });
});

describe('migrate steps', () => {
  const logFile = () => join(mkdtempSync(join(tmpdir(), 'osm-steps-')), 'log');
  const source = (size: number) => {
    const reads: number[] = [];
    let closed = 0;
    const s: DiskSource = {
      kind: 'local',
      size,
      parallelism: 1,
      maxReadSize: 4096,
      chunkSize: 4096,
      targetWrites: 'cached',
      stats: { bytesRead: 0, requests: 0 },
      read: async (buf, offset) => {
        reads.push(offset);
        buf.fill(1);
      },
      allocatedExtents: async () => undefined,
      close: async () => {
        closed++;
      },
    };
    return { s, reads, closed: () => closed };
  };

  it('in production a step writes its line and the source is read as it is', async () => {
    const file = logFile();
    const steps = migrationSteps(createLogger({ file, stderr: false }), new AbortController().signal, undefined);
    await steps.reached('attached', 'volume v attached to the conversion host as /dev/vdb');
    await steps.reached('copied');
    const { s } = source(8192);
    assert.equal(steps.copying(s), s);
    assert.match(readFileSync(file, 'utf8'), /level=info msg="volume v attached to the conversion host as \/dev\/vdb"\n$/);
  });

  it('fault injection stops at the named step (other steps pass) until the run is asked to stop', async () => {
    const file = logFile();
    const ac = new AbortController();
    const steps = migrationSteps(createLogger({ file, stderr: false }), ac.signal, 'attached');
    await steps.reached('volume-created');
    let settled = false;
    const paused = steps.reached('attached', 'volume v attached').finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'still paused');
    assert.match(readFileSync(file, 'utf8'), /msg="volume v attached"\n.*level=warn msg="fault injection: paused at attached"\n$/);
    ac.abort(new Error('interrupted by SIGTERM'));
    await assert.rejects(paused, /^Error: interrupted by SIGTERM$/);
  });

  it('mid-copy stops the reads from half of the disk on; every other member is the source\'s own', async () => {
    const file = logFile();
    const ac = new AbortController();
    const steps = migrationSteps(createLogger({ file, stderr: false }), ac.signal, 'mid-copy');
    const { s, reads, closed } = source(4 * 4096);
    const seen = steps.copying(s);
    assert.notEqual(seen, s);
    assert.deepEqual([seen.size, seen.kind, seen.chunkSize, seen.stats, await seen.allocatedExtents()], [s.size, 'local', 4096, s.stats, undefined]);
    await seen.read(Buffer.alloc(4096), 0);
    await seen.read(Buffer.alloc(4096), 4096);
    const third = seen.read(Buffer.alloc(4096), 8192);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(reads, [0, 4096], 'the read past half waits');
    assert.match(readFileSync(file, 'utf8'), /fault injection: paused at mid-copy/);
    ac.abort(new Error('interrupted by SIGTERM'));
    await assert.rejects(third, /interrupted by SIGTERM/);
    await seen.close();
    assert.equal(closed(), 1);
    const other = migrationSteps(createLogger({ file, stderr: false }), ac.signal, 'copied');
    assert.equal(other.copying(s), s, 'other steps leave the source alone');
  });
});

describe('migrate plan: the image target', () => {
  const state = (imageActive: boolean, stagedFinal: boolean) => ({ imageActive, stagedFinal });
  const actions = (p: ReturnType<typeof planMigration>) => p.disks.map((d) => d.action);

  it('nothing staged: every disk is copied into a fresh sparse file (zero blocks skipped), converted, with no conversion host', () => {
    const p = planMigration(input({ host: undefined, image: [state(false, false), state(false, false)] }));
    assert.deepEqual(actions(p), ['create and copy', 'create and copy']);
    assert.deepEqual([p.pending.length, p.finish, p.stopSource, p.disks.every((d) => d.targetIsZero)], [2, 'convert', 'conversion (source_power_off default)', true]);
    assert.deepEqual([p.leftAttached, p.reuseAttached], [[], []]);
  });

  it('final staged files or active images: upload and make volumes without reading or stopping the source', () => {
    const upload = planMigration(input({ host: undefined, image: [state(true, false), state(false, true)] }));
    assert.deepEqual(actions(upload), ['volume from image', 'upload image']);
    assert.deepEqual([upload.pending, upload.finish, upload.stopSource, upload.enableCbt], [[], 'convert', undefined, false]);
    const outcome = checkModeOutcome(upload, undefined, NO_TYPE);
    assert.deepEqual([outcome.changed, outcome.plan?.conversion, outcome.plan?.source.action], [true, false, 'none']);
  });

  it('the disks move together: one disk without an image or final file restages them all; a converted volume is skipped', () => {
    const mixed = planMigration(input({ host: undefined, image: [state(true, false), state(false, false)] }));
    assert.deepEqual(actions(mixed), ['create and copy', 'create and copy']);
    const done = planMigration(input({ host: undefined, volumes: [volume(2000, { converted: 'true' }), undefined], image: [state(false, false), state(true, false)] }));
    assert.deepEqual(actions(done), ['skip (converted)', 'volume from image']);
    const all = planMigration(input({ host: undefined, volumes: [volume(2000, { converted: 'true' }), volume(2001, { converted: 'true' })], image: [state(false, false), state(false, false)] }));
    assert.equal(all.finish, 'nothing');
  });

  it('cbtsync: a staged file that is an unchanged copy of a change ID gets the delta, kept until the cutover converts', () => {
    const cbt = (over: Partial<PlanOptions>, image: ReturnType<typeof state>[]) => planMigration(input({ host: undefined, options: options({ cbtSync: true, ...over }), image }));
    const copied = { ...state(false, false), stagedChangeId: '52 1a/9' };
    const presync = cbt({}, [copied, state(false, false)]);
    assert.deepEqual(presync.disks.map((d) => [d.action, d.sinceChangeId, d.targetIsZero]), [['delta copy', '52 1a/9', false], ['create and copy', undefined, true]]);
    assert.deepEqual([presync.finish, presync.stopSource], ['keep syncing', undefined]);
    const cutover = cbt({ cutover: true }, [copied, copied]);
    assert.deepEqual([actions(cutover), cutover.finish, cutover.stopSource], [['delta copy', 'delta copy'], 'convert', 'cutover']);
    const plain = planMigration(input({ host: undefined, image: [copied, copied] }));
    assert.deepEqual(actions(plain), ['create and copy', 'create and copy'], 'without cbtsync a staged copy is not reused');
  });

  it('externalvolume is refused with the image target, naming the option', () => {
    const vm = { name: 'vm', disks: [vmDisk(2000)] };
    const target = { kind: 'image', stagingDir: '/s', diskFormat: 'raw', keepImages: false } as const;
    assert.throws(() => checkMigratable(vm, { volume: { external: { name: 'b', hostPool: 'h@b#p' } }, target }), /migration_target image does not take externalvolume/);
    const params = (extra: Record<string, unknown>) => parseParams(migrateModule, { user: 'u', password: 'p', server: 'vc', vmname: 'vm', ...extra }) as Parameters<typeof migrationRequest>[0];
    assert.throws(() => migrationRequest(params({ migration_target: 'image', externalvolume: true, volumename: 'b', hostpool: 'h@b#p' })), /^ModuleFailure: migration_target image does not take externalvolume; use migration_target volume$/);
    assert.deepEqual(migrationRequest(params({ migration_target: 'image' })).target, { kind: 'image', stagingDir: '/var/tmp/os-migrate-staging', diskFormat: 'raw', keepImages: false });
    assert.deepEqual(migrationRequest(params({})).target, { kind: 'volume' });
    assert.throws(() => params({ migration_target: 'glance' }), /migration_target/);
  });
});
