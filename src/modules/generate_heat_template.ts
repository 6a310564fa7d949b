import { join } from 'node:path';
import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { renderHeatTemplate, writeTemplate } from '../workflow/server-heat.js';
import { cloudWithoutEffect, openstackFragmentOptions } from './options/openstack.js';

const vm = z
  .looseObject({
    name: z.string().min(1).meta({ description: 'VM name (the server is named SafeVmName(name)).' }),
    boot_volume_id: z.string().min(1).meta({ description: 'Migrated boot volume ID.' }),
    data_volume_ids: z.array(z.string()).optional().meta({ description: 'Migrated data volume IDs.' }),
    flavor: z.string().min(1).meta({ description: 'Flavor name or ID.' }),
    network: z.string().min(1).optional().meta({ description: 'Network name or ID of the port the stack creates (required without port_ids).' }),
    security_groups: z.array(z.string()).optional().meta({ description: 'Security groups of the port.' }),
    mac_address: z.string().optional().meta({ description: 'MAC address to keep on the port the stack creates.' }),
    key_name: z.string().optional().meta({ description: 'Key pair of the server.' }),
    availability_zone: z.string().optional().meta({ description: 'Availability zone of the server.' }),
    user_data: z.string().optional().meta({ description: 'cloud-init user data of the server (sent as is).' }),
    port_ids: z.array(z.string()).optional().meta({ description: 'Existing ports for the server, in NIC order (e.g. from create_network_port); then the stack creates no port and never deletes these.' }),
  })
  .meta({ description: 'One VM.' });

export default defineModule({
  name: 'generate_heat_template',
  shortDescription: 'Write a Heat template creating the servers of migrated VMs',
  description: [
    'Writes <output_dir>/heat_template.yaml: per VM a server booting from the migrated volume with its data volumes, on the given existing ports (port_ids) or on one port the stack creates; volume IDs, port IDs and security groups are template parameters, returned in parameters for create_heat_stack.',
    'The volumes are referenced, not managed by the stack, so deleting the stack never deletes migrated data. The file is rewritten only when it changes; check mode writes nothing.',
  ],
  options: z.strictObject({
    ...openstackFragmentOptions,
    cloud: cloudWithoutEffect('this module only writes a template file and calls no OpenStack API.'),
    vms_data: z.array(vm).min(1).meta({ description: 'The VMs.' }),
    stack_name: z.string().min(1).meta({ description: 'Stack name (recorded in the template description).' }),
    output_dir: z.string().min(1).meta({ description: 'Directory for heat_template.yaml.' }),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  diffMode: 'full',
  examples: `
- name: Generate the Heat template
  os_migrate.vmware_migration_kit.generate_heat_template:
    vms_data: "{{ heat_vms_data }}"
    stack_name: "{{ heat_stack_name }}"
    output_dir: "{{ os_migrate_vmw_data_dir }}"
  register: heat_template
`,
  returns: {
    template_path: { description: 'Path of the template.', returned: 'success', type: 'str' },
    stack_name: { description: 'The stack name.', returned: 'success', type: 'str' },
    parameters: { description: 'Parameter values for the template.', returned: 'success', type: 'dict' },
  },
  async run(params, ctx) {
    let rendered;
    try {
      rendered = renderHeatTemplate(params.stack_name, params.vms_data);
    } catch (e) {
      throw new ModuleFailure((e as Error).message);
    }
    const path = join(params.output_dir, 'heat_template.yaml');
    let written;
    try {
      written = writeTemplate(path, rendered.text, ctx.checkMode);
    } catch (e) {
      throw new ModuleFailure((e as Error).message);
    }
    const { changed, before } = written;
    return {
      changed,
      msg: `Heat template generated successfully for ${params.vms_data.length} VMs`,
      template_path: path,
      stack_name: params.stack_name,
      parameters: rendered.parameters,
      ...(ctx.diff ? { diff: { before, after: rendered.text, before_header: path, after_header: path } } : {}),
    };
  },
});
