/**
 * Waves and check mode through the collection's playbooks, against the lab:
 * - plan_waves turns assessment.json into waves.yml (the 30 simulator VMs, max_instances_in_flight 5: six waves of 5)
 *   and assessment.html;
 * - migration.yml --check and migration_waves.yml --check run end to end, show each VM's plan (flavor, ports,
 *   volumes, bytes to read, blocking checks) and create, change and write nothing (resources counted before and
 *   after; the data directory keeps only what it had; the temporary directory is gone, also after a run that failed
 *   on every host, where Ansible skips the cleanup play);
 * - migration_waves.yml stops at the first wave with a failed VM: no later wave starts;
 * - two conversion hosts (the lab has one machine: the second inventory host is the same machine through
 *   ansible_connection local, attaching to the same conversion host server) share the waves in step: from the
 *   migration logs' first and last lines, every VM of a wave ends before any VM of the next wave starts, on either
 *   host, and the instances in flight never exceed max_instances_in_flight; without waves the same inventory is
 *   refused before anything is created.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { ServiceType, Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { type InstalledCollection, type PlaybookRun, installCollection } from '../helpers/collection.js';
import { cleanLabVm, importResults, labDstCloud, labMigration, toolServer, toolVolumes } from '../helpers/lab-migration.js';
import { assessment, dataVms, simulatorVms, writeAssessment } from '../workflow/assessment/fixture.js';
import type { AssessedVm } from '../../src/workflow/assessment/assessment-file.js';

const DATA_VMS = ['osm-single', 'osm-multidisk', 'osm-multinic', 'osm ñame é spaces'];

/** Everything in the project a check run must not create. */
async function resources(s: Session): Promise<string[]> {
  const ids = async (service: ServiceType, path: string, key: string) => (await s.list<{ id: string }>(service, `list ${key}`, path, key, {})).map((x) => `${key} ${x.id}`);
  const all = await Promise.all([
    ids('block-storage', '/volumes/detail', 'volumes'),
    ids('network', '/ports', 'ports'),
    ids('compute', '/servers/detail', 'servers'),
    ids('compute', '/flavors/detail?is_public=None', 'flavors'),
  ]);
  return all.flat().sort();
}

// wait_for_migrations returns each VM's result with its vm_name
const vmOf = (r: Record<string, unknown>) => String(r.vm_name);

/** The temporary data directory a check run made (pre_checks.yml). */
function scratchDir(run: PlaybookRun): string {
  const made = run.tasks.find((t) => t.task.endsWith('Check mode - a temporary data directory') && t.result.path !== undefined);
  assert.ok(made, 'the check run made a temporary data directory');
  return String(made.result.path);
}

/** The lab VM `name` as the assessment would describe it (the fixture's entry, renamed when needed). */
function assessed(name: string, status: AssessedVm['status'] = 'ready'): AssessedVm {
  const base = dataVms().find((v) => v.name === name) ?? (dataVms()[0] as AssessedVm);
  return { ...base, name, target_name: name, status };
}

function debugLines(run: PlaybookRun, task: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of run.tasks.filter((x) => x.task.endsWith(task))) {
    for (const r of (t.result.results as Record<string, unknown>[] | undefined) ?? []) {
      const lines = r.msg as string[];
      out[String(lines[0]).split(':')[0] as string] = lines;
    }
  }
  return out;
}

