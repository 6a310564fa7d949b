/**
 * The verify playbook and the verification at the end of the migration playbook, against the lab: a migration with
 * verify_disks and verify_checksums writes verification.json with every check passed; the verify playbook on a
 * stopped server fails naming the VM and the check, and passes again once it runs; verify_after_migration: false
 * skips it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import { computeHeaders } from '../../src/openstack/compute-microversion.js';
import { connect } from '../../src/openstack/connect.js';
import { waitForServerStatus } from '../../src/openstack/servers.js';
import type { VmVerification } from '../../src/workflow/verify-request.js';
import { type InstalledCollection, type PlaybookRun, installCollection } from '../helpers/collection.js';
import { cleanLabVm, labDstCloud, labMigration as migration, labVm, openstackFacts, toolServer } from '../helpers/lab-migration.js';

const VM = 'osm-single';
const failures = (run: PlaybookRun) => JSON.stringify(run.tasks.filter((t) => t.result.failed === true).map((t) => [t.task, t.result.msg]));
const WAIT = { timeoutMs: 120_000, intervalMs: 500 };

describe('verification through the playbooks', () => {
  let c: InstalledCollection;
  let s: Session;
  const dataDir = mkdtempSync(join(tmpdir(), 'osm-verify-data-'));
  const vars = { vms_list: [VM], os_migrate_vmw_data_dir: dataDir, verify_disks: true, verify_checksums: true, verify_volume_dir: openstackFacts.cinder_volumes_dir };
  const report = () => JSON.parse(readFileSync(join(dataDir, 'verification.json'), 'utf8')) as { vms: VmVerification[] };
  const serverAction = async (action: 'os-stop' | 'os-start', status: string) => {
    const server = (await toolServer(s, VM))!;
    await s.request('compute', action, 'POST', `/servers/${server.id}/action`, { headers: computeHeaders, body: { [action]: null } });
    await waitForServerStatus(s, server.id, status, WAIT);
  };

  before(async () => {
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    await cleanLabVm(s, VM);
  });
  after(async () => {
    await cleanLabVm(s, VM);
    await s?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the migration playbook ends with the verification: every check passed, the SHA-256 the copy recorded', () => {
    const run = migration(c, vars);
    assert.equal(run.code, 0, failures(run));
    const [v] = report().vms;
    assert.equal(v?.vm, VM);
    assert.equal(v.passed, true);
    assert.deepEqual(v.checks.filter((x) => x.passed !== true).map((x) => `${x.id}: ${x.message}`), []);
    const sha = v.checks.find((x) => x.id === 'volume.sha256.2000');
    assert.equal(sha?.expected, labVm(VM).disks[0]!.sha256);
    assert.equal(sha?.observed, labVm(VM).disks[0]!.sha256);
    assert.ok(run.tasks.some((t) => t.task.endsWith('Summary of the verification')), 'the summary task ran');
  });

  it('the verify playbook fails on a stopped server naming the VM and server.active only; started, it passes', async () => {
    await serverAction('os-stop', 'SHUTOFF');
    try {
      const run = migration(c, vars, 'verify');
      assert.notEqual(run.code, 0);
      const [v] = report().vms;
      assert.equal(v?.passed, false);
      assert.deepEqual(v.checks.filter((x) => x.passed === false).map((x) => x.id), ['server.active']);
      const summary = run.tasks.find((t) => t.task.endsWith('Summary of the verification'));
      assert.match(JSON.stringify(summary?.result), /osm-single: FAILED .*server\.active: server \S+ \(\S+\) is SHUTOFF/);
      const failed = run.tasks.find((t) => t.task.endsWith('Fail when a VM did not pass verification'));
      assert.match(String(failed?.result.msg), /1 of 1 VMs failed verification .*: osm-single/);
    } finally {
      await serverAction('os-start', 'ACTIVE');
    }
    const again = migration(c, vars, 'verify');
    assert.equal(again.code, 0, failures(again));
    assert.equal(report().vms[0]?.passed, true);
  });

  it('verify_after_migration: false runs no verification', () => {
    rmSync(join(dataDir, 'verification.json'));
    const run = migration(c, { ...vars, verify_after_migration: false });
    assert.equal(run.code, 0, failures(run));
    assert.equal(existsSync(join(dataDir, 'verification.json')), false);
    const verifyTasks = run.tasks.filter((t) => t.task.endsWith('Verify each VM'));
    assert.ok(verifyTasks.every((t) => t.result.skipped === true), JSON.stringify(verifyTasks));
  });
});
