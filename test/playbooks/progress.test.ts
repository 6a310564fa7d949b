/**
 * What a person sees while the migration playbook runs, against the lab: every migration_progress_interval seconds
 * one line per running VM with the disk, bytes, percent, rate and ETA (read from <data_dir>/<vm>/progress.json), one
 * line when a VM ends, and never an async_status "FAILED - RETRYING" line; the log of every VM, failed or migrated,
 * fetched to <data_dir>/<vm>/migration.log and named in the report.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { safeVmName } from '../../src/util/names.js';
import { FQCN, type InstalledCollection, installCollection } from '../helpers/collection.js';
import { cleanLabVm, envDir, labDstCloud, labMigration as migration } from '../helpers/lab-migration.js';

const VMS = ['osm-single', 'osm-multidisk'];
const HOST = 'osm-conversion-host';
/** A line of a VM being copied, e.g. `[host] osm-single: disk 2000 (1 of 1): 64.0 MiB of 128.0 MiB (50%), 20.1 MiB/s, ETA 3s, running 5s`. */
const copyLine = (vm: string, disks: number) =>
  new RegExp(`^\\[${HOST}\\] ${vm}: disk \\d+ \\(1 of ${disks}\\): [\\d.]+ [KMG]?i?B of [\\d.]+ [KMG]?i?B \\(\\d+%\\), [\\d.]+ [KMG]?i?B/s, ETA \\S+, running \\S+$`, 'm');

/** ansible-playbook with the default (human) output, as a user runs it; `out()` is what it printed so far. */
function startPlaybook(c: InstalledCollection, extra: Record<string, unknown>, env: Record<string, string>) {
  const vars = join(c.work, `vars-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(vars, JSON.stringify({ os_migrate_conversion_host_content_install: false, ...extra }));
  const args = ['-i', join(envDir, 'inventory.yml'), `${FQCN}.migration`, '-e', `@${join(envDir, 'secrets.yml')}`, '-e', `@${join(envDir, 'myvars.yml')}`, '-e', `@${vars}`];
  const child = spawn('ansible-playbook', args, { cwd: c.work, env: { ...c.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out: () => out, done };
}

/** SIGTERM to the module migrating `vm` (its pid is in the VM's lock file); false when none is. */
function stopMigration(vm: string): boolean {
  try {
    process.kill((JSON.parse(readFileSync(`/tmp/osm-vm-${safeVmName(vm)}.lock`, 'utf8')) as { pid: number }).pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}

describe('migration progress and logs through the playbook', () => {
  let c: InstalledCollection;
  let s: Session;
  const dataDir = mkdtempSync(join(tmpdir(), 'osm-progress-data-'));

  before(async () => {
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    for (const vm of VMS) await cleanLabVm(s, vm);
  });
  after(async () => {
    for (const vm of VMS) await cleanLabVm(s, vm);
    await s?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows bytes, percent, rate and ETA of each VM while it copies; a VM stopped mid-copy is reported with its fetched log', async () => {
    // Each copy pauses half-way (the crash tests' fault injection) until the test stops its module with SIGTERM.
    // sudo (become) keeps only the variables it is told to keep.
    const run = startPlaybook(
      c,
      { vms_list: VMS, os_migrate_vmw_data_dir: dataDir, migration_progress_interval: 1, ansible_become_flags: '-H -S -n --preserve-env=OSM_MIGRATE_PAUSE_AT' },
      { OSM_MIGRATE_PAUSE_AT: 'mid-copy' },
    );
    const deadline = Date.now() + 240_000;
    let code: number | null | undefined;
    void run.done.then((x) => (code = x));
    while (!(copyLine('osm-single', 1).test(run.out()) && copyLine('osm-multidisk', 2).test(run.out()))) {
      if (code !== undefined || Date.now() > deadline) {
        for (const vm of VMS) stopMigration(vm);
        run.child.kill('SIGTERM');
        assert.fail(`no progress line of each VM (exit ${String(code)}):\n${run.out().slice(-4000)}`);
      }
      await sleep(500);
    }
    // A few more intervals: the lines keep coming at the interval, with the VM totals (multidisk: both disks).
    await sleep(3000);
    for (const vm of VMS) assert.ok(stopMigration(vm), `${vm} is migrating`);
    assert.notEqual(await run.done, 0);
    const out = run.out();
    assert.doesNotMatch(out, /RETRYING/);
    const single = out.match(new RegExp(copyLine('osm-single', 1).source, 'gm')) ?? [];
    assert.ok(single.length >= 3, `a line per interval while paused:\n${single.join('\n')}`);
    assert.match(out, /\] osm-multidisk: disk 2000 \(1 of 2\): [\d.]+ MiB of 160\.0 MiB/, 'the VM total counts both disks');
    for (const vm of VMS) {
      assert.match(out, new RegExp(`^\\[${HOST}\\] ${vm}: FAILED: Failed to migrate ${vm}: .*interrupted by SIGTERM`, 'm'));
      const log = join(dataDir, vm, 'migration.log');
      assert.match(readFileSync(log, 'utf8'), /fault injection: paused at mid-copy/);
      assert.match(out, new RegExp(`${vm} \\(Failed to migrate.*; log ${log}\\)`), 'the failure names the fetched log');
    }
  });

  it('after a successful run each VM has its log in <data_dir>/<vm>/ and the report names it', () => {
    const run = migration(c, { vms_list: VMS, os_migrate_vmw_data_dir: dataDir, migration_progress_interval: 1 });
    assert.equal(run.code, 0, run.displayed);
    assert.doesNotMatch(run.displayed + run.stderr, /RETRYING/);
    const report = run.tasks.filter((t) => t.task.endsWith('Report each VM')).flatMap((t) => t.result.results as { msg: string }[]);
    for (const vm of VMS) {
      const log = join(dataDir, vm, 'migration.log');
      const text = readFileSync(log, 'utf8');
      assert.match(text, /level=info msg=".* in [\d.]+ s"\n$/, `${vm}: the whole log of the successful run`);
      assert.doesNotMatch(text, /fault injection/, `${vm}: this run's log, not the failed one's`);
      assert.match(run.displayed, new RegExp(`^\\[${HOST}\\] ${vm}: .*\\(\\d+s\\)$`, 'm'), `${vm}: a line when it ended`);
      assert.ok(report.some((r) => r.msg.startsWith(`${vm}: `) && r.msg.endsWith(`(log: ${log})`)), JSON.stringify(report));
      assert.equal((JSON.parse(readFileSync(join(dataDir, vm, 'progress.json'), 'utf8')) as { phase: string }).phase, 'done');
    }
  });
});
