import { isIPv4 } from 'node:net';
import type { Session } from '../../openstack/auth.js';
import { listVolumeAvailabilityZones } from '../../openstack/availability-zones.js';
import { type Flavor, listFlavors } from '../../openstack/flavors.js';
import { hasToolDescription, hasToolMetadata, inProject } from '../../openstack/markers.js';
import { type Network, type Port, type Subnet, findNetwork, findSecurityGroup, listPorts, listSubnets } from '../../openstack/network.js';
import { type Server, listServers } from '../../openstack/servers.js';
import { type Volume, isToolVolume, listVolumeTypes, listVolumes } from '../../openstack/volume.js';
import { safeVmName } from '../../util/names.js';
import type { VmDetail } from '../../vmware/vm.js';
import { volumeTypeFor } from '../migrate-plan.js';
import type { AssessedVm, AssessmentCheck } from './assessment-file.js';
import { blocker, notRun, ok, warning } from './check.js';
import type { AssessOptions } from './options.js';
import { mappedNetwork } from './source-vm.js';

/** OpenStack: what the target project offers the migration, read once, then judged per VM. Reads only. */

type Read<T> = T | Error;
const attempt = <T>(fn: () => Promise<T>): Promise<Read<T>> => fn().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
const failed = <T>(r: Read<T>): r is Error => r instanceof Error;

export interface CloudFacts {
  admin: boolean;
  flavors: Read<Flavor[]>;
  /** By the name or ID the options give. */
  networks: Map<string, Read<Network>>;
  subnets: Map<string, Read<Subnet[]>>;
  /** lower-case MAC -> the ports (this user sees) holding it. */
  portsByMac: Read<Map<string, Port[]>>;
  /** The tool's volumes of this project, by name. */
  toolVolumes: Read<Map<string, Volume>>;
  servers: Read<Server[]>;
  volumeTypes: Read<string[]>;
  volumeZones: Read<string[]>;
}

export async function readCloud(s: Session, vms: VmDetail[], o: AssessOptions): Promise<CloudFacts> {
  const names = new Set(vms.flatMap((vm) => vm.nics.map((n) => mappedNetwork(n.network, n.portgroupKey, o)).filter((x): x is string => !!x)));
  const networks = new Map<string, Read<Network>>();
  const subnets = new Map<string, Read<Subnet[]>>();
  await Promise.all(
    [...names].map(async (n) => {
      const net = await attempt(() => findNetwork(s, n));
      networks.set(n, net);
      if (!failed(net)) subnets.set(net.id, await attempt(() => listSubnets(s, net.id)));
    }),
  );
  const [flavors, ports, volumes, servers, volumeTypes, volumeZones] = await Promise.all([
    attempt(() => listFlavors(s)),
    attempt(() => listPorts(s, {})),
    attempt(() => listVolumes(s)),
    attempt(() => listServers(s)),
    attempt(async () => (await listVolumeTypes(s)).flatMap((t) => [t.name, t.id])),
    attempt(() => listVolumeAvailabilityZones(s)),
  ]);
  const portsByMac = failed(ports)
    ? ports
    : ports.reduce((m, p) => m.set(p.mac_address.toLowerCase(), [...(m.get(p.mac_address.toLowerCase()) ?? []), p]), new Map<string, Port[]>());
  const toolVolumes = failed(volumes)
    ? volumes
    : new Map(volumes.filter((v) => isToolVolume(s, v)).map((v) => [v.name, v]));
  return { admin: s.roles.includes('admin'), flavors, networks, subnets, portsByMac, toolVolumes, servers, volumeTypes, volumeZones };
}

