// The read rate of earlier migrations, from their logs: the disk copies' summary lines ("<disk>: full copy done:
// read N bytes ... in S s"), so that wave estimates follow what this setup actually achieved.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const COPY_DONE = /copy done: read (\d+) bytes .*? in (\d+(?:\.\d+)?) s/g;

/** Bytes per second over every copy summary in `logs` that read something; undefined when none did. */
export function measuredRate(logs: string[]): { bytesPerSecond: number; copies: number } | undefined {
  let bytes = 0;
  let seconds = 0;
  let copies = 0;
  for (const text of logs) {
    for (const m of text.matchAll(COPY_DONE)) {
      const b = Number(m[1]);
      const s = Number(m[2]);
      if (b <= 0 || s <= 0) continue;
      bytes += b;
      seconds += s;
      copies++;
    }
  }
  return copies ? { bytesPerSecond: Math.round(bytes / seconds), copies } : undefined;
}

/**
 * The migration logs of earlier runs: `<data_dir>/<vm>/migration.log` (fetched by the migration playbook) and the
 * `osm-nbdkit-*.log` files in `logDirs` (the modules write them to /tmp of the host that ran them).
 */
export function migrationLogs(dataDir: string, logDirs: string[]): string[] {
  const files: string[] = [];
  for (const entry of safeList(dataDir)) files.push(join(dataDir, entry, 'migration.log'));
  for (const dir of logDirs) for (const entry of safeList(dir)) if (/^osm-nbdkit-.*\.log$/.test(entry)) files.push(join(dir, entry));
  return files.flatMap((f) => {
    try {
      return [readFileSync(f, 'utf8')];
    } catch {
      return [];
    }
  });
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
