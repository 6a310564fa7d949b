import { renameSync, writeFileSync } from 'node:fs';
import type { Progress } from '../transfer/types.js';
import type { Logger } from '../util/log.js';

/** Where a migration says how far it is, for a person watching the play (the import_workloads role's wait). */
export interface MigrationProgress {
  /** A step without bytes to count, e.g. `preparing`, `converting the guest`. */
  phase(what: string): void;
  /** The disks this run copies, in order, before the first copy starts. */
  disks(list: { label: string; capacityBytes: number }[]): void;
  /** A sample of the copy of disk `index` of that list. */
  copy(index: number, p: Progress): void;
}

/** What `<data_dir>/<vm>/progress.json` holds: one VM, every disk of the run counted together. */
export interface ProgressRecord {
  vm: string;
  phase: string;
  /** The disk being copied, e.g. `disk 2001`, with its place in the run's disks (1-based) and their number. */
  disk?: string;
  disk_number?: number;
  disks?: number;
  /** Bytes of all the run's disks: processed, and in total (a disk not started yet counts with its capacity). */
  done_bytes?: number;
  total_bytes?: number;
  bytes_per_second?: number;
  eta_seconds?: number | null;
  updated: string;
}

interface DiskState {
  label: string;
  capacityBytes: number;
  sample?: Progress;
}

/**
 * Progress written to `path` (replaced in one step, so a reader never sees half of it) at every sample. A write that
 * fails is logged once and the migration goes on: progress never fails a run.
 */
export function progressFile(path: string, vm: string, log: Logger): MigrationProgress {
  let disks: DiskState[] = [];
  let warned = false;
  const write = (r: Omit<ProgressRecord, 'vm' | 'updated'>): void => {
    const record: ProgressRecord = { vm, ...r, updated: new Date().toISOString() };
    try {
      writeFileSync(`${path}.tmp`, `${JSON.stringify(record)}\n`, { mode: 0o644 });
      renameSync(`${path}.tmp`, path);
    } catch (e) {
      if (!warned) log.warn(`cannot write the progress file ${path}: ${(e as Error).message}; the migration goes on`);
      warned = true;
    }
  };
  return {
    phase: (what) => write({ phase: what }),
    disks: (list) => {
      disks = list.map((d) => ({ ...d }));
    },
    copy: (index, p) => {
      const current = disks[index];
      if (!current) return;
      current.sample = p;
      write({ phase: 'copying', disk: current.label, disk_number: index + 1, disks: disks.length, ...vmTotals(disks) });
    },
  };
}

/** The run's disks as one copy: bytes done and in total, the rate over the time spent copying, the time left. */
function vmTotals(disks: DiskState[]): Required<Pick<ProgressRecord, 'done_bytes' | 'total_bytes' | 'bytes_per_second' | 'eta_seconds'>> {
  let done = 0;
  let total = 0;
  let seconds = 0;
  for (const d of disks) {
    done += d.sample?.done ?? 0;
    total += d.sample?.total ?? d.capacityBytes;
    seconds += d.sample?.elapsedSeconds ?? 0;
  }
  const rate = seconds > 0 ? done / seconds : 0;
  return { done_bytes: done, total_bytes: total, bytes_per_second: Math.round(rate), eta_seconds: rate > 0 ? Math.round((total - done) / rate) : null };
}
