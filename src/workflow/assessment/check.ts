import type { AssessmentCheck, CheckSeverity } from './assessment-file.js';

/** One check's outcome; `fix` is what the user does about it (null when there is nothing to do). */
function make(severity: CheckSeverity) {
  return (id: string, message: string, fix: string | null = null): AssessmentCheck => ({ id, severity, message, fix });
}

export const ok = make('ok');
export const info = make('info');
export const warning = make('warning');
export const blocker = make('blocker');
/** The check could not run (no permission, endpoint down, nothing to read it from): never a pass. */
export const notRun = make('not_run');

/** The message of whatever was thrown. */
export function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
