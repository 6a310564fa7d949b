import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildInventory } from '../../src/vmware/inventory.js';
import type { ObjectContent } from '../../src/vmware/property-collector.js';
import { readObjects } from './recorded-vm.js';
import { busOf, flattenSnapshots, vmDetail } from '../../src/vmware/vm.js';
import { at, parseXml } from '../../src/vmware/xml.js';
import { mixedDeviceVm } from './recorded-vm.js';
import { fixture } from './replay-server.js';

describe('VM detail from recorded polymorphic devices', () => {
  const vm = mixedDeviceVm();

  it('finds every disk with bus, capacity in bytes, datastore, thin flag and change id', () => {
    assert.deepEqual(
      vm.disks.map((d) => [d.key, d.bus, d.busNumber, d.unitNumber, d.capacityBytes, d.datastore, d.backingType, d.thinProvisioned, d.changeId]),
      [
        [2000, 'scsi', 0, 0, 42949672960, 'datastore1', 'VirtualDiskFlatVer2BackingInfo', true, '52 64 3d 2e 44 c3 62 2f-d2 4a e9 fd 82 39 54 85/138'],
        [16000, 'sata', 0, 0, 1024 ** 4, 'ds-big', 'VirtualDiskSeSparseBackingInfo', undefined, '52 aa/7'],
        [32000, 'nvme', 1, 0, 10 * 1024 ** 3, 'datastore1', 'VirtualDiskRawDiskMappingVer1BackingInfo', undefined, ''],
      ],
    );
    assert.equal(vm.disks[0]!.fileName, '[datastore1] web-01/web-01.vmdk');
  });

  it('finds NICs on distributed and standard networks with MAC, port group key, PCI slot and guest IPs', () => {
    assert.deepEqual(
      vm.nics.map((n) => [n.deviceType, n.mac, n.network, n.portgroupKey, n.portKey, n.pciSlot, n.connected, n.ipAddresses]),
      [
        ['VirtualVmxnet3', '00:50:56:AB:CD:01', 'dv-prod', 'dvportgroup-33', '17', 192, true, ['192.0.2.10', 'fe80::250:56ff:feab:cd01']],
        ['VirtualE1000e', '00:50:56:00:00:02', 'Prod & Backup', undefined, undefined, 224, false, []],
      ],
    );
  });

  it('reads hardware, firmware, CBT, folder, datastores and the snapshot tree', () => {
    assert.equal(vm.numCpu, 4);
    assert.equal(vm.memoryMb, 8192);
    assert.equal(vm.firmware, 'efi');
    assert.equal(vm.changeTrackingEnabled, true);
    assert.equal(vm.folder, '/DC1/vm');
    assert.equal(vm.path, '/DC1/vm/web-01');
    assert.deepEqual(vm.datastores, ['datastore1', 'ds-big']);
    assert.deepEqual(flattenSnapshots(vm.snapshots).map((s) => [s.name, s.moid]), [['before-upgrade', 'snapshot-5'], ['osm-snap', 'snapshot-7']]);
    assert.equal(vm.currentSnapshot, 'snapshot-7');
  });

  it('maps controller types to buses like upstream (unknown -> scsi)', () => {
    assert.deepEqual(
      ['ParaVirtualSCSIController', 'VirtualLsiLogicSASController', 'VirtualSATAController', 'VirtualIDEController', 'VirtualNVMEController', 'Whatever'].map(busOf),
      ['scsi', 'scsi', 'sata', 'ide', 'nvme', 'scsi'],
    );
  });

  it('reads the lab simulator answer for a two-NIC VM', () => {
    const objects: ObjectContent[] = [];
    readObjects(at(parseXml(fixture('vm-multinic-hardware.xml')), 'Body.RetrievePropertiesExResponse.returnval'), objects);
    const props = objects[0]!.props;
    const inv = buildInventory([{ obj: objects[0]!.obj, props }]);
    const d = vmDetail(inv.vms[0]!, props, inv);
    assert.equal(d.name, 'osm-multinic');
    assert.deepEqual(d.nics.map((n) => [n.mac, n.portgroupKey ?? null]), [['00:50:56:01:03:00', null], ['00:50:56:01:03:01', 'dvportgroup-13']]);
    assert.deepEqual(d.disks.map((n) => [n.key, n.capacityBytes]), [[2000, 64 * 1024 ** 2]]);
  });
});
