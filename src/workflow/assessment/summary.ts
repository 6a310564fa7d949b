import type { AssessedVm, AssessmentCheck, AssessmentFile, CheckSeverity, VmStatus } from './assessment-file.js';

/** A VM is blocked by any blocker; a warning or a check that could not run makes it a warning; else ready. */
export function vmStatus(checks: AssessmentCheck[]): VmStatus {
  if (checks.some((c) => c.severity === 'blocker')) return 'blocked';
  if (checks.some((c) => c.severity === 'warning' || c.severity === 'not_run')) return 'warning';
  return 'ready';
}

/** VMs per status and, per check id, how many VMs (or environment entries) got each severity. */
export function summarize(vms: AssessedVm[], environment: AssessmentCheck[]): AssessmentFile['summary'] {
  const checks: Record<string, Record<CheckSeverity, number>> = {};
  for (const c of [...environment, ...vms.flatMap((v) => v.checks)]) {
    const counts = (checks[c.id] ??= { ok: 0, info: 0, warning: 0, blocker: 0, not_run: 0 });
    counts[c.severity] += 1;
  }
  const count = (s: VmStatus) => vms.filter((v) => v.status === s).length;
  return { ready: count('ready'), warning: count('warning'), blocked: count('blocked'), checks };
}
