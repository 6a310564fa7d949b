/**
 * The verify playbook and the verification at the end of the migration playbook, against the lab: a migration with
 * verify_disks and verify_checksums writes verification.json with every check passed; the verify playbook on a
 * stopped server fails naming the VM and the check, and passes again once it runs; verify_after_migration: false
 * skips it; a VM whose verification fails after the migration made its server is rolled back (rollback_on_failure).
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
import { listPorts } from '../../src/openstack/network.js';
import { powerState } from '../../src/vmware/power.js';
import { withSession as withVSphere } from '../../src/vmware/session.js';
import {
  cleanLabVm,
  importResults,
  labDstCloud,
  labMigration as migration,
  labVm,
  openstackFacts,
  reportLines,
  toolServer,
  toolVolumes,
  vsphereFacts,
} from '../helpers/lab-migration.js';

const VM = 'osm-single';
const failures = (run: PlaybookRun) => JSON.stringify(run.tasks.filter((t) => t.result.failed === true).map((t) => [t.task, t.result.msg]));
const WAIT = { timeoutMs: 120_000, intervalMs: 500 };
const vsphereOptions = () => ({ host: `${vsphereFacts.host}:${vsphereFacts.port}`, username: vsphereFacts.user, password: vsphereFacts.password, thumbprint: vsphereFacts.thumbprint });
const toolPortIds = async (s: Session): Promise<string[]> =>
  (await listPorts(s, { mac_address: labVm(VM).nics[0]!.mac })).filter((p) => p.description?.startsWith('osm=true')).map((p) => p.id);

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
    // The run's log left the conversion host's /tmp for the VM's data directory, where the report points.
    const logFile = String(importResults(run)[0]?.log_file);
    assert.match(logFile, /^\/tmp\/osm-nbdkit-osm-single-\w+\.log$/);
    assert.equal(existsSync(logFile), false, `${logFile} is removed`);
    assert.match(readFileSync(join(dataDir, VM, 'migration.log'), 'utf8'), /connected to vSphere/);
    const reported = run.tasks.find((t) => t.task.endsWith('Report each VM'));
    assert.match(JSON.stringify(reported?.result), new RegExp(`\\(log: ${join(dataDir, VM, 'migration.log')}\\)`));
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

  it('a migration whose verification fails rolls back the VM its run made a server for: server and port gone, volume kept; the message says so', async () => {
    await cleanLabVm(s, VM);
    const failing = { ...vars, verify_console_pattern: 'osm-text-no-console-prints', verify_guest_timeout: 1 };
    const run = migration(c, failing);
    assert.notEqual(run.code, 0);
    assert.equal(importResults(run)[0]?.server_created, true);
    const failed = run.tasks.find((t) => t.task.endsWith('Fail when a VM did not pass verification'));
    assert.match(String(failed?.result.msg), /1 of 1 VMs failed verification .*: osm-single \(rolled back \(rollback_on_failure\): osm-single rolled back: server \S+, port \S+, volume osm-single-2000\)/);
    const summary = run.tasks.find((t) => t.task.endsWith('Summary of the verification'));
    assert.match(JSON.stringify(summary?.result), /osm-single: FAILED .*guest\.console.*; rolled back \(rollback_on_failure\)/);
    assert.equal(await toolServer(s, VM), undefined);
    assert.deepEqual(await toolPortIds(s), []);
    const volumes = await toolVolumes(s, VM);
    assert.deepEqual(volumes.map((v) => [v.status, v.metadata.osm, v.metadata.converted]), [['available', 'true', 'true']]);
    await withVSphere(vsphereOptions(), async (vs) => assert.equal(await powerState(vs, { type: 'VirtualMachine', value: labVm(VM).moid }), 'poweredOn'));
  });

  it('with rollback_on_failure false, or a server from an earlier run, nothing is rolled back and the message says how to', async () => {
    const failing = { ...vars, verify_console_pattern: 'osm-text-no-console-prints', verify_guest_timeout: 1 };
    const kept = migration(c, { ...failing, rollback_on_failure: false });
    assert.notEqual(kept.code, 0);
    const msg = (run: PlaybookRun) => String(run.tasks.find((t) => t.task.endsWith('Fail when a VM did not pass verification'))?.result.msg);
    assert.match(msg(kept), /osm-single \(not rolled back \(rollback_on_failure is false\): the rollback playbook os_migrate\.vmware_migration_kit\.rollback undoes the migration\)/);
    const server = (await toolServer(s, VM))!;
    assert.ok(server, 'the server stays');
    const earlier = migration(c, failing);
    assert.notEqual(earlier.code, 0);
    assert.ok(reportLines(earlier).some((l) => l.startsWith(`${VM}: migrated already (server ${server.id} `)), JSON.stringify(reportLines(earlier)));
    assert.match(msg(earlier), /osm-single \(not rolled back \(its server existed before this run\): the rollback playbook/);
    assert.equal((await toolServer(s, VM))?.id, server.id);
    assert.equal((await toolPortIds(s)).length, 1);
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
