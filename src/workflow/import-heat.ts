import { join } from 'node:path';
import type { Session } from '../openstack/auth.js';
import { getServer } from '../openstack/servers.js';
import { getStack, stackOutput } from '../openstack/orchestration.js';
import { safeVmName } from '../util/names.js';
import type { ServerOutcome } from './server.js';
import { type StackOutcome, ensureStack, renderHeatTemplate, stackCreateCommand, writeStackInfo, writeTemplate } from './server-heat.js';

/**
 * import_workloads with use_heat: the VM's server comes from its own Heat stack `os-migrate-<SafeVmName>`, whose
 * template (in the VM's directory) boots from the migrated volumes on the ports that carry the VMware MACs.
 * One stack per VM (upstream regenerated one stack over every VM on each include, named after the clock).
 */

export const heatStackName = (vmName: string): string => `os-migrate-${safeVmName(vmName)}`;

export interface HeatServerRequest {
  vmName: string;
  /** `<data_dir>/<vm>`: heat_template.yaml and heat_stack_info.txt go there. */
  dir: string;
  flavor: string;
  bootVolume: string;
  volumes: string[];
  portIds: string[];
  /** Without ports: the stack makes one on this network, with these security groups. */
  network: string | undefined;
  securityGroups: string[];
  keyName: string | undefined;
  availabilityZone: string | undefined;
  userData: string | undefined;
  /** Create the stack; false: only write the template and tell the command that creates it. */
  autoDeploy: boolean;
  timeoutMs: number;
  checkMode: boolean;
}

export interface HeatServerOutcome {
  changed: boolean;
  stack_name: string;
  template_path: string;
  parameters: Record<string, string>;
  /** The openstackclient command creating the stack by hand. */
  command: string;
  stack?: StackOutcome['stack'];
  info_path?: string;
  server?: ServerOutcome;
}

export async function ensureHeatServer(s: Session, req: HeatServerRequest): Promise<HeatServerOutcome> {
  if (req.portIds.length === 0 && !req.network) {
    throw new Error(`use_heat: ${req.vmName} has no port (create_ports is false) and no network_name (openstack_private_network) for the stack to make one on`);
  }
  const stackName = heatStackName(req.vmName);
  const rendered = renderHeatTemplate(stackName, [
    {
      name: req.vmName,
      boot_volume_id: req.bootVolume,
      data_volume_ids: req.volumes,
      flavor: req.flavor,
      port_ids: req.portIds,
      network: req.network,
      security_groups: req.securityGroups,
      key_name: req.keyName,
      availability_zone: req.availabilityZone,
      user_data: req.userData,
    },
  ]);
  const templatePath = join(req.dir, 'heat_template.yaml');
  const template = writeTemplate(templatePath, rendered.text, req.checkMode);
  const base = {
    stack_name: stackName,
    template_path: templatePath,
    parameters: rendered.parameters,
    command: stackCreateCommand(stackName, templatePath, rendered.parameters),
  };
  if (!req.autoDeploy) return { changed: template.changed, ...base };

  const o = await ensureStack(s, {
    name: stackName,
    template: rendered.doc,
    parameters: rendered.parameters,
    wait: true,
    timeoutMs: req.timeoutMs,
    intervalMs: 2000,
    checkMode: req.checkMode,
  });
  if (!o.stack.id || req.checkMode) return { changed: template.changed || o.changed, ...base, stack: o.stack };
  const info_path = writeStackInfo(req.dir, o.stack, templatePath);
  const serverId = stackOutput(await getStack(s, stackName, o.stack.id), rendered.serverOutputs[req.vmName]!);
  if (typeof serverId !== 'string' || serverId === '') {
    throw new Error(`stack ${stackName} (${o.stack.id}) is ${o.stack.status} but has no server ID in its outputs; see openstack stack event list ${stackName}`);
  }
  const server = await getServer(s, serverId);
  if (!server) throw new Error(`server ${serverId} of stack ${stackName} (${o.stack.id}) not found`);
  return {
    changed: template.changed || o.changed,
    ...base,
    stack: o.stack,
    info_path,
    server: {
      id: server.id,
      name: server.name,
      status: server.status,
      changed: o.changed,
      msg: `${o.changed ? 'created' : 'found'} by stack ${stackName} (${o.stack.id})`,
    },
  };
}
