import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachLine, killGroup, processAlive, spawnGroup } from '../../src/util/process.js';

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
