// vmware_assessment against the lab's fixtures made to fail its checks (lab/vsphere/vcsim: osm-independent,
// osm-snapshot, the user osm-limited; lab/openstack/seed.py assessment: the port ffp-mac-holder).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type AssessmentFile, assessmentFile } from '../../src/workflow/assessment/assessment-file.js';
import { runModule } from '../helpers/run-module.js';
import { cloud, labDir, vsphere } from '../workflow/migrate-lab.js';

const FIXTURES = ['osm-independent', 'osm-snapshot', 'osm-single'];

function assessAs(user: string, password: string): AssessmentFile {
  const v = vsphere();
  const r = runModule('vmware_assessment', {
    os_migrate_vmw_data_dir: mkdtempSync(join(tmpdir(), 'osm-assess-fx-')),
    dst_cloud: cloud(),
    vcenter_hostname: `${v.host}:${v.port}`,
    vcenter_username: user,
    vcenter_password: password,
    vmware_ca_file: v.cert_path,
    disk_source: 'https',
    skip_conversion: true,
    network_name: 'frontier-net',
    security_groups: ['osm-sg'],
    vms_list: FIXTURES,
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return assessmentFile.parse(JSON.parse(readFileSync(String(r.result.path), 'utf8')));
}

const vmOf = (a: AssessmentFile, name: string) => a.vms.find((v) => v.name === name)!;
const checkOf = (a: AssessmentFile, vm: string, id: string) => vmOf(a, vm).checks.find((c) => c.id === id)!;

describe('vmware_assessment against the lab fixtures', () => {
  it('blocks the VM with an independent disk, warns about the user snapshot, and blocks the MAC another project holds', () => {
    const v = vsphere();
    const a = assessAs(v.user, v.password);
    assert.equal(vmOf(a, 'osm-independent').status, 'blocked');
    assert.equal(checkOf(a, 'osm-independent', 'vm.independent_disks').severity, 'blocker');
    assert.match(checkOf(a, 'osm-independent', 'vm.independent_disks').message, /independent_persistent/);
    assert.equal(checkOf(a, 'osm-snapshot', 'vm.snapshots').severity, 'warning');
    assert.match(checkOf(a, 'osm-snapshot', 'vm.snapshots').message, /pre-upgrade/);
    const fx = JSON.parse(readFileSync(join(labDir, 'openstack-assessment.json'), 'utf8')) as { mac_holder: { port_id: string; mac: string } };
    const mac = checkOf(a, 'osm-snapshot', 'openstack.mac_conflict');
    assert.equal(mac.severity, 'blocker');
    assert.ok(mac.message.includes(fx.mac_holder.port_id) && mac.message.includes(fx.mac_holder.mac), mac.message);
    assert.equal(checkOf(a, 'osm-single', 'openstack.mac_conflict').severity, 'ok');
    assert.equal(checkOf(a, 'osm-single', 'vcenter.privileges').severity, 'ok');
  });

  it("a vCenter user lacking privileges: each VM blocked naming what is missing on it and its datastore", () => {
    const limited = (vsphere() as unknown as { limited_user: { user: string; password: string; denied_privileges: string[] } }).limited_user;
    const a = assessAs(limited.user, limited.password);
    assert.equal(a.environment_checks.find((c) => c.id === 'vcenter.privileges')?.severity, 'warning');
    for (const name of FIXTURES) {
      const c = checkOf(a, name, 'vcenter.privileges');
      assert.equal(c.severity, 'blocker', name);
      for (const p of limited.denied_privileges) assert.ok(c.message.includes(p), `${name}: ${c.message}`);
      assert.match(c.message, new RegExp(`on VM ${name}.*on datastore LocalDS_`));
      assert.equal(vmOf(a, name).status, 'blocked');
    }
  });
});
