import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { optionsSchema } from '../../src/ansible/module.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../../src/modules/registry.js';
import { repoRoot } from '../helpers/run-module.js';

const FQCN = 'os_migrate.vmware_migration_kit';
const work = mkdtempSync(join(tmpdir(), 'osm-collection-'));
const collections = join(work, 'collections');
const installed = join(collections, 'ansible_collections', 'os_migrate', 'vmware_migration_kit');
const env = { ...process.env, ANSIBLE_COLLECTIONS_PATH: collections, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'False' };

function playbook(tasks: string): string {
  const file = join(work, `play-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, `- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n${tasks}`);
  return file;
}

function runPlaybook(file: string, extra: string[] = []): { code: number | null; results: Record<string, unknown>[] } {
  const p = spawnSync('ansible-playbook', ['-i', 'localhost,', file, ...extra], {
    env: { ...env, ANSIBLE_STDOUT_CALLBACK: 'json' },
    encoding: 'utf8',
    cwd: work,
  });
  const out = JSON.parse(p.stdout) as { plays: { tasks: { hosts: { localhost: Record<string, unknown> } }[] }[] };
  return { code: p.status, results: out.plays[0]!.tasks.map((t) => t.hosts.localhost) };
}

describe('the collection as Ansible sees it', () => {
  before(() => {
    execFileSync('ansible-galaxy', ['collection', 'build', '--force', '--output-path', work, repoRoot], { env, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tar.gz'));
    assert.ok(tarball, 'ansible-galaxy built no tarball');
    execFileSync('ansible-galaxy', ['collection', 'install', '--force', '-p', collections, join(work, tarball)], { env, stdio: 'pipe' });
  });

  it('installs the executable once and every module as a link to it', () => {
    assert.ok(lstatSync(join(installed, 'plugins/modules/module_dispatcher')).isFile());
    for (const name of moduleNames()) {
      assert.ok(lstatSync(join(installed, 'plugins/modules', name)).isSymbolicLink(), name);
      assert.ok(existsSync(join(installed, 'plugins/modules', `${name}.py`)), `${name}.py`);
    }
    assert.ok(!existsSync(join(installed, 'node_modules')));
    assert.ok(!existsSync(join(installed, 'src')));
  });

  it('ansible-doc documents every module with the options the code accepts', async () => {
    const names = moduleNames().map((n) => `${FQCN}.${n}`);
    const out = execFileSync('ansible-doc', ['--json', '-t', 'module', ...names], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const docs = JSON.parse(out) as Record<string, { doc: { options?: Record<string, unknown> } }>;
    for (const name of moduleNames()) {
      const doc = docs[`${FQCN}.${name}`];
      assert.ok(doc, `ansible-doc has no documentation for ${name}`);
      const def = (await moduleLoaders[moduleAliases[name] ?? name]!()).default;
      assert.deepEqual(Object.keys(doc.doc.options ?? {}).sort(), Object.keys(optionsSchema(def).properties ?? {}).sort(), name);
    }
  });

  it('runs a module in normal and in check mode under ansible-playbook', () => {
    const file = playbook(
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
    const { code, results } = runPlaybook(file);
    assert.equal(code, 0);
    assert.equal(results[0]!.message, 'from a playbook');
    assert.deepEqual(results[0]!.warnings, ['from a playbook']);
    assert.equal(results[1]!.message, 'checked');
    assert.equal(results[2]!.failed, true);
    assert.match(String(results[2]!.msg), /unsupported argument 'colour'/);
  });
});
