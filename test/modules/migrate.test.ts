// The migrate executable run the way Ansible runs it (args file, one JSON result), and crash safety: the process is
// killed with SIGKILL after the volume is created, after the attach and in the middle of the copy; each rerun
// resumes, and the last one leaves the right bytes and no snapshot or attachment behind; killed during conversion,
// nothing it started outlives it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { findToolVolume } from '../../src/openstack/volume.js';
import { groupMembers } from '../../src/util/process.js';
import { orphanGroup } from '../helpers/orphan.js';
import { moduleNode, modulesDir, removeLogAtExit, runModule } from '../helpers/run-module.js';
import { getVolume } from '../../src/openstack/volume.js';
import { deleteVmVolumes, ensurePoweredOn, fakeVirtV2v, leftovers, moduleArgs, vmFacts, volumeSha256, vsphere, withOpenstack } from '../workflow/migrate-lab.js';

const VM = 'osm-windows';

/** Start the module in the background, the way Ansible runs it. */
function startMigrate(args: Record<string, unknown>, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'osm-run-'));
  writeFileSync(join(dir, 'args'), JSON.stringify(args));
  const child = spawn(moduleNode, [join(modulesDir, 'migrate'), join(dir, 'args')], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const state: { exited: number | null } = { exited: null };
  const result = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('close', (code) => {
      state.exited = code ?? -1;
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout });
    }),
  );
  return { child, state, result };
}

/** Start the module in the background with a fault-injection pause; resolve once it paused there (or fail). */
async function runUntilPaused(
  args: Record<string, unknown>,
  env: Record<string, string>,
  step: string,
): Promise<{ pid: number; log: string; result: Promise<{ code: number | null; stdout: string }> }> {
  const startedMs = Date.now();
  const { child, state, result } = startMigrate(args, { ...env, OSM_MIGRATE_PAUSE_AT: step });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (state.exited !== null) throw new Error(`migrate exited (${state.exited}) before pausing at ${step}`);
    const logs = readdirSync('/tmp')
      .filter((n) => n.startsWith('osm-nbdkit-osm-windows-') && n.endsWith('.log'))
      .map((n) => join('/tmp', n))
      .filter((p) => statSync(p).mtimeMs >= startedMs - 1000);
    for (const log of logs) {
      if (readFileSync(log, 'utf8').includes(`fault injection: paused at ${step}`)) {
        removeLogAtExit({ log_file: log });
        return { pid: child.pid!, log, result };
      }
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`migrate did not pause at ${step} within 120 s`);
}

/**
 * A virt-v2v-in-place stand-in that appends `<pid> <pgid> start <ms>` to `<dir>/writes`; while `<dir>/writes.hang`
 * exists it never finishes: a background `sleep` joins its group (as the libguestfs appliance does) and it writes a
 * zero block into the disk it was given every 50 ms, logging `<pid> write <ms>`.
 */
function hangingVirtV2v(): { dir: string; writes: string } {
  const dir = mkdtempSync(join(tmpdir(), 'osm-hang-v2v-'));
  const writes = join(dir, 'writes');
  writeFileSync(
    join(dir, 'virt-v2v-in-place'),
    [
      '#!/bin/sh',
      '[ "$1" = --help ] && { echo "--run SCRIPT --firstboot SCRIPT"; exit 0; }',
      'for a; do dev=$a; done',
      `echo "$$ $(cut -d' ' -f5 /proc/$$/stat) start $(date +%s%3N)" >> ${writes}`,
      `[ -e ${writes}.hang ] || exit 0`,
      'sleep 600 &',
      'while :; do',
      '  dd if=/dev/zero of="$dev" bs=4096 count=1 seek=1 conv=notrunc,fsync status=none',
      `  echo "$$ write $(date +%s%3N)" >> ${writes}`,
      '  sleep 0.05',
      'done',
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'virt-v2v-in-place'), 0o755);
  return { dir, writes };
}

/** The lines of the stand-in's log, split: `[pid, what, ms]` (`start` lines also carry the process group). */
function writeLog(file: string): { pid: number; pgid?: number; what: string; ms: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const f = l.split(' ');
    return f[2] === 'start' ? { pid: Number(f[0]), pgid: Number(f[1]), what: 'start', ms: Number(f[3]) } : { pid: Number(f[0]), what: f[1]!, ms: Number(f[2]) };
  });
}

