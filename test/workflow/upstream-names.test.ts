import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isUpstreamFlavorName,
  isUpstreamPortName,
  isUpstreamV2vVolume,
  parseUpstreamPortName,
  upstreamServerNames,
} from '../../src/workflow/upstream-names.js';

const prod = { id: '6f1c2a9e-0d3b-4c55-9a7e-2b8f1d4e5c6a', name: 'prod' };

test('servers: SafeVmName (create_server) or the raw name (Heat), nothing else', () => {
  assert.deepEqual(upstreamServerNames('web-01'), ['web-01']);
  assert.deepEqual(upstreamServerNames('My VM (prod) #1'), ['My_VM_prod_1', 'My VM (prod) #1']);
  assert.deepEqual(upstreamServerNames('straße.01'), ['strasse_01', 'straße.01']);
  assert.deepEqual(upstreamServerNames('a'.repeat(70)), ['a'.repeat(64), 'a'.repeat(70)]);
  // A name SafeVmName empties still has its raw form; the empty string is never a name.
  assert.deepEqual(upstreamServerNames('@@@'), ['@@@']);
  assert.ok(!upstreamServerNames('web').includes('web-1'));
  assert.ok(!upstreamServerNames('web-1').includes('web'));
});

test('ports: <SafeVmName>-NIC-<index>-VLAN-<network>, with the index and the network as written', () => {
  assert.deepEqual(parseUpstreamPortName('web', 'web-NIC-0-VLAN-prod'), { nic: 0, network: 'prod' });
  // NIC indexes past 9, no leading zeros, no signs
  assert.deepEqual(parseUpstreamPortName('web', 'web-NIC-10-VLAN-prod'), { nic: 10, network: 'prod' });
  assert.deepEqual(parseUpstreamPortName('web', 'web-NIC-123-VLAN-prod'), { nic: 123, network: 'prod' });
  for (const bad of ['web-NIC-01-VLAN-prod', 'web-NIC--1-VLAN-prod', 'web-NIC-1a-VLAN-prod', 'web-NIC-VLAN-prod', 'web-NIC-0-VLAN-']) {
    assert.equal(parseUpstreamPortName('web', bad), undefined, bad);
  }
  // network names with dashes, even with -VLAN- in them, and network IDs
  assert.deepEqual(parseUpstreamPortName('web', 'web-NIC-2-VLAN-prod-net-1'), { nic: 2, network: 'prod-net-1' });
  assert.deepEqual(parseUpstreamPortName('web', 'web-NIC-2-VLAN-a-VLAN-b'), { nic: 2, network: 'a-VLAN-b' });
  assert.deepEqual(parseUpstreamPortName('web', `web-NIC-3-VLAN-${prod.id}`), { nic: 3, network: prod.id });
  // case matters, as in upstream's names
  assert.equal(parseUpstreamPortName('web', 'web-nic-0-vlan-prod'), undefined);
  assert.equal(parseUpstreamPortName('Web', 'web-NIC-0-VLAN-prod'), undefined);
  // neighbouring VMs: web, web-1, web1 never take each other's ports
  assert.equal(parseUpstreamPortName('web', 'web-1-NIC-0-VLAN-prod'), undefined);
  assert.equal(parseUpstreamPortName('web', 'web1-NIC-0-VLAN-prod'), undefined);
  assert.equal(parseUpstreamPortName('web-1', 'web-NIC-0-VLAN-prod'), undefined);
  assert.deepEqual(parseUpstreamPortName('web-1', 'web-1-NIC-0-VLAN-prod'), { nic: 0, network: 'prod' });
});

