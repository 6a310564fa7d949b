import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { changedFiles, writeChangedFiles } from '../workflow/discovery-write.js';
import { measuredRate, migrationLogs } from '../workflow/assessment/transfer-rate.js';
import { planWaves } from '../workflow/assessment/waves.js';
import { type WavesFile, readAssessment, wavesPath, wavesYaml } from '../workflow/assessment/waves-file.js';

const d = (description: string) => ({ description });
const MiB = 1024 * 1024;
/** The rate assumed when none is configured and no earlier run logged a copy. */
const DEFAULT_MIB_PER_SECOND = 100;

const positive = z.number().int().positive();

const options = z.strictObject({
  os_migrate_vmw_data_dir: z.string().min(1).meta(d('Working directory of the migration: assessment.json is read from it, waves.yml written to it.')),
  vms_list: z.array(z.string()).optional().meta(d('Plan only these VMs; default every VM of assessment.json.')),
  max_instances_in_flight: positive.optional().meta(d('Migrated instances the operator allows at once, across all conversion hosts; no wave is larger.')),
  max_parallel_migrations: positive.default(5).meta(d('VMs one conversion host migrates at once (the migration playbook\'s max_parallel_migrations).')),
  conversion_hosts: positive.default(1).meta(d('Number of conversion hosts a wave is spread over; a wave has at most max_parallel_migrations times this many VMs.')),
  max_reads_per_esxi_host: positive.optional().meta(d('VMs of one ESXi host a wave reads at the same time.')),
  max_reads_per_datastore: positive.optional().meta(d('VMs with a disk on one datastore a wave reads at the same time.')),
  migration_groups: z.array(z.array(z.string())).default([]).meta(d('VMs that must move together: each group is in one wave or in none.')),
  wave_priority: z.array(z.string()).default([]).meta(d('VMs that go first, in this order (a group goes with its first listed member).')),
  wave_order: z.enum(['smallest', 'largest']).default('smallest').meta(d('After the priority list: the VMs with the fewest bytes to read first, or the most.')),
  transfer_rate_mib_per_second: z.number().positive().optional().meta(d(`Rate a wave reads at (MiB/s), for the estimates. Default: measured from earlier runs' logs, else ${DEFAULT_MIB_PER_SECOND}.`)),
  migration_log_dirs: z.array(z.string()).default(['/tmp']).meta(d("Directories holding earlier runs' osm-nbdkit-*.log files (besides <os_migrate_vmw_data_dir>/<vm>/migration.log), to measure the rate.")),
});

export default defineModule({
  name: 'plan_waves',
  shortDescription: 'Plan migration waves from the assessment',
  description: [
    'Reads <os_migrate_vmw_data_dir>/assessment.json and writes <os_migrate_vmw_data_dir>/waves.yml: waves (name, vms, bytes, estimated_seconds) of the ready and warning VMs only, in order (wave_priority first, then wave_order).',
    "Each wave stays within max_instances_in_flight, max_parallel_migrations times conversion_hosts, the project's remaining quota headroom (instances, cores, RAM, volumes, gigabytes, ports), max_reads_per_esxi_host and max_reads_per_datastore; a migration group is never split.",
    "VMs that are in no wave are listed in unplanned with the reason (blocked, not assessed, a limit they exceed alone, a group member that cannot move). estimated_seconds is bytes over the rate: transfer_rate_mib_per_second, else the rate of the disk copies in earlier runs' logs, else the default.",
  ],
  options,
  checkMode: 'full',
  diffMode: 'none',
  notes: ['In check mode nothing is written; the plan is returned and changed says whether waves.yml would change.'],
  examples: `
- name: Plan waves of at most 5 instances over two conversion hosts
  os_migrate.vmware_migration_kit.plan_waves:
    os_migrate_vmw_data_dir: /opt/os-migrate
    max_instances_in_flight: 5
    max_parallel_migrations: 5
    conversion_hosts: 2
    migration_groups:
      - [db-1, app-1]
    wave_priority: [dns-1]
`,
  returns: {
    waves: { description: 'The waves: name, vms, bytes, estimated_seconds.', returned: 'success', type: 'list', elements: 'dict' },
    unplanned: { description: 'VMs in no wave: vm and reason.', returned: 'success', type: 'list', elements: 'dict' },
    warnings_quota: { description: 'Quota the waves together exceed.', returned: 'success', type: 'list', elements: 'str' },
    bytes_per_second: { description: 'Rate used for the estimates.', returned: 'success', type: 'int' },
    rate_source: { description: 'configured, measured or default.', returned: 'success', type: 'str' },
    path: { description: 'waves.yml.', returned: 'success', type: 'str' },
  },
  async run(p, ctx) {
    let assessment;
    try {
      assessment = readAssessment(p.os_migrate_vmw_data_dir);
    } catch (e) {
      throw new ModuleFailure(`Cannot plan waves: ${(e as Error).message}`);
    }
    const measured = p.transfer_rate_mib_per_second === undefined ? measuredRate(migrationLogs(p.os_migrate_vmw_data_dir, p.migration_log_dirs)) : undefined;
    const rate: Pick<WavesFile, 'bytes_per_second' | 'rate_source'> =
      p.transfer_rate_mib_per_second !== undefined
        ? { bytes_per_second: Math.round(p.transfer_rate_mib_per_second * MiB), rate_source: 'configured' }
        : measured
          ? { bytes_per_second: measured.bytesPerSecond, rate_source: 'measured' }
          : { bytes_per_second: DEFAULT_MIB_PER_SECOND * MiB, rate_source: 'default' };
    const plan = planWaves({
      assessment,
      vms: p.vms_list,
      limits: {
        maxInstancesInFlight: p.max_instances_in_flight,
        maxParallelMigrations: p.max_parallel_migrations,
        conversionHosts: p.conversion_hosts,
        maxReadsPerEsxiHost: p.max_reads_per_esxi_host,
        maxReadsPerDatastore: p.max_reads_per_datastore,
      },
      groups: p.migration_groups,
      priority: p.wave_priority,
      order: p.wave_order,
      bytesPerSecond: rate.bytes_per_second,
    });
    for (const w of plan.warnings) ctx.warn(w);
    const files = { 'waves.yml': wavesYaml(plan, rate) };
    const changed = (ctx.checkMode ? changedFiles : writeChangedFiles)(p.os_migrate_vmw_data_dir, files).length > 0;
    const planned = plan.waves.reduce((s, w) => s + w.vms.length, 0);
    return {
      changed,
      msg: `${plan.waves.length} waves of ${planned} VMs${plan.unplanned.length ? `; ${plan.unplanned.length} VMs in no wave` : ''}`,
      waves: plan.waves,
      unplanned: plan.unplanned,
      warnings_quota: plan.warnings,
      ...rate,
      path: wavesPath(p.os_migrate_vmw_data_dir),
    };
  },
});