/** Authentication, the catalog, the security groups, who may set MACs and create flavors, what is visible. */
export async function cloudEnvironmentChecks(s: Session, f: CloudFacts, o: AssessOptions): Promise<AssessmentCheck[]> {
  const out: AssessmentCheck[] = [ok('openstack.auth', `authenticated to ${s.cloud.auth.authUrl} in project ${s.projectId} (roles: ${s.roles.join(', ') || 'none'})`)];
  const missing = (['compute', 'network', 'block-storage'] as const).filter((x) => !s.hasService(x));
  out.push(missing.length ? blocker('openstack.catalog', `the catalog has no ${missing.join(', ')} service`, 'use a cloud (region, interface) whose catalog has Nova, Neutron and Cinder') : ok('openstack.catalog', 'the catalog has compute, network and block-storage'));
  for (const g of o.network.securityGroups) {
    const r = await attempt(() => findSecurityGroup(s, g, s.projectId));
    out.push(failed(r) ? blocker('openstack.security_groups', `security group ${g}: ${r.message}`, `create security group ${g} in project ${s.projectId}, or change security_groups`) : ok('openstack.security_groups', `security group ${g} is ${r.id}`));
  }
  if (o.network.securityGroups.length === 0) out.push(ok('openstack.security_groups', 'no security group asked for'));
  out.push(
    f.admin
      ? ok('openstack.mac_visibility', "the admin role sees every project's ports: MAC conflicts with other projects are checked")
      : notRun('openstack.mac_visibility', "this user sees only its own project's ports: a MAC held by another project's port is found only when the port is created (Neutron refuses it)", 'run the assessment with an admin cloud to check MACs across projects'),
  );
  out.push(
    f.admin
      ? ok('openstack.flavor_create_permission', 'the admin role may create flavors')
      : warning('openstack.flavor_create_permission', 'this user has no admin role: Nova refuses to create flavors (policy default); VMs that need a new flavor are blocked', 'create the flavors with an admin, or set use_existing_flavor / flavor_uuid'),
  );
  out.push(failed(f.flavors) ? notRun('openstack.flavors', `the flavors could not be listed: ${f.flavors.message}`, null) : ok('openstack.flavors', `${f.flavors.length} flavor(s) visible`));
  out.push(failed(f.volumeTypes) ? notRun('openstack.volume_types', `the volume types could not be listed: ${f.volumeTypes.message}`, null) : ok('openstack.volume_types', `${f.volumeTypes.length / 2} volume type(s)`));
  const az = o.migration.volume.availabilityZone;
  if (!az) out.push(ok('openstack.availability_zones', 'no availability zone asked for (cinder_az): the cloud chooses'));
  else if (failed(f.volumeZones)) out.push(notRun('openstack.availability_zones', `the volume availability zones could not be listed: ${f.volumeZones.message}`, null));
  else out.push(f.volumeZones.includes(az) ? ok('openstack.availability_zones', `volume availability zone ${az} is available`) : blocker('openstack.availability_zones', `volume availability zone ${az} is not one of ${f.volumeZones.join(', ') || '(none)'}`, 'set cinder_az to an available zone'));
  return out;
}

export interface CloudVm {
  nics: AssessedVm['nics'];
  checks: AssessmentCheck[];
}

