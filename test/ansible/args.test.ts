import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { coerceAnsibleTypes, dropNoEffect, normalizeKeys, readArgsFile, registerSecretArgs, splitInternals } from '../../src/ansible/args.js';
import { ModuleFailure } from '../../src/ansible/errors.js';
import { noEffect, secretString, toJsonSchema } from '../../src/ansible/schema.js';
import { maskSecrets } from '../../src/util/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'osm-args-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('readArgsFile', () => {
  it('reads a JSON object', () => {
    assert.deepEqual(readArgsFile(file('ok.json', '{"a": 1}')), { a: 1 });
  });
  it('fails clearly without a path, for a missing file, invalid JSON and a non-object', () => {
    assert.throws(() => readArgsFile(undefined), /No argument file provided/);
    assert.throws(() => readArgsFile(join(dir, 'missing.json')), /Could not read arguments file .*missing\.json/);
    assert.throws(() => readArgsFile(file('bad.json', '{"a":')), /is not valid JSON/);
    assert.throws(() => readArgsFile(file('list.json', '[1]')), /must hold a JSON object/);
    assert.throws(() => readArgsFile(file('null.json', 'null')), ModuleFailure);
  });
});

describe('splitInternals', () => {
  it('separates _ansible_ keys and reads check, diff, no_log and verbosity', () => {
    const { params, internals } = splitInternals({
      name: 'x',
      _ansible_check_mode: true,
      _ansible_diff: true,
      _ansible_no_log: false,
      _ansible_verbosity: 3,
      _ansible_module_name: 'flavor_info',
      _ansible_tmpdir: '/tmp/a',
      _ansible_version: '2.14.18',
    });
    assert.deepEqual(params, { name: 'x' });
    assert.deepEqual(internals, {
      checkMode: true,
      diff: true,
      noLog: false,
      verbosity: 3,
      moduleName: 'flavor_info',
      tmpdir: '/tmp/a',
    });
  });
  it('defaults to a normal run', () => {
    assert.equal(splitInternals({}).internals.checkMode, false);
  });
});

const schema = toJsonSchema(
  z.strictObject({ vmname: z.string(), cbtsync: z.boolean().default(false), dst_cloud: z.string().optional() }),
);

describe('normalizeKeys', () => {
  it('folds case only when asked, exact names win', () => {
    assert.deepEqual(normalizeKeys({ VmName: 'a', CBTSYNC: true }, schema, { caseInsensitive: true, aliases: {} }), {
      vmname: 'a',
      cbtsync: true,
    });
    assert.deepEqual(normalizeKeys({ VmName: 'a' }, schema, { caseInsensitive: false, aliases: {} }), { VmName: 'a' });
  });
  it('maps aliases and refuses two spellings of one option', () => {
    assert.deepEqual(normalizeKeys({ cloud: 'c' }, schema, { caseInsensitive: false, aliases: { dst_cloud: ['cloud'] } }), {
      dst_cloud: 'c',
    });
    assert.throws(
      () => normalizeKeys({ vmname: 'a', VMNAME: 'b' }, schema, { caseInsensitive: true, aliases: {} }),
      /both set option 'vmname'/,
    );
  });
});

describe('coerceAnsibleTypes', () => {
  const s = toJsonSchema(
    z.object({
      b: z.boolean(),
      n: z.number().int(),
      l: z.array(z.object({ on: z.boolean() })),
      d: z.object({ x: z.boolean() }),
    }),
  );
  it("converts Ansible's boolean and integer strings, at any depth", () => {
    assert.deepEqual(coerceAnsibleTypes({ b: 'yes', n: '42', l: [{ on: 'False' }], d: { x: 'on' } }, s), {
      b: true,
      n: 42,
      l: [{ on: false }],
      d: { x: true },
    });
  });
  it('leaves values it cannot convert for validation to reject', () => {
    assert.deepEqual(coerceAnsibleTypes({ b: 'maybe', n: '4.5' }, s), { b: 'maybe', n: '4.5' });
  });
});

describe('registerSecretArgs', () => {
  it('registers secrets nested in dicts and unions so they are masked', () => {
    const s = toJsonSchema(
      z.object({
        cloud: z.union([z.string(), z.object({ auth: z.object({ password: secretString('pw') }) })]),
        password: secretString('pw'),
      }),
    );
    registerSecretArgs({ cloud: { auth: { password: 'nested-s3cret' } }, password: 'top-s3cret' }, s);
    assert.equal(maskSecrets('a nested-s3cret b top-s3cret'), 'a ******** b ********');
  });
});

describe('dropNoEffect', () => {
  const s = toJsonSchema(
    z.strictObject({
      name: z.string(),
      auth: noEffect('give the credentials inside cloud.', z.looseObject({ password: secretString('pw') })),
      wait: noEffect('nothing to wait for.', z.boolean()),
    }),
  );
  it('takes out each argument without effect, with a warning naming it and saying why', () => {
    const warnings: string[] = [];
    assert.deepEqual(dropNoEffect({ name: 'a', auth: { password: 'x' }, wait: 'not even a bool' }, s, (m) => warnings.push(m)), { name: 'a' });
    assert.deepEqual(warnings, [
      "argument 'auth' has no effect here (accepted for compatibility with upstream): give the credentials inside cloud.",
      "argument 'wait' has no effect here (accepted for compatibility with upstream): nothing to wait for.",
    ]);
  });
  it('warns about nothing when no such argument is given, or given null', () => {
    const warnings: string[] = [];
    assert.deepEqual(dropNoEffect({ name: 'a', wait: null }, s, (m) => warnings.push(m)), { name: 'a' });
    assert.deepEqual(warnings, []);
  });
  it('leaves unknown keys for validation to refuse', () => {
    assert.deepEqual(dropNoEffect({ name: 'a', wiat: true }, s, () => assert.fail('no warning expected')), { name: 'a', wiat: true });
  });
});
