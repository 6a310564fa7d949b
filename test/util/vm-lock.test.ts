import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { forEachLine, groupMembers, processStartTime, spawnGroup } from '../../src/util/process.js';
import { lockVm } from '../../src/util/vm-lock.js';

/** pid and start time of a real process that has ended. */
function endedProcess(): { pid: number; start: string } {
  const [pid, start] = spawnSync('sh', ['-c', 'echo $$ $(cut -d" " -f22 /proc/$$/stat)'], { encoding: 'utf8' }).stdout.trim().split(' ');
  return { pid: Number(pid), start: start! };
}

test('one run per VM: a second fails naming what runs, its pid and the lock; after release the lock is free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-lock-'));
  const release = await lockVm('osm ñame', 'migrate', { dir });
  await assert.rejects(
    lockVm('osm ñame', 'import_vmware_volume', { dir }),
    new RegExp(`^Error: migrate of VM osm ñame is already running on this conversion host \\(pid ${process.pid}, lock ${dir}/osm-vm-osm_name\\.lock\\); wait for it to finish$`),
  );
  release();
  assert.deepEqual(readdirSync(dir), []);
  (await lockVm('osm ñame', 'import_vmware_volume', { dir }))();
});

test('the lock lists the child groups while they run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-lock-'));
  const release = await lockVm('vm', 'migrate', { dir });
  const lock = (): unknown => JSON.parse(readFileSync(join(dir, 'osm-vm-vm.lock'), 'utf8'));
  const child = spawnGroup('sleep', ['30']);
  assert.deepEqual(lock(), { pid: process.pid, start: processStartTime(process.pid), what: 'migrate', groups: [{ pgid: child.pid, start: processStartTime(child.pid!) }] });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.deepEqual((lock() as { groups: unknown[] }).groups, []);
  release();
});

test('a killed owner\'s lock is taken over once its still running groups are killed and gone; a reused pid is left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-lock-'));
  // A group that survived its owner (plain spawn: no supervisor), with a second process in it.
  const survivor = spawn('sh', ['-c', 'sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
  const pgid = survivor.pid!;
  while (groupMembers(pgid).length < 2) await new Promise((r) => setTimeout(r, 5));
  const owner = endedProcess();
  const reused = { pgid: process.pid, start: '1' };
  writeFileSync(join(dir, 'osm-vm-vm.lock'), JSON.stringify({ ...owner, what: 'migrate', groups: [{ pgid, start: processStartTime(pgid) }, reused] }));
  const lines: string[] = [];
  const started = performance.now();
  const release = await lockVm('vm', 'migrate', { dir, log: (l) => lines.push(l) });
  const ms = performance.now() - started;
  assert.deepEqual(groupMembers(pgid), []);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`^stopped processes ${pgid}(, \\d+)+ left running by a killed migrate of VM vm \\(pid ${owner.pid}\\) in \\d+ ms$`));
  console.log(`# took over the lock, killing the left-over processes, in ${ms.toFixed(1)} ms`);
  release();
});

test('SIGKILL of a lock owner running a child: a rerun takes the lock at once and no process of the child group runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-lock-'));
  const util = (f: string) => JSON.stringify(fileURLToPath(new URL(`../../src/util/${f}`, import.meta.url)));
  const code = `const { lockVm } = await import(${util('vm-lock.js')});
const { spawnGroup, forEachLine } = await import(${util('process.js')});
await lockVm('vm', 'migrate', { dir: ${JSON.stringify(dir)} });
const c = spawnGroup('sh', ['-c', 'sleep 30 & echo $!; sleep 30']);
forEachLine(c.stdout, (l) => console.log(c.pid + ' ' + l));
setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [pgid, sleeper] = await new Promise<number[]>((resolve) => forEachLine(parent.stdout, (l) => resolve(l.split(' ').map(Number))));
  await assert.rejects(lockVm('vm', 'migrate', { dir }), /already running/);
  parent.kill('SIGKILL');
  await new Promise((r) => parent.once('exit', r));
  const started = performance.now();
  const release = await lockVm('vm', 'migrate', { dir });
  const ms = performance.now() - started;
  assert.deepEqual(groupMembers(pgid!), [], `the group of ${sleeper} runs after the rerun took the lock`);
  console.log(`# rerun took the lock ${ms.toFixed(1)} ms after the owner's exit`);
  release();
});

test('a lock file this tool did not write is refused, naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-lock-'));
  writeFileSync(join(dir, 'osm-vm-vm.lock'), 'root:*:19000:0:99999:7:::');
  await assert.rejects(lockVm('vm', 'migrate', { dir }), (e: Error) => {
    assert.equal(e.message, `the lock file ${dir}/osm-vm-vm.lock of VM vm is not one this tool wrote; remove it if no migration or import of vm runs`);
    return true;
  });
});
