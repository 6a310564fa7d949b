import { GiB } from '../util/units.js';
import type { VmDetail } from '../vmware/vm.js';
import type { Discovery } from './discovery.js';

/**
 * The whole-inventory view a migration engineer plans from: every VM with its disks, NICs, networks, datastores,
 * power state, guest OS and CBT state; per datastore and per network, which VMs use it.
 */
export interface InventoryReport {
  vcenter: { server: string; product: string; api_version: string; instance_uuid: string };
  totals: { vms: number; powered_on: number; disks: number; disk_bytes: number; nics: number; cbt_enabled: number };
  datacenters: string[];
  clusters: { name: string; path: string }[];
  hosts: { name: string; path: string }[];
  resource_pools: string[];
  folders: string[];
  datastores: {
    name: string;
    datacenter: string;
    type: string;
    capacity_bytes: number;
    free_bytes: number;
    provisioned_by_vms_bytes: number;
    disks: number;
    vms: string[];
  }[];
  networks: {
    name: string;
    datacenter: string;
    kind: string;
    portgroup_key: string | null;
    switch: string | null;
    nics: number;
    vms: string[];
  }[];
  vms: {
    name: string;
    path: string;
    moid: string;
    power_state: string;
    guest_id: string;
    guest_full_name: string;
    firmware: string;
    cpus: number;
    memory_mb: number;
    cbt_enabled: boolean;
    host: string;
    cluster: string;
    resource_pool: string;
    tools: string;
    ip_address: string;
    disk_bytes: number;
    disks: {
      key: number;
      label: string;
      capacity_bytes: number;
      datastore: string;
      file: string;
      bus: string;
      controller: string;
      thin: boolean | null;
      change_id: string | null;
    }[];
    nics: {
      key: number;
      label: string;
      type: string;
      mac: string;
      network: string;
      portgroup_key: string | null;
      pci_slot: number | null;
      connected: boolean | null;
      ip_addresses: string[];
    }[];
    snapshots: string[];
  }[];
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

function vmEntry(vm: VmDetail): InventoryReport['vms'][number] {
  return {
    name: vm.name,
    path: vm.path,
    moid: vm.moid,
    power_state: vm.powerState,
    guest_id: vm.guest.guestId || vm.guestId,
    guest_full_name: vm.guest.guestFullName || vm.guestFullName,
    firmware: vm.firmware,
    cpus: vm.numCpu,
    memory_mb: vm.memoryMb,
    cbt_enabled: vm.changeTrackingEnabled,
    host: vm.host,
    cluster: vm.cluster,
    resource_pool: vm.resourcePool,
    tools: vm.guest.toolsRunningStatus,
    ip_address: vm.guest.ipAddress,
    disk_bytes: vm.disks.reduce((s, d) => s + d.capacityBytes, 0),
    disks: vm.disks.map((d) => ({
      key: d.key,
      label: d.label,
      capacity_bytes: d.capacityBytes,
      datastore: d.datastore,
      file: d.fileName,
      bus: d.bus,
      controller: d.controllerType,
      thin: d.thinProvisioned ?? null,
      change_id: d.changeId || null,
    })),
    nics: vm.nics.map((n) => ({
      key: n.key,
      label: n.label,
      type: n.deviceType,
      mac: n.mac,
      network: n.network,
      portgroup_key: n.portgroupKey ?? null,
      pci_slot: n.pciSlot ?? null,
      connected: n.connected ?? null,
      ip_addresses: n.ipAddresses,
    })),
    snapshots: vm.snapshots.length ? flatNames(vm.snapshots) : [],
  };
}

function flatNames(list: VmDetail['snapshots']): string[] {
  return list.flatMap((s) => [s.name, ...flatNames(s.children)]);
}

export function inventoryReport(d: Discovery): InventoryReport {
  const inv = d.inventory;
  const vms = d.vms.map(vmEntry);
  const dsUse = new Map<string, { bytes: number; disks: number; vms: string[] }>();
  const netUse = new Map<string, { nics: number; vms: string[] }>();
  for (const vm of d.vms) {
    for (const disk of vm.disks) {
      const u = dsUse.get(disk.datastore) ?? { bytes: 0, disks: 0, vms: [] };
      u.bytes += disk.capacityBytes;
      u.disks += 1;
      u.vms.push(vm.name);
      dsUse.set(disk.datastore, u);
    }
    for (const nic of vm.nics) {
      const key = nic.networkMoid ?? nic.network;
      const u = netUse.get(key) ?? { nics: 0, vms: [] };
      u.nics += 1;
      u.vms.push(vm.name);
      netUse.set(key, u);
    }
  }
  return {
    vcenter: { server: d.server, product: d.about.fullName, api_version: d.about.apiVersion, instance_uuid: d.about.instanceUuid },
    totals: {
      vms: vms.length,
      powered_on: vms.filter((v) => v.power_state === 'poweredOn').length,
      disks: vms.reduce((s, v) => s + v.disks.length, 0),
      disk_bytes: vms.reduce((s, v) => s + v.disk_bytes, 0),
      nics: vms.reduce((s, v) => s + v.nics.length, 0),
      cbt_enabled: vms.filter((v) => v.cbt_enabled).length,
    },
    datacenters: sorted(inv.datacenters.map((x) => x.name)),
    clusters: inv.clusters.map((c) => ({ name: c.name, path: c.path })).sort(byName),
    hosts: inv.hosts.map((h) => ({ name: h.name, path: h.path })).sort(byName),
    resource_pools: sorted(inv.resourcePools.map((r) => r.path)),
    folders: sorted(inv.folders.map((f) => f.path)),
    datastores: inv.datastores
      .map((ds) => {
        const u = dsUse.get(ds.name);
        return {
          name: ds.name,
          datacenter: ds.datacenter,
          type: ds.fsType,
          capacity_bytes: ds.capacityBytes,
          free_bytes: ds.freeBytes,
          provisioned_by_vms_bytes: u?.bytes ?? 0,
          disks: u?.disks ?? 0,
          vms: sorted(u?.vms ?? []),
        };
      })
      .sort(byName),
    networks: inv.networks
      .map((n) => {
        const u = netUse.get(n.moid);
        return {
          name: n.name,
          datacenter: n.datacenter,
          kind: n.kind,
          portgroup_key: n.portgroupKey ?? null,
          switch: n.switchName ?? null,
          nics: u?.nics ?? 0,
          vms: sorted(u?.vms ?? []),
        };
      })
      .sort(byName),
    vms,
  };
}

function size(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `prefix` followed by the names, wrapped at 100 columns with continuation lines indented. */
function wrap(prefix: string, names: string[]): string {
  const lines: string[] = [];
  let line = prefix;
  for (const [i, name] of names.entries()) {
    const item = i < names.length - 1 ? `${name}, ` : name;
    if (line.length + item.length > 100 && line.trim().length > prefix.trim().length) {
      lines.push(line.trimEnd());
      line = ' '.repeat(prefix.length);
    }
    line += item;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The readable summary of a report. */
export function inventorySummary(r: InventoryReport): string {
  const t = r.totals;
  const parts = [
    `vCenter ${r.vcenter.server} (${r.vcenter.product})`,
    `${t.vms} VMs (${t.powered_on} powered on), ${t.disks} disks (${size(t.disk_bytes)}), ${t.nics} NICs, CBT enabled on ${t.cbt_enabled}`,
    '',
    'VMs',
    table(
      ['NAME', 'POWER', 'GUEST OS', 'FW', 'CPU', 'MEM MB', 'CBT', 'DISKS', 'NETWORKS', 'FOLDER'],
      r.vms.map((v) => [
        v.name,
        v.power_state,
        v.guest_full_name || v.guest_id,
        v.firmware,
        String(v.cpus),
        String(v.memory_mb),
        v.cbt_enabled ? 'on' : 'off',
        v.disks.map((d) => `${size(d.capacity_bytes)}@${d.datastore}`).join(' '),
        sorted(v.nics.map((n) => n.network)).join(', '),
        v.path.slice(0, v.path.length - v.name.length - 1),
      ]),
    ),
    '',
    'Datastores',
    table(
      ['NAME', 'DATACENTER', 'CAPACITY', 'FREE', 'VM DISKS', 'PROVISIONED', 'VMS'],
      r.datastores.map((d) => [d.name, d.datacenter, size(d.capacity_bytes), size(d.free_bytes), String(d.disks), size(d.provisioned_by_vms_bytes), String(d.vms.length)]),
    ),
    '',
    'Networks',
    table(
      ['NAME', 'KIND', 'PORTGROUP KEY', 'SWITCH', 'NICS', 'VMS'],
      r.networks.map((n) => [n.name, n.kind, n.portgroup_key ?? '', n.switch ?? '', String(n.nics), String(n.vms.length)]),
    ),
    '',
    'VMs per network',
    ...r.networks.filter((n) => n.vms.length > 0).map((n) => wrap(`${n.name}: `, n.vms)),
    '',
  ];
  return parts.join('\n');
}
