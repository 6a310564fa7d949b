import type { Entity, Inventory } from './inventory.js';
import { type XmlNode, boolAt, child, children, longAt, numberAt, textAt } from './xml.js';

export type DiskBus = 'scsi' | 'sata' | 'ide' | 'nvme';

export interface VmDisk {
  key: number;
  label: string;
  capacityBytes: number;
  /** Backing file, e.g. `[LocalDS_0] vm/vm.vmdk`. */
  fileName: string;
  datastore: string;
  /** vim25 backing type, e.g. VirtualDiskFlatVer2BackingInfo. */
  backingType: string;
  thinProvisioned: boolean | undefined;
  diskMode: string | undefined;
  uuid: string | undefined;
  /** CBT change id of the backing ('' when CBT is off or not yet tracked). */
  changeId: string;
  controllerKey: number;
  controllerType: string;
  bus: DiskBus;
  busNumber: number;
  unitNumber: number;
}

export interface VmNic {
  key: number;
  label: string;
  /** vim25 device type, e.g. VirtualVmxnet3. */
  deviceType: string;
  mac: string;
  addressType: string;
  summary: string;
  /** Network (port group) name. */
  network: string;
  networkMoid: string | undefined;
  /** Distributed port group key (`dvportgroup-…`), undefined on standard networks. */
  portgroupKey: string | undefined;
  portKey: string | undefined;
  switchUuid: string | undefined;
  pciSlot: number | undefined;
  connected: boolean | undefined;
  startConnected: boolean | undefined;
  /** Guest-reported addresses of this NIC (VMware Tools). */
  ipAddresses: string[];
}

export interface VmSnapshot {
  moid: string;
  id: number;
  name: string;
  description: string;
  createTime: string;
  state: string;
  quiesced: boolean;
  children: VmSnapshot[];
}

export interface VmDetail {
  moid: string;
  name: string;
  /** Inventory path of the VM, `/DC0/vm/folder/name`. */
  path: string;
  /** Inventory path of its folder (upstream's `hw_folder`). */
  folder: string;
  datacenter: string;
  uuid: string;
  instanceUuid: string;
  powerState: string;
  guestId: string;
  guestFullName: string;
  firmware: string;
  hwVersion: string;
  template: boolean;
  annotation: string;
  numCpu: number;
  coresPerSocket: number;
  memoryMb: number;
  changeTrackingEnabled: boolean;
  vmPathName: string;
  host: string;
  cluster: string;
  resourcePool: string;
  datastores: string[];
  committedBytes: number;
  uncommittedBytes: number;
  guest: { hostName: string; ipAddress: string; toolsRunningStatus: string; toolsVersion: string; guestId: string; guestFullName: string };
  disks: VmDisk[];
  nics: VmNic[];
  snapshots: VmSnapshot[];
  currentSnapshot: string | undefined;
}

/** The VM properties vm.ts reads; ask for them together with the inventory (readInventory's `vmPaths`). */
export const VM_DETAIL_PATHS = [
  'resourcePool',
  'runtime.powerState',
  'runtime.host',
  'config.uuid',
  'config.instanceUuid',
  'config.guestId',
  'config.guestFullName',
  'config.firmware',
  'config.version',
  'config.template',
  'config.annotation',
  'config.changeTrackingEnabled',
  'config.files.vmPathName',
  'config.hardware',
  'guest.net',
  'guest.ipAddress',
  'guest.hostName',
  'guest.guestId',
  'guest.guestFullName',
  'guest.toolsRunningStatus',
  'guest.toolsVersion',
  'datastore',
  'snapshot',
  'summary.storage.committed',
  'summary.storage.uncommitted',
];

/**
 * Prune for VM_DETAIL_PATHS answers: of `config.hardware` devices keep only what vmDetail reads (disks,
 * controllers, network cards); keyboards, video cards, PCI/SIO/PS2 controllers, CD-ROMs... are dropped as they
 * arrive (devices sit at depth 3: propSet > val > device).
 */
export function pruneVmDetail(node: XmlNode, depth: number): boolean {
  if (depth !== 3 || node.name !== 'device') return false;
  return !(node.xsiType === 'VirtualDisk' || child(node, 'busNumber') || child(node, 'addressType') || child(node, 'macAddress'));
}

