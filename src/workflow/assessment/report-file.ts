// assessment.html from the files of the data directory: assessment.json, waves.yml and verification.json (the last
// two when present).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeIssues, parseJsonFile } from '../../util/file-parse.js';
import { type VerificationEntry, renderReport } from './report-html.js';
import { readAssessment, readWaves, wavesPath } from './waves-file.js';

export const reportPath = (dataDir: string) => join(dataDir, 'assessment.html');

const verificationFile = z.object({
  vms: z.array(
    z.object({
      vm: z.string(),
      passed: z.boolean(),
      checks: z.array(z.object({ id: z.string(), passed: z.boolean().nullable(), message: z.string() })),
      error: z.string().optional(),
    }),
  ),
});

function readVerification(dataDir: string): VerificationEntry[] | undefined {
  const path = join(dataDir, 'verification.json');
  if (!existsSync(path)) return undefined;
  const parsed = verificationFile.safeParse(parseJsonFile(readFileSync(path, 'utf8'), path));
  if (!parsed.success) throw new Error(`${path} is not a verification file (${describeIssues(parsed.error)}): run the verify playbook again or remove it`);
  return parsed.data.vms;
}

/** The report's HTML built from what the data directory holds now. */
export function buildReport(dataDir: string): string {
  return renderReport({
    assessment: readAssessment(dataDir),
    waves: existsSync(wavesPath(dataDir)) ? readWaves(dataDir) : undefined,
    verification: readVerification(dataDir),
  });
}
