import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import type { Session } from '../openstack/auth.js';
import { OpenStackApiError } from '../openstack/errors.js';
import { hasToolDescription, inProject, toolDescription } from '../openstack/markers.js';
import {
  type Network,
  type Port,
  type Subnet,
  createPort,
  findNetwork,
  findSecurityGroup,
  listPorts,
  listSubnets,
  updatePort,
} from '../openstack/network.js';
import { safeVmName } from '../util/names.js';
import { describeIssues, parseJsonFile } from '../util/file-parse.js';

/** Neutron ports for a VM's NICs, keeping the VMware MAC addresses; reruns reuse the tool's ports. */

/** Ansible's `omit` placeholder may reach the NIC file as a string: it means "no subnet". */
const emptyIfOmit = (v: string | null | undefined) => (v && !v.startsWith('__omit_place_holder__') ? v : '');

const nicSchema = z.looseObject({
  vlan: z.string().nullable().optional(),
  mac: z.string().min(1),
  ipaddresses: z.array(z.string()).nullable().optional(),
  subnet: z.string().nullable().optional(),
});
export type Nic = z.output<typeof nicSchema>;

export function readNicsFile(path: string): Nic[] {
  let doc: unknown;
  try {
    doc = parseJsonFile(readFileSync(path, 'utf8'), path);
  } catch (e) {
    throw new Error(`Failed to load network data file ${path}: ${(e as Error).message}`);
  }
  const r = z.array(nicSchema).safeParse(doc);
  if (!r.success) {
    throw new Error(
      `Failed to load network data file ${path}: ${describeIssues(r.error)}`,
    );
  }
  return r.data;
}

export interface PortsRequest {
  vmName: string;
  nics: Nic[];
  usedMappedNetworks: boolean;
  networkName: string | undefined;
  securityGroups: string[] | undefined;
  useFixedIps: boolean;
  subnetUuid: string | undefined;
  checkMode: boolean;
}

export interface PortOutcome {
  nic: number;
  id: string | null;
  name: string;
  mac_address: string;
  network_id: string;
  fixed_ips: Array<{ subnet_id?: string; ip_address?: string }>;
  action: 'created' | 'reused' | 'updated' | 'would create' | 'would update';
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [net, bitsText] = cidr.split('/');
  if (!net || !isIPv4(net) || !isIPv4(ip)) return false;
  const bits = Number(bitsText ?? 32);
  const size = 2 ** (32 - bits);
  return Math.floor(ipv4ToInt(ip) / size) === Math.floor(ipv4ToInt(net) / size);
}

/** Fixed IPv4 addresses of a NIC, each on the given subnet or the network's subnet that contains it. */
function fixedIpsFor(nic: Nic, index: number, vm: string, net: Network, subnets: Subnet[], fallbackSubnet: string | undefined) {
  const subnetId = emptyIfOmit(nic.subnet) || fallbackSubnet || undefined;
  return (nic.ipaddresses ?? []).filter((ip) => isIPv4(ip)).map((ip) => {
    if (subnetId) return { subnet_id: subnetId, ip_address: ip };
    const containing = subnets.find((sn) => sn.ip_version === 4 && cidrContains(sn.cidr, ip));
    if (!containing) {
      throw new Error(
        `NIC ${index} of VM ${vm}: IP ${ip} is in no subnet of network ${net.name} (${net.id}) (subnets: ${
          subnets.map((sn) => sn.cidr).join(', ') || 'none'
        }); give subnet_uuid or map the NIC to a network with that subnet`,
      );
    }
    return { subnet_id: containing.id, ip_address: ip };
  });
}

const ownedBy = (s: Session, p: Port) => hasToolDescription(p.description) && inProject(p.project_id ?? p.tenant_id, s.projectId);

function describeForeignPort(p: Port, mac: string, net: Network): string {
  const owner = p.project_id ?? p.tenant_id ?? 'unknown project';
  const device = p.device_id ? `, attached to ${p.device_owner || 'device'} ${p.device_id}` : '';
  return `MAC ${mac} is already used on network ${net.name} (${net.id}) by port ${p.id} '${p.name}' of project ${owner}${device}, which this tool did not create and will not touch`;
}

