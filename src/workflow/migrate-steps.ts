import { setTimeout as sleep } from 'node:timers/promises';
import type { DiskSource } from '../transfer/types.js';
import type { Logger } from '../util/log.js';

/** The points of a migration a crash can fall between, in the order a run reaches them. */
export type MigrationStep = 'volume-created' | 'attached' | 'mid-copy' | 'copied' | 'converted' | 'mid-upload' | 'uploaded' | 'detached';

/**
 * Where a migration reports its steps. In production a step writes its log line; `pauseAt` (the crash tests) also
 * stops the run at one step, and this file is the only code that knows about it.
 */
export interface MigrationSteps {
  /** The run reached `step`; `line` (what happened) goes to the log. */
  reached(step: MigrationStep, line?: string): Promise<void>;
  /** The source a disk is copied from, as the copy reads it (the `mid-copy` step falls half-way through it). */
  copying(source: DiskSource): DiskSource;
}

/** Environment variable naming a step where the migration stops for good (fault-injection tests kill it there). */
export const PAUSE_ENV = 'OSM_MIGRATE_PAUSE_AT';

export function migrationSteps(log: Logger, signal: AbortSignal, pauseAt = process.env[PAUSE_ENV]): MigrationSteps {
  const steps: MigrationSteps = {
    reached: async (_step, line) => {
      if (line) log.info(line);
    },
    copying: (source) => source,
  };
  return pauseAt ? pausing(steps, pauseAt, log, signal) : steps;
}

/**
 * Fault injection: at `pauseAt`, log it and wait until the process is killed, or asked to stop (then the run fails
 * as an interrupted run does).
 */
function pausing(steps: MigrationSteps, pauseAt: string, log: Logger, signal: AbortSignal): MigrationSteps {
  const pause = async (): Promise<never> => {
    log.warn(`fault injection: paused at ${pauseAt}`);
    for (;;) await sleep(60_000, undefined, { signal }).catch(() => signal.throwIfAborted());
  };
  return {
    reached: async (step, line) => {
      await steps.reached(step, line);
      if (step === pauseAt) await pause();
    },
    copying: (source) => {
      if (pauseAt !== 'mid-copy') return source;
      let requested = 0;
      const read = async (buf: Buffer, offset: number): Promise<void> => {
        if (requested >= source.size / 2) await pause();
        requested += buf.length;
        return source.read(buf, offset);
      };
      // Every other member is the source's own, bound to it.
      return new Proxy(source, {
        get: (target, key) => {
          if (key === 'read') return read;
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
}