describe('waves and check mode through the playbooks', () => {
  let c: InstalledCollection;
  let s: Session;
  let dataDir: string;

  before(async () => {
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    for (const vm of DATA_VMS) await cleanLabVm(s, vm);
  });
  after(async () => {
    for (const vm of DATA_VMS) await cleanLabVm(s, vm);
    await s?.close();
  });

  const freshDataDir = (vms: AssessedVm[]) => {
    dataDir = join(c.work, `data-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dataDir);
    writeAssessment(dataDir, assessment(vms));
    return dataDir;
  };
  const writeWaves = (waves: { name: string; vms: string[] }[]) =>
    writeFileSync(
      join(dataDir, 'waves.yml'),
      `${JSON.stringify({ waves: waves.map((w) => ({ ...w, bytes: 0, estimated_seconds: 0 })), unplanned: [], warnings: [], bytes_per_second: 1048576, rate_source: 'configured' })}\n`,
    );

  it('plan_waves plans the 30 simulator VMs into six waves of at most 5 and writes assessment.html', () => {
    freshDataDir(simulatorVms());
    const names = simulatorVms().map((v) => v.name);
    const run = labMigration(c, { os_migrate_vmw_data_dir: dataDir, vms_list: names, max_instances_in_flight: 5 }, 'plan_waves');
    assert.equal(run.code, 0, run.stderr);
    const waves = (parse(readFileSync(join(dataDir, 'waves.yml'), 'utf8')) as { waves: { name: string; vms: string[] }[] }).waves;
    assert.deepEqual(waves.map((w) => w.vms.length), [5, 5, 5, 5, 5, 5]);
    assert.deepEqual(waves.flatMap((w) => w.vms).sort(), [...names].sort());
    assert.match(readFileSync(join(dataDir, 'assessment.html'), 'utf8'), /data-total="waves" data-value="6"/);
    // check mode writes nothing
    rmSync(join(dataDir, 'waves.yml'));
    const check = labMigration(c, { os_migrate_vmw_data_dir: dataDir, vms_list: names, max_instances_in_flight: 5 }, 'plan_waves', ['--check']);
    assert.equal(check.code, 0, check.stderr);
    assert.equal(existsSync(join(dataDir, 'waves.yml')), false);
  });

  it('migration.yml --check shows each VM plan and creates, changes and writes nothing', async (t) => {
    freshDataDir([assessed('osm-single'), { ...(simulatorVms()[0] as AssessedVm), status: 'blocked', checks: [{ id: 'disk_has_data', severity: 'blocker', message: 'Hard disk 1 holds no data', fix: 'allow_empty_disks: true' }] }]);
    const before = await resources(s);
    const run = labMigration(c, { os_migrate_vmw_data_dir: dataDir, vms_list: ['osm-single', 'DC0_H0_VM0'] }, 'migration', ['--check']);
    const plans = debugLines(run, 'The plan of each VM');
    t.diagnostic(JSON.stringify(plans));
    const single = (plans['osm-single'] ?? []).join('\n');
    assert.match(single, /would be migrated/);
    assert.match(single, /flavor: \S+ \((existing|to create)\)/);
    assert.match(single, /ports: 00:50:56:01:01:00 on network [0-9a-f-]{36}\s+fixed IP .* \(would create\)/);
    assert.match(single, /volumes: osm-single-2000 1 GiB type \S+\s+AZ \S+ from LocalDS_0: create and copy/);
    assert.match(single, /bytes to read: 100663296/);
    assert.match(single, /assessment: ready/);
    // a running VM's disk is read from a snapshot only when it is copied: check mode shows the assessment's verdict
    const empty = (plans.DC0_H0_VM0 ?? []).join('\n');
    assert.match(empty, /volumes: DC0_H0_VM0-2000 10 GiB type \S+\s+AZ \S+ from LocalDS_0: create and copy/);
    assert.match(empty, /bytes to read: 0/);
    assert.match(empty, /assessment: blocked; blocked by disk_has_data: Hard disk 1 holds no data/);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await resources(s), before, 'nothing created or deleted');
    assert.deepEqual(readdirSync(dataDir), ['assessment.json'], 'nothing written to the data directory');
    assert.equal(existsSync(scratchDir(run)), false, 'the temporary data directory is removed');
  });

  it('--check removes its temporary data directory when a play fails on every host', () => {
    freshDataDir([assessed('osm-single')]);
    // the migrator (the only host of the metadata play) fails on a VM the vCenter does not have: the run stops there
    const run = labMigration(c, { os_migrate_vmw_data_dir: dataDir, vms_list: ['osm-single', 'osm-no-such-vm'] }, 'migration', ['--check']);
    assert.notEqual(run.code, 0);
    const failed = run.tasks.filter((t) => t.result.failed === true && t.result.ignored !== true);
    assert.deepEqual([...new Set(failed.map((t) => t.host))], ['localhost'], JSON.stringify(failed));
    assert.match(JSON.stringify(failed.map((t) => t.result.msg)), /osm-no-such-vm/);
    assert.equal(run.tasks.some((t) => t.task === 'Remove it'), false, 'Ansible skipped the cleanup play');
    assert.equal(existsSync(scratchDir(run)), false, 'the temporary data directory is removed all the same');
    assert.deepEqual(readdirSync(dataDir), ['assessment.json'], 'nothing written to the data directory');
  });

  it('migration_waves.yml --check runs every wave end to end and creates nothing', async () => {
    freshDataDir(['osm-single', 'osm-multinic'].map((n) => assessed(n)));
    writeWaves([{ name: 'wave-1', vms: ['osm-multinic'] }, { name: 'wave-2', vms: ['osm-single'] }]);
    const before = await resources(s);
    const run = labMigration(c, { os_migrate_vmw_data_dir: dataDir }, 'migration_waves', ['--check']);
    assert.equal(run.code, 0, run.stderr + JSON.stringify(importResults(run).map((r) => r.msg)));
    const plans = debugLines(run, 'The plan of each VM');
    assert.deepEqual(Object.keys(plans).sort(), ['osm-multinic', 'osm-single']);
    assert.match((plans['osm-multinic'] ?? []).join('\n'), /ports: 00:50:56:01:03:00 .*; 00:50:56:01:03:01 /s);
    assert.deepEqual(await resources(s), before);
    assert.deepEqual(readdirSync(dataDir).sort(), ['assessment.json', 'waves.yml']);
    // migration.yml -e migration_wave=<name> takes exactly that wave's VMs
    const one = labMigration(c, { os_migrate_vmw_data_dir: dataDir, migration_wave: 'wave-2' }, 'migration', ['--check']);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(Object.keys(debugLines(one, 'The plan of each VM')), ['osm-single']);
    const unknown = labMigration(c, { os_migrate_vmw_data_dir: dataDir, migration_wave: 'wave-9' }, 'migration', ['--check']);
    assert.notEqual(unknown.code, 0);
    assert.match(String(unknown.tasks.find((t) => t.result.failed === true)?.result.msg), /Wave wave-9 is not in .*waves\.yml \(planned: wave-1, wave-2\)/);
  });

  it('migration_waves.yml stops at the first wave with a failed VM', async () => {
    freshDataDir([assessed('osm-single'), simulatorVms()[0] as AssessedVm]);
    writeWaves([{ name: 'wave-1', vms: ['DC0_H0_VM0'] }, { name: 'wave-2', vms: ['osm-single'] }]);
    const run = labMigration(c, { os_migrate_vmw_data_dir: dataDir, verify_after_migration: false }, 'migration_waves');
    assert.notEqual(run.code, 0);
    const started = importResults(run).map(vmOf);
    assert.deepEqual(started, ['DC0_H0_VM0'], 'wave-2 never started');
    assert.match(String(importResults(run)[0]?.msg), /holds no data/);
    assert.equal(await toolServer(s, 'osm-single'), undefined);
    assert.deepEqual(await toolVolumes(s, 'osm-single'), []);
  });

  it('two conversion hosts share the waves and never have more than max_instances_in_flight instances in flight', async (t) => {
    // a second inventory (merged with the lab's by a second -i): one more conversion host, the same machine
    const inventory = join(c.work, 'second-conversion-host.yml');
    writeFileSync(inventory, 'conversion_host:\n  hosts:\n    osm-conversion-host-2:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n');
    const twoHosts = ['-i', inventory];
    const limits = { max_instances_in_flight: 3, max_parallel_migrations: 2, verify_after_migration: false };
    freshDataDir(DATA_VMS.map((n) => assessed(n)));

    // without waves, 2 hosts x 2 parallel migrations would be 4 at once: refused before anything is created
    const before = await resources(s);
    const split = join(c.work, 'split-conversion-hosts.yml');
    const host = (name: string, vms: string[]) => `    ${name}:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n      conversion_host_vms: ${JSON.stringify(vms)}\n`;
    writeFileSync(split, `conversion_host:\n  hosts:\n${host('osm-conversion-host', DATA_VMS.slice(0, 2))}${host('osm-conversion-host-2', DATA_VMS.slice(2))}`);
    const refused = labMigration(c, { ...limits, os_migrate_vmw_data_dir: dataDir, vms_list: DATA_VMS }, 'migration', ['-i', split]);
    assert.notEqual(refused.code, 0);
    assert.match(String(refused.tasks.find((t) => t.result.failed === true)?.result.msg), /would migrate 4 VMs at once, more than max_instances_in_flight \(3\)/);
    assert.deepEqual(await resources(s), before);

    const plan = labMigration(c, { ...limits, os_migrate_vmw_data_dir: dataDir, vms_list: DATA_VMS }, 'plan_waves', twoHosts);
    assert.equal(plan.code, 0, plan.stderr);
    const waves = (parse(readFileSync(join(dataDir, 'waves.yml'), 'utf8')) as { waves: { vms: string[] }[] }).waves;
    assert.deepEqual(waves.map((w) => w.vms.length), [3, 1]);

    const run = labMigration(c, { ...limits, os_migrate_vmw_data_dir: dataDir }, 'migration_waves', twoHosts);
    const results = importResults(run);
    assert.equal(run.code, 0, JSON.stringify(results.map((r) => r.msg)));
    // both conversion hosts migrated VMs of the first wave
    const waits = run.tasks.filter((t) => t.task.endsWith('Wait for the batch to finish') && t.result.skipped !== true);
    const firstWaveHosts = waits.filter((w) => ((w.result.results as Record<string, unknown>[] | undefined) ?? []).some((r) => waves[0]?.vms.includes(vmOf(r)))).map((w) => w.host);
    assert.deepEqual([...new Set(firstWaveHosts)].sort(), ['osm-conversion-host', 'osm-conversion-host-2']);
    for (const vm of DATA_VMS) assert.equal((await toolServer(s, vm))?.status, 'ACTIVE', vm);
    // instances in flight: each VM's migration from its log's first to its last line (the role fetched each log to
    // <data_dir>/<vm>/migration.log and removed it from the conversion host)
    const spans = results.map((r) => {
      const log = join(dataDir, vmOf(r), 'migration.log');
      const times = [...readFileSync(log, 'utf8').matchAll(/^time="([^"]+)"/gm)].map((m) => Date.parse(m[1] as string));
      return { vm: vmOf(r), start: Math.min(...times), end: Math.max(...times) };
    });
    assert.equal(spans.length, 4);
    const inFlight = Math.max(...spans.map((x) => spans.filter((y) => y.start <= x.start && x.start <= y.end).length));
    t.diagnostic(`in flight at most ${inFlight}: ${JSON.stringify(spans.map((x) => ({ ...x, start: new Date(x.start).toISOString(), end: new Date(x.end).toISOString() })))}`);
    t.diagnostic(`hosts: ${JSON.stringify(waits.map((x) => [x.host, ((x.result.results as Record<string, unknown>[] | undefined) ?? []).map(vmOf)]))}`);
    assert.ok(inFlight <= 3, `${inFlight} instances in flight: ${JSON.stringify(spans)}`);
    assert.ok(inFlight >= 2, `the wave ran in parallel over the two hosts: ${JSON.stringify(spans)}`);
    // the waves in step across the hosts: every VM of a wave ends before any VM of the next wave starts
    const span = (vm: string) => spans.find((x) => x.vm === vm) ?? assert.fail(`no log for ${vm}`);
    for (const [i, wave] of waves.slice(0, -1).entries()) {
      const next = waves[i + 1]?.vms ?? [];
      const lastEnd = Math.max(...wave.vms.map((vm) => span(vm).end));
      const firstStart = Math.min(...next.map((vm) => span(vm).start));
      assert.ok(lastEnd < firstStart, `wave ${i + 2} started (${new Date(firstStart).toISOString()}) before wave ${i + 1} ended (${new Date(lastEnd).toISOString()})`);
    }
  });
});
