import { renderUsage } from './docs.js';
import { type ModuleDefinition, runModule } from './module.js';

/**
 * Run `def` as this process's module: stdout reserved for the single JSON result, stop signals turned into an
 * AbortSignal (a second signal exits at once), `--help` prints usage, and the process exits with the module's code.
 */
export function runAsMain(def: ModuleDefinition, invokedAs: string, args: string[]): void {
  // Disk copies keep several file reads and writes in flight; libuv's default pool of 4 threads would cap them.
  process.env.UV_THREADPOOL_SIZE ??= '8';
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(renderUsage({ ...def, name: invokedAs }));
    process.exit(0);
  }
  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort(new Error(`interrupted by ${sig}`));
    });
  }
  runModule({ ...def, name: invokedAs }, args.at(-1), controller.signal).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`internal error: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
