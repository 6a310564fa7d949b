import { type VmDetail, type VmDisk, type VmSnapshot, flattenSnapshots } from '../vmware/vm.js';

/**
 * The per-VM files upstream's export_metadata role writes under `<os_migrate_vmw_data_dir>/<vm>/`, built from a
 * discovered VM: guest_info.json (the vmware guest_info facts), disk_info.json (vmware_rest disk details, capacities
 * in bytes, plus disk_keys) and the network files (nics.json or macs.json, network_info.json).
 */

/** Python's json.dumps with ensure_ascii, as Ansible writes JSON: `indent` null = one line with ', ' and ': '. */
export function pythonJson(value: unknown, indent: number | null, sortKeys: boolean, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const pad = indent === null ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
  const end = indent === null ? '' : `\n${' '.repeat(indent * depth)}`;
  const sep = indent === null ? ', ' : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => pad + pythonJson(v, indent, sortKeys, depth + 1)).join(sep)}${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${pad}${pythonJson(k, indent, sortKeys)}: ${pythonJson(v, indent, sortKeys, depth + 1)}`).join(sep)}${end}}`;
}

/** Ansible's `to_nice_json` (indent 4, sorted keys). */
export function niceJson(value: unknown): string {
  return pythonJson(value, 4, true);
}

/** The hw_ethN dict of one NIC, as the vmware guest_info facts describe it. */
export interface GuestNicFacts {
  addresstype: string;
  label: string;
  macaddress: string | null;
  macaddress_dash: string | null;
  ipaddresses: string[] | null;
  summary: string;
  portgroup_portkey: string | null;
  portgroup_key: string | null;
}

/** guest_info.json: the VM facts upstream reads from `vmware.vmware.guest_info` (`guests[0]`), plus ours. */
export function guestInfo(vm: VmDetail): Record<string, unknown> {
  const facts: Record<string, unknown> = {
    module_hw: true,
    hw_name: vm.name,
    hw_power_status: vm.powerState,
    hw_guest_full_name: vm.guest.guestFullName || vm.guestFullName,
    hw_guest_id: vm.guest.guestId || vm.guestId,
    hw_product_uuid: vm.uuid,
    hw_processor_count: vm.numCpu,
    hw_cores_per_socket: vm.coresPerSocket,
    hw_memtotal_mb: vm.memoryMb,
    hw_interfaces: vm.nics.map((_, i) => `eth${i}`),
    hw_datastores: vm.datastores,
    hw_files: [vm.vmPathName, ...vm.disks.map((d) => d.fileName)].filter((f) => f),
    hw_esxi_host: vm.host || null,
    hw_cluster: vm.cluster || null,
    hw_guest_ha_state: null,
    hw_is_template: vm.template,
    hw_folder: vm.folder,
    hw_version: vm.hwVersion,
    instance_uuid: vm.instanceUuid,
    guest_tools_status: vm.guest.toolsRunningStatus || null,
    guest_tools_version: vm.guest.toolsVersion || null,
    guest_question: null,
    guest_consolidation_needed: false,
    ipv4: vm.guest.ipAddress && !vm.guest.ipAddress.includes(':') ? vm.guest.ipAddress : null,
    ipv6: vm.guest.ipAddress.includes(':') ? vm.guest.ipAddress : null,
    annotation: vm.annotation,
    customvalues: {},
    snapshots: flatSnapshots(vm),
    current_snapshot: currentSnapshot(vm),
    vnc: {},
    moid: vm.moid,
    vimref: `vim.VirtualMachine:${vm.moid}`,
    advanced_settings: {},
    datacenter: vm.datacenter,
    firmware: vm.firmware,
    change_tracking_enabled: vm.changeTrackingEnabled,
  };
  vm.nics.forEach((nic, i) => {
    const eth: GuestNicFacts = {
      addresstype: nic.addressType,
      label: nic.label,
      macaddress: nic.mac || null,
      macaddress_dash: nic.mac ? nic.mac.replace(/:/g, '-') : null,
      ipaddresses: nic.ipAddresses.length ? nic.ipAddresses : null,
      summary: nic.summary,
      portgroup_portkey: nic.portKey ?? null,
      portgroup_key: nic.portgroupKey ?? null,
    };
    facts[`hw_eth${i}`] = eth;
  });
  return facts;
}

function snapshotFacts(s: VmSnapshot): Record<string, unknown> {
  return { id: s.id, name: s.name, description: s.description, creation_time: s.createTime, state: s.state };
}