const busOfController: Record<string, DiskBus> = {
  VirtualSATAController: 'sata',
  VirtualAHCIController: 'sata',
  VirtualIDEController: 'ide',
  VirtualNVMEController: 'nvme',
};

/** §3.6: SCSI controller types, SATA, IDE, NVMe; anything unknown is treated as SCSI like upstream. */
export function busOf(controllerType: string): DiskBus {
  return busOfController[controllerType] ?? 'scsi';
}

function datastoreFromFileName(fileName: string): string {
  return /^\[([^\]]*)\]/.exec(fileName)?.[1] ?? '';
}

/** A VirtualMachineSnapshotTree list (rootSnapshotList / childSnapshotList). */
export function parseSnapshots(list: XmlNode[]): VmSnapshot[] {
  return list.map((t) => ({
    moid: textAt(t, 'snapshot') ?? '',
    id: numberAt(t, 'id') ?? 0,
    name: textAt(t, 'name') ?? '',
    description: textAt(t, 'description') ?? '',
    createTime: textAt(t, 'createTime') ?? '',
    state: textAt(t, 'state') ?? '',
    quiesced: boolAt(t, 'quiesced') ?? false,
    children: parseSnapshots(children(t, 'childSnapshotList')),
  }));
}

/** Every snapshot of a tree, depth first. */
export function flattenSnapshots(list: VmSnapshot[]): VmSnapshot[] {
  return list.flatMap((s) => [s, ...flattenSnapshots(s.children)]);
}

/** Parent entity of `moid` with one of `types`, walking up the inventory. */
function ancestor(inv: Inventory, moid: string | undefined, types: string[]): Entity | undefined {
  let cur = moid ? inv.byMoid.get(moid) : undefined;
  while (cur && !types.includes(cur.type)) cur = cur.parent ? inv.byMoid.get(cur.parent) : undefined;
  return cur;
}

