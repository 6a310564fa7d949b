/**
 * plan_waves and assessment_report as Ansible runs them (the built module files): waves.yml and assessment.html
 * written from assessment.json, nothing written in check mode, a second run unchanged, and clear errors for a
 * missing or malformed assessment.json and a malformed verification.json, with nothing written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runModule } from '../helpers/run-module.js';
import { labAssessment, writeAssessment } from '../workflow/assessment/fixture.js';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'osm-plan-waves-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('plan_waves and assessment_report modules', () => {
  it('write waves.yml and assessment.html; check mode writes nothing; a second run is unchanged', () => {
    const dir = dataDir();
    writeAssessment(dir, labAssessment());
    const args = { os_migrate_vmw_data_dir: dir, max_instances_in_flight: 5, transfer_rate_mib_per_second: 50, migration_groups: [['osm-single', 'osm-multidisk']] };
    const check = runModule('plan_waves', { ...args, _ansible_check_mode: true });
    assert.equal(check.code, 0, check.stdout);
    assert.equal(check.result.changed, true);
    assert.deepEqual(readdirSync(dir), ['assessment.json']);
    const run = runModule('plan_waves', args);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.result.changed, true);
    const file = parse(readFileSync(join(dir, 'waves.yml'), 'utf8')) as { waves: { vms: string[] }[]; rate_source: string; bytes_per_second: number };
    assert.deepEqual(file.waves, run.result.waves);
    assert.deepEqual([file.rate_source, file.bytes_per_second], ['configured', 50 * 1024 * 1024]);
    assert.ok(file.waves.every((w) => w.vms.length <= 5));
    assert.ok(file.waves.some((w) => w.vms.includes('osm-single') && w.vms.includes('osm-multidisk')));
    assert.deepEqual((run.result.unplanned as { vm: string }[]).map((u) => u.vm).sort(), ['osm-independent', 'osm-snapshot']);
    assert.equal(runModule('plan_waves', args).result.changed, false);

    assert.equal(runModule('assessment_report', { os_migrate_vmw_data_dir: dir, _ansible_check_mode: true }).result.changed, true);
    assert.equal(existsSync(join(dir, 'assessment.html')), false);
    const report = runModule('assessment_report', { os_migrate_vmw_data_dir: dir });
    assert.equal(report.code, 0, report.stdout);
    assert.match(readFileSync(join(dir, 'assessment.html'), 'utf8'), new RegExp(`data-total="waves" data-value="${file.waves.length}"`));
    assert.equal(runModule('assessment_report', { os_migrate_vmw_data_dir: dir }).result.changed, false);
  });

  it('fail clearly on a missing or malformed assessment.json and a malformed verification.json, writing nothing', () => {
    const dir = dataDir();
    const missing = runModule('plan_waves', { os_migrate_vmw_data_dir: dir });
    assert.equal(missing.code, 1);
    assert.match(String(missing.result.msg), /assessment\.json does not exist: run the assessment playbook/);
    writeFileSync(join(dir, 'assessment.json'), JSON.stringify({ ...labAssessment(), vms: [{ name: 'x' }] }));
    const bad = runModule('plan_waves', { os_migrate_vmw_data_dir: dir });
    assert.equal(bad.code, 1);
    assert.match(String(bad.result.msg), /assessment\.json is not a valid file of its kind \(vms\.0\.target_name: /);
    writeFileSync(join(dir, 'assessment.json'), '{"vms": [');
    assert.match(String(runModule('assessment_report', { os_migrate_vmw_data_dir: dir }).result.msg), /assessment\.json is not valid JSON: .* at line 1, column 10/);
    writeAssessment(dir, labAssessment());
    writeFileSync(join(dir, 'verification.json'), JSON.stringify({ vms: [{ vm: 'a' }] }));
    const ver = runModule('assessment_report', { os_migrate_vmw_data_dir: dir });
    assert.equal(ver.code, 1);
    assert.match(String(ver.result.msg), /verification\.json is not a verification file \(vms\.0\.passed: .*run the verify playbook again or remove it/);
    const rejected = runModule('plan_waves', { os_migrate_vmw_data_dir: dir, max_instances_in_flight: 0 });
    assert.equal(rejected.code, 1);
    assert.match(String(rejected.result.msg), /max_instances_in_flight/);
    assert.deepEqual(readdirSync(dir).sort(), ['assessment.json', 'verification.json']);
  });
});
