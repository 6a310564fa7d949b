/**
 * The assessment playbook against the lab, with the lab's own secrets.yml and myvars.yml like a user's run:
 * assessment.json for the VMs of vms_list, the conversion host of the inventory found, and the summary printed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assessmentFile } from '../../src/workflow/assessment/assessment-file.js';
import { type InstalledCollection, installCollection } from '../helpers/collection.js';
import { envDir, labMigration } from '../helpers/lab-migration.js';

describe('assessment playbook', () => {
  let c: InstalledCollection;
  const dataDir = mkdtempSync(join(tmpdir(), 'osm-assess-pb-'));
  before(() => {
    c = installCollection();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes assessment.json for vms_list with the migration variables, and prints the summary', () => {
    const run = labMigration(c, { os_migrate_vmw_data_dir: dataDir }, 'assessment');
    assert.equal(run.code, 0, JSON.stringify(run.tasks.filter((t) => t.result.failed).map((t) => t.result.msg)));
    const a = assessmentFile.parse(JSON.parse(readFileSync(join(dataDir, 'assessment.json'), 'utf8')));
    const vars = readFileSync(join(envDir, 'myvars.yml'), 'utf8');
    for (const vm of a.vms) assert.ok(vars.includes(`"${vm.name}"`), `${vm.name} is in myvars.yml's vms_list`);
    assert.equal(a.vms.length, 4);
    assert.equal(a.environment_checks.find((c) => c.id === 'openstack.conversion_host')?.severity, 'ok');
    assert.equal(a.environment_checks.find((c) => c.id === 'vcenter.tls')?.severity, 'ok');
    const summary = run.tasks.find((t) => t.task === 'Summary of the assessment');
    assert.match(String(summary?.result.msg), new RegExp(`^Assessed 4 VM\\(s\\): ${a.summary.ready} ready, ${a.summary.warning} warning, ${a.summary.blocked} blocked`));
  });
});
