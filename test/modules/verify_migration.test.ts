// verify_migration run as Ansible runs it (built executable, args file, empty environment).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runModule } from '../helpers/run-module.js';
import { cloud, vmFacts, vsphere } from '../workflow/migrate-lab.js';

const VM = 'osm-efi';

function args(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const v = vsphere();
  return {
    cloud: cloud(),
    vcenter_hostname: `${v.host}:${v.port}`,
    vcenter_username: v.user,
    vcenter_password: v.password,
    vmware_ca_file: v.cert_path,
    vm_name: VM,
    os_migrate_vmw_data_dir: '/nonexistent-osm-data',
    network_name: 'frontier-net',
    ...extra,
  };
}

describe('verify_migration module', () => {
  it('refuses bad input with a clear error, before reading anything', () => {
    const r = runModule('verify_migration', args({ verify_tcp_ports: [70000] }));
    assert.equal(r.code, 1);
    assert.match(String(r.result.msg), /verify_tcp_ports/);
    const typo = runModule('verify_migration', args({ verify_checksum: true }));
    assert.equal(typo.code, 1);
    assert.match(String(typo.result.msg), /verify_checksum/);
  });

  it('takes exactly one of vm_name and vms_list', () => {
    for (const extra of [{ vms_list: [VM] }, { vm_name: undefined }]) {
      const r = runModule('verify_migration', JSON.parse(JSON.stringify(args(extra))) as Record<string, unknown>);
      assert.equal(r.code, 1, JSON.stringify(extra));
      assert.match(String(r.result.msg), /give exactly one of vm_name \(one VM\) and vms_list \(several VMs\)/);
    }
    const empty = runModule('verify_migration', { ...args({ vms_list: [] }), vm_name: undefined });
    assert.equal(empty.code, 1);
    assert.match(String(empty.result.msg), /vms_list/);
  });

  it('a VM without the migration files fails naming the file and the step to run', () => {
    const r = runModule('verify_migration', args());
    assert.equal(r.code, 1);
    assert.match(String(r.result.msg), /^Failed to verify VM osm-efi: cannot read \/nonexistent-osm-data\/osm-efi\/import_workloads\.json .*run the gather_guest_metadata and convert_metadata steps/);
    assert.equal(r.result.passed, false);
  });

  it('in check mode against the lab, a VM that was not migrated fails, listing each failed check, and nothing changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-verify-mod-'));
    const f = vmFacts(VM);
    mkdirSync(join(dir, VM));
    writeFileSync(join(dir, VM, 'import_workloads.json'), JSON.stringify({ vm_name: VM, openstack: { flavor_name_or_uuid: 'm1.tiny' }, vmware_guest_info: { hw_folder: f.folder } }));
    writeFileSync(join(dir, VM, 'macs.json'), JSON.stringify(f.nics.map((n) => ({ mac: n.mac, ipaddresses: [], subnet: '' }))));
    const r = runModule('verify_migration', { ...args({ os_migrate_vmw_data_dir: dir, skip_conversion: true, verify_checksums: true }), _ansible_check_mode: true });
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.result.changed, false);
    const v = r.result.verification as { passed: boolean; checks: { id: string; passed: boolean | null }[] };
    assert.equal(v.passed, false);
    const failed = v.checks.filter((c) => c.passed === false).map((c) => c.id);
    assert.ok(failed.includes('server.active'), JSON.stringify(failed));
    for (const id of failed) assert.ok(String(r.result.msg).includes(id), `${id} missing from ${String(r.result.msg)}`);
    assert.match(String(r.result.msg), /^VM osm-efi failed verification: /);
    assert.equal(v.checks.find((c) => c.id === 'volume.sha256.2000')?.passed, null);

    // vms_list: both VMs in one run, in the order given; one without its files fails with the error, not the others.
    const many = runModule('verify_migration', {
      ...args({ os_migrate_vmw_data_dir: dir, skip_conversion: true, vms_list: ['osm-missing-files', VM], verify_console_patterns: { [VM]: 'login:' } }),
      vm_name: undefined,
      _ansible_check_mode: true,
    });
    assert.equal(many.code, 1, many.stdout);
    const all = many.result.verifications as { vm: string; passed: boolean; error?: string; checks: { id: string; passed: boolean | null }[] }[];
    assert.deepEqual(all.map((x) => [x.vm, x.passed]), [['osm-missing-files', false], [VM, false]]);
    assert.match(String(all[0]!.error), /osm-missing-files\/import_workloads\.json/);
    assert.deepEqual(all[0]!.checks, []);
    assert.deepEqual(all[1]!.checks.filter((c) => c.passed === false).map((c) => c.id), failed.filter((id) => !id.startsWith('guest.')));
    assert.match(String(many.result.msg), /^2 of 2 VMs failed verification: osm-missing-files: cannot read .* \| osm-efi: server\.active/);
  });
});