/** Kill migrate during conversion (with its converter's group kept alive when `orphanSurvives`), then rerun. */
async function killDuringConversionThenRerun(env: Record<string, string>, orphanSurvives: boolean): Promise<void> {
  await deleteVmVolumes(VM);
  const fake = hangingVirtV2v();
  const v2vEnv = { ...env, PATH: `${fake.dir}:${env.PATH}` };
  const args = moduleArgs(VM, { disk_source: 'https', skipconversion: false });
  try {
    writeFileSync(`${fake.writes}.hang`, '');
    const killed = startMigrate(args, v2vEnv);
    const deadline = Date.now() + 180_000;
    while (!writeLog(fake.writes).some((w) => w.what === 'write') && killed.state.exited === null && Date.now() < deadline) await sleep(100);
    const orphan = writeLog(fake.writes)[0];
    assert.ok(orphan?.pgid, `the stand-in did not start converting (module exit ${killed.state.exited})`);
    assert.ok(groupMembers(orphan.pgid).length >= 3, 'supervisor, stand-in and its background sleep run');
    if (orphanSurvives) {
      await orphanGroup(killed.child.pid!, killed.result, orphan.pgid, orphan.pid);
    } else {
      const killedAt = performance.now();
      process.kill(killed.child.pid!, 'SIGKILL');
      while (groupMembers(orphan.pgid).length > 0 && performance.now() - killedAt < 5000) await sleep(1);
      const goneMs = performance.now() - killedAt;
      assert.deepEqual(groupMembers(orphan.pgid), [], 'the converter outlived the killed module');
      console.log(`# the conversion's process group was gone ${goneMs.toFixed(0)} ms after kill -9 of migrate`);
    }
    const lastOrphanWrite = (): number => Math.max(...writeLog(fake.writes).filter((w) => w.pid === orphan.pid).map((w) => w.ms));
    const beforeRerun = lastOrphanWrite();

    rmSync(`${fake.writes}.hang`);
    const rerun = runModule('migrate', { ...args, verify: true }, { env: v2vEnv, timeoutMs: 300_000 });
    const rerunDone = Date.now();
    assert.equal(rerun.code, 0, rerun.stdout);
    assert.equal(rerun.result.converted, true);
    assert.deepEqual(groupMembers(orphan.pgid), [], 'the orphan outlived the rerun');
    const stopped = readFileSync(rerun.result.log_file as string, 'utf8').split('\n').filter((l) => l.includes('stopped processes'));
    if (orphanSurvives) {
      assert.equal(stopped.length, 1);
      assert.match(stopped[0]!, new RegExp(`stopped processes (\\d+, )*${orphan.pid}(, \\d+)* left running by a killed migrate of VM ${VM} \\(pid ${killed.child.pid}\\) in \\d+ ms"$`));
      console.log(`# rerun: ${stopped[0]}`);
    } else {
      assert.deepEqual(stopped, [], 'nothing of the killed run was left to stop');
    }
    const [d] = rerun.result.disks as Array<Record<string, unknown>>;
    assert.equal(d!.sha256_target, vmFacts(VM).disks[0]!.sha256);
    await sleep(300);
    const log = writeLog(fake.writes);
    const rerunStart = log.find((w) => w.what === 'start' && w.pid !== orphan.pid);
    assert.ok(rerunStart, 'the rerun converted');
    const last = lastOrphanWrite();
    assert.ok(last < rerunStart.ms, 'the killed converter wrote after the rerun started converting');
    if (!orphanSurvives) assert.equal(last, beforeRerun, 'the killed converter wrote after its module was killed');
    await sleep(300);
    assert.equal(lastOrphanWrite(), last, 'the killed converter still writes after the rerun');
    assert.ok(rerunDone > last);
    const id = (rerun.result.id as string[])[0]!;
    const done = await withOpenstack((s) => getVolume(s, id));
    assert.deepEqual([done?.metadata.osm_conversion, done?.metadata.converted], ['done', 'true']);
    const privateLeft = readdirSync('/tmp')
      .filter((n) => /^osm-(v2v|nbd)-/.test(n))
      .filter((n) => existsSync(join('/tmp', n, 'owner')) && readFileSync(join('/tmp', n, 'owner'), 'utf8').startsWith(`${killed.child.pid} `));
    assert.deepEqual(privateLeft, [], 'private directories of the killed run left behind');
  } finally {
    rmSync(`${fake.writes}.hang`, { force: true });
    await ensurePoweredOn(VM);
  }
}

