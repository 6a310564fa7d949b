import { safeVmName } from '../util/names.js';

/**
 * The names upstream's kit gives the OpenStack objects it makes for a VM. Its servers, ports and flavors carry no
 * marker, so with `accept_upstream_names` the delete modules and teardown take an object for the VM being handled
 * when its name is the one upstream would have given it (docs/ownership.md). Nothing else is ever matched: the VM
 * must be named, and every part of the name must fit.
 */

/** Why an object was taken for one the tool may delete. */
export const ACCEPTED_BY_MARKER = 'tool marker';
export const acceptedByUpstreamName = (vm: string): string => `upstream name for VM ${vm}`;

/** Servers: `SafeVmName(vm)` (its create_server), or the raw VM name (its Heat template). */
export function upstreamServerNames(vm: string): string[] {
  return [...new Set([safeVmName(vm), vm])].filter((n) => n !== '');
}

/** Ports: `<SafeVmName(vm)>-NIC-<index>-VLAN-<network name or ID>`; the index and network reference when it is one. */
export function parseUpstreamPortName(vm: string, name: string): { nic: number; network: string } | undefined {
  const safe = safeVmName(vm);
  const prefix = `${safe}-NIC-`;
  if (safe === '' || !name.startsWith(prefix)) return undefined;
  const m = /^(0|[1-9][0-9]*)-VLAN-(.+)$/su.exec(name.slice(prefix.length));
  return m ? { nic: Number(m[1]), network: m[2]! } : undefined;
}

/** A port bears the VM's upstream name only when the network its name gives is the port's own network. */
export function isUpstreamPortName(vm: string, portName: string, network: { id: string; name: string }): boolean {
  const parsed = parseUpstreamPortName(vm, portName);
  return parsed !== undefined && (parsed.network === network.id || parsed.network === network.name);
}

/** Flavors: `osm-vmware-<vm>-<N>` with the raw VM name and N from Jinja's `9999 | random` (0 to 9998). */
export function isUpstreamFlavorName(vm: string, name: string): boolean {
  const prefix = `osm-vmware-${vm}-`;
  if (vm === '' || !name.startsWith(prefix)) return false;
  const n = name.slice(prefix.length);
  return /^(0|[1-9][0-9]{0,3})$/.test(n) && Number(n) <= 9998;
}

/**
 * Volumes of upstream's virt-v2v path: virt-v2v names them `<vm>-sda`, `<vm>-sdb`, ... and records the guest in
 * their property `virt_v2v_guest_name`. (Volumes of its disk-copy path carry `osm: "true"`, the tool's own marker.)
 */
export function isUpstreamV2vVolume(vm: string, volume: { name: string; metadata: Record<string, string> }): boolean {
  return vm !== '' && volume.metadata.virt_v2v_guest_name === vm && volume.name.startsWith(`${vm}-`) && /^sd[a-z]+$/.test(volume.name.slice(vm.length + 1));
}
