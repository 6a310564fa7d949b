/**
 * Split the compiled test files into the two sets scripts/run-tests runs: the ones that need the lab and the ones that
 * do not. The rule: a test file needs the lab when it, or any test module it imports (directly or through other test
 * modules), reads OSM_LAB_DIR, the directory of the lab's facts (every lab helper does: test/vmware/lab-facts.ts,
 * test/openstack/lab/lab.ts, test/helpers/lab-migration.ts, test/workflow/migrate-lab.ts). Every other file runs without
 * the lab, while it comes up, with OSM_LAB_DIR pointing at an empty directory: a file put in that set by mistake finds
 * no lab facts and fails instead of passing against a half-started lab.
 *   node build/scripts/test-sets.js lab|no-lab   prints the files of that set, one a line
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const labMarker = 'OSM_LAB_DIR';
// import/export ... from './x.js' and import './x.js' at the start of a line (as tsc emits them), import('./x.js').
const relativeImport =
  /^(?:import|export)\b[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|^import\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/**
 * The modules a compiled module imports by relative path (packages and node: modules are not test code). A text scan,
 * not a parser: a path it finds in a string is skipped when no such file exists, and an import it misses puts a lab
 * file in the no-lab set, which runs without lab facts and so fails loudly.
 */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(relativeImport)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** Whether the module at path, or a module it imports from under testRoot, reads OSM_LAB_DIR. */
export function needsLab(path: string, testRoot: string, read: (p: string) => string, seen = new Map<string, boolean>()): boolean {
  const known = seen.get(path);
  if (known !== undefined) return known;
  seen.set(path, false);
  const source = read(path);
  const result =
    source.includes(labMarker) ||
    relativeImports(source)
      .map((spec) => resolve(dirname(path), spec))
      .filter((dep) => !relative(testRoot, dep).startsWith('..'))
      .some((dep) => needsLab(dep, testRoot, read, seen));
  seen.set(path, result);
  return result;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function main(): void {
  const set = process.argv[2];
  if (set !== 'lab' && set !== 'no-lab') {
    console.error('usage: node build/scripts/test-sets.js lab|no-lab');
    process.exit(2);
  }
  const buildRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const testRoot = join(buildRoot, 'test');
  const seen = new Map<string, boolean>();
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
  for (const file of testFiles(testRoot)) {
    if (needsLab(file, testRoot, read, seen) === (set === 'lab')) console.log(relative(process.cwd(), file));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