/** Per VM: networks and subnets, fixed IPs, MAC conflicts, whether the MAC may be set, volume types, an existing server. */
export function cloudVmChecks(s: Session, vm: VmDetail, f: CloudFacts, o: AssessOptions): CloudVm {
  const target = safeVmName(vm.name);
  const checks: AssessmentCheck[] = [];
  const nics: AssessedVm['nics'] = vm.nics.map((n) => ({
    mac: n.mac,
    vmware_network: n.network,
    network: mappedNetwork(n.network, n.portgroupKey, o) ?? null,
    security_groups: o.network.securityGroups,
    fixed_ip: o.network.useFixedIps ? n.ipAddresses.find((a) => isIPv4(a)) ?? null : null,
  }));

  const netProblems: string[] = [];
  const macRefused: string[] = [];
  const ipProblems: string[] = [];
  let netUnknown = false;
  for (const n of nics) {
    if (!n.network) continue;
    const net = f.networks.get(n.network);
    if (!net || failed(net)) {
      netProblems.push(`${n.network}${net ? `: ${net.message}` : ''}`);
      continue;
    }
    if (!f.admin && !inProject(net.project_id, s.projectId)) macRefused.push(`${net.name} (project ${net.project_id})`);
    const subs = f.subnets.get(net.id);
    if (!subs || failed(subs)) {
      netUnknown = true;
      continue;
    }
    if (subs.length === 0) netProblems.push(`${net.name} has no subnet`);
    if (n.fixed_ip) {
      const inSubnet = subs.some((sub) => sub.ip_version === 4 && inCidr(n.fixed_ip!, sub.cidr));
      const held = failed(f.portsByMac) ? [] : [...f.portsByMac.values()].flat().filter((p) => p.network_id === net.id && p.fixed_ips.some((x) => x.ip_address === n.fixed_ip) && p.mac_address.toLowerCase() !== n.mac.toLowerCase());
      if (!inSubnet) ipProblems.push(`${n.fixed_ip} is in no IPv4 subnet of ${net.name} (${subs.map((x) => x.cidr).join(', ')})`);
      else if (held.length) ipProblems.push(`${n.fixed_ip} is held by port ${held[0]!.id} on ${net.name}`);
    }
  }
  checks.push(
    netProblems.length
      ? blocker('openstack.network', `network(s) of ${vm.name} cannot be used: ${netProblems.join('; ')}`, 'create the network (and a subnet), or fix network_map / openstack_private_network')
      : netUnknown
        ? notRun('openstack.network', 'the subnets of the mapped networks could not be listed', null)
        : ok('openstack.network', nics.length ? `networks ${[...new Set(nics.map((n) => n.network))].join(', ')} exist with subnets` : 'no NIC'),
  );
  checks.push(
    !o.network.useFixedIps
      ? ok('openstack.fixed_ips', 'use_fixed_ips is off: Neutron assigns the addresses')
      : ipProblems.length
        ? blocker('openstack.fixed_ips', ipProblems.join('; '), 'map the NIC to the network holding its address, or free the address')
        : ok('openstack.fixed_ips', `the fixed IPs ${nics.map((n) => n.fixed_ip).filter((x) => x).join(', ') || '(none known)'} fit their subnets and are free`),
  );
  checks.push(
    macRefused.length
      ? blocker('openstack.port_mac', `ports keep the VMware MAC, and Neutron lets only an admin or the network's owner set a MAC: network(s) ${macRefused.join(', ')} belong to another project`, 'use a network of the project, or migrate with an admin cloud')
      : ok('openstack.port_mac', 'this user may set the MAC address of its ports on the mapped networks'),
  );
  if (failed(f.portsByMac)) checks.push(notRun('openstack.mac_conflict', `the ports could not be listed: ${f.portsByMac.message}`, null));
  else {
    const byMac = f.portsByMac;
    // Neutron holds a MAC once per network: a port elsewhere is no conflict.
    const conflicts = nics.flatMap((n) => {
      const net = n.network ? f.networks.get(n.network) : undefined;
      if (!net || failed(net)) return [];
      return (byMac.get(n.mac.toLowerCase()) ?? [])
        .filter((p) => p.network_id === net.id && !(hasToolDescription(p.description) && inProject(p.project_id ?? p.tenant_id, s.projectId) && p.name.startsWith(`${target}-NIC-`)))
        .map((p) => `${n.mac} is held on ${net.name} by port ${p.name || p.id} (${p.id}) of project ${p.project_id ?? p.tenant_id ?? '?'}`);
    });
    checks.push(
      conflicts.length
        ? blocker('openstack.mac_conflict', `${conflicts.join('; ')}: the migration never takes a port over`, 'delete that port if it is stale, or give the VMware NIC another MAC')
        : ok('openstack.mac_conflict', f.admin ? 'no port of any project holds these MACs' : "no port of this project holds these MACs (other projects' ports are not visible: openstack.mac_visibility)"),
    );
  }
  if (failed(f.volumeTypes)) checks.push(notRun('openstack.volume_type', `the volume types could not be listed: ${f.volumeTypes.message}`, null));
  else {
    const wanted = [...new Set(vm.disks.map((d) => volumeTypeFor(d, o.migration.volume)).filter((t): t is string => !!t))];
    const unknown = wanted.filter((t) => !(f.volumeTypes as string[]).includes(t));
    checks.push(
      unknown.length
        ? blocker('openstack.volume_type', `volume type(s) ${unknown.join(', ')} do not exist`, 'fix volume_type_mapping / cinder_volume_type')
        : ok('openstack.volume_type', wanted.length ? `volume type(s) ${wanted.join(', ')} exist` : "the cloud's default volume type"),
    );
  }
  if (failed(f.servers)) checks.push(notRun('openstack.existing_server', `the servers could not be listed: ${f.servers.message}`, null));
  else {
    const same = f.servers.filter((x) => x.name === target || x.name === vm.name);
    checks.push(
      same.length
        ? warning('openstack.existing_server', `server(s) named ${same.map((x) => `${x.name} (${x.id}, ${hasToolMetadata(x.metadata) ? "the tool's" : 'not the tool\'s'})`).join(', ')} exist in the project`, 'check whether the VM was migrated already; the migration reuses only its own server')
        : ok('openstack.existing_server', `no server named ${target} in the project`),
    );
  }
  return { nics, checks };
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  if (!base || !isIPv4(base) || !isIPv4(ip)) return false;
  const bits = Number(bitsText ?? 32);
  const n = (a: string) => a.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  const size = 2 ** (32 - bits);
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}
