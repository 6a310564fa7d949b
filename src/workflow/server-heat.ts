import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Session } from '../openstack/auth.js';
import { STACK_TAG, TOOL_METADATA } from '../openstack/markers.js';
import { type Stack, createStack, findStackByName, getStack, waitForStackComplete } from '../openstack/orchestration.js';
import { safeVmName } from '../util/names.js';

/** The Heat path: a HOT template for the servers of migrated VMs, and an idempotent stack create. */

export interface HeatVm {
  name: string;
  boot_volume_id: string;
  data_volume_ids?: string[];
  flavor: string;
  network: string;
  security_groups?: string[];
  mac_address?: string;
}

export interface HeatTemplate {
  text: string;
  parameters: Record<string, string>;
}

/** Heat identifiers: letters, digits and underscores (upstream replaced only '-' and '.'). */
function identifier(name: string, taken: Set<string>): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(id)) id = `vm_${id}`;
  let unique = id;
  for (let n = 2; taken.has(unique); n++) unique = `${id}_${n}`;
  taken.add(unique);
  return unique;
}

/**
 * One port (on the VM's network, with its MAC when given) and one server booting from the migrated volume per VM.
 * Volume IDs and security groups are parameters; the volumes are referenced, not managed, so deleting the stack
 * never deletes migrated data (upstream adopted them as stack resources).
 */
export function renderHeatTemplate(stackName: string, vms: HeatVm[]): HeatTemplate {
  if (vms.length === 0) throw new Error('No VMs data provided');
  const taken = new Set<string>();
  const parameters: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  const values: Record<string, string> = {};
  for (const vm of vms) {
    for (const [key, value] of Object.entries({ name: vm.name, boot_volume_id: vm.boot_volume_id, flavor: vm.flavor, network: vm.network })) {
      if (!value) throw new Error(`VM entry ${JSON.stringify(vm.name ?? '')} has no ${key}`);
    }
    const id = identifier(vm.name, taken);
    const bootParam = `${id}_boot_volume_id`;
    parameters[bootParam] = { type: 'string', description: `Boot volume of VM ${vm.name}` };
    values[bootParam] = vm.boot_volume_id;
    const bdm: unknown[] = [{ volume_id: { get_param: bootParam }, boot_index: 0, delete_on_termination: false }];
    (vm.data_volume_ids ?? []).filter((v) => v !== '').forEach((volumeId, i) => {
      const p = `${id}_data_volume_${i}_id`;
      parameters[p] = { type: 'string', description: `Data volume ${i} of VM ${vm.name}` };
      values[p] = volumeId;
      bdm.push({ volume_id: { get_param: p }, boot_index: -1, delete_on_termination: false });
    });
    const port: Record<string, unknown> = { network: vm.network };
    if (vm.mac_address) port.mac_address = vm.mac_address;
    if (vm.security_groups?.length) {
      const p = `${id}_security_groups`;
      parameters[p] = { type: 'comma_delimited_list', description: `Security groups of VM ${vm.name}` };
      values[p] = vm.security_groups.join(',');
      port.security_groups = { get_param: p };
    }
    resources[`${id}_port`] = { type: 'OS::Neutron::Port', properties: port };
    resources[`${id}_server`] = {
      type: 'OS::Nova::Server',
      properties: {
        name: safeVmName(vm.name),
        flavor: vm.flavor,
        networks: [{ port: { get_resource: `${id}_port` } }],
        block_device_mapping_v2: bdm,
        metadata: { ...TOOL_METADATA },
      },
    };
    outputs[`${id}_server_id`] = { description: `Server of VM ${vm.name}`, value: { get_resource: `${id}_server` } };
  }
  const doc = {
    heat_template_version: '2018-08-31',
    description: `Servers of VMs migrated by os_migrate.vmware_migration_kit (stack ${stackName})`,
    parameters,
    resources,
    outputs,
  };
  return { text: stringifyYaml(doc, { indent: 2, lineWidth: 0 }), parameters: values };
}

export function readTemplate(path: string): unknown {
  if (!existsSync(path)) throw new Error(`Failed to read template file: ${path} does not exist`);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Template YAML parsing failed: ${path}: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || !('heat_template_version' in doc)) {
    throw new Error(`Template YAML parsing failed: ${path} has no heat_template_version`);
  }
  return doc;
}

export interface StackRequest {
  name: string;
  template: unknown;
  parameters: Record<string, unknown>;
  wait: boolean;
  timeoutMs: number;
  intervalMs: number;
  checkMode: boolean;
}

export interface StackOutcome {
  changed: boolean;
  stack: { id: string | null; name: string; status: string };
}

const outcome = (changed: boolean, st: Stack): StackOutcome => ({
  changed,
  stack: { id: st.id, name: st.stack_name, status: st.stack_status ?? 'UNKNOWN' },
});

/** Create the stack unless the tool's stack of that name exists (tag osm); another stack of that name is an error. */
export async function ensureStack(s: Session, req: StackRequest): Promise<StackOutcome> {
  const existing = await findStackByName(s, req.name);
  if (existing) {
    if (!(existing.tags ?? []).includes(STACK_TAG)) {
      throw new Error(`a stack named ${req.name} (${existing.id}) exists and was not created by this tool; choose another stack_name`);
    }
    if (req.wait && !req.checkMode && existing.stack_status !== 'CREATE_COMPLETE') {
      return outcome(false, await waitForStackComplete(s, req.name, existing.id, { timeoutMs: req.timeoutMs, intervalMs: req.intervalMs, signal: s.signal }));
    }
    return outcome(false, existing);
  }
  if (req.checkMode) return { changed: true, stack: { id: null, name: req.name, status: 'absent' } };
  const { id } = await createStack(s, {
    name: req.name,
    template: req.template,
    parameters: req.parameters,
    timeoutMins: Math.max(1, Math.ceil(req.timeoutMs / 60_000)),
    tags: [STACK_TAG],
  });
  if (req.wait) {
    return outcome(true, await waitForStackComplete(s, req.name, id, { timeoutMs: req.timeoutMs, intervalMs: req.intervalMs, signal: s.signal }));
  }
  return outcome(true, await getStack(s, req.name, id));
}

export function stackInfoText(stack: StackOutcome['stack'], templatePath: string): string {
  return `Stack Name: ${stack.name}\nStack ID: ${stack.id ?? ''}\nStatus: ${stack.status}\nTemplate: ${templatePath}\n`;
}
