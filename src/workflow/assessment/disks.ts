import type { Volume } from '../../openstack/volume.js';
import type { Logger } from '../../util/log.js';
import type { VSphereSession } from '../../vmware/session.js';
import type { VmDetail } from '../../vmware/vm.js';
import { type DiskPlan, emptyDiskProblem, planDisk, volumeNameFor, volumeTypeFor } from '../migrate-plan.js';
import { preflight } from '../migrate-preflight.js';

import type { AssessedVm, AssessmentCheck } from './assessment-file.js';
import { blocker, info, notRun, ok, reason, warning } from './check.js';
import type { AssessOptions } from './options.js';

/**
 * The disks of one VM as the migration would plan them (planDisk, with the tool's volumes that exist already), read
 * through the configured disk source by the migration's own pre-checks (preflight): readable, holding data.
 */
export async function assessDisks(
  vs: VSphereSession,
  vm: VmDetail,
  o: AssessOptions,
  toolVolumes: Map<string, Volume>,
  log: Logger,
  signal: AbortSignal,
): Promise<{ disks: AssessedVm['disks']; checks: AssessmentCheck[] }> {
  const m = o.migration;
  const plans = vm.disks.map((d) => planDisk(vm, d, toolVolumes.get(volumeNameFor(vm, d)), m));
  const pending = plans.filter((d) => d.action !== 'skip (converted)');
  const disks: AssessedVm['disks'] = vm.disks.map((d) => ({
    key: d.key,
    label: d.label,
    datastore: d.datastore || null,
    capacity_bytes: d.capacityBytes,
    allocated_bytes: null,
    volume_type: volumeTypeFor(d, m.volume) ?? null,
    availability_zone: m.volume.availabilityZone ?? null,
  }));
  const checks: AssessmentCheck[] = [];
  const existing = plans.filter((d) => d.volume);
  checks.push(
    existing.length
      ? info('vm.existing_volumes', `volume(s) of an earlier run exist: ${existing.map((d) => `${d.volumeName} (${d.action})`).join(', ')}`)
      : ok('vm.existing_volumes', 'no volume of an earlier run'),
  );
  if (!o.readDisks) {
    checks.push(notRun('vm.disk_readable', 'the disks were not read (read_disks: false)', 'run the assessment with read_disks: true'));
    checks.push(notRun('vm.disk_data', 'the disks were not read (read_disks: false)', 'run the assessment with read_disks: true'));
    return { disks, checks };
  }
  if (pending.length === 0) {
    checks.push(ok('vm.disk_readable', 'every disk is converted already: nothing to read'));
    checks.push(ok('vm.disk_data', 'every disk is converted already: nothing to read'));
    return { disks, checks };
  }
  let results;
  try {
    results = await preflight({ req: { ...m, vmName: vm.name, folder: undefined, runId: 'assess' }, vs, vm, log, signal }, { disks: plans, pending });
  } catch (e) {
    signal.throwIfAborted();
    checks.push(notRun('vm.disk_readable', `the disks of ${vm.name} could not be checked: ${reason(e)}`, 'check the disk source settings and run the assessment again'));
    checks.push(notRun('vm.disk_data', `the disks of ${vm.name} could not be checked: ${reason(e)}`, null));
    return { disks, checks };
  }
  if (results.length === 0) {
    const why = `disk_source ${m.source.kind} reads only from the migration's snapshot`;
    checks.push(notRun('vm.disk_readable', `${why}: the disks are checked when the migration runs`, 'use disk_source https, ssh or local for the assessment to read them'));
    checks.push(notRun('vm.disk_data', `${why}: whether the disks hold data is checked when the migration runs`, null));
    return { disks, checks };
  }
  const problems = results.filter((r) => r.problem);
  checks.push(problems.length ? blocker('vm.disk_readable', problems.map((r) => r.problem).join('; '), `fix the disk access (disk_source ${m.source.kind})`) : ok('vm.disk_readable', `every disk opens through disk_source ${m.source.kind}`));
  checks.push(dataCheck(vm, plans, pending, results, o));
  return { disks, checks };
}

function dataCheck(vm: VmDetail, plans: DiskPlan[], pending: DiskPlan[], results: { key: number; problem?: string; hasData?: boolean }[], o: AssessOptions): AssessmentCheck {
  const m = o.migration;
  const unread = results.filter((r) => !r.problem && r.hasData === undefined);
  const empty = results.filter((r) => r.hasData === false);
  const problems: string[] = [];
  const allowed: string[] = [];
  for (const r of empty) {
    const d = pending.find((p) => p.disk.key === r.key)!;
    const problem = emptyDiskProblem(vm, plans.indexOf(d), d, m);
    if (problem) problems.push(problem);
    else allowed.push(`disk ${plans.indexOf(d)} (key ${r.key})`);
  }
  if (problems.length) return blocker('vm.disk_data', problems.join('; '), 'check that this is the right VM and datastore; set allow_empty_disks (and skip_conversion for a blank boot disk) only for disks that really are blank');
  if (unread.length) {
    const why = vm.powerState === 'poweredOn' ? `the VM is running and disk_source ${m.source.kind} reads its disks only from the migration's snapshot (ESXi locks a running VM's disk files)` : 'the source did not read them';
    return notRun('vm.disk_data', `whether disk(s) ${unread.map((r) => r.key).join(', ')} hold data is not known: ${why}; the migration checks it before it creates anything`, 'power the VM off, or use disk_source local, for the assessment to read them');
  }
  if (allowed.length) return warning('vm.disk_data', `${allowed.join(', ')} of ${vm.name} ${allowed.length > 1 ? 'hold' : 'holds'} no data: migrated as blank (allow_empty_disks)`, 'check that this is the right VM and datastore');
  return ok('vm.disk_data', 'every disk holds data');
}
