// The assessment file (<os_migrate_vmw_data_dir>/assessment.json): written by the assessment module, read by wave
// planning, check mode and the HTML report. One schema, so that writer and readers cannot drift apart.
import { z } from 'zod';

/** Its name in <os_migrate_vmw_data_dir>. */
export const ASSESSMENT_JSON = 'assessment.json';

export const checkSeverity = z.enum(['ok', 'info', 'warning', 'blocker', 'not_run']);
export type CheckSeverity = z.infer<typeof checkSeverity>;

/** One check's outcome. `not_run` is a check that could not run (no permission, endpoint down): never a pass. */
export const assessmentCheck = z.object({
  id: z.string(),
  severity: checkSeverity,
  message: z.string(),
  fix: z.string().nullable(),
});
export type AssessmentCheck = z.infer<typeof assessmentCheck>;

export const vmStatus = z.enum(['ready', 'warning', 'blocked']);
export type VmStatus = z.infer<typeof vmStatus>;

export const assessedVm = z.object({
  name: z.string(),
  /** The name the OpenStack server and volumes get (sanitised as the migration does). */
  target_name: z.string(),
  status: vmStatus,
  power_state: z.string(),
  esxi_host: z.string().nullable(),
  cpus: z.number().int(),
  memory_mb: z.number().int(),
  flavor: z.object({
    name: z.string().nullable(),
    id: z.string().nullable(),
    /** existing: a flavor of the cloud is used; create: the migration creates one; none: no flavor can be chosen. */
    source: z.enum(['existing', 'create', 'none']),
    reason: z.string(),
  }),
  nics: z.array(
    z.object({
      mac: z.string(),
      vmware_network: z.string(),
      network: z.string().nullable(),
      security_groups: z.array(z.string()),
      fixed_ip: z.string().nullable(),
    }),
  ),
  disks: z.array(
    z.object({
      key: z.number().int(),
      label: z.string(),
      datastore: z.string().nullable(),
      capacity_bytes: z.number().int(),
      /** Bytes holding data (allocated extents); null where the source could not say. */
      allocated_bytes: z.number().int().nullable(),
      volume_type: z.string().nullable(),
      availability_zone: z.string().nullable(),
    }),
  ),
  /** Bytes the migration will read: the sum of allocated bytes (capacity where allocation is unknown). */
  bytes_to_read: z.number().int(),
  checks: z.array(assessmentCheck),
});
export type AssessedVm = z.infer<typeof assessedVm>;

export const assessmentFile = z.object({
  generated_at: z.string(),
  vcenter: z.string(),
  cloud: z.object({ auth_url: z.string(), project: z.string().nullable() }),
  /** Checks about the clouds as a whole (login, privileges, quotas, conversion host), not one VM. */
  environment_checks: z.array(assessmentCheck),
  /** Remaining quota of the target project (null: unlimited or not readable; see environment_checks). */
  quota_headroom: z.object({
    instances: z.number().int().nullable(),
    cores: z.number().int().nullable(),
    ram_mb: z.number().int().nullable(),
    volumes: z.number().int().nullable(),
    gigabytes: z.number().int().nullable(),
    ports: z.number().int().nullable(),
  }),
  vms: z.array(assessedVm),
  summary: z.object({
    ready: z.number().int(),
    warning: z.number().int(),
    blocked: z.number().int(),
    /** Per check id: how many VMs (or environment entries) got each severity. */
    checks: z.record(z.string(), z.record(checkSeverity, z.number().int())),
  }),
});
export type AssessmentFile = z.infer<typeof assessmentFile>;
