import { basename } from 'node:path';
import { ModuleFailure } from './ansible/errors.js';
import { renderUsage } from './ansible/docs.js';
import { runModule } from './ansible/module.js';
import { emitResult } from './ansible/result.js';
import { moduleAliases, moduleLoaders, moduleNames } from './modules/registry.js';

/** The module a multi-call executable was invoked as: its file name without Ansible's `AnsiballZ_` prefix or `.py`. */
export function moduleNameFromArgv0(argv0: string): string {
  return basename(argv0).replace(/^AnsiballZ_/, '').replace(/\.py$/, '');
}

function generalUsage(invokedAs: string): string {
  return [
    `usage: <module> <args.json>      (${invokedAs} is called through a link named after a module)`,
    '       <module> --help',
    '',
    'Each module reads its arguments from the JSON file and prints one JSON result on stdout;',
    'exit status 0 on success, 1 with "failed": true on failure. OpenStack modules also read OS_* variables.',
    '',
    `modules: ${moduleNames().join(', ')}`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  // stdout carries exactly one JSON document; anything a library prints goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;

  const name = moduleNameFromArgv0(process.argv0);
  const target = moduleAliases[name] ?? name;
  const loader = moduleLoaders[target];
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(loader ? renderUsage((await loader()).default) : generalUsage(name));
    return 0;
  }
  if (!loader) {
    const failure = new ModuleFailure(
      `unknown module '${name}': this executable must be called through a link named after one of: ${moduleNames().join(', ')}`,
    );
    return emitResult({ failed: true, changed: false, msg: failure.message });
  }

  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort(new Error(`interrupted by ${sig}`));
    });
  }
  const def = (await loader()).default;
  return runModule(name === target ? def : { ...def, name }, args.at(-1), controller.signal);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    try {
      process.exit(emitResult({ failed: true, changed: false, msg: `internal error: ${String(error)}` }));
    } catch {
      process.exit(1);
    }
  },
);
