import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { optionsSchema } from '../../src/ansible/module.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../../src/modules/registry.js';
import { FQCN, type InstalledCollection, installCollection, localPlaybook, runPlaybook } from '../helpers/collection.js';

describe('the collection as Ansible sees it', () => {
  let c: InstalledCollection;
  before(() => {
    c = installCollection();
  });

  it('installs the executable once and every module as a link to it', () => {
    assert.ok(lstatSync(join(c.root, 'plugins/modules/module_dispatcher')).isFile());
    for (const name of moduleNames()) {
      assert.ok(lstatSync(join(c.root, 'plugins/modules', name)).isSymbolicLink(), name);
      assert.ok(existsSync(join(c.root, 'plugins/modules', `${name}.py`)), `${name}.py`);
    }
    assert.ok(!existsSync(join(c.root, 'node_modules')));
    assert.ok(!existsSync(join(c.root, 'src')));
  });

  it('ansible-doc documents every module with the options the code accepts', async () => {
    const names = moduleNames().map((n) => `${FQCN}.${n}`);
    const out = execFileSync('ansible-doc', ['--json', '-t', 'module', ...names], { env: c.env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const docs = JSON.parse(out) as Record<string, { doc: { options?: Record<string, unknown> } }>;
    for (const name of moduleNames()) {
      const doc = docs[`${FQCN}.${name}`];
      assert.ok(doc, `ansible-doc has no documentation for ${name}`);
      const def = (await moduleLoaders[moduleAliases[name] ?? name]!()).default;
      assert.deepEqual(Object.keys(doc.doc.options ?? {}).sort(), Object.keys(optionsSchema(def).properties ?? {}).sort(), name);
    }
  });

  it('runs a module in normal and in check mode under ansible-playbook', () => {
    const play = localPlaybook(
      c,
      `    - name: normal
      ${FQCN}.warn:
        msg: from a playbook
    - name: check mode
      ${FQCN}.warn:
        msg: checked
      check_mode: true
    - name: bad argument fails
      ${FQCN}.warn:
        msg: 1
        colour: red
      ignore_errors: true
`,
    );
    const run = runPlaybook(c, ['-i', 'localhost,', play]);
    assert.equal(run.code, 0);
    const [normal, check, bad] = run.tasks.map((t) => t.result);
    assert.equal(normal!.message, 'from a playbook');
    assert.deepEqual(normal!.warnings, ['from a playbook']);
    assert.equal(check!.message, 'checked');
    assert.equal(bad!.failed, true);
    assert.match(String(bad!.msg), /unsupported argument 'colour'/);
  });
});
