import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { withSession } from '../vmware/session.js';
import { setVmPower } from '../workflow/vm-power.js';
import { sessionOptions } from '../workflow/vsphere-source.js';
import { vmwareConnectionAliases, vmwareConnectionOptions, vmwareEndpoint } from './options/vmware.js';

export default defineModule({
  name: 'vmware_vm_power',
  shortDescription: 'Power one VMware VM on or off, or shut its guest down',
  description: [
    'Brings the named VM to the asked power state: poweredon (power on, or resume a suspended VM), poweredoff (hard power-off, the guest is not asked) or shutdownguest (guest shutdown through VMware Tools, waiting up to timeout seconds; with force, a hard power-off when the guest is still on then).',
    'Idempotent: a VM already in the state is left alone (changed false). Check mode says what it would do and changes nothing.',
    'Only the named VM is touched; a name that does not exist fails with the closest existing names.',
  ],
  options: z.strictObject({
    ...vmwareConnectionOptions,
    vm_name: z.string().min(1).meta({ description: 'Name of the VM (or its inventory path, /DC/vm/folder/name).' }),
    folder: z
      .string()
      .optional()
      .meta({ description: 'Inventory folder of the VM (e.g. /Datacenter/vm); the VM is looked up at `<folder>/<vm_name>`, else by its name.' }),
    state: z.enum(['poweredon', 'poweredoff', 'shutdownguest']).meta({ description: 'The power state to bring the VM to.' }),
    timeout: z.number().int().positive().default(300).meta({ description: 'shutdownguest: seconds to wait for the guest to shut down.' }),
    force: z
      .boolean()
      .default(false)
      .meta({ description: 'shutdownguest: power off hard when the guest is still on after timeout (or has no VMware Tools); false fails instead.' }),
  }),
  aliases: { ...vmwareConnectionAliases, vm_name: ['name', 'vmname'], folder: ['vddkpath'] },
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Shut a VM down, powering it off hard after two minutes
  os_migrate.vmware_migration_kit.vmware_vm_power:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vcenter_ca_file: /etc/pki/vcenter-ca.pem
    vm_name: rhel-1
    folder: /Datacenter/vm
    state: shutdownguest
    timeout: 120
    force: true

- name: Power the source VM on again
  os_migrate.vmware_migration_kit.vmware_vm_power:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vm_name: rhel-1
    state: poweredon
`,
  returns: {
    vm: { description: 'The VM: name, moid and inventory path.', returned: 'success', type: 'dict', sample: { name: 'rhel-1', moid: 'vm-57', path: '/DC0/vm/rhel-1' } },
    power_state_before: { description: 'Power state found: poweredOn, poweredOff or suspended.', returned: 'success', type: 'str' },
    power_state: { description: 'Power state after the task (check mode: the state a run would leave).', returned: 'success', type: 'str' },
    action: {
      description: 'What was done (check mode: would be done): none, power on, hard power-off, guest shutdown, or guest shutdown, then hard power-off.',
      returned: 'success',
      type: 'str',
    },
  },
  async run(p, ctx) {
    try {
      const out = await withSession(sessionOptions(vmwareEndpoint(p), ctx.signal), (vs) =>
        setVmPower(vs, { vmName: p.vm_name, folder: p.folder, state: p.state, timeoutMs: p.timeout * 1000, force: p.force }, ctx.checkMode),
      );
      const what = out.action === 'none' ? `already ${out.power_state}` : `${ctx.checkMode ? 'would be' : 'is'} ${out.power_state} (${out.action})`;
      return { ...out, msg: `VM ${out.vm.name} ${what}` };
    } catch (e) {
      throw new ModuleFailure(`vmware_vm_power: VM ${p.vm_name}: ${(e as Error).message}`, { vm_name: p.vm_name });
    }
  },
});
