import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childGroups, forEachLine, runCommand, groupMembers, killGroup, processAlive, spawnGroup } from '../../src/util/process.js';

/** Whether process group `pgid` still has a running member. */
const groupAlive = (pgid: number): boolean => groupMembers(pgid).length > 0;

/** Spawns a shell that starts a background `sleep` (a second process of the group) and prints its pid. */
function shellWithGrandchild(signal?: AbortSignal) {
  const child = spawnGroup('sh', ['-c', 'sleep 30 & echo $!; wait'], { signal });
  const grandchild = new Promise<number>((resolve) => forEachLine(child.stdout, (l) => resolve(Number(l))));
  return { child, grandchild };
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(20);
  return !processAlive(pid);
}

test('an abort kills the whole process group, the processes the child started too', async () => {
  const ac = new AbortController();
  const { child, grandchild } = shellWithGrandchild(ac.signal);
  const pid = await grandchild;
  assert.ok(processAlive(pid));
  const closed = once(child, 'close');
  ac.abort();
  const [code, sig] = await closed;
  assert.equal(code, null);
  assert.equal(sig, 'SIGKILL');
  assert.ok(await gone(pid), `the background sleep ${pid} survived the abort`);
});

test('killGroup reaches every member; a group already gone, or no pid, is not an error', async () => {
  const { child, grandchild } = shellWithGrandchild();
  const pid = await grandchild;
  const closed = once(child, 'close');
  killGroup(child.pid, 'SIGTERM');
  await closed;
  assert.ok(await gone(pid));
  assert.doesNotThrow(() => killGroup(child.pid, 'SIGKILL'));
  assert.doesNotThrow(() => killGroup(undefined, 'SIGKILL'));
});

test('an abort after the child closed signals nothing', async () => {
  const ac = new AbortController();
  const child = spawnGroup('true', [], { signal: ac.signal });
  await once(child, 'close');
  const kill = process.kill;
  const sent: number[] = [];
  process.kill = ((pid: number, sig?: string | number) => {
    sent.push(pid);
    return kill.call(process, pid, sig);
  }) as typeof process.kill;
  try {
    ac.abort();
  } finally {
    process.kill = kill;
  }
  assert.deepEqual(sent, []);
});

test('a missing command is reported as the child error, not thrown', async () => {
  const child = spawnGroup('/nonexistent/osm-no-such-command', []);
  const [err] = (await once(child, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ENOENT');
});

test('pipeFd3 gives the child a pipe on descriptor 3', async () => {
  const child = spawnGroup('sh', ['-c', 'cat <&3'], { pipeFd3: true });
  const lines: string[] = [];
  forEachLine(child.stdout, (l) => lines.push(l));
  (child.stdio[3] as NodeJS.WritableStream).end('secret\n');
  await once(child, 'close');
  assert.deepEqual(lines, ['secret']);
});

test('forEachLine splits on \\n, \\r\\n and \\r across chunks and skips blank lines', () => {
  const s = new PassThrough();
  const lines: string[] = [];
  forEachLine(s, (l) => lines.push(l));
  for (const chunk of ['one\r', '\ntwo\n\n  \nthr', 'ee\rfour\n', 'unterminated']) s.write(chunk);
  // PassThrough emits 'data' synchronously on write once a listener is attached.
  assert.deepEqual(lines, ['one', 'two', 'three', 'four']);
});

/** A Node parent that starts `sh` (which starts a background `sleep`) through spawnGroup and prints both pids. */
function parentWithGroup(script: string) {
  const processJs = fileURLToPath(new URL('../../src/util/process.js', import.meta.url));
  const code = `import(${JSON.stringify(processJs)}).then(({ spawnGroup, forEachLine }) => {
    const c = spawnGroup('sh', ['-c', ${JSON.stringify(script)}]);
    forEachLine(c.stdout, (l) => console.log(c.pid + ' ' + l));
    setInterval(() => {}, 1000);
  });`;
  const parent = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = new Promise<[number, number]>((resolve) =>
    forEachLine(parent.stdout, (l) => resolve(l.split(' ').map(Number) as [number, number])),
  );
  return { parent, pids };
}

test('SIGKILL of the parent kills the whole group at once: the command and what it started', async () => {
  const { parent, pids } = parentWithGroup('sleep 30 & echo $!; sleep 30');
  const [pgid, grandchild] = await pids;
  assert.ok(groupAlive(pgid) && processAlive(grandchild));
  const killedAt = performance.now();
  parent.kill('SIGKILL');
  while (groupAlive(pgid) && performance.now() - killedAt < 5000) await sleep(1);
  const ms = performance.now() - killedAt;
  assert.deepEqual(groupMembers(pgid), [], `group ${pgid} (with the background sleep ${grandchild}) outlived its parent`);
  console.log(`# group gone ${ms.toFixed(1)} ms after SIGKILL of its parent`);
});

test('the command ending kills the rest of its group, and the group leaves childGroups()', async () => {
  const child = spawnGroup('sh', ['-c', 'sleep 30 & echo $!']);
  // Listened for before anything is awaited: the command may end before its output line is read.
  const exited = once(child, 'exit');
  const grandchild = new Promise<number>((resolve) => forEachLine(child.stdout, (l) => resolve(Number(l))));
  // Its start time as spawnGroup read it (the command may have ended already, and a zombie has none).
  assert.deepEqual(childGroups().map((g) => [g.pgid, /^\d+$/.test(g.start)]), [[child.pid, true]]);
  const pid = await grandchild;
  await exited;
  assert.ok(await gone(pid), `the background sleep ${pid} outlived the command`);
  assert.deepEqual(childGroups(), []);
});

test('the exit code and the killing signal are the command\'s own; SIGTERM to the group lets the command finish', async () => {
  const rc = spawnGroup('sh', ['-c', 'exit 7']);
  assert.deepEqual(await once(rc, 'close'), [7, null]);
  const killed = spawnGroup('sh', ['-c', 'kill -TERM $$']);
  assert.deepEqual(await once(killed, 'close'), [null, 'SIGTERM']);
  const graceful = spawnGroup('sh', ['-c', 'trap "echo stopping; exit 3" TERM; echo up; sleep 30 & wait']);
  await new Promise<void>((resolve) => forEachLine(graceful.stdout, (l) => l === 'up' && resolve()));
  const closed = once(graceful, 'close');
  killGroup(graceful.pid, 'SIGTERM');
  assert.deepEqual(await closed, [3, null]);
});

test('runCommand collects the output, and rejects with it on failure, on a missing command and past maxBuffer', async () => {
  assert.deepEqual(await runCommand('sh', ['-c', 'echo out; echo err >&2']), { stdout: 'out\n', stderr: 'err\n' });
  await assert.rejects(runCommand('sh', ['-c', 'echo partial; echo broken >&2; exit 3']), (e: Error & { stdout: string; stderr: string }) => {
    assert.equal(e.message, 'sh failed (exit code 3): broken');
    assert.deepEqual([e.stdout, e.stderr], ['partial\n', 'broken\n']);
    return true;
  });
  await assert.rejects(runCommand('/nonexistent/osm-no-such-command', []), /^Error: cannot run \/nonexistent\/osm-no-such-command: spawn .* ENOENT$/);
  await assert.rejects(runCommand('sh', ['-c', 'yes | head -c 100000; sleep 30'], { maxBuffer: 1000 }), /^Error: sh wrote more than 1000 bytes$/);
});
