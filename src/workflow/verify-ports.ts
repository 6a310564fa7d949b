import { isIPv4 } from 'node:net';
import { type Network, findNetwork, findSecurityGroup } from '../openstack/network.js';
import { type Check, type VerifyFacts, cannotRun, check } from './verify-request.js';

/**
 * Each NIC has a port with its VMware MAC on the network it maps to, plugged into the server, with the security
 * groups asked for (and, with use_fixed_ips, the NIC's IPv4 addresses).
 */
export async function portChecks(f: VerifyFacts): Promise<Check[]> {
  if (!f.req.final || !f.req.expect.ports) return [];
  const { req, os, server } = f;
  const sgIds: string[] = [];
  for (const sg of req.ports.securityGroups) sgIds.push((await findSecurityGroup(os, sg, os.projectId)).id);
  const networks = new Map<string, Network>();
  const out: Check[] = [];
  for (const [i, nic] of f.nics.entries()) {
    const mac = nic.mac.toLowerCase();
    const ref = req.ports.usedMappedNetworks ? (nic.vlan ?? '') : (req.ports.networkName ?? '');
    let net = networks.get(ref);
    if (!net && ref) networks.set(ref, (net = await findNetwork(os, ref)));
    const wantPlugged = req.expect.server;
    const expected = `MAC ${mac} on network ${net ? `${net.name} (${net.id})` : '(none mapped)'}${wantPlugged ? ', plugged into the server' : ''}`;
    const holders = f.ports[i] ?? [];
    const port = holders.find((p) => p.network_id === net?.id);
    const seen = holders.map((p) => `${p.id} on ${p.network_id}${p.device_id ? ` plugged into ${p.device_id}` : ''}`);
    const plugged = port !== undefined && (!wantPlugged || (server !== undefined && port.device_id === server.id));
    out.push(
      check(`nic.port.${i}`, expected, port ? `${port.id}${port.device_id ? ` plugged into ${port.device_id}` : ' not plugged'}` : seen.length ? seen : 'no port with that MAC', plugged,
        plugged ? `NIC ${i}: port ${port.id} holds MAC ${mac}` : `NIC ${i}: no port with MAC ${mac} on that network plugged into ${server ? `server ${server.id}` : 'a server (there is none)'}`),
    );
    const sgId = `nic.security_groups.${i}`;
    if (!port) out.push(cannotRun(sgId, req.ports.securityGroups, `NIC ${i} has no port`));
    else {
      const same = [...sgIds].sort().join() === [...port.security_groups].sort().join();
      out.push(check(sgId, sgIds, port.security_groups, same, `port ${port.id}: security groups ${port.security_groups.join(', ') || 'none'}`));
    }
    if (!req.ports.useFixedIps) continue;
    const ips = (nic.ipaddresses ?? []).filter((ip) => isIPv4(ip));
    const ipId = `nic.fixed_ips.${i}`;
    if (!port) out.push(cannotRun(ipId, ips, `NIC ${i} has no port`));
    else {
      const have = port.fixed_ips.map((x) => x.ip_address);
      const missing = ips.filter((ip) => !have.includes(ip));
      out.push(check(ipId, ips, have, missing.length === 0, missing.length ? `port ${port.id} lacks ${missing.join(', ')}` : `port ${port.id} holds ${ips.join(', ')}`));
    }
  }
  return out;
}
