import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { safeVmName } from '../util/names.js';
import { processAlive } from '../util/process.js';

/**
 * One migration of a VM at a time on a conversion host: two concurrent runs would both find no volume and both
 * create one. The lock is a file holding the owner's PID; a lock whose owner is gone (killed) is taken over.
 * Returns the release function.
 */
export function lockVm(vmName: string, dir = '/tmp'): () => void {
  const path = `${dir}/osm-migrate-${safeVmName(vmName) || 'vm'}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
      throw new Error(`another migration of VM ${vmName} is running on this conversion host (pid ${owner}, lock ${path}); wait for it to finish`);
    }
    try {
      unlinkSync(path);
    } catch {
      // another run took it over first
    }
  }
  throw new Error(`could not take the migration lock ${path}; remove it if no migration of ${vmName} is running`);
}