/** Build a VM's detail from its retrieved properties (VM_DETAIL_PATHS) and the inventory around it. */
export function vmDetail(vm: Entity, props: Map<string, XmlNode>, inv: Inventory): VmDetail {
  const text = (p: string): string => props.get(p)?.text ?? '';
  const hardware = props.get('config.hardware');
  const devices = children(hardware, 'device');
  const controllers = new Map<number, { type: string; bus: number }>();
  for (const d of devices) {
    if (child(d, 'busNumber') && d.xsiType) controllers.set(numberAt(d, 'key') ?? -1, { type: d.xsiType, bus: numberAt(d, 'busNumber') ?? 0 });
  }
  const guestNets = children(props.get('guest.net'), 'GuestNicInfo');
  const ipsByMac = new Map<string, string[]>();
  for (const n of guestNets) {
    const mac = textAt(n, 'macAddress');
    if (mac) ipsByMac.set(mac.toLowerCase(), children(n, 'ipAddress').map((a) => a.text));
  }
  const networksByKey = new Map(inv.networks.filter((n) => n.portgroupKey).map((n) => [n.portgroupKey as string, n]));
  const dsName = (moid: string | undefined): string | undefined => (moid ? inv.byMoid.get(moid)?.name : undefined);
  const disks: VmDisk[] = [];
  const nics: VmNic[] = [];
  for (const d of devices) {
    const backing = child(d, 'backing');
    if (d.xsiType === 'VirtualDisk') {
      const controllerKey = numberAt(d, 'controllerKey') ?? -1;
      const controller = controllers.get(controllerKey);
      const fileName = textAt(backing, 'fileName') ?? '';
      const capacityBytes = longAt(d, 'capacityInBytes') ?? (longAt(d, 'capacityInKB') ?? 0) * 1024;
      disks.push({
        key: numberAt(d, 'key') ?? 0,
        label: textAt(d, 'deviceInfo.label') ?? '',
        capacityBytes,
        fileName,
        datastore: dsName(textAt(backing, 'datastore')) ?? datastoreFromFileName(fileName),
        backingType: backing?.xsiType ?? '',
        thinProvisioned: boolAt(backing, 'thinProvisioned'),
        diskMode: textAt(backing, 'diskMode'),
        uuid: textAt(backing, 'uuid'),
        changeId: textAt(backing, 'changeId') ?? '',
        controllerKey,
        controllerType: controller?.type ?? '',
        bus: busOf(controller?.type ?? ''),
        busNumber: controller?.bus ?? 0,
        unitNumber: numberAt(d, 'unitNumber') ?? 0,
      });
    } else if (child(d, 'addressType') || child(d, 'macAddress')) {
      const mac = textAt(d, 'macAddress') ?? '';
      const port = child(backing, 'port');
      const portgroupKey = textAt(port, 'portgroupKey');
      const networkMoid = textAt(backing, 'network');
      const network =
        (portgroupKey ? networksByKey.get(portgroupKey)?.name : undefined) ??
        textAt(backing, 'deviceName') ??
        (networkMoid ? inv.byMoid.get(networkMoid)?.name : undefined) ??
        '';
      nics.push({
        key: numberAt(d, 'key') ?? 0,
        label: textAt(d, 'deviceInfo.label') ?? '',
        deviceType: d.xsiType ?? '',
        mac,
        addressType: textAt(d, 'addressType') ?? '',
        summary: textAt(d, 'deviceInfo.summary') ?? '',
        network,
        networkMoid: networkMoid ?? (portgroupKey ? networksByKey.get(portgroupKey)?.moid : undefined),
        portgroupKey,
        portKey: textAt(port, 'portKey'),
        switchUuid: textAt(port, 'switchUuid'),
        pciSlot: numberAt(d, 'slotInfo.pciSlotNumber'),
        connected: boolAt(d, 'connectable.connected'),
        startConnected: boolAt(d, 'connectable.startConnected'),
        ipAddresses: ipsByMac.get(mac.toLowerCase()) ?? [],
      });
    }
  }
  const host = inv.byMoid.get(text('runtime.host'));
  const snapshotInfo = props.get('snapshot');
  const folder = vm.parent ? inv.byMoid.get(vm.parent)?.path ?? '' : '';
  return {
    moid: vm.moid,
    name: vm.name,
    path: vm.path,
    folder,
    datacenter: ancestor(inv, vm.moid, ['Datacenter'])?.name ?? '',
    uuid: text('config.uuid'),
    instanceUuid: text('config.instanceUuid'),
    powerState: text('runtime.powerState'),
    guestId: text('config.guestId'),
    guestFullName: text('config.guestFullName'),
    firmware: text('config.firmware') || 'bios',
    hwVersion: text('config.version'),
    template: text('config.template') === 'true',
    annotation: text('config.annotation'),
    numCpu: numberAt(hardware, 'numCPU') ?? 0,
    coresPerSocket: numberAt(hardware, 'numCoresPerSocket') ?? 1,
    memoryMb: numberAt(hardware, 'memoryMB') ?? 0,
    changeTrackingEnabled: text('config.changeTrackingEnabled') === 'true',
    vmPathName: text('config.files.vmPathName'),
    host: host?.name ?? '',
    cluster: ancestor(inv, host?.moid, ['ClusterComputeResource'])?.name ?? '',
    resourcePool: inv.byMoid.get(text('resourcePool'))?.path ?? '',
    datastores: children(props.get('datastore'), 'ManagedObjectReference').map((r) => dsName(r.text) ?? r.text),
    committedBytes: longAt(props.get('summary.storage.committed'), '') ?? 0,
    uncommittedBytes: longAt(props.get('summary.storage.uncommitted'), '') ?? 0,
    guest: {
      hostName: text('guest.hostName'),
      ipAddress: text('guest.ipAddress'),
      toolsRunningStatus: text('guest.toolsRunningStatus'),
      toolsVersion: text('guest.toolsVersion'),
      guestId: text('guest.guestId'),
      guestFullName: text('guest.guestFullName'),
    },
    disks,
    nics,
    snapshots: parseSnapshots(children(snapshotInfo, 'rootSnapshotList')),
    currentSnapshot: textAt(snapshotInfo, 'currentSnapshot') || undefined,
  };
}
