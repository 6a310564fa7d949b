// Integration tests against the lab's vCenter simulator (lab/vsphere/up). A missing lab is a failure.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { changedAreas, enableCbt } from '../../src/vmware/cbt.js';
import { ConnectionError, InvalidLoginError, ThumbprintMismatchError } from '../../src/vmware/faults.js';
import { powerOff, powerOn, powerState } from '../../src/vmware/power.js';
import { VSphereSession, withSession } from '../../src/vmware/session.js';
import { createSnapshot, findSnapshots, removeSnapshot } from '../../src/vmware/snapshots.js';
import { discover } from '../../src/workflow/discovery.js';
import { type LabFacts, labFacts, labSession } from './lab-facts.js';

const diskWrite = fileURLToPath(new URL('../../../lab/vsphere/disk-write', import.meta.url));

/** A base VM the mutating tests may power-cycle, snapshot and track (not used by other tests). */
const scratchVmName = 'DC0_C1_RP0_VM5';

describe('vSphere client against the lab simulator', () => {
  let facts: LabFacts;
  before(() => {
    facts = labFacts();
  });

  it('discovers exactly the lab inventory: names, folders, MACs, disks, networks, datastores', async () => {
    const d = await withSession(labSession(facts), (s) => discover(s, undefined));
    const expected = [...facts.vms, ...facts.base_vms].sort((a, b) => (a.name < b.name ? -1 : 1));
    const got = [...d.vms].sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(
      got.map((vm) => vm.name),
      expected.map((vm) => vm.name),
    );
    for (const [i, vm] of got.entries()) {
      const want = expected[i]!;
      assert.equal(vm.moid, want.moid, vm.name);
      assert.equal(vm.folder, want.folder, vm.name);
      assert.equal(vm.guestId, want.guest_id, vm.name);
      assert.equal(vm.firmware, want.firmware, vm.name);
      assert.deepEqual(
        vm.disks.map((x) => [x.key, x.capacityBytes, x.datastore, x.fileName]),
        want.disks.map((x) => [x.key, x.capacity_bytes, x.datastore, x.file_name]),
        vm.name,
      );
      assert.deepEqual(
        vm.nics.map((n) => [n.key, n.mac, n.network, n.networkMoid, n.portgroupKey ?? null, n.ipAddresses]),
        want.nics.map((n) => [n.key, n.mac, n.network, n.network_moid, n.portgroup_key ?? null, [n.ip]]),
        vm.name,
      );
    }
    assert.deepEqual(d.inventory.datastores.map((ds) => ds.name).sort(), Object.keys(facts.datastores).sort());
    assert.deepEqual(d.inventory.datacenters.map((dc) => dc.name), [facts.datacenter]);
  });

  it('fails a wrong password with InvalidLoginError, without the password in the message', async () => {
    await assert.rejects(VSphereSession.open({ ...labSession(facts), password: 'not-the-lab-password' }), (e: Error) => {
      return e instanceof InvalidLoginError && !e.message.includes('not-the-lab-password');
    });
  });

  it('verifies TLS: the lab CA or its thumbprint work, nothing else does', async () => {
    const { caFile: _ca, ...noCa } = labSession(facts);
    await assert.rejects(VSphereSession.open(noCa), ConnectionError);
    await assert.rejects(VSphereSession.open({ ...noCa, thumbprint: '01'.repeat(20) }), ThumbprintMismatchError);
    await withSession({ ...noCa, thumbprint: facts.thumbprint }, async (s) => assert.equal(s.serviceContent.about.apiType, 'VirtualCenter'));
  });

  it('creates, finds and removes a snapshot', async () => {
    await withSession(labSession(facts), async (s) => {
      const vm = { type: 'VirtualMachine', value: facts.base_vms.find((v) => v.name === scratchVmName)!.moid };
      const name = `osm-test-${process.pid}`;
      const snap = await createSnapshot(s, vm, name, 'lab test');
      assert.deepEqual((await findSnapshots(s, vm, name)).map((x) => x.moid), [snap.value]);
      await removeSnapshot(s, snap);
      assert.deepEqual(await findSnapshots(s, vm, name), []);
    });
  });

  it('powers a VM off (guest shutdown, hard when asked) and on again', async () => {
    await withSession(labSession(facts), async (s) => {
      const vm = { type: 'VirtualMachine', value: facts.base_vms.find((v) => v.name === scratchVmName)!.moid };
      await powerOn(s, vm);
      assert.notEqual(await powerOff(s, vm, { timeoutMs: 10_000, force: true }), 'already');
      assert.equal(await powerState(s, vm), 'poweredOff');
      assert.equal(await powerOff(s, vm, { timeoutMs: 1000, force: false }), 'already');
      assert.equal(await powerOn(s, vm), true);
      assert.equal(await powerState(s, vm), 'poweredOn');
    });
  });

  it('enables CBT and reports exactly the area written since a change id, across empty windows', async () => {
    const base = facts.base_vms.find((v) => v.name === scratchVmName)!;
    const disk = base.disks[0]!;
    await withSession(labSession(facts), async (s) => {
      const vm = { type: 'VirtualMachine', value: base.moid };
      await enableCbt(s, vm);
      assert.equal(await enableCbt(s, vm), false, 'enabling twice changes nothing');
      const before = (await discover(s, [scratchVmName])).vms[0]!.disks[0]!.changeId;
      assert.match(before, /\/\d+$/);
      const offset = disk.capacity_bytes - 3 * 65536; // far past the first, empty windows
      // fresh random bytes: the lab reports only blocks whose content changed
      execFileSync(diskWrite, [scratchVmName, '0', String(offset), '-'], { input: randomBytes(4096), stdio: ['pipe', 'ignore', 'inherit'] });
      // one snapshot per run: the simulator leaks snapshot files when a VM has two
      const snap = await createSnapshot(s, vm, `osm-test-cbt-${process.pid}`);
      try {
        const areas = await changedAreas(s, vm, snap, disk.key, disk.capacity_bytes, before);
        assert.equal(areas.length, 1, JSON.stringify(areas));
        assert.ok(areas[0]!.start <= offset && areas[0]!.start + areas[0]!.length >= offset + 4096, JSON.stringify(areas));
      } finally {
        await removeSnapshot(s, snap);
      }
    });
  });
});