test('ports: the VM part is sanitised as upstream sanitises it, and the raw name does not match', () => {
  assert.ok(parseUpstreamPortName('My VM (prod) #1', 'My_VM_prod_1-NIC-0-VLAN-prod'));
  assert.equal(parseUpstreamPortName('My VM (prod) #1', 'My VM (prod) #1-NIC-0-VLAN-prod'), undefined);
  assert.ok(parseUpstreamPortName('Mi-VM.2025', 'Mi-VM_2025-NIC-4-VLAN-prod'));
  assert.ok(parseUpstreamPortName('vm--01', 'vm-01-NIC-0-VLAN-prod'));
  assert.ok(parseUpstreamPortName('straße_01', 'strasse_01-NIC-0-VLAN-prod'));
  assert.ok(parseUpstreamPortName('a'.repeat(70), `${'a'.repeat(64)}-NIC-0-VLAN-prod`));
  assert.equal(parseUpstreamPortName('a'.repeat(70), `${'a'.repeat(70)}-NIC-0-VLAN-prod`), undefined);
  // a VM name SafeVmName empties has no upstream port name
  assert.equal(parseUpstreamPortName('@@@', '-NIC-0-VLAN-prod'), undefined);
});

test("ports: the network named in the port's name must be the port's own network, by name or ID", () => {
  assert.ok(isUpstreamPortName('web', 'web-NIC-0-VLAN-prod', prod));
  assert.ok(isUpstreamPortName('web', `web-NIC-0-VLAN-${prod.id}`, prod));
  assert.ok(!isUpstreamPortName('web', 'web-NIC-0-VLAN-prod', { id: prod.id, name: 'dev' }));
  assert.ok(!isUpstreamPortName('web', 'web-NIC-0-VLAN-prod-net', prod));
  assert.ok(isUpstreamPortName('web', 'web-NIC-11-VLAN-prod-net-1', { id: prod.id, name: 'prod-net-1' }));
  assert.ok(!isUpstreamPortName('web', 'web-port-0', prod));
});

test('flavors: osm-vmware-<raw VM name>-<0 to 9998>', () => {
  for (const ok of ['osm-vmware-web-0', 'osm-vmware-web-7', 'osm-vmware-web-42', 'osm-vmware-web-9998']) assert.ok(isUpstreamFlavorName('web', ok), ok);
  for (const bad of ['osm-vmware-web-9999', 'osm-vmware-web-12345', 'osm-vmware-web-012', 'osm-vmware-web-00', 'osm-vmware-web--1', 'osm-vmware-web-', 'osm-vmware-web-x', 'osm-vmware-web', 'OSM-vmware-web-1']) {
    assert.ok(!isUpstreamFlavorName('web', bad), bad);
  }
  // neighbouring VMs
  assert.ok(!isUpstreamFlavorName('web', 'osm-vmware-web-1-42'));
  assert.ok(isUpstreamFlavorName('web-1', 'osm-vmware-web-1-42'));
  assert.ok(!isUpstreamFlavorName('web-1', 'osm-vmware-web-42'));
  assert.ok(!isUpstreamFlavorName('web', 'osm-vmware-web1-42'));
  // upstream's convert_metadata formats the raw VM name into the flavor name
  assert.ok(isUpstreamFlavorName('My VM (prod) #1', 'osm-vmware-My VM (prod) #1-17'));
  assert.ok(!isUpstreamFlavorName('My VM (prod) #1', 'osm-vmware-My_VM_prod_1-17'));
});

test("volumes of upstream's virt-v2v path: <vm>-sd<letters> with virt_v2v_guest_name=<vm>", () => {
  const v = (name: string, guest?: string) => ({ name, metadata: guest === undefined ? {} : ({ virt_v2v_guest_name: guest } as Record<string, string>) });
  assert.ok(isUpstreamV2vVolume('web', v('web-sda', 'web')));
  assert.ok(isUpstreamV2vVolume('web', v('web-sdab', 'web')));
  assert.ok(isUpstreamV2vVolume('My VM', v('My VM-sdb', 'My VM')));
  assert.ok(!isUpstreamV2vVolume('web', v('web-sda')), 'without the property');
  assert.ok(!isUpstreamV2vVolume('web', v('web-sda', 'web-1')), 'another guest');
  assert.ok(!isUpstreamV2vVolume('web', v('web-sda1', 'web')));
  assert.ok(!isUpstreamV2vVolume('web', v('web-vda', 'web')));
  assert.ok(!isUpstreamV2vVolume('web', v('web-2000', 'web')));
  assert.ok(!isUpstreamV2vVolume('web', v('web-1-sda', 'web')));
  assert.ok(!isUpstreamV2vVolume('web-1', v('web-sda', 'web-1')));
});
