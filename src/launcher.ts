/**
 * Entry point of the multi-call executable. It picks the module from the name it was invoked as (argv0, without
 * Ansible's `AnsiballZ_` prefix or a `.py` suffix) and compiles only that module's bundle, stored as an asset of
 * the single executable, so each module pays for the libraries it uses and no other.
 */
import { getAsset } from 'node:sea';
import { basename, dirname } from 'node:path';
import { writeSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { compileFunction } from 'node:vm';

function moduleNameFromArgv0(argv0: string): string {
  return basename(argv0).replace(/^AnsiballZ_/, '').replace(/\.py$/, '');
}

function fail(msg: string): never {
  writeSync(1, JSON.stringify({ failed: true, changed: false, msg }) + '\n');
  process.exit(1);
}

const name = moduleNameFromArgv0(process.argv0);
const args = process.argv.slice(2);
/** module name -> name of the bundle that implements it (aliases map to their target) */
const index = JSON.parse(getAsset('modules.json', 'utf8')) as Record<string, string>;
const names = Object.keys(index).sort();
const target = index[name];

if (!target) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      [
        `usage: <module> <args.json>      (${name} is called through a link named after a module)`,
        '       <module> --help',
        '',
        'Each module reads its arguments from the JSON file and prints one JSON result on stdout;',
        'exit status 0 on success, 1 with "failed": true on failure. OpenStack modules also read OS_* variables.',
        '',
        `modules: ${names.join(', ')}`,
        '',
      ].join('\n'),
    );
    process.exit(0);
  }
  fail(`unknown module '${name}': this executable must be called through a link named after one of: ${names.join(', ')}`);
}

/**
 * The bundles are self-contained; only optional dependencies probe for packages that are not there (the `debug`
 * package looks for `supports-color`). Answer those like Node does, without the single-executable warning.
 */
function builtinRequire(id: string): unknown {
  if (isBuiltin(id)) return require(id);
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

const code = getAsset(`modules/${target}.cjs`, 'utf8');
const load = compileFunction(code, ['module', 'exports', 'require', '__filename', '__dirname'], { filename: `${target}.cjs` });
const mod: { exports: unknown } = { exports: {} };
// CommonJS code may read __filename/__dirname at load time (ssh2 does): the executable stands for both.
load(mod, mod.exports, builtinRequire, process.execPath, dirname(process.execPath));
(mod.exports as { main(invokedAs: string, args: string[]): void }).main(name, args);
