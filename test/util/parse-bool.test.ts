import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBool } from '../../src/util/parse-bool.js';

describe('parseBool (Go strconv.ParseBool)', () => {
  it('reads the six spellings of each value and nothing else', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseBool(t), true, t);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseBool(f), false, f);
    for (const x of ['', 'yes', 'no', 'tRUE', ' true', 'true ', '2', 'on']) assert.equal(parseBool(x), undefined, JSON.stringify(x));
  });
});
