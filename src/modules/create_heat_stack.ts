import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withCloudSession } from '../openstack/connect.js';
import { StackFailure, ensureStack, readTemplate, writeStackInfo } from '../workflow/server-heat.js';
import { cloudOption, openstackFragmentOptions } from './options/openstack.js';

export default defineModule({
  name: 'create_heat_stack',
  shortDescription: 'Create a Heat stack from a template (idempotent)',
  description: [
    'Creates the stack (tagged osm) and by default waits for CREATE_COMPLETE; a failed stack reports Heat\'s reason.',
    'A stack of that name tagged osm is reused (changed false); one without the tag fails and is left alone.',
    'With output_dir, writes heat_stack_info.txt (name, ID, status, template).',
  ],
  options: z.strictObject({
    ...openstackFragmentOptions,
    cloud: cloudOption(),
    template_path: z.string().min(1).meta({ description: 'Heat template (from generate_heat_template).' }),
    stack_name: z.string().min(1).meta({ description: 'Stack name.' }),
    parameters: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Template parameters.' }),
    wait: z.boolean().default(true).meta({ description: 'Wait for CREATE_COMPLETE.' }),
    timeout: z.number().int().positive().default(600).meta({ description: 'Seconds for the stack to complete (also the stack timeout).' }),
    output_dir: z.string().optional().meta({ description: 'Directory for heat_stack_info.txt.' }),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Create the stack
  os_migrate.vmware_migration_kit.create_heat_stack:
    cloud: "{{ dst_cloud }}"
    template_path: "{{ heat_template.template_path }}"
    stack_name: "{{ heat_stack_name }}"
    parameters: "{{ heat_template.parameters }}"
    output_dir: "{{ os_migrate_vmw_data_dir }}"
`,
  returns: {
    stack: { description: 'id, name, status.', returned: 'always', type: 'dict' },
    info_path: { description: 'Path of heat_stack_info.txt.', returned: 'when output_dir is set', type: 'str' },
  },
  async run(params, ctx) {
    let template: unknown;
    try {
      template = readTemplate(params.template_path);
    } catch (e) {
      throw new ModuleFailure((e as Error).message);
    }
    return withCloudSession(params.cloud, ctx.signal, async (s) => {
      let o;
      try {
        o = await ensureStack(s, {
          name: params.stack_name,
          template,
          parameters: params.parameters,
          wait: params.wait,
          timeoutMs: params.timeout * 1000,
          intervalMs: 5000,
          checkMode: ctx.checkMode,
        });
      } catch (e) {
        throw new ModuleFailure(`Stack creation failed: ${(e as Error).message}`, {
          stack: e instanceof StackFailure ? e.stackState : { id: null, name: params.stack_name, status: 'CREATE_FAILED' },
        });
      }
      let infoPath: string | undefined;
      if (params.output_dir && !ctx.checkMode) {
        try {
          infoPath = writeStackInfo(params.output_dir, o.stack, params.template_path);
        } catch (e) {
          throw new ModuleFailure((e as Error).message, { stack: o.stack });
        }
      }
      return {
        changed: o.changed,
        msg: o.changed ? 'Heat stack created successfully' : 'Heat stack already exists',
        stack: o.stack,
        ...(infoPath ? { info_path: infoPath } : {}),
      };
    });
  },
});
