// vmware_inventory run as Ansible runs it (built executable, args file, empty environment) against the lab.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type LabFacts, labFacts } from '../vmware/lab-facts.js';
import { runModule } from '../helpers/run-module.js';

describe('vmware_inventory module against the lab', () => {
  let facts: LabFacts;
  let connection: Record<string, unknown>;
  before(() => {
    facts = labFacts();
    connection = {
      vcenter_hostname: `${facts.host}:${facts.port}`,
      vcenter_username: facts.user,
      vcenter_password: facts.password,
      vcenter_ca_file: facts.cert_path,
    };
  });

  it('writes upstream-compatible files for every lab VM, then changes nothing on a second run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-export-'));
    const all = [...facts.vms, ...facts.base_vms];
    const dvKey = all.flatMap((v) => v.nics).find((n) => n.portgroup_key)!.portgroup_key!;
    const args = {
      ...connection,
      vms_list: all.map((v) => v.name),
      os_migrate_vmw_data_dir: dir,
      used_mapped_networks: true,
      network_map: { 'VM Network': 'public', [dvKey]: 'private,subnet-1' },
    };
    const first = runModule('vmware_inventory', args);
    assert.equal(first.code, 0, first.stdout);
    assert.equal(first.result.changed, true);
    for (const vm of all) {
      const vmDir = join(dir, vm.name);
      const guest = JSON.parse(readFileSync(join(vmDir, 'guest_info.json'), 'utf8'));
      assert.equal(guest.moid, vm.moid);
      assert.equal(guest.hw_folder, vm.folder);
      assert.equal(typeof guest.hw_processor_count, 'number');
      assert.equal(typeof guest.hw_memtotal_mb, 'number');
      vm.nics.forEach((nic, i) => {
        assert.equal(guest[`hw_eth${i}`].macaddress, nic.mac);
        assert.deepEqual(guest[`hw_eth${i}`].ipaddresses, [nic.ip]);
        assert.equal(guest[`hw_eth${i}`].portgroup_key, nic.portgroup_key ?? null);
      });
      const disks = JSON.parse(readFileSync(join(vmDir, 'disk_info.json'), 'utf8'));
      assert.deepEqual(disks.disk_keys, vm.disks.map((d) => String(d.key)));
      assert.deepEqual(disks.disks.map((d: { capacity: number }) => d.capacity), vm.disks.map((d) => d.capacity_bytes));
      const nics = JSON.parse(readFileSync(join(vmDir, 'nics.json'), 'utf8'));
      assert.deepEqual(
        nics.map((n: { vlan: string; mac: string; subnet?: string }) => [n.vlan, n.mac, n.subnet ?? null]),
        vm.nics.map((n) => (n.portgroup_key ? ['private', n.mac, 'subnet-1'] : ['public', n.mac, null])),
      );
      assert.equal(JSON.parse(readFileSync(join(vmDir, 'network_info.json'), 'utf8')).length, vm.nics.length);
      assert.ok(!existsSync(join(vmDir, 'macs.json')));
    }
    const again = runModule('vmware_inventory', args);
    assert.equal(again.result.changed, false);
    assert.deepEqual(again.result.files, []);
  });

  it('whole inventory in check mode reports the change and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-inventory-'));
    const run = runModule('vmware_inventory', { ...connection, os_migrate_vmw_data_dir: dir, whole_inventory: true, _ansible_check_mode: true });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.result.changed, true);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal((run.result.totals as { vms: number }).vms, facts.vms.length + facts.base_vms.length);
  });

  it('whole inventory lists every VM and, per network, the VMs on it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-inventory-'));
    const run = runModule('vmware_inventory', { ...connection, os_migrate_vmw_data_dir: dir, whole_inventory: true });
    assert.equal(run.code, 0, run.stdout);
    const report = JSON.parse(readFileSync(join(dir, 'vmware_inventory.json'), 'utf8'));
    assert.deepEqual(report.vms.map((v: { name: string }) => v.name).sort(), [...facts.vms, ...facts.base_vms].map((v) => v.name).sort());
    const byNetwork = new Map<string, string[]>(report.networks.map((n: { name: string; vms: string[] }) => [n.name, n.vms]));
    for (const vm of [...facts.vms, ...facts.base_vms]) for (const nic of vm.nics) assert.ok(byNetwork.get(nic.network)?.includes(vm.name), `${vm.name} on ${nic.network}`);
    assert.match(readFileSync(join(dir, 'vmware_inventory.txt'), 'utf8'), /VMs per network/);
  });

  it('a VM that does not exist fails naming the closest names', () => {
    const run = runModule('vmware_inventory', { ...connection, os_migrate_vmw_data_dir: mkdtempSync(join(tmpdir(), 'osm-x-')), vms_list: ['osm-singel'] });
    assert.equal(run.code, 1);
    assert.match(String(run.result.msg), /VM "osm-singel" was not found.*closest names: "osm-single"/);
  });

  it('a wrong password fails cleanly without showing it', () => {
    const run = runModule('vmware_inventory', {
      ...connection,
      vcenter_password: 'wrong-lab-password',
      os_migrate_vmw_data_dir: mkdtempSync(join(tmpdir(), 'osm-x-')),
      vms_list: ['osm-single'],
    });
    assert.equal(run.code, 1);
    assert.match(String(run.result.msg), /rejected the user name or password/);
    assert.ok(!run.stdout.includes('wrong-lab-password') && !run.stderr.includes('wrong-lab-password'));
  });

  it('a wrong thumbprint fails before logging in; the right one works without a CA', () => {
    const { vcenter_ca_file: _ca, ...noCa } = connection;
    const dir = mkdtempSync(join(tmpdir(), 'osm-x-'));
    const wrong = runModule('vmware_inventory', { ...noCa, vcenter_thumbprint: '12'.repeat(20), os_migrate_vmw_data_dir: dir, vms_list: ['osm-single'] });
    assert.equal(wrong.code, 1);
    assert.match(String(wrong.result.msg), /SHA-1 thumbprint .* but 12:12:.* was expected; nothing was sent/);
    assert.deepEqual(readdirSync(dir), []);
    const right = runModule('vmware_inventory', { ...noCa, vcenter_thumbprint: facts.thumbprint, os_migrate_vmw_data_dir: dir, vms_list: ['osm-single'] });
    assert.equal(right.code, 0, right.stdout);
  });
});
