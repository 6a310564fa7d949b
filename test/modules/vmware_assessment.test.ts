// vmware_assessment run as Ansible runs it (built executable, args file, empty environment) against the lab: it
// creates nothing on either side, writes assessment.json in the schema, and tells the users' own case (the 30
// simulator VMs with empty disks) the way the migration would decide it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { type AssessmentFile, assessmentFile } from '../../src/workflow/assessment/assessment-file.js';
import { runModule } from '../helpers/run-module.js';
import { labDir, openstack, vsphere } from '../workflow/migrate-lab.js';

const baseVms = ['DC0_H0', 'DC0_C0_RP0', 'DC0_C1_RP0'].flatMap((p) => Array.from({ length: 10 }, (_, i) => `${p}_VM${i}`));

function cloudOf(who: { username: string; password: string; project_name: string }): Record<string, unknown> {
  const o = openstack();
  return { auth: { auth_url: o.auth_url, username: who.username, password: who.password, project_name: who.project_name, user_domain_name: 'Default', project_domain_name: 'Default' }, region_name: o.region };
}

function args(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const v = vsphere();
  return {
    os_migrate_vmw_data_dir: mkdtempSync(join(tmpdir(), 'osm-assess-')),
    dst_cloud: cloudOf(openstack().osm),
    vcenter_hostname: `${v.host}:${v.port}`,
    vcenter_username: v.user,
    vcenter_password: v.password,
    vmware_ca_file: v.cert_path,
    disk_source: 'https',
    skip_conversion: true,
    network_name: 'frontier-net',
    security_groups: ['osm-sg'],
    conversion_hosts: [openstack().conversion_host.name],
    ...extra,
  };
}

function written(r: ReturnType<typeof runModule>): AssessmentFile {
  return assessmentFile.parse(JSON.parse(readFileSync(String(r.result.path), 'utf8')));
}

const checkOf = (vm: AssessmentFile['vms'][number], id: string) => vm.checks.find((c) => c.id === id);

/** Every server, volume, port and flavor of every project, as the admin sees them. */
async function everything(s: Session): Promise<string[]> {
  const all = { all_tenants: '1' };
  const [servers, volumes, ports, flavors] = await Promise.all([
    s.list<{ id: string; status: string }>('compute', 'list servers', '/servers/detail', 'servers', { query: all }),
    s.list<{ id: string; status: string }>('block-storage', 'list volumes', '/volumes/detail', 'volumes', { query: all }),
    s.list<{ id: string; mac_address: string }>('network', 'list ports', '/ports', 'ports'),
    s.list<{ id: string }>('compute', 'list flavors', '/flavors/detail', 'flavors', { query: { is_public: 'None' } }),
  ]);
  return [...servers.map((x) => `server ${x.id} ${x.status}`), ...volumes.map((x) => `volume ${x.id} ${x.status}`), ...ports.map((x) => `port ${x.id} ${x.mac_address}`), ...flavors.map((x) => `flavor ${x.id}`)].sort();
}

