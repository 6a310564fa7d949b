import type { Session } from '../../openstack/auth.js';
import { type QuotaUsage, getComputeQuotas, getNetworkQuotas, getVolumeQuotas } from '../../openstack/quotas.js';
import type { AssessmentCheck, AssessmentFile } from './assessment-file.js';
import { blocker, notRun, ok, reason } from './check.js';

/** What all the assessed VMs need of the project's quotas. */
export interface Needs {
  instances: number;
  cores: number;
  ram_mb: number;
  volumes: number;
  gigabytes: number;
  ports: number;
}

type Headroom = AssessmentFile['quota_headroom'];

const free = (u: QuotaUsage | undefined): number | null => (!u || u.limit < 0 ? null : Math.max(0, u.limit - u.in_use - (u.reserved ?? 0)));

/** Each quota against what the whole selection needs; a quota this user may not read is not_run. */
export async function quotaChecks(s: Session, needs: Needs): Promise<{ checks: AssessmentCheck[]; headroom: Headroom }> {
  const headroom: Headroom = { instances: null, cores: null, ram_mb: null, volumes: null, gigabytes: null, ports: null };
  const checks: AssessmentCheck[] = [];
  const judge = (key: keyof Needs, left: number | null, unit: string) => {
    headroom[key] = left;
    const id = `openstack.quota_${key}`;
    const need = needs[key];
    if (left === null) checks.push(ok(id, `${key}: no limit; the VMs need ${need} ${unit}`));
    else if (left < need) checks.push(blocker(id, `${key}: ${left} ${unit} left in the quota, the VMs need ${need}`, `raise the ${key} quota of project ${s.projectId} by ${need - left}, or migrate in waves that fit (plan_waves)`));
    else checks.push(ok(id, `${key}: ${left} ${unit} left, the VMs need ${need}`));
  };
  const cannot = (keys: (keyof Needs)[], service: string, e: unknown) => {
    for (const k of keys) checks.push(notRun(`openstack.quota_${k}`, `the ${service} quotas of project ${s.projectId} could not be read: ${reason(e)}`, 'give the user a reader role on the project, or check the quotas by hand'));
  };
  await getComputeQuotas(s, s.projectId).then(
    (q) => {
      judge('instances', free(q.instances), 'instance(s)');
      judge('cores', free(q.cores), 'core(s)');
      judge('ram_mb', free(q.ram), 'MiB');
    },
    (e: unknown) => cannot(['instances', 'cores', 'ram_mb'], 'compute', e),
  );
  await getVolumeQuotas(s, s.projectId).then(
    (q) => {
      judge('volumes', free(q.volumes), 'volume(s)');
      judge('gigabytes', free(q.gigabytes), 'GB');
    },
    (e: unknown) => cannot(['volumes', 'gigabytes'], 'volume', e),
  );
  await getNetworkQuotas(s, s.projectId).then(
    (q) => judge('ports', q.port ? free({ limit: q.port.limit, in_use: q.port.used }) : null, 'port(s)'),
    (e: unknown) => cannot(['ports'], 'network', e),
  );
  return { checks, headroom };
}
