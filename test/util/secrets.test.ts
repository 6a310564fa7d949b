import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskDeep, maskSecrets, registerSecret } from '../../src/util/secrets.js';

describe('secret masking', () => {
  it('masks registered values wherever they appear, longest first', () => {
    registerSecret('hunter2hunter2');
    registerSecret('hunter2');
    assert.equal(maskSecrets('pw=hunter2hunter2 and hunter2'), 'pw=******** and ********');
  });
  it('masks every string of a nested result, keys kept', () => {
    registerSecret('tok-123456');
    assert.deepEqual(maskDeep({ a: ['x tok-123456'], b: { c: 'tok-123456' }, n: 1 }), {
      a: ['x ********'],
      b: { c: '********' },
      n: 1,
    });
  });
  it('masks short secrets as whole words only, long ones everywhere', () => {
    registerSecret('pass');
    registerSecret('Sup3rS3cretValue');
    assert.equal(maskSecrets('login user:pass@host failed: bad password'), 'login user:********@host failed: bad password');
    assert.equal(maskSecrets('{"password":"pass"}'), '{"password":"********"}');
    assert.equal(maskSecrets('xSup3rS3cretValuex'), 'x********x');
  });
  it('masks very short secrets only when they are the whole string', () => {
    registerSecret('ab');
    assert.equal(maskSecrets('abc'), 'abc');
    assert.equal(maskSecrets('ab'), '********');
  });
});
