/**
 * The conversion_host role prepared for the virt-v2v path (conversion_host_virt_v2v, set by migration_v2v.yml):
 * the VDDK is required whatever the disk source, and the openstack client virt-v2v -o openstack runs is installed.
 * Runs the installed collection's role on this machine; package installs only in check mode.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InstalledCollection, installCollection, localPlaybook, runPlaybook } from '../helpers/collection.js';

describe('conversion_host role for the virt-v2v path', () => {
  let c: InstalledCollection;
  let work: string;

  before(() => {
    c = installCollection();
    work = mkdtempSync(join(tmpdir(), 'osm-ch-v2v-'));
    mkdirSync(join(work, 'vddk'));
  });

  function play(vars: Record<string, unknown>, check: boolean) {
    const file = localPlaybook(
      c,
      `    - ansible.builtin.include_role:\n        name: os_migrate.vmware_migration_kit.conversion_host\n      vars: ${JSON.stringify({
        os_migrate_vmw_data_dir: join(work, 'data'),
        conversion_host_disk_source: 'https',
        ...vars,
      })}\n`,
    );
    return runPlaybook(c, [...(check ? ['--check'] : []), '-e', 'ansible_python_interpreter=/usr/bin/python3', file]);
  }

  it('requires the VDDK even with a VDDK-free disk source, and says why', () => {
    const missing = join(work, 'no-vddk');
    const r = play({ conversion_host_virt_v2v: true, conversion_host_install_packages: false, conversion_host_vmware_lib_dir: missing }, false);
    assert.notEqual(r.code, 0);
    const fail = r.tasks.find((t) => t.task.endsWith('Fail when the VDDK is missing for the vddk disk source or the virt-v2v path'));
    assert.match(String(fail?.result.msg), new RegExp(`${missing} does not exist .*the virt-v2v path \\(migration_v2v.yml\\) always needs it`));
  });

  it('without the virt-v2v path the https source needs no VDDK', () => {
    const r = play({ conversion_host_install_packages: false, conversion_host_vmware_lib_dir: join(work, 'no-vddk') }, false);
    assert.equal(r.code, 0, JSON.stringify(r.tasks.filter((t) => t.result.failed).map((t) => t.result.msg)));
  });

  it('installs python3-openstackclient with the conversion tools (apt, check mode)', () => {
    const r = play({ conversion_host_virt_v2v: true, conversion_host_vmware_lib_dir: join(work, 'vddk') }, true);
    assert.equal(r.code, 0, JSON.stringify(r.tasks.filter((t) => t.result.failed).map((t) => t.result.msg)));
    const apt = r.tasks.find((t) => t.task.endsWith('Install nbdkit, libnbd, qemu-img and virt-v2v (apt)'));
    const names = (apt?.result.invocation as { module_args: { name: string[] } } | undefined)?.module_args.name;
    assert.ok(names?.includes('python3-openstackclient') && names.includes('virt-v2v'), JSON.stringify(names));
  });
});
