// migration_status run as Ansible runs it (built executable, args file) against the lab's OpenStack: bad input, a
// VM whose metadata is missing, a VM the tool never migrated. The migrated case runs through the migration playbook
// (test/playbooks/migration.test.ts, "a second run finds every VM migrated").
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runModule } from '../helpers/run-module.js';
import { cloud } from '../workflow/migrate-lab.js';

const dir = mkdtempSync(join(tmpdir(), 'osm-status-mod-'));
const args = (extra: Record<string, unknown> = {}) => ({ cloud: cloud(), vms_list: ['osm-never-migrated'], os_migrate_vmw_data_dir: dir, ...extra });

describe('migration_status module', () => {
  it('refuses bad input with a clear error', () => {
    for (const [extra, option] of [[{ vms_list: 'osm-single' }, 'vms_list'], [{ os_migrate_vmw_data_dir: '' }, 'os_migrate_vmw_data_dir'], [{ vm_name: 'x' }, 'vm_name']] as const) {
      const r = runModule('migration_status', args(extra));
      assert.equal(r.code, 1, JSON.stringify(extra));
      assert.match(String(r.result.msg), new RegExp(option));
    }
  });

  it('a VM without its exported metadata fails naming the file', () => {
    const r = runModule('migration_status', args({ vms_list: ['osm-no-files'] }));
    assert.equal(r.code, 1);
    assert.match(String(r.result.msg), new RegExp(`^Failed to find which VMs are migrated already: failed to open disk info file ${dir}/osm-no-files/disk_info\\.json`));
  });

  it('a VM the tool never migrated is not migrated, and says why; nothing changes, also in check mode', () => {
    mkdirSync(join(dir, 'osm-never-migrated'));
    writeFileSync(join(dir, 'osm-never-migrated', 'disk_info.json'), JSON.stringify({ disks: [{ key: 2000, capacity: 1 }] }));
    writeFileSync(join(dir, 'osm-never-migrated', 'guest_info.json'), JSON.stringify({ snapshots: [] }));
    for (const check of [false, true]) {
      const r = runModule('migration_status', { ...args(), _ansible_check_mode: check });
      assert.equal(r.code, 0, r.stdout);
      assert.equal(r.result.changed, false);
      assert.deepEqual(r.result.migrated, []);
      assert.deepEqual(r.result.vms, [{ vm: 'osm-never-migrated', migrated: false, server_id: null, reason: 'the tool made no server for it' }]);
    }
  });
});
