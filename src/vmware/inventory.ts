import type { MoRef } from './moref.js';
import { type ObjectContent, type Prune, type PropertySpec, retrieveFromView, withContainerView } from './property-collector.js';
import type { VSphereSession } from './session.js';
import { type XmlNode, longAt, textAt } from './xml.js';

/** Any inventory object: its moid, vim25 type, name, parent moid and inventory path (`/DC0/vm/folder/name`). */
export interface Entity {
  moid: string;
  type: string;
  name: string;
  parent: string | undefined;
  path: string;
}

export interface DatastoreInfo extends Entity {
  datacenter: string;
  capacityBytes: number;
  freeBytes: number;
  fsType: string;
  url: string;
}

export interface NetworkInfo extends Entity {
  datacenter: string;
  kind: 'standard' | 'distributed' | 'opaque';
  /** Distributed port group key (`dvportgroup-…`), the `portgroup_key` of NICs on it. */
  portgroupKey: string | undefined;
  switchName: string | undefined;
  switchUuid: string | undefined;
}

export interface Inventory {
  datacenters: Entity[];
  folders: Entity[];
  clusters: Entity[];
  hosts: Entity[];
  resourcePools: Entity[];
  datastores: DatastoreInfo[];
  networks: NetworkInfo[];
  vms: Entity[];
  /** Every entity by moid (datacenters, folders, compute resources, hosts, pools, VMs, datastores, networks, switches). */
  byMoid: Map<string, Entity>;
  /** Extra VM properties asked for with `vmPaths`, by VM moid. */
  vmProps: Map<string, Map<string, XmlNode>>;
}

/** Managed object types of the inventory container view. */
export const INVENTORY_TYPES = [
  'Datacenter',
  'Folder',
  'ComputeResource',
  'HostSystem',
  'ResourcePool',
  'VirtualMachine',
  'Datastore',
  'Network',
  'DistributedVirtualSwitch',
];

/** The property specs of one inventory pass (exported for the benchmark peer, which must ask for the same). */
export function inventorySpecs(vmPaths: string[]): PropertySpec[] {
  const named = ['name', 'parent'];
  return [
    { type: 'Datacenter', paths: named },
    { type: 'Folder', paths: named },
    { type: 'ComputeResource', paths: named },
    { type: 'HostSystem', paths: named },
    { type: 'ResourcePool', paths: named },
    { type: 'VirtualMachine', paths: [...named, ...vmPaths] },
    { type: 'Datastore', paths: [...named, 'summary.capacity', 'summary.freeSpace', 'summary.type', 'summary.url'] },
    { type: 'Network', paths: named },
    { type: 'DistributedVirtualPortgroup', paths: [...named, 'key', 'config.distributedVirtualSwitch'] },
    { type: 'DistributedVirtualSwitch', paths: [...named, 'uuid'] },
  ];
}

/**
 * Read the whole inventory in one property-collector pass over a container view of the root folder.
 * `vmPaths` adds VM properties (for instance the detail paths of vm.ts) to the same pass; `prune` drops what
 * the caller will not read while the answer arrives.
 */
export async function readInventory(session: VSphereSession, vmPaths: string[] = [], prune?: Prune): Promise<Inventory> {
  const objects = await withContainerView(session, session.serviceContent.rootFolder, INVENTORY_TYPES, (view) =>
    retrieveFromView(session, view, inventorySpecs(vmPaths), prune ? { prune } : {}),
  );
  return buildInventory(objects);
}

/** Assemble an Inventory from property-collector objects (exported for tests on recorded answers). */
export function buildInventory(objects: ObjectContent[]): Inventory {
  const raw = new Map<string, { obj: MoRef; props: Map<string, XmlNode>; name: string; parent: string | undefined }>();
  for (const o of objects) {
    const parent = o.props.get('parent');
    raw.set(o.obj.value, { obj: o.obj, props: o.props, name: o.props.get('name')?.text ?? o.obj.value, parent: parent?.text || undefined });
  }
  const paths = new Map<string, string>();
  const pathOf = (moid: string | undefined): string => {
    if (!moid) return '';
    const known = paths.get(moid);
    if (known !== undefined) return known;
    const r = raw.get(moid);
    if (!r) return '';
    paths.set(moid, '');
    const p = `${pathOf(r.parent)}/${r.name}`;
    paths.set(moid, p);
    return p;
  };
  const datacenterOf = (moid: string): string => {
    let cur = raw.get(moid);
    while (cur && cur.obj.type !== 'Datacenter') cur = cur.parent ? raw.get(cur.parent) : undefined;
    return cur?.name ?? '';
  };
  const inv: Inventory = {
    datacenters: [],
    folders: [],
    clusters: [],
    hosts: [],
    resourcePools: [],
    datastores: [],
    networks: [],
    vms: [],
    byMoid: new Map(),
    vmProps: new Map(),
  };
  const switches = new Map<string, { name: string; uuid: string | undefined }>();
  for (const r of raw.values()) {
    if (r.obj.type.endsWith('DistributedVirtualSwitch')) switches.set(r.obj.value, { name: r.name, uuid: textAt(r.props.get('uuid'), '') });
  }
  for (const [moid, r] of raw) {
    const entity: Entity = { moid, type: r.obj.type, name: r.name, parent: r.parent, path: pathOf(moid) };
    inv.byMoid.set(moid, entity);
    switch (r.obj.type) {
      case 'Datacenter':
        inv.datacenters.push(entity);
        break;
      case 'Folder':
        inv.folders.push(entity);
        break;
      case 'ClusterComputeResource':
      case 'ComputeResource':
        if (r.obj.type === 'ClusterComputeResource') inv.clusters.push(entity);
        break;
      case 'HostSystem':
        inv.hosts.push(entity);
        break;
      case 'ResourcePool':
      case 'VirtualApp':
        inv.resourcePools.push(entity);
        break;
      case 'VirtualMachine':
        inv.vms.push(entity);
        inv.vmProps.set(moid, r.props);
        break;
      case 'Datastore':
        inv.datastores.push({
          ...entity,
          datacenter: datacenterOf(moid),
          capacityBytes: longAt(r.props.get('summary.capacity'), '') ?? 0,
          freeBytes: longAt(r.props.get('summary.freeSpace'), '') ?? 0,
          fsType: r.props.get('summary.type')?.text ?? '',
          url: r.props.get('summary.url')?.text ?? '',
        });
        break;
      case 'Network':
      case 'DistributedVirtualPortgroup':
      case 'OpaqueNetwork': {
        const dvs = r.props.get('config.distributedVirtualSwitch');
        const sw = dvs ? switches.get(dvs.text) : undefined;
        inv.networks.push({
          ...entity,
          datacenter: datacenterOf(moid),
          kind: r.obj.type === 'DistributedVirtualPortgroup' ? 'distributed' : r.obj.type === 'OpaqueNetwork' ? 'opaque' : 'standard',
          portgroupKey: r.props.get('key')?.text,
          switchName: sw?.name,
          switchUuid: sw?.uuid,
        });
        break;
      }
      default:
        break;
    }
  }
  return inv;
}

/** The MoRef of an inventory entity. */
export function refOf(e: Entity): MoRef {
  return { type: e.type, value: e.moid };
}
