import { spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { optionsSchema } from '../../src/ansible/module.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../../src/modules/registry.js';
import { moduleNode, modulesDir, parseSingleJson, runModule } from '../helpers/run-module.js';

describe('the module files', () => {
  it('are one self-contained JavaScript file per module that Ansible runs with the pinned node, and one link per alias', () => {
    for (const name of Object.keys(moduleLoaders)) {
      const file = join(modulesDir, name);
      assert.ok(lstatSync(file).isFile(), name);
      const head = readFileSync(file).subarray(0, 1024);
      assert.equal(head.toString('latin1').split('\n')[0], '#!/usr/bin/node', `${name}: Ansible swaps this interpreter for ansible_node_interpreter`);
      assert.match(head.toString('latin1'), /WANT_JSON/, `${name}: Ansible passes the arguments as a JSON file only with this marker`);
      assert.ok(!head.includes(0), `${name}: Ansible would take a file with NUL bytes for a binary module`);
    }
    for (const [alias, target] of Object.entries(moduleAliases)) assert.equal(readlinkSync(join(modulesDir, alias)), target, alias);
  });

  it('runs with an empty environment and prints one JSON result', () => {
    const run = runModule('warn', { msg: 'disk is small' });
    assert.equal(run.code, 0);
    assert.deepEqual(run.result, { changed: false, message: 'disk is small', warnings: ['disk is small'] });
  });

  it("answers under the alias it was called by (Ansible's AnsiballZ_ copy), and under its own name otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-ansiballz-'));
    for (const [alias, target] of Object.entries(moduleAliases)) {
      for (const [copyName, shown] of [[`AnsiballZ_${alias}`, alias], ['some_copy', target]] as const) {
        copyFileSync(join(modulesDir, alias), join(dir, copyName));
        const p = spawnSync(moduleNode, [join(dir, copyName), '--help'], { encoding: 'utf8', env: {} });
        assert.equal(p.status, 0, p.stderr);
        assert.match(p.stdout, new RegExp(`^usage: ${shown} <args.json>`, 'm'), copyName);
      }
    }
    copyFileSync(join(modulesDir, 'warn'), join(dir, 'AnsiballZ_warn'));
    const run = runModule('warn', { msg: 'm', _ansible_check_mode: true, _ansible_version: '2.14.18' }, { as: join(dir, 'AnsiballZ_warn') });
    assert.equal(run.code, 0);
    assert.equal(run.result.message, 'm');
  });

  it('runs the same whether Node loads it as CommonJS or, under a package.json with "type": "module", as an ES module', () => {
    for (const type of ['commonjs', 'module', undefined]) {
      const dir = mkdtempSync(join(tmpdir(), 'osm-scope-'));
      if (type) writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
      for (const name of ['warn', 'vmware_inventory', 'migrate']) copyFileSync(join(modulesDir, name), join(dir, `AnsiballZ_${name}`));
      const run = runModule('warn', { msg: String(type) }, { as: join(dir, 'AnsiballZ_warn') });
      assert.equal(run.code, 0, `${String(type)}: ${run.stderr}`);
      assert.equal(run.result.message, String(type));
      // Modules that load soap and ssh2 (which reads __dirname when it loads) get as far as argument checking.
      for (const name of ['vmware_inventory', 'migrate']) {
        const bad = runModule(name, { definitely_not_an_option: 1 }, { as: join(dir, `AnsiballZ_${name}`) });
        assert.match(String(bad.result.msg), /unsupported argument 'definitely_not_an_option'/, `${name} as ${String(type)}: ${bad.stderr}`);
      }
    }
  });

  it('prints usage for --help, per module', () => {
    for (const name of moduleNames()) {
      const p = spawnSync(moduleNode, [join(modulesDir, name), '--help'], { encoding: 'utf8', env: {} });
      assert.equal(p.status, 0, name);
      assert.match(p.stdout, new RegExp(`^usage: ${name} `, 'm'), name);
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
    const p = spawnSync(moduleNode, [join(modulesDir, 'warn')], { encoding: 'utf8', env: {} });
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