/** One port per NIC: reuse the tool's port holding the MAC on that network, otherwise create it. */
export async function ensurePorts(s: Session, req: PortsRequest): Promise<PortOutcome[]> {
  const networks = new Map<string, Network>();
  const subnetsOf = new Map<string, Subnet[]>();
  let sgIds: string[] | undefined;
  if (req.securityGroups) {
    sgIds = [];
    for (const sg of req.securityGroups) sgIds.push((await findSecurityGroup(s, sg, s.projectId)).id);
  }
  const out: PortOutcome[] = [];
  for (const [i, nic] of req.nics.entries()) {
    const ref = req.usedMappedNetworks ? (nic.vlan ?? '') : (req.networkName ?? '');
    if (!ref) {
      throw new Error(
        req.usedMappedNetworks
          ? `NIC ${i} of VM ${req.vmName} (MAC ${nic.mac}) has no network ('vlan') in the NIC file`
          : `network_name is required when used_mapped_networks is false (NIC ${i} of VM ${req.vmName})`,
      );
    }
    let net = networks.get(ref);
    if (!net) {
      try {
        net = await findNetwork(s, ref);
      } catch (e) {
        throw new Error(`Failed to get network for NIC ${i} of VM ${req.vmName}: ${(e as Error).message}`);
      }
      networks.set(ref, net);
    }
    let fixedIps: PortOutcome['fixed_ips'] = [];
    if (req.useFixedIps) {
      let subnets = subnetsOf.get(net.id);
      if (!subnets) subnetsOf.set(net.id, (subnets = await listSubnets(s, net.id)));
      if (subnets.length === 0) throw new Error(`No subnets found for network ${net.name} (${net.id})`);
      fixedIps = fixedIpsFor(nic, i, req.vmName, net, subnets, req.subnetUuid || undefined);
    }
    const mac = nic.mac.toLowerCase();
    const name = `${safeVmName(req.vmName)}-NIC-${i}-VLAN-${ref}`;
    const holders = await listPorts(s, { mac_address: mac, network_id: net.id });
    const base = { nic: i, name, mac_address: mac, network_id: net.id };
    const holder = holders[0];
    if (holder) {
      if (!ownedBy(s, holder)) throw new Error(`NIC ${i} of VM ${req.vmName}: ${describeForeignPort(holder, mac, net)}`);
      const sgDiffers = sgIds && [...sgIds].sort().join() !== [...holder.security_groups].sort().join();
      if (!sgDiffers) {
        out.push({ ...base, id: holder.id, fixed_ips: holder.fixed_ips, action: 'reused' });
        continue;
      }
      if (!req.checkMode) await updatePort(s, holder.id, { security_groups: sgIds });
      out.push({ ...base, id: holder.id, fixed_ips: holder.fixed_ips, action: req.checkMode ? 'would update' : 'updated' });
      continue;
    }
    if (req.checkMode) {
      out.push({ ...base, id: null, fixed_ips: fixedIps, action: 'would create' });
      continue;
    }
    try {
      const port = await createPort(s, {
        name,
        networkId: net.id,
        macAddress: mac,
        description: toolDescription(`vm=${req.vmName} nic=${i}`),
        securityGroups: sgIds,
        fixedIps,
      });
      out.push({ ...base, id: port.id, fixed_ips: port.fixed_ips, action: 'created' });
    } catch (e) {
      if (e instanceof OpenStackApiError && e.status === 409 && e.faultType === 'MacAddressInUse') {
        throw new Error(
          `NIC ${i} of VM ${req.vmName}: MAC ${mac} is already in use on network ${net.name} (${net.id}) by a port this project cannot see (another project's); free the MAC or migrate this NIC without MAC preservation. Neutron said: ${e.fault}`,
        );
      }
      if (e instanceof OpenStackApiError && e.status === 409 && e.faultType === 'IpAddressAlreadyAllocated') {
        throw new Error(`NIC ${i} of VM ${req.vmName}: fixed IP already allocated on network ${net.name}: ${e.fault}`);
      }
      throw e;
    }
  }
  return out;
}
