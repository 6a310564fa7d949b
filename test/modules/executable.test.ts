import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { optionsSchema } from '../../src/ansible/module.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../../src/modules/registry.js';
import { modulesDir, parseSingleJson, runModule } from '../helpers/run-module.js';

describe('the multi-call executable', () => {
  it('has one link per module pointing at module_dispatcher', () => {
    for (const name of moduleNames()) assert.equal(readlinkSync(join(modulesDir, name)), 'module_dispatcher');
  });

  it('runs with an empty environment and prints one JSON result', () => {
    const run = runModule('warn', { msg: 'disk is small' });
    assert.equal(run.code, 0);
    assert.deepEqual(run.result, { changed: false, message: 'disk is small', warnings: ['disk is small'] });
  });

  it("is chosen by Ansible's AnsiballZ_ copy name", () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'osm-ansiballz-')), 'AnsiballZ_warn');
    copyFileSync(join(modulesDir, 'warn'), copy);
    const run = runModule('warn', { msg: 'm', _ansible_check_mode: true, _ansible_version: '2.14.18' }, { as: copy });
    assert.equal(run.code, 0);
    assert.equal(run.result.message, 'm');
  });

  it('fails clearly for an unknown module name', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'osm-unknown-')), 'AnsiballZ_no_such_module');
    copyFileSync(join(modulesDir, 'module_dispatcher'), copy);
    const run = runModule('x', {}, { as: copy });
    assert.equal(run.code, 1);
    assert.equal(run.result.failed, true);
    assert.match(String(run.result.msg), /unknown module 'no_such_module'.*one of: .*warn/);
  });

  it('prints usage for --help, per module and for the dispatcher', () => {
    for (const name of [...moduleNames(), 'module_dispatcher']) {
      const p = spawnSync(join(modulesDir, name), ['--help'], { encoding: 'utf8', env: {} });
      assert.equal(p.status, 0, name);
      assert.match(p.stdout, /usage: /, name);
    }
  });

  it('warns in the result about each argument without effect, in any case, and masks the secrets inside them', () => {
    const run = runModule('delete_flavor', { AUTH: { password: 'exe-no-effect-s3cret' }, region_name: 'RegionOne' });
    assert.equal(run.code, 1);
    assert.match(String(run.result.msg), /missing required argument 'name'/);
    const warned = (run.result.warnings as string[]).map((w) => /^argument '([^']+)' has no effect here/.exec(w)?.[1]).sort();
    assert.deepEqual(warned, ['auth', 'region_name']);
    assert.ok(!run.stdout.includes('exe-no-effect-s3cret'));
  });

  it('fails without an args file, with exit 1 and a JSON error', () => {
    const p = spawnSync(join(modulesDir, 'warn'), [], { encoding: 'utf8', env: {} });
    assert.equal(p.status, 1);
    assert.match(String(parseSingleJson(p.stdout).msg), /No argument file provided/);
  });
});

describe('bad input, for every module', () => {
  const cases: [string, string | Record<string, unknown>, RegExp][] = [
    ['invalid JSON', '{"msg": ', /is not valid JSON/],
    ['a JSON list', '[]', /must hold a JSON object/],
    ['an unexpected key', { definitely_not_an_option: 1 }, /unsupported argument 'definitely_not_an_option'/],
  ];
  for (const name of moduleNames()) {
    for (const [label, args, message] of cases) {
      it(`${name}: ${label} gives failed, exit 1 and a clear msg`, () => {
        const run = runModule(name, args);
        assert.equal(run.code, 1);
        assert.equal(run.result.failed, true);
        assert.equal(run.result.changed, false);
        assert.match(String(run.result.msg), message);
      });
    }
  }

  for (const name of Object.keys(moduleLoaders)) {
    it(`${name}: every string option given a number is named with its expected type`, async () => {
      const def = (await moduleLoaders[name]!()).default;
      const props = optionsSchema(def).properties ?? {};
      const strings = Object.entries(props).filter(([, s]) => s.type === 'string' && !s.enum && s.noEffect === undefined);
      for (const [key] of strings) {
        const run = runModule(name, { [key]: 12345 });
        assert.equal(run.code, 1, `${name}.${key}`);
        assert.match(String(run.result.msg), new RegExp(`argument '${key}' is of type int; expected (str|path|raw)`), `${name}.${key}`);
      }
    });
  }

  it('module aliases resolve to real modules', () => {
    for (const target of Object.values(moduleAliases)) assert.ok(moduleLoaders[target], target);
  });
});
