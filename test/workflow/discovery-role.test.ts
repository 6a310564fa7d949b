// The export_metadata role (rebuilt on vmware_inventory) run by ansible-playbook against the lab simulator.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { FQCN, type InstalledCollection, installCollection, localPlaybook, runPlaybook } from '../helpers/collection.js';
import { type LabFacts, labFacts } from '../vmware/lab-facts.js';

describe('export_metadata role against the lab', () => {
  let c: InstalledCollection;
  let facts: LabFacts;
  before(() => {
    facts = labFacts();
    c = installCollection();
    c.env = { ...c.env, HOME: mkdtempSync(join(tmpdir(), 'osm-home-')) };
  });

  it('writes the metadata of each VM (upstream loop over vm_name), adds clouds.dst, and is idempotent', () => {
    // A data directory that does not exist yet: the role makes it.
    const dir = join(mkdtempSync(join(tmpdir(), 'osm-role-')), 'data');
    const names = ['osm-single', 'osm-multinic'];
    const play = localPlaybook(
      c,
      `    - name: Export metadata
      ansible.builtin.include_role:
        name: ${FQCN}.export_metadata
      loop: ${JSON.stringify(names)}
      loop_control:
        loop_var: vm_name
      vars:
        vcenter_hostname: "${facts.host}:${facts.port}"
        vcenter_username: "${facts.user}"
        vcenter_password: "${facts.password}"
        vmware_ca_file: "${facts.cert_path}"
        os_migrate_vmw_data_dir: "${dir}"
        dst_cloud:
          auth:
            auth_url: http://127.0.0.1:5000/v3
            username: admin
            password: secret-cloud-pw
`,
    );
    // A clouds.yaml of the user's own: its other clouds stay as they are.
    mkdirSync(join(c.env.HOME as string, '.config/openstack'), { recursive: true });
    writeFileSync(join(c.env.HOME as string, '.config/openstack/clouds.yaml'), 'clouds:\n  mine:\n    auth:\n      auth_url: http://mine.example:5000/v3\n');
    const first = runPlaybook(c, [play]);
    assert.equal(first.code, 0, JSON.stringify(first.tasks.filter((t) => t.result.failed)));
    assert.equal(statSync(dir).mode & 0o777, 0o755);
    for (const name of names) {
      const guest = JSON.parse(readFileSync(join(dir, name, 'guest_info.json'), 'utf8'));
      assert.equal(guest.moid, facts.vms.find((v) => v.name === name)!.moid);
      assert.ok(existsSync(join(dir, name, 'disk_info.json')));
      const macs = JSON.parse(readFileSync(join(dir, name, 'macs.json'), 'utf8'));
      assert.deepEqual(macs.map((m: { mac: string }) => m.mac), facts.vms.find((v) => v.name === name)!.nics.map((n) => n.mac));
    }
    const clouds = parse(readFileSync(join(c.env.HOME as string, '.config/openstack/clouds.yaml'), 'utf8'));
    assert.equal(clouds.clouds.dst.auth.username, 'admin');
    assert.equal(clouds.clouds.mine.auth.auth_url, 'http://mine.example:5000/v3');
    assert.ok(!JSON.stringify(first.tasks).includes('secret-cloud-pw'), 'the cloud password must not show in task results');
    const again = runPlaybook(c, [play]);
    assert.equal(again.code, 0);
    const exports = again.tasks.filter((t) => t.task.includes('Export guest_info.json'));
    assert.equal(exports.length, names.length);
    for (const t of exports) assert.equal(t.result.changed, false);
    // clouds.dst is dst_cloud already: clouds.yaml is not written again.
    const writes = again.tasks.filter((t) => t.task.includes('Write clouds.yaml'));
    assert.equal(writes.length, names.length);
    for (const t of writes) assert.equal(t.result.skipped, true);
  });
});
