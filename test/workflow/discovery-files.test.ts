import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closestNames, resolveVms, UnknownVmError } from '../../src/workflow/discovery.js';
import { diskInfo, guestInfo, guestNicFacts, networkFiles, pythonJson, vmFiles } from '../../src/workflow/discovery-files.js';
import { inventoryReport, inventorySummary } from '../../src/workflow/discovery-report.js';
import { buildInventory } from '../../src/vmware/inventory.js';
import { parseXml } from '../../src/vmware/xml.js';
import { mixedDeviceVm } from '../vmware/recorded-vm.js';

const vm = mixedDeviceVm();

describe('export_metadata files from a discovered VM', () => {
  it('guest_info.json has the keys the workflow reads, like the vmware guest_info facts', () => {
    const g = guestInfo(vm);
    assert.equal(g.hw_name, 'web-01');
    assert.equal(g.hw_folder, '/DC1/vm');
    assert.equal(g.hw_processor_count, 4);
    assert.equal(g.hw_memtotal_mb, 8192);
    assert.equal(g.moid, 'vm-42');
    assert.equal(g.hw_guest_id, 'rhel9_64Guest');
    assert.equal(g.hw_power_status, 'poweredOn');
    assert.equal(g.firmware, 'efi');
    assert.deepEqual(g.hw_interfaces, ['eth0', 'eth1']);
    assert.deepEqual(g.hw_eth0, {
      addresstype: 'assigned',
      label: 'Network adapter 1',
      macaddress: '00:50:56:AB:CD:01',
      macaddress_dash: '00-50-56-AB-CD-01',
      ipaddresses: ['192.0.2.10', 'fe80::250:56ff:feab:cd01'],
      summary: 'DVSwitch: 50 2d 8c 1e',
      portgroup_portkey: '17',
      portgroup_key: 'dvportgroup-33',
    });
    assert.equal((g.hw_eth1 as { portgroup_key: unknown }).portgroup_key, null);
    assert.equal((g.hw_eth1 as { ipaddresses: unknown }).ipaddresses, null);
    assert.deepEqual((g.current_snapshot as { name: string }).name, 'osm-snap');
  });

  it('disk_info.json has capacities in bytes and the disk keys in device order', () => {
    const d = diskInfo(vm);
    assert.deepEqual(d.disk_keys, ['2000', '16000', '32000']);
    assert.deepEqual(d.disks.map((x) => [x.capacity, x.type, x.label]), [
      [42949672960, 'SCSI', 'Hard disk 1'],
      [1024 ** 4, 'SATA', 'Hard disk 2'],
      [10 * 1024 ** 3, 'NVME', 'Hard disk 3'],
    ]);
    assert.deepEqual(d.disks[0]!.backing, { type: 'VMDK_FILE', vmdk_file: '[datastore1] web-01/web-01.vmdk' });
    assert.deepEqual(d.disks[0]!.scsi, { bus: 0, unit: 0 });
  });

  it('mapped networks: nics.json by port-group key or summary, subnet when given, unmapped NICs dropped', () => {
    const facts = guestInfo(vm);
    const files = networkFiles('web-01', facts, { mapped: true, networkMap: { 'dvportgroup-33': 'private,sub-1' }, subnetUuid: '' });
    assert.deepEqual(files['nics.json'], [{ vlan: 'private', subnet: 'sub-1', mac: '00:50:56:AB:CD:01', ipaddresses: ['192.0.2.10', 'fe80::250:56ff:feab:cd01'] }]);
    assert.deepEqual(files['network_info.json'], guestNicFacts(facts));
    const both = networkFiles('web-01', facts, { mapped: true, networkMap: { 'dvportgroup-33': 'a', 'Prod & Backup': 'b' }, subnetUuid: '' });
    assert.deepEqual((both['nics.json'] as { vlan: string }[]).map((n) => n.vlan), ['a', 'b']);
  });

  it('mapped networks with nothing mapped fail, listing the NICs and the map', () => {
    assert.throws(
      () => networkFiles('web-01', guestInfo(vm), { mapped: true, networkMap: { other: 'x' }, subnetUuid: '' }),
      /web-01.*portgroup_key=dvportgroup-33.*summary=Prod & Backup.*"other":"x"/,
    );
  });

  it('unmapped networks: macs.json for every NIC with the subnet', () => {
    const files = vmFiles(vm, { mapped: false, networkMap: {}, subnetUuid: 'sub-9' });
    assert.equal(
      files['macs.json'],
      '[{"mac": "00:50:56:AB:CD:01", "ipaddresses": ["192.0.2.10", "fe80::250:56ff:feab:cd01"], "subnet": "sub-9"}, {"mac": "00:50:56:00:00:02", "ipaddresses": null, "subnet": "sub-9"}]',
    );
    assert.deepEqual(Object.keys(files).sort(), ['disk_info.json', 'guest_info.json', 'macs.json']);
  });

  it('writes JSON the way Python does (sorted, indent 4, ASCII escapes)', () => {
    assert.equal(pythonJson({ b: [1, 'é'], a: {} }, 4, true), '{\n    "a": {},\n    "b": [\n        1,\n        "\\u00e9"\n    ]\n}');
    assert.equal(pythonJson({ b: 1, a: [true, null] }, null, false), '{"b": 1, "a": [true, null]}');
  });
});

describe('VM names', () => {
  const inv = buildInventory(
    ['web-01', 'web-02', 'db-primary', 'osm-single'].map((name, i) => ({
      obj: { type: 'VirtualMachine', value: `vm-${i}` },
      props: new Map([['name', parseXml(`<val>${name}</val>`)]]),
    })),
  );

  it('a missing VM fails naming the closest existing names', () => {
    assert.throws(() => resolveVms(inv, ['web-1', 'osm-singel'], 'vc:443'), (e: Error) => {
      assert.ok(e instanceof UnknownVmError);
      assert.match(e.message, /VM "web-1" was not found on vc:443; closest names: "web-01", "web-02"/);
      assert.match(e.message, /VM "osm-singel".*"osm-single"/);
      return true;
    });
    assert.deepEqual(closestNames('DB-PRIMARY', ['db-primary', 'x']), ['db-primary']);
  });

  it('resolves names and inventory paths', () => {
    assert.deepEqual(resolveVms(inv, ['db-primary', '/web-02'], 'vc').map((v) => v.moid), ['vm-2', 'vm-1']);
  });
});

describe('whole-inventory report', () => {
  it('lists per network and per datastore the VMs that use them', () => {
    const r = inventoryReport({
      server: 'vc:443',
      about: { fullName: 'VMware vCenter Server 8', apiType: 'VirtualCenter', apiVersion: '8.0', instanceUuid: 'u' },
      inventory: buildInventory([]),
      vms: [vm],
    });
    assert.deepEqual(r.totals, { vms: 1, powered_on: 1, disks: 3, disk_bytes: 42949672960 + 1024 ** 4 + 10 * 1024 ** 3, nics: 2, cbt_enabled: 1 });
    assert.deepEqual(r.vms[0]!.nics.map((n) => n.network), ['dv-prod', 'Prod & Backup']);
    const text = inventorySummary(r);
    assert.match(text, /1 VMs \(1 powered on\), 3 disks/);
    assert.match(text, /web-01 +poweredOn +rhel9_64Guest +efi +4 +8192 +on/);
  });
});
