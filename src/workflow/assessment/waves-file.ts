// The files of planning: assessment.json read through its schema, waves.yml written and read back (the migration
// of one wave takes its VMs from there).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { describeIssues, parseJsonFile, parseYamlFile } from '../../util/file-parse.js';
import { type AssessmentFile, assessmentFile } from './assessment-file.js';
import type { WavePlan } from './waves.js';

export const assessmentPath = (dataDir: string) => join(dataDir, 'assessment.json');
export const wavesPath = (dataDir: string) => join(dataDir, 'waves.yml');

export const wavesFile = z.object({
  waves: z.array(z.object({ name: z.string(), vms: z.array(z.string()), bytes: z.number().int(), estimated_seconds: z.number().int() })),
  unplanned: z.array(z.object({ vm: z.string(), reason: z.string() })).default([]),
  warnings: z.array(z.string()).default([]),
  bytes_per_second: z.number().int().positive(),
  /** Where the rate came from: configured, measured (earlier runs' logs) or default. */
  rate_source: z.enum(['configured', 'measured', 'default']),
});
export type WavesFile = z.infer<typeof wavesFile>;

function readChecked<T>(path: string, schema: z.ZodType<T>, parse: (text: string, file: string) => unknown, fix: string): T {
  if (!existsSync(path)) throw new Error(`${path} does not exist: ${fix}`);
  const parsed = schema.safeParse(parse(readFileSync(path, 'utf8'), path));
  if (!parsed.success) throw new Error(`${path} is not a valid file of its kind (${describeIssues(parsed.error)}): ${fix}`);
  return parsed.data;
}

export function readAssessment(dataDir: string): AssessmentFile {
  return readChecked(assessmentPath(dataDir), assessmentFile, parseJsonFile, 'run the assessment playbook (os_migrate.vmware_migration_kit.assessment) first');
}

export function readWaves(dataDir: string): WavesFile {
  return readChecked(wavesPath(dataDir), wavesFile, parseYamlFile, 'run the plan_waves playbook (os_migrate.vmware_migration_kit.plan_waves) first');
}

export function wavesYaml(plan: WavePlan, rate: Pick<WavesFile, 'bytes_per_second' | 'rate_source'>): string {
  const file: WavesFile = { waves: plan.waves, unplanned: plan.unplanned, warnings: plan.warnings, ...rate };
  return `# Written by os_migrate.vmware_migration_kit.plan_waves from assessment.json; migrate one wave with\n# -e migration_wave=<name>, all of them in order with the migration_waves playbook.\n${toYaml(file)}`;
}