describe('vmware_assessment module', () => {
  let admin: Session;
  before(async () => {
    const o = openstack() as unknown as { admin: { username: string; password: string; project_name: string } };
    admin = await connect(cloudOf(o.admin));
  });
  after(async () => admin.close());

  it('refuses bad input with a clear JSON error and exit 1, before reading anything', () => {
    const typo = runModule('vmware_assessment', args({ vms_lists: ['x'] }));
    assert.equal(typo.code, 1);
    assert.match(String(typo.result.msg), /vms_lists/);
    const source = runModule('vmware_assessment', args({ disk_source: 'nfs' }));
    assert.equal(source.code, 1);
    assert.match(String(source.result.msg), /disk_source/);
    const dir = args();
    delete dir.os_migrate_vmw_data_dir;
    const missing = runModule('vmware_assessment', dir);
    assert.equal(missing.code, 1);
    assert.match(String(missing.result.msg), /os_migrate_vmw_data_dir/);
    const unknown = runModule('vmware_assessment', args({ vms_list: ['osm-singel'] }));
    assert.equal(unknown.code, 1);
    assert.match(String(unknown.result.msg), /VM "osm-singel" was not found.*closest names: "osm-single"/);
  });

  it('a wrong vCenter password fails naming the login, with the file saying so', () => {
    const r = runModule('vmware_assessment', args({ vcenter_password: 'wrong' }));
    assert.equal(r.code, 1, r.stdout);
    assert.match(String(r.result.msg), /cannot log in to .*rejected the user name or password/);
    assert.equal(written(r).environment_checks[0]?.severity, 'blocker');
  });

  it('assesses every VM of the lab within 30 s, with at least 40 distinct checks, and creates or changes nothing', async () => {
    const before = await everything(admin);
    const started = Date.now();
    const r = runModule('vmware_assessment', args());
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(await everything(admin), before, 'a server, volume, port or flavor appeared, went or changed');
    assert.ok(seconds < 30, `${seconds} s`);
    const a = written(r);
    assert.deepEqual(r.result.summary, a.summary);
    const v = vsphere() as unknown as { vms: { name: string }[]; base_vms: { name: string }[] };
    assert.deepEqual(a.vms.map((x) => x.name).sort(), [...v.vms, ...v.base_vms].map((x) => x.name).sort());
    const ids = new Set([...a.environment_checks, ...a.vms.flatMap((x) => x.checks)].map((c) => c.id));
    assert.ok(ids.size >= 40, `${ids.size} distinct checks: ${[...ids].join(' ')}`);
    assert.equal(a.summary.ready + a.summary.warning + a.summary.blocked, a.vms.length);
    for (const vm of a.vms) {
      assert.equal(vm.nics.every((n) => n.network === 'frontier-net' && n.security_groups.includes('osm-sg')), true, vm.name);
      // a running VM's disks are opened over https but not read: whether they hold data is not known, never ok
      assert.equal(checkOf(vm, 'vm.disk_data')?.severity, 'not_run', vm.name);
      assert.equal(checkOf(vm, 'vm.disk_readable')?.severity, 'ok', vm.name);
      assert.notEqual(vm.status, 'ready', `${vm.name}: a check that did not run leaves it a warning at best`);
    }
    assert.equal(a.environment_checks.find((c) => c.id === 'openstack.conversion_host')?.severity, 'ok');
    assert.equal(a.environment_checks.find((c) => c.id === 'vcenter.privileges')?.severity, 'ok');
    assert.equal(a.vms.find((x) => x.name === 'osm-debian-guest')?.flavor.name, 'm1.small-bfv');
  });

  it("the users' case: the 30 simulator VMs are blocked for their empty disks, and warnings with m1.tiny once allow_empty_disks", () => {
    const local = { vms_list: baseVms, disk_source: 'local', local_disk_path: join(labDir, 'vsphere', 'datastores', 'LocalDS_0') };
    const blocked = written(runModule('vmware_assessment', args(local)));
    assert.deepEqual([blocked.summary.ready, blocked.summary.warning, blocked.summary.blocked], [0, 0, 30]);
    for (const vm of blocked.vms) {
      assert.equal(vm.status, 'blocked');
      assert.deepEqual(vm.checks.filter((c) => c.severity === 'blocker').map((c) => c.id), ['vm.disk_data'], vm.name);
      assert.match(checkOf(vm, 'vm.disk_data')!.message, /holds no data.*allow_empty_disks: true/);
    }
    const allowed = written(runModule('vmware_assessment', args({ ...local, allow_empty_disks: true })));
    assert.deepEqual([allowed.summary.ready, allowed.summary.warning, allowed.summary.blocked], [0, 30, 0]);
    for (const vm of allowed.vms) {
      assert.equal(vm.status, 'warning');
      assert.deepEqual([vm.flavor.name, vm.flavor.source], ['m1.tiny', 'existing'], vm.name);
      assert.match(vm.flavor.reason, /boot from volume/);
      assert.deepEqual(vm.checks.filter((c) => c.severity !== 'ok' && c.severity !== 'info').map((c) => c.id), ['vm.disk_data'], vm.name);
      assert.deepEqual(vm.disks.map((d) => d.capacity_bytes), [10 * 2 ** 30]);
    }
    // the migration refuses a blank boot disk it would convert: so does the assessment
    const converted = written(runModule('vmware_assessment', args({ ...local, allow_empty_disks: true, skip_conversion: false, vms_list: baseVms.slice(0, 2) })));
    assert.match(checkOf(converted.vms[0]!, 'vm.disk_data')!.message, /boot disk and there is no guest to convert/);
  });

  it('a non-admin user of a small project: quotas that do not fit are blockers, what it may not see is not_run', () => {
    const small = JSON.parse(readFileSync(join(labDir, 'openstack-assessment.json'), 'utf8')) as { small: { username: string; password: string; project_name: string; quotas: Record<string, number> } };
    const r = runModule('vmware_assessment', args({ dst_cloud: cloudOf(small.small), vms_list: baseVms, conversion_hosts: [] }));
    assert.equal(r.code, 0, r.stdout);
    const a = written(r);
    const env = (id: string) => a.environment_checks.find((c) => c.id === id);
    assert.equal(env('openstack.mac_visibility')?.severity, 'not_run');
    assert.equal(env('openstack.conversion_host')?.severity, 'not_run');
    assert.equal(env('openstack.quota_instances')?.severity, 'blocker');
    assert.match(env('openstack.quota_instances')!.message, new RegExp(`^instances: ${small.small.quotas.instances} instance\\(s\\) left in the quota, the VMs need 30`));
    assert.equal(a.quota_headroom.instances, small.small.quotas.instances);
    assert.equal(a.quota_headroom.ports, small.small.quotas.port);
    assert.equal(env('openstack.flavor_create_permission')?.severity, 'warning');
    // frontier-net belongs to project osm: Neutron lets this user create ports on it, but not with the VMware MAC
    for (const vm of a.vms) assert.equal(checkOf(vm, 'openstack.port_mac')?.severity, 'blocker', vm.name);
  });
});
