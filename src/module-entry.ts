/**
 * Start of every module file the build writes (plugins/modules/<name>). Ansible runs such a file as
 * `<node> <tmp>/AnsiballZ_<name> <args file>`; a module reached through an alias link (upstream's name for it)
 * answers under that name, any other file name under the module's own.
 */
import { basename } from 'node:path';
import { runAsMain } from './ansible/main.js';
import type { ModuleDefinition } from './ansible/module.js';

export function runBundledModule(def: ModuleDefinition, aliases: readonly string[]): void {
  const called = basename(process.argv[1] ?? '').replace(/^AnsiballZ_/, '');
  runAsMain(def, aliases.includes(called) ? called : def.name, process.argv.slice(2));
}
