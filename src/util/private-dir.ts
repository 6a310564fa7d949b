import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime } from './process.js';

/**
 * A run's private files (password files, clouds.yaml, network scripts, domain XML, NBD sockets) live in a fresh 0700
 * directory `<baseDir>/<prefix>XXXXXX` holding an `owner` file: this process's pid and start time. The run removes it
 * on every exit path it sees; a run killed with SIGKILL cannot, so each new directory first removes the ones of the
 * same prefix whose owner is gone.
 */

const OWNER_FILE = 'owner';

function ownerRecord(pid: number): string | undefined {
  const start = processStartTime(pid);
  return start === undefined ? undefined : `${pid} ${start}`;
}

/** Remove the `<prefix>*` directories under `baseDir` whose owner process has ended (or whose pid was reused). */
export function removeStalePrivateDirs(prefix: string, baseDir: string = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(baseDir).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(baseDir, name);
    let owner: string;
    try {
      owner = readFileSync(join(dir, OWNER_FILE), 'utf8').trim();
    } catch {
      continue; // Not ours, or still being set up.
    }
    const pid = Number(owner.split(' ')[0]);
    if (Number.isInteger(pid) && pid > 0 && ownerRecord(pid) === owner) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Create a private directory owned by this process (after removing stale ones); returns its path. */
export function createPrivateDir(prefix: string, baseDir: string = tmpdir()): string {
  removeStalePrivateDirs(prefix, baseDir);
  const dir = mkdtempSync(join(baseDir, prefix));
  try {
    writeFileSync(join(dir, OWNER_FILE), `${ownerRecord(process.pid)}\n`, { mode: 0o600 });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return dir;
}
