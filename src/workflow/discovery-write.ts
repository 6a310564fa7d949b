import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Files to write: path relative to the data directory -> content. */
export type FileSet = Record<string, string>;

function current(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Which of `files` differ from what is on disk under `dir` (relative paths). Reads only. */
export function changedFiles(dir: string, files: FileSet): string[] {
  return Object.entries(files)
    .filter(([rel, content]) => current(join(dir, rel)) !== content)
    .map(([rel]) => rel);
}

/** Write the files that differ (atomically, mode 0644, missing directories 0755); returns their relative paths. */
export function writeChangedFiles(dir: string, files: FileSet): string[] {
  const changed = changedFiles(dir, files);
  for (const rel of changed) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, files[rel] as string, { mode: 0o644 });
    renameSync(tmp, path);
  }
  return changed;
}
