// The VM of fixtures/vm-mixed-devices.xml (SCSI, SATA, NVMe disks; DVS and standard NICs; snapshots) as a VmDetail.
import { buildInventory } from '../../src/vmware/inventory.js';
import { type ObjectContent, readObject } from '../../src/vmware/property-collector.js';
import { type VmDetail, vmDetail } from '../../src/vmware/vm.js';
import { type XmlNode, at, children, parseXml } from '../../src/vmware/xml.js';
import { fixture } from './replay-server.js';

/** Append the `objects` (ObjectContent) of a recorded RetrieveResult to `out`, as the property collector reads them. */
export function readObjects(result: XmlNode | undefined, out: ObjectContent[]): void {
  for (const o of children(result, 'objects')) {
    const content = readObject(o);
    if (content) out.push(content);
  }
}

/** The mixed-device VM of the fixture inside a small inventory (datacenter, folder, datastores, networks). */
export function mixedDeviceVm(): VmDetail {
  const objects: ObjectContent[] = [];
  readObjects(at(parseXml(fixture('vm-mixed-devices.xml')), 'Body.RetrievePropertiesExResponse.returnval'), objects);
  const vmProps = objects[0]!.props;
  const named = (type: string, value: string, name: string, parent?: string, extra: Record<string, string> = {}): ObjectContent => {
    const props = new Map([['name', parseXml(`<val>${name}</val>`)]]);
    if (parent) props.set('parent', parseXml(`<val type="Folder">${parent}</val>`));
    for (const [k, v] of Object.entries(extra)) props.set(k, parseXml(`<val>${v}</val>`));
    return { obj: { type, value }, props };
  };
  vmProps.set('name', parseXml('<val>web-01</val>'));
  vmProps.set('parent', parseXml('<val type="Folder">group-v3</val>'));
  const inv = buildInventory([
    named('Datacenter', 'datacenter-1', 'DC1', 'group-d1'),
    named('Folder', 'group-v3', 'vm', 'datacenter-1'),
    named('Datastore', 'datastore-11', 'datastore1', 'datacenter-1'),
    named('Datastore', 'datastore-12', 'ds-big', 'datacenter-1'),
    named('Network', 'network-21', 'Prod &amp; Backup', 'datacenter-1'),
    named('DistributedVirtualPortgroup', 'dvportgroup-33', 'dv-prod', 'datacenter-1', { key: 'dvportgroup-33' }),
    { obj: { type: 'VirtualMachine', value: 'vm-42' }, props: vmProps },
  ]);
  return vmDetail(inv.vms[0]!, vmProps, inv);
}