describe('migrate executable', { timeout: 900_000 }, () => {
  // No metadata service answers here (port 9 refuses): the conversion host comes from instanceuuid, as the role passes it.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', OSM_METADATA_URL: 'http://127.0.0.1:9/openstack/latest/meta_data.json' };
  const disk = () => vmFacts(VM).disks[0]!;

  before(() => deleteVmVolumes(VM));
  after(() => deleteVmVolumes(VM));

  it('runs as Ansible runs it: one JSON result with the volume ids, per-disk results and the log file', () => {
    const args = { ...moduleArgs(VM, { localdiskpath: vsphere().datastores[disk().datastore], verify: true, assumezero: true }), _ansible_check_mode: false };
    const { code, result, stdout } = runModule('migrate', args, { env, timeoutMs: 300_000 });
    assert.equal(code, 0, stdout);
    assert.equal(result.changed, true);
    assert.equal(result.msg, 'VM migrated successfully');
    const ids = result.id as string[];
    assert.equal(ids.length, 1);
    const [d] = result.disks as Array<Record<string, unknown>>;
    assert.equal(d!.key, 2000);
    assert.equal(d!.volume_id, ids[0]);
    assert.equal(d!.mode, 'full');
    assert.equal(d!.sha256_source, disk().sha256);
    assert.equal(d!.sha256_target, disk().sha256);
    assert.equal(typeof result.duration_seconds, 'number');
    const log = result.log_file as string;
    assert.match(log, /^\/tmp\/osm-nbdkit-osm-windows-[A-Za-z0-9]{8}\.log$/);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /disk 2000 \(full\): 128\.0 MiB of 128\.0 MiB \(100%\)/);
    assert.doesNotMatch(text, /osm-lab-osm/, 'no OpenStack password in the log');
    assert.doesNotMatch(stdout, /osm-lab-osm/);
  });

  it('fails with the log path at the end of msg, as the role expects', () => {
    const { code, result } = runModule('migrate', moduleArgs('no-such-vm-here'), { env });
    assert.equal(code, 1);
    assert.equal(result.failed, true);
    assert.match(result.msg as string, /^Failed to find VM: .* in vm path: .*\. Check logs: \/tmp\/osm-nbdkit-no-such-vm-here-[A-Za-z0-9]{8}\.log$/);
    const log = /\/tmp\/[^ ]+\.log/.exec(result.msg as string)![0];
    assert.ok(existsSync(log));
  });

  it('resumes after SIGKILL at each step; the last run leaves the right bytes and nothing attached or snapshotted', async () => {
    await deleteVmVolumes(VM);
    const args = moduleArgs(VM, { disk_source: 'https' });
    const killed: Record<string, { snapshots: number; attachments: number }> = {};
    for (const step of ['volume-created', 'attached', 'mid-copy']) {
      const { pid } = await runUntilPaused(args, env, step);
      process.kill(pid, 'SIGKILL');
      await sleep(200);
      const id = (await withOpenstack((s) => findToolVolume(s, 'osm-windows-2000')))?.id;
      assert.ok(id, `the volume exists after a kill at ${step}`);
      const left = await leftovers(VM, [id]);
      killed[step] = { snapshots: left.snapshots, attachments: left.attachments.length };
    }
    assert.deepEqual(killed, {
      'volume-created': { snapshots: 1, attachments: 0 },
      attached: { snapshots: 1, attachments: 1 },
      'mid-copy': { snapshots: 1, attachments: 1 },
    });
    const { code, result, stdout } = runModule('migrate', { ...args, verify: true }, { env, timeoutMs: 300_000 });
    assert.equal(code, 0, stdout);
    const id = (result.id as string[])[0]!;
    assert.equal(await volumeSha256(id, disk().capacity_bytes), disk().sha256);
    assert.match(readFileSync(result.log_file as string, 'utf8'), /removing snapshot osm-snap .* left by an earlier run/);
    assert.deepEqual(await leftovers(VM, [id]), { snapshots: 0, attachments: [], links: [] });
  });

  it('a crash after virt-v2v ran but before the volume was marked converted makes the rerun copy the whole disk again', async () => {
    await deleteVmVolumes(VM);
    const fake = fakeVirtV2v();
    const v2vEnv = { ...env, PATH: `${fake}:${env.PATH}` };
    const presync = moduleArgs(VM, { disk_source: 'https', cbtsync: true });
    const cutover = { ...presync, cutover: true, skipconversion: false };
    try {
      const first = runModule('migrate', presync, { env: v2vEnv, timeoutMs: 300_000 });
      assert.equal(first.code, 0, first.stdout);
      const id = (first.result.id as string[])[0]!;
      const { pid } = await runUntilPaused(cutover, v2vEnv, 'converted');
      process.kill(pid, 'SIGKILL');
      const halfway = await withOpenstack((s) => getVolume(s, id));
      assert.deepEqual([halfway?.metadata.osm_conversion, halfway?.metadata.converted], ['started', 'false']);
      const rerun = runModule('migrate', { ...cutover, verify: true }, { env: v2vEnv, timeoutMs: 300_000 });
      assert.equal(rerun.code, 0, rerun.stdout);
      const [d] = rerun.result.disks as Array<Record<string, unknown>>;
      assert.equal(d!.mode, 'full');
      assert.equal(d!.sha256_target, disk().sha256);
      assert.equal(rerun.result.converted, true);
      assert.match(readFileSync(rerun.result.log_file as string, 'utf8'), /an earlier conversion did not finish; copying the whole disk again/);
      const done = await withOpenstack((s) => getVolume(s, id));
      assert.deepEqual([done?.metadata.osm_conversion, done?.metadata.converted], ['done', 'true']);
      assert.match(done?.metadata.changeID ?? '', /\/\d+$/);
      assert.deepEqual(await leftovers(VM, [id]), { snapshots: 0, attachments: [], links: [] });
    } finally {
      await ensurePoweredOn(VM);
    }
  });

  it('kill -9 during conversion: the converter and what it started end with the module; the rerun converts and nothing of the killed run writes after', () =>
    killDuringConversionThenRerun(env, false));

  it('kill -9 during conversion with the converter surviving it: the rerun stops it before converting; nothing of it writes after', () =>
    killDuringConversionThenRerun(env, true));

  it('on SIGTERM mid-copy it stops, detaches, removes the snapshot and reports the failure with the log path', async () => {
    await deleteVmVolumes(VM);
    const { pid, log, result } = await runUntilPaused(moduleArgs(VM, { disk_source: 'https' }), env, 'mid-copy');
    process.kill(pid, 'SIGTERM');
    const { code, stdout } = await result;
    assert.equal(code, 1);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(out.failed, true);
    assert.match(out.msg as string, new RegExp(`interrupted by SIGTERM\\. Check logs: ${log}$`));
    const id = (await withOpenstack((s) => findToolVolume(s, 'osm-windows-2000')))!.id;
    assert.deepEqual([out.changed, out.id], [true, [id]], 'the failed result names the volume it created, and says it changed something');
    assert.deepEqual(await leftovers(VM, [id]), { snapshots: 0, attachments: [], links: [] });
  });

  it('refuses a VM whose disk holds no data before anything is created, and migrates it with allow_empty_disks', async () => {
    const empty = 'DC0_H0_VM3';
    await deleteVmVolumes(empty);
    try {
      const args = moduleArgs(empty, { localdiskpath: vsphere().datastores.LocalDS_0 });
      const refused = runModule('migrate', args, { env });
      assert.equal(refused.code, 1);
      assert.deepEqual([refused.result.failed, refused.result.changed, refused.result.id], [true, false, [null]]);
      assert.match(String(refused.result.msg), /^Failed to migrate VM: VM DC0_H0_VM3 disk 0 \(key 2000, file \[LocalDS_0\] DC0_H0_VM3\/disk1\.vmdk\) holds no data.*allow_empty_disks: true.*Nothing was created\. Check logs: /);
      assert.equal(await withOpenstack((s) => findToolVolume(s, `${empty}-2000`)), undefined);
      const check = runModule('migrate', { ...args, _ansible_check_mode: true }, { env });
      assert.equal(check.code, 1);
      assert.deepEqual((check.result.plan as { disks: { action: string }[] }).disks.map((d) => d.action), ['blocked']);
      const allowed = runModule('migrate', { ...args, allow_empty_disks: true, assumezero: true }, { env });
      assert.equal(allowed.code, 0, JSON.stringify(allowed.result));
      assert.deepEqual([allowed.result.changed, (allowed.result.disks as { empty?: boolean }[])[0]?.empty], [true, true]);
    } finally {
      await deleteVmVolumes(empty);
    }
  });
});
