import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPageAligned, leasePageAlignedBuffers } from '../../src/util/aligned-buffer.js';

const MiB = 1024 * 1024;

test('a released lease lends its memory to the next one that fits; an unreleased or too small one is not reused', () => {
  const a = leasePageAlignedBuffers(4, MiB);
  assert.equal(a.buffers.length, 4);
  for (const b of a.buffers) assert.ok(isPageAligned(b) && b.length === MiB);
  // Not released (a copy that was aborted): the next lease gets fresh memory.
  const b = leasePageAlignedBuffers(2, MiB);
  assert.notEqual(b.buffers[0]!.buffer, a.buffers[0]!.buffer);
  a.release();
  // Smaller request, 256 KiB buffers: carved from a's memory, still page-aligned and disjoint.
  const c = leasePageAlignedBuffers(8, 256 * 1024);
  assert.equal(c.buffers[0]!.buffer, a.buffers[0]!.buffer);
  assert.ok(c.buffers.every((x) => isPageAligned(x) && x.length === 256 * 1024));
  assert.equal(new Set(c.buffers.map((x) => x.byteOffset)).size, 8);
  c.release();
  // Larger than the idle memory: fresh memory; the idle one stays for a later lease that fits.
  const d = leasePageAlignedBuffers(8, MiB);
  assert.notEqual(d.buffers[0]!.buffer, a.buffers[0]!.buffer);
  const e = leasePageAlignedBuffers(1, MiB);
  assert.equal(e.buffers[0]!.buffer, a.buffers[0]!.buffer);
  // A lease is lent once: released twice, it is still handed out to one lease only.
  e.release();
  e.release();
  const f = leasePageAlignedBuffers(1, MiB);
  const g = leasePageAlignedBuffers(1, MiB);
  assert.notEqual(f.buffers[0]!.buffer, g.buffers[0]!.buffer);
  b.release();
  d.release();
});
