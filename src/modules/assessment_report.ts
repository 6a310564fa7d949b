import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { changedFiles, writeChangedFiles } from '../workflow/discovery-write.js';
import { buildReport, reportPath } from '../workflow/assessment/report-file.js';

const d = (description: string) => ({ description });

const options = z.strictObject({
  os_migrate_vmw_data_dir: z.string().min(1).meta(d('Working directory of the migration, holding assessment.json (and waves.yml, verification.json when present).')),
});

export default defineModule({
  name: 'assessment_report',
  shortDescription: 'Write the assessment as one self-contained HTML page',
  description: [
    'Reads <os_migrate_vmw_data_dir>/assessment.json, waves.yml and verification.json (the last two when present) and writes <os_migrate_vmw_data_dir>/assessment.html: totals, the blocked VMs first with their fixes, the VMs with warnings, per-wave bars of bytes and estimated time, per network and per datastore, the check counts, the verification results and every VM.',
    'The page has no script and no external asset (inline CSS and SVG); every number shown is also in a data-* attribute.',
  ],
  options,
  checkMode: 'full',
  diffMode: 'none',
  notes: ['In check mode nothing is written; changed says whether the page would change.'],
  examples: `
- name: Write assessment.html
  os_migrate.vmware_migration_kit.assessment_report:
    os_migrate_vmw_data_dir: /opt/os-migrate
`,
  returns: {
    path: { description: 'The page written (or that would be written in check mode).', returned: 'success', type: 'str' },
  },
  async run(p, ctx) {
    let html: string;
    try {
      html = buildReport(p.os_migrate_vmw_data_dir);
    } catch (e) {
      throw new ModuleFailure(`Cannot write the assessment report: ${(e as Error).message}`);
    }
    const files = { 'assessment.html': html };
    const changed = (ctx.checkMode ? changedFiles : writeChangedFiles)(p.os_migrate_vmw_data_dir, files).length > 0;
    const path = reportPath(p.os_migrate_vmw_data_dir);
    return { changed, path, msg: `${path} ${changed ? (ctx.checkMode ? 'would be written' : 'written') : 'is up to date'}` };
  },
});
