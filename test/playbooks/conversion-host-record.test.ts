/**
 * The conversion_host role checks a host once per state: a run records what it verified with a fingerprint of what
 * the checks depend on, and the next run repeats them only when that changed (settings, the VDDK directory, the
 * package database, virt-v2v-in-place). Runs the installed collection's role on this machine, without installing
 * packages.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InstalledCollection, type PlaybookRun, installCollection, localPlaybook, runPlaybook } from '../helpers/collection.js';

const CHECKS = ['Find virt-v2v-in-place', 'Check the virtio-win version (needed to convert Windows guests)', 'Create the migration data directory'];

describe('conversion_host role: checks recorded per state of the host', () => {
  let c: InstalledCollection;
  let work: string;
  let data: string;

  before(() => {
    c = installCollection();
    work = mkdtempSync(join(tmpdir(), 'osm-ch-record-'));
    data = join(work, 'data');
  });

  function play(vars: Record<string, unknown>): PlaybookRun {
    const file = localPlaybook(
      c,
      `    - ansible.builtin.include_role:\n        name: os_migrate.vmware_migration_kit.conversion_host\n      vars: ${JSON.stringify({
        os_migrate_vmw_data_dir: data,
        conversion_host_disk_source: 'https',
        conversion_host_install_packages: false,
        ...vars,
      })}\n`,
    );
    return runPlaybook(c, ['-e', 'ansible_python_interpreter=/usr/bin/python3', file]);
  }
  const ran = (r: PlaybookRun, task: string) => r.tasks.some((t) => t.task.endsWith(task) && t.result.skipped !== true);
  const failures = (r: PlaybookRun) => JSON.stringify(r.tasks.filter((t) => t.result.failed).map((t) => t.result.msg));

  it('checks a new host and records it; the next run only compares the fingerprint', () => {
    const first = play({});
    assert.equal(first.code, 0, failures(first));
    for (const task of CHECKS) assert.ok(ran(first, task), `${task} ran`);
    const record = readFileSync(join(data, '.conversion_host_verified'), 'utf8').split('\n');
    assert.match(record[0]!, /^[0-9a-f]{64}$/);
    // Debian's archive has no virtio-win: the record keeps the warning, and every later run repeats it.
    assert.equal(record[1], 'virtio-win=missing');

    const again = play({});
    assert.equal(again.code, 0, failures(again));
    for (const task of CHECKS) assert.ok(!ran(again, task), `${task} skipped`);
    assert.ok(ran(again, 'Warn that virtio-win is missing or old (as verified earlier)'), 'the virtio-win warning is repeated');
    assert.equal(again.stats['localhost']?.changed, 0);
  });

  it('checks again when a setting changes: the vddk source on a host without the VDDK fails as on a new host', () => {
    const missing = join(work, 'no-vddk');
    const r = play({ conversion_host_disk_source: 'vddk', conversion_host_vmware_lib_dir: missing });
    assert.notEqual(r.code, 0);
    const fail = r.tasks.find((t) => t.task.endsWith('Fail when the VDDK is missing for the vddk disk source or the virt-v2v path'));
    assert.match(String(fail?.result.msg), new RegExp(`${missing} does not exist`));
  });

  it('checks again when the VDDK directory changes: verified with it, failing once it is gone', () => {
    const vddk = join(work, 'vddk');
    mkdirSync(vddk);
    const vars = { conversion_host_disk_source: 'vddk', conversion_host_vmware_lib_dir: vddk };
    const verified = play(vars);
    assert.equal(verified.code, 0, failures(verified));
    assert.ok(ran(verified, 'Find virt-v2v-in-place'));
    const same = play(vars);
    assert.equal(same.code, 0, failures(same));
    assert.ok(!ran(same, 'Find virt-v2v-in-place'), 'nothing changed: not checked again');
    rmSync(vddk, { recursive: true });
    const gone = play(vars);
    assert.notEqual(gone.code, 0, 'the removed VDDK is found missing');
    assert.ok(ran(gone, 'Fail when the VDDK is missing for the vddk disk source or the virt-v2v path'));
  });

  it('checks again when the record is gone (a new data directory)', () => {
    rmSync(data, { recursive: true });
    const r = play({});
    assert.equal(r.code, 0, failures(r));
    for (const task of CHECKS) assert.ok(ran(r, task), `${task} ran`);
  });
});
