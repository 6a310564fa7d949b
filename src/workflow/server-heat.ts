import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { Session } from '../openstack/auth.js';
import { STACK_TAG, TOOL_METADATA } from '../openstack/markers.js';
import { type Stack, createStack, findStackByName, getStack, isFailedStatus, waitForStackComplete } from '../openstack/orchestration.js';
import { safeVmName } from '../util/names.js';
import { parseYamlFile } from '../util/file-parse.js';

/** The Heat path: a HOT template for the servers of migrated VMs, and an idempotent stack create. */

export interface HeatVm {
  name: string;
  boot_volume_id: string;
  data_volume_ids?: string[];
  flavor: string;
  /** The network of a port the stack creates; not needed with port_ids. */
  network?: string;
  security_groups?: string[];
  mac_address?: string;
  /** Existing ports (e.g. made by create_network_port with the VMware MACs): the server uses them, in order. */
  port_ids?: string[];
  key_name?: string;
  availability_zone?: string;
  /** cloud-init user data, passed as is (RAW). */
  user_data?: string;
}

export interface HeatTemplate {
  /** The template as create_heat_stack sends it, and its YAML text. */
  doc: Record<string, unknown>;
  text: string;
  parameters: Record<string, string>;
  /** VM name -> the output holding its server's ID. */
  serverOutputs: Record<string, string>;
}

/** Heat identifiers: SafeVmName with '-' as '_' (upstream replaced only '-' and '.' in the raw name). */
function identifier(name: string, taken: Set<string>): string {
  let id = safeVmName(name).replace(/-/g, '_');
  if (!/^[A-Za-z_]/.test(id)) id = `vm_${id}`;
  let unique = id;
  for (let n = 2; taken.has(unique); n++) unique = `${id}_${n}`;
  taken.add(unique);
  return unique;
}

/**
 * One server booting from the migrated volume per VM, on the given existing ports, or else on one port the stack
 * creates (on the VM's network, with its MAC when given). Volume IDs, port IDs and security groups are parameters;
 * volumes and given ports are referenced, not managed, so deleting the stack never deletes migrated data or the
 * ports carrying the VMware MACs (upstream adopted the volumes as stack resources).
 */
export function renderHeatTemplate(stackName: string, vms: HeatVm[]): HeatTemplate {
  if (vms.length === 0) throw new Error('No VMs data provided');
  const taken = new Set<string>();
  const parameters: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  const values: Record<string, string> = {};
  const serverOutputs: Record<string, string> = {};
  for (const vm of vms) {
    const portIds = (vm.port_ids ?? []).filter((p) => p !== '');
    const required = { name: vm.name, boot_volume_id: vm.boot_volume_id, flavor: vm.flavor, ...(portIds.length ? {} : { network: vm.network }) };
    for (const [key, value] of Object.entries(required)) {
      if (!value) throw new Error(`VM entry ${JSON.stringify(vm.name ?? '')} has no ${key}${key === 'network' ? ' (nor port_ids)' : ''}`);
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
    let networks: unknown[];
    if (portIds.length) {
      networks = portIds.map((portId, i) => {
        const p = `${id}_port_${i}_id`;
        parameters[p] = { type: 'string', description: `Port ${i} of VM ${vm.name}` };
        values[p] = portId;
        return { port: { get_param: p } };
      });
    } else {
      const port: Record<string, unknown> = { network: vm.network };
      if (vm.mac_address) port.mac_address = vm.mac_address;
      if (vm.security_groups?.length) {
        const p = `${id}_security_groups`;
        parameters[p] = { type: 'comma_delimited_list', description: `Security groups of VM ${vm.name}` };
        values[p] = vm.security_groups.join(',');
        port.security_groups = { get_param: p };
      }
      resources[`${id}_port`] = { type: 'OS::Neutron::Port', properties: port };
      networks = [{ port: { get_resource: `${id}_port` } }];
    }
    resources[`${id}_server`] = {
      type: 'OS::Nova::Server',
      properties: {
        name: safeVmName(vm.name),
        flavor: vm.flavor,
        networks,
        block_device_mapping_v2: bdm,
        metadata: { ...TOOL_METADATA },
        ...(vm.key_name ? { key_name: vm.key_name } : {}),
        ...(vm.availability_zone ? { availability_zone: vm.availability_zone } : {}),
        // RAW: Heat adds no boot-config of its own to the migrated guest, and needs no CloudFormation endpoint.
        user_data_format: 'RAW',
        ...(vm.user_data ? { user_data: vm.user_data } : {}),
      },
    };
    outputs[`${id}_server_id`] = { description: `Server of VM ${vm.name}`, value: { get_resource: `${id}_server` } };
    serverOutputs[vm.name] = `${id}_server_id`;
  }
  const doc = {
    heat_template_version: '2018-08-31',
    description: `Servers of VMs migrated by os_migrate.vmware_migration_kit (stack ${stackName})`,
    parameters,
    resources,
    outputs,
  };
  return { doc, text: stringifyYaml(doc, { indent: 2, lineWidth: 0 }), parameters: values, serverOutputs };
}

/** Write the template unless the file already holds it (check mode writes nothing); returns the previous text. */
export function writeTemplate(path: string, text: string, checkMode: boolean): { changed: boolean; before: string } {
  const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const changed = before !== text;
  if (changed && !checkMode) {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      writeFileSync(path, text, { mode: 0o644 });
    } catch (e) {
      throw new Error(`Failed to write Heat template: ${(e as Error).message}`);
    }
  }
  return { changed, before };
}

