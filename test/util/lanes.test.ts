import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapInLanes } from '../../src/util/lanes.js';

test('mapInLanes keeps the order of the items, runs at most `lanes` at a time, and a free lane takes the next item', async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const out = await mapInLanes([40, 5, 5, 5, 5, 5], 2, async (ms, i) => {
    started.push(i);
    most = Math.max(most, ++running);
    await sleep(ms);
    running--;
    return `${i}:${ms}`;
  });
  assert.deepEqual(out, ['0:40', '1:5', '2:5', '3:5', '4:5', '5:5']);
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
});

test('mapInLanes over no items calls nothing; a failure rejects', async () => {
  assert.deepEqual(await mapInLanes([], 4, () => Promise.reject(new Error('called'))), []);
  await assert.rejects(mapInLanes([1, 2], 0, (x) => (x === 2 ? Promise.reject(new Error('item 2')) : Promise.resolve(x))), /item 2/);
});
