import { VM_DETAIL_PATHS, pruneVmDetail } from './vm.js';
import { type XmlNode, boolAt, child, children, textAt } from './xml.js';

/**
 * What a VM has beyond the detail vm.ts reads, for the checks before a migration: devices that cannot move to
 * OpenStack (passthrough, USB, vTPM, SR-IOV), disk sharing, secure boot, fault tolerance, disks to consolidate.
 */
export interface VmHardware {
  consolidationNeeded: boolean;
  /** notConfigured, disabled, starting, running, needSecondary, enabled (vim25 VirtualMachineFaultToleranceState). */
  faultToleranceState: string;
  secureBoot: boolean;
  /** Device labels by kind. */
  passthrough: string[];
  usb: string[];
  tpm: string[];
  sriov: string[];
  /** Disk key -> backing sharing (sharingNone, sharingMultiWriter). */
  diskSharing: Map<number, string>;
}

/** VM properties to read with the inventory for vmHardware (in addition to vm.ts's). */
export const VM_HARDWARE_PATHS = [...VM_DETAIL_PATHS, 'runtime.consolidationNeeded', 'runtime.faultToleranceState', 'config.bootOptions'];

const PASSTHROUGH = new Set(['VirtualPCIPassthrough', 'VirtualSCSIPassthrough']);
const USB = new Set(['VirtualUSB']);
const TPM = new Set(['VirtualTPM']);
const SRIOV = new Set(['VirtualSriovEthernetCard']);
const KEPT = new Set([...PASSTHROUGH, ...USB, ...TPM, ...SRIOV]);

/** Prune for VM_HARDWARE_PATHS: vm.ts's, keeping the devices vmHardware looks for. */
export function pruneVmHardware(node: XmlNode, depth: number): boolean {
  if (depth === 3 && node.name === 'device' && node.xsiType && KEPT.has(node.xsiType)) return false;
  return pruneVmDetail(node, depth);
}

export function vmHardware(props: Map<string, XmlNode>): VmHardware {
  const devices = children(props.get('config.hardware'), 'device');
  const labels = (kinds: Set<string>) => devices.filter((d) => d.xsiType && kinds.has(d.xsiType)).map((d) => textAt(d, 'deviceInfo.label') ?? d.xsiType ?? '');
  const diskSharing = new Map<number, string>();
  for (const d of devices) {
    if (d.xsiType !== 'VirtualDisk') continue;
    diskSharing.set(Number(textAt(d, 'key') ?? -1), textAt(child(d, 'backing'), 'sharing') ?? 'sharingNone');
  }
  return {
    consolidationNeeded: props.get('runtime.consolidationNeeded')?.text === 'true',
    faultToleranceState: props.get('runtime.faultToleranceState')?.text || 'notConfigured',
    secureBoot: boolAt(props.get('config.bootOptions'), 'efiSecureBootEnabled') ?? false,
    passthrough: labels(PASSTHROUGH),
    usb: labels(USB),
    tpm: labels(TPM),
    sriov: labels(SRIOV),
    diskSharing,
  };
}