export function readTemplate(path: string): unknown {
  if (!existsSync(path)) throw new Error(`Failed to read template file: ${path} does not exist`);
  let doc: unknown;
  try {
    doc = parseYamlFile(readFileSync(path, 'utf8'), path);
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

/** A stack that did not complete; `stack` says which one (its ID once Heat made it). */
export class StackFailure extends Error {
  override name = 'StackFailure';
  constructor(
    message: string,
    readonly stackState: StackOutcome['stack'],
  ) {
    super(message);
  }
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
    if (isFailedStatus(existing.stack_status)) {
      throw new StackFailure(
        `the tool's stack ${req.name} (${existing.id}) is ${existing.stack_status}: ${existing.stack_status_reason ?? 'no reason given'}; delete it (openstack stack delete ${req.name}) and run again`,
        outcome(false, existing).stack,
      );
    }
    if (req.wait && !req.checkMode && existing.stack_status !== 'CREATE_COMPLETE') {
      return outcome(false, await completed(s, req, existing.id));
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
  if (req.wait) return outcome(true, await completed(s, req, id));
  return outcome(true, await getStack(s, req.name, id));
}

async function completed(s: Session, req: StackRequest, id: string): Promise<Stack> {
  try {
    return await waitForStackComplete(s, req.name, id, { timeoutMs: req.timeoutMs, intervalMs: req.intervalMs, signal: s.signal });
  } catch (e) {
    const last = await getStack(s, req.name, id).catch(() => undefined);
    throw new StackFailure((e as Error).message, { id, name: req.name, status: last?.stack_status ?? 'UNKNOWN' });
  }
}

/** `<dir>/heat_stack_info.txt`: name, ID, status and template of the stack; returns its path. */
export function writeStackInfo(dir: string, stack: StackOutcome['stack'], templatePath: string): string {
  const path = join(dir, 'heat_stack_info.txt');
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, `Stack Name: ${stack.name}\nStack ID: ${stack.id ?? ''}\nStatus: ${stack.status}\nTemplate: ${templatePath}\n`, { mode: 0o644 });
  } catch (e) {
    throw new Error(`Failed to write stack info file: ${(e as Error).message}`);
  }
  return path;
}

const shellWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** The openstackclient command that creates the stack by hand (tagged, so the tool recognises it afterwards). */
export function stackCreateCommand(stackName: string, templatePath: string, parameters: Record<string, string>): string {
  const params = Object.entries(parameters).flatMap(([k, v]) => ['--parameter', `${k}=${v}`]);
  return ['openstack', 'stack', 'create', '--wait', '--tags', STACK_TAG, '-t', templatePath, ...params, stackName].map(shellWord).join(' ');
}