function flatSnapshots(vm: VmDetail): Record<string, unknown>[] {
  return flattenSnapshots(vm.snapshots).map(snapshotFacts);
}

function currentSnapshot(vm: VmDetail): Record<string, unknown> | null {
  const current = flattenSnapshots(vm.snapshots).find((s) => s.moid === vm.currentSnapshot);
  return current ? snapshotFacts(current) : null;
}

const restDiskType: Record<VmDisk['bus'], string> = { scsi: 'SCSI', sata: 'SATA', ide: 'IDE', nvme: 'NVME' };

/** One disk as vmware_rest's vcenter_vm_hardware_disk_info describes it, plus the fields we add. */
export function restDisk(d: VmDisk): Record<string, unknown> {
  const address: Record<string, unknown> =
    d.bus === 'ide' ? { primary: d.busNumber === 0, master: d.unitNumber === 0 } : { bus: d.busNumber, unit: d.unitNumber };
  return {
    backing: { type: 'VMDK_FILE', vmdk_file: d.fileName },
    capacity: d.capacityBytes,
    label: d.label,
    type: restDiskType[d.bus],
    [d.bus]: address,
    key: d.key,
    datastore: d.datastore,
    thin_provisioned: d.thinProvisioned ?? null,
    change_id: d.changeId || null,
    controller_type: d.controllerType,
  };
}

/** disk_info.json: `{"disks": [...], "disk_keys": ["2000", ...]}` in device order. */
export function diskInfo(vm: VmDetail): { disks: Record<string, unknown>[]; disk_keys: string[] } {
  return { disks: vm.disks.map(restDisk), disk_keys: vm.disks.map((d) => String(d.key)) };
}

export interface NetworkMapping {
  /** used_mapped_networks */
  mapped: boolean;
  /** VMware network (port-group key or network name) -> "<openstack network>[,<subnet uuid>]" */
  networkMap: Record<string, string>;
  /** export_metadata_subnet_uuid, for unmapped NICs */
  subnetUuid: string;
}

/** The NIC facts of guest_info.json (its hw_ethN entries), in NIC order. */
export function guestNicFacts(facts: Record<string, unknown>): GuestNicFacts[] {
  return Object.keys(facts)
    .filter((k) => /^hw_eth[0-9]+$/.test(k))
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
    .map((k) => facts[k] as GuestNicFacts);
}

/**
 * The network files: mapped -> nics.json (`{vlan, subnet?, mac, ipaddresses}` for each mapped NIC) and network_info.json (the raw
 * hw_ethN dicts); fails when no NIC is mapped. Unmapped -> macs.json (`{mac, ipaddresses, subnet}` for every NIC).
 */
export function networkFiles(vmName: string, facts: Record<string, unknown>, m: NetworkMapping): Record<string, unknown> {
  const nics = guestNicFacts(facts);
  if (!m.mapped) {
    return { 'macs.json': nics.map((n) => ({ mac: n.macaddress, ipaddresses: n.ipaddresses, subnet: m.subnetUuid })) };
  }
  const entries: Record<string, unknown>[] = [];
  for (const n of nics) {
    const lookup = n.portgroup_key || n.summary;
    const target = m.networkMap[lookup];
    if (target === undefined) continue;
    const [network, subnet] = target.split(',', 2);
    entries.push({ vlan: network, ...(subnet ? { subnet } : {}), mac: n.macaddress, ipaddresses: n.ipaddresses });
  }
  if (entries.length === 0) {
    const described = nics.map((n, i) => `hw_eth${i}: portgroup_key=${n.portgroup_key ?? ''} summary=${n.summary}`).join('; ');
    throw new Error(
      `VM "${vmName}": none of its NICs is in network_map (${described || 'no NICs'}); network_map is ${JSON.stringify(m.networkMap)}. ` +
        'Add each port-group key (dvportgroup-…) or network name to network_map, or set used_mapped_networks: false',
    );
  }
  return { 'network_info.json': nics, 'nics.json': entries };
}

/** Every file of one VM's directory, name -> content. */
export function vmFiles(vm: VmDetail, m: NetworkMapping): Record<string, string> {
  const facts = guestInfo(vm);
  const out: Record<string, string> = {
    'guest_info.json': niceJson(facts),
    'disk_info.json': niceJson(diskInfo(vm)),
  };
  for (const [name, value] of Object.entries(networkFiles(vm.name, facts, m))) out[name] = pythonJson(value, null, false);
  return out;
}
