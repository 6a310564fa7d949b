import { z } from 'zod';
import { defineModule } from '../ansible/module.js';

export default defineModule({
  name: 'warn',
  shortDescription: 'Show a warning to the user',
  description: ['Returns the given message as an Ansible warning and changes nothing.'],
  options: z.strictObject({
    msg: z.string().min(1).meta({ description: 'The warning to display.' }),
  }),
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Warn that virtio-win is missing
  os_migrate.vmware_migration_kit.warn:
    msg: "The package virtio-win is not installed"
`,
  returns: {
    message: { description: 'The warning that was shown.', returned: 'always', type: 'str', sample: 'disk is small' },
  },
  async run(params, ctx) {
    ctx.warn(params.msg);
    return { changed: false, message: params.msg };
  },
});
