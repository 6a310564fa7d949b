import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { noEffect, toJsonSchema } from '../../src/ansible/schema.js';
import { validateParams } from '../../src/ansible/validate.js';

const options = z.strictObject({
  name: z.string().min(1),
  count: z.number().int().default(1),
  mode: z.enum(['cold', 'warm']).default('cold'),
  cloud: z.union([z.string(), z.object({ auth: z.object({ auth_url: z.string() }).strict() })]).optional(),
  nics: z.array(z.strictObject({ mac: z.string() })).default([]),
  region_name: noEffect('give it inside cloud.', z.string()),
});
const json = toJsonSchema(options);
const check = (params: unknown) => validateParams(options, json, params);

describe('validateParams', () => {
  it('applies defaults', () => {
    assert.deepEqual(check({ name: 'a' }), { name: 'a', count: 1, mode: 'cold', nics: [] });
  });
  const bad: [string, unknown, RegExp][] = [
    ['missing required', {}, /missing required argument 'name'/],
    ['wrong type', { name: 5 }, /argument 'name' is of type int; expected str/],
    ['empty string', { name: '' }, /argument 'name' must not be empty/],
    ['unexpected key', { name: 'a', colour: 'red' }, /unsupported argument 'colour'; supported: cloud, count, mode, name, nics$/], // no-effect arguments are not offered,
    ['bad choice', { name: 'a', mode: 'hot' }, /argument 'mode' must be one of: cold, warm; got 'hot'/],
    ['float for int', { name: 'a', count: 1.5 }, /argument 'count'/],
    ['nested type', { name: 'a', nics: [{ mac: 1 }] }, /argument 'nics\[0\]\.mac' is of type int; expected str/],
    ['union', { name: 'a', cloud: 7 }, /argument 'cloud' of type int is not valid: expected str or dict/],
  ];
  for (const [label, params, message] of bad) {
    it(`rejects ${label} with a message naming the argument`, () => {
      assert.throws(() => check(params), (e: Error) => {
        assert.match(e.message, /^Invalid module arguments: /);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});
