import { safeVmName } from '../../util/names.js';
import type { VmHardware } from '../../vmware/vm-hardware.js';
import { SNAPSHOT_NAME } from '../../vmware/snapshots.js';
import { type VmDetail, flattenSnapshots } from '../../vmware/vm.js';
import { isLinuxGuest, isWindowsGuest } from '../migrate-convert.js';
import type { AssessmentCheck } from './assessment-file.js';
import { blocker, info, ok, warning } from './check.js';
import type { AssessOptions } from './options.js';

/** The checks of one source VM that need nothing but what vCenter said about it (pure). */

/** What the whole selection shares, for the checks across VMs (names, MACs). */
export interface Selection {
  /** safeVmName -> VM names that sanitise to it (within the assessed VMs). */
  targetNames: Map<string, string[]>;
  /** lower-case MAC -> VM names holding it (every VM of the vCenter). */
  macs: Map<string, string[]>;
}

export function selectionOf(assessed: VmDetail[], everyVm: VmDetail[]): Selection {
  const targetNames = new Map<string, string[]>();
  for (const vm of assessed) targetNames.set(safeVmName(vm.name), [...(targetNames.get(safeVmName(vm.name)) ?? []), vm.name]);
  const macs = new Map<string, string[]>();
  for (const vm of everyVm) for (const n of vm.nics) if (n.mac) macs.set(n.mac.toLowerCase(), [...(macs.get(n.mac.toLowerCase()) ?? []), vm.name]);
  return { targetNames, macs };
}

/** Windows releases virt-v2v no longer converts (guest ids of vSphere). */
const OLD_WINDOWS = /^(win31|win95|win98|winMe|winNT|win2000|winXP|winNet|winVista|winLonghorn)/;
/** Linux distributions virt-v2v converts. */
const CONVERTIBLE_LINUX = /^(rhel|centos|fedora|sles|suse|opensuse|debian|ubuntu|oracleLinux|rocky|alma|asianux)/i;

export function sourceVmChecks(vm: VmDetail, hw: VmHardware, sel: Selection, o: AssessOptions): AssessmentCheck[] {
  const m = o.migration;
  const out: AssessmentCheck[] = [];
  const running = vm.powerState === 'poweredOn';

  out.push(
    vm.powerState === 'suspended'
      ? warning('vm.power_state', `VM ${vm.name} is suspended: its memory state is lost by the migration`, 'resume it and shut it down in the guest, or power it on before the migration')
      : info('vm.power_state', `VM ${vm.name} is ${vm.powerState}${running && !m.cbtSync ? ': the migration shuts it down before the copy when it converts the guest' : ''}`),
  );
  out.push(vm.template ? blocker('vm.template', `${vm.name} is a template, not a VM`, 'deploy a VM from it, or leave it out of vms_list') : ok('vm.template', 'not a template'));

  const snaps = flattenSnapshots(vm.snapshots);
  const user = snaps.filter((s) => s.name !== SNAPSHOT_NAME);
  const tool = snaps.filter((s) => s.name === SNAPSHOT_NAME);
  out.push(
    user.length
      ? warning('vm.snapshots', `VM ${vm.name} has ${user.length} snapshot(s) (${user.map((s) => s.name).join(', ')}): the migration copies the current state only; every snapshot slows the disk reads`, 'delete (consolidate) the snapshots that are not needed before the migration')
      : ok('vm.snapshots', 'no user snapshot'),
  );
  out.push(
    tool.length
      ? info('vm.tool_snapshots', `VM ${vm.name} has ${tool.length} snapshot(s) named ${SNAPSHOT_NAME} left by an earlier run: the migration removes them`)
      : ok('vm.tool_snapshots', `no ${SNAPSHOT_NAME} snapshot left by an earlier run`),
  );
  out.push(
    hw.consolidationNeeded
      ? blocker('vm.consolidation', `VM ${vm.name} needs its disks consolidated (runtime.consolidationNeeded)`, 'run Snapshots > Consolidate on the VM in vCenter')
      : ok('vm.consolidation', 'no disk consolidation needed'),
  );
  if (!m.cbtSync) out.push(ok('vm.cbt', 'cbt_sync is off: changed block tracking is not needed'));
  else if (vm.changeTrackingEnabled) out.push(ok('vm.cbt', 'changed block tracking is on'));
  else out.push(info('vm.cbt', `changed block tracking is off on ${vm.name}: the first cbt_sync run enables it (a reconfiguration of the VM)`));

  const independent = vm.disks.filter((d) => d.diskMode?.startsWith('independent'));
  out.push(
    independent.length
      ? blocker('vm.independent_disks', `disk(s) ${independent.map((d) => `${d.label} (${d.diskMode})`).join(', ')} of ${vm.name} are independent: a snapshot leaves them out, so the migration cannot read them consistently`, 'change the disks to dependent (persistent) mode with the VM powered off')
      : ok('vm.independent_disks', 'no independent disk'),
  );
  const rdm = vm.disks.filter((d) => d.backingType.includes('RawDiskMapping'));
  out.push(
    rdm.length
      ? blocker('vm.rdm_disks', `disk(s) ${rdm.map((d) => d.label).join(', ')} of ${vm.name} are raw device mappings (RDM): they have no VMDK to read`, 'migrate the LUN separately (Cinder manage of the same LUN), or convert the RDM to a virtual disk first')
      : ok('vm.rdm_disks', 'no raw device mapping'),
  );
  const shared = vm.disks.filter((d) => hw.diskSharing.get(d.key) === 'sharingMultiWriter');
  out.push(
    shared.length
      ? blocker('vm.shared_disks', `disk(s) ${shared.map((d) => d.label).join(', ')} of ${vm.name} are shared (multi-writer): other VMs write them while they are copied`, 'migrate the cluster with its shared disks as a separate, planned step (multi-attach volume type)')
      : ok('vm.shared_disks', 'no shared (multi-writer) disk'),
  );
  out.push(vm.disks.length === 0 ? blocker('vm.disks', `VM ${vm.name} has no disk`, 'leave it out of vms_list') : ok('vm.disks', `${vm.disks.length} disk(s)`));
  out.push(
    vm.disks.length > o.maxDisksPerConversionHost
      ? blocker('vm.disk_count', `VM ${vm.name} has ${vm.disks.length} disks; a conversion host attaches at most ${o.maxDisksPerConversionHost} at once`, 'detach disks that need not move, or raise max_disks_per_conversion_host if the conversion host takes more')
      : ok('vm.disk_count', `${vm.disks.length} of at most ${o.maxDisksPerConversionHost} disks per conversion host`),
  );

  out.push(guestOsCheck(vm, m.skipConversion));
  out.push(windowsEditionCheck(vm, m.skipConversion));
  out.push(
    vm.firmware === 'efi'
      ? info('vm.firmware', `${vm.name} boots with UEFI: its volume gets hw_firmware_type=uefi, the cloud needs UEFI (OVMF) on its compute hosts`)
      : ok('vm.firmware', `firmware ${vm.firmware}`),
  );
  out.push(
    hw.secureBoot
      ? warning('vm.secure_boot', `${vm.name} uses UEFI secure boot: the converted guest boots without it unless the flavor or image asks for it (os_secure_boot)`, 'check that the cloud supports secure boot, or disable it on the VM')
      : ok('vm.secure_boot', 'no secure boot'),
  );
  out.push(
    hw.tpm.length
      ? warning('vm.vtpm', `${vm.name} has a virtual TPM: its keys (BitLocker, LUKS bound to the TPM) do not move`, 'suspend BitLocker / unbind the TPM keys before the migration')
      : ok('vm.vtpm', 'no virtual TPM'),
  );
  out.push(
    hw.passthrough.length
      ? blocker('vm.passthrough', `${vm.name} has passthrough device(s): ${hw.passthrough.join(', ')}`, 'remove them, or plan the target with PCI passthrough (a flavor with pci_passthrough:alias)')
      : ok('vm.passthrough', 'no passthrough device'),
  );
  out.push(
    hw.sriov.length
      ? warning('vm.sriov', `${vm.name} has SR-IOV NIC(s): ${hw.sriov.join(', ')}; they become normal ports`, 'use direct (SR-IOV) ports on the target if the workload needs them')
      : ok('vm.sriov', 'no SR-IOV NIC'),
  );
  out.push(
    hw.usb.length
      ? warning('vm.usb', `${vm.name} has USB device(s) attached: ${hw.usb.join(', ')}; they do not move`, 'remove them or find another way to give the workload the device')
      : ok('vm.usb', 'no USB device'),
  );
  const toolsRunning = vm.guest.toolsRunningStatus === 'guestToolsRunning';
  out.push(
    !running
      ? ok('vm.vmware_tools', 'the VM is not running: no guest shutdown needed')
      : toolsRunning
        ? ok('vm.vmware_tools', `VMware Tools run (${vm.guest.toolsVersion || 'version unknown'}): a graceful guest shutdown is possible`)
        : warning('vm.vmware_tools', `VMware Tools do not run in ${vm.name}: the migration cannot shut the guest down gracefully and powers it off hard`, 'install or start VMware Tools, or shut the guest down yourself before the migration'),
  );
  out.push(
    hw.faultToleranceState !== 'notConfigured'
      ? blocker('vm.fault_tolerance', `${vm.name} is protected by fault tolerance (${hw.faultToleranceState}): it cannot be snapshotted`, 'turn fault tolerance off for the migration')
      : ok('vm.fault_tolerance', 'no fault tolerance'),
  );

  const target = safeVmName(vm.name);
  const sameTarget = (sel.targetNames.get(target) ?? []).filter((n) => n !== vm.name);
  out.push(
    sameTarget.length
      ? blocker('vm.name_collision', `${vm.name} becomes ${target} in OpenStack, as does ${few(sameTarget)}: their volumes and ports would collide`, 'rename one of the VMs in vCenter')
      : ok('vm.name_collision', `target name ${target} is unique`),
  );
  const dupMacs = vm.nics.filter((n) => (sel.macs.get(n.mac.toLowerCase()) ?? []).length > 1);
  out.push(
    dupMacs.length
      ? blocker('vm.duplicate_mac', `MAC ${dupMacs.map((n) => `${n.mac} (also on ${few((sel.macs.get(n.mac.toLowerCase()) ?? []).filter((x) => x !== vm.name))})`).join(', ')} of ${vm.name} is not unique in vCenter: Neutron holds a MAC once per network`, 'give the NIC another MAC address')
      : ok('vm.duplicate_mac', 'every MAC is unique in vCenter'),
  );
  out.push(nicMappingCheck(vm, o));
  out.push(staticIpCheck(vm, o));
  out.push(
    vm.disks.length > 1 && !m.multiDiskFs && !m.skipConversion
      ? warning('vm.multidiskfs', `${vm.name} has ${vm.disks.length} disks and multidiskfs is off: a file system or volume group spanning disks is not converted`, 'set multidiskfs: true if a file system or LVM volume group spans several disks')
      : ok('vm.multidiskfs', vm.disks.length > 1 ? 'multidiskfs is on, or no conversion' : 'one disk'),
  );
  return out;
}

/** Up to five names, and how many more (a MAC shared by thousands of VMs must not make thousands of long messages). */
function few(names: string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}

export function mappedNetwork(vmNetwork: string, portgroupKey: string | undefined, o: AssessOptions): string | undefined {
  if (!o.network.usedMappedNetworks) return o.network.networkName;
  const entry = (portgroupKey ? o.network.networkMap[portgroupKey] : undefined) ?? o.network.networkMap[vmNetwork];
  return entry?.split(',')[0];
}

function nicMappingCheck(vm: VmDetail, o: AssessOptions): AssessmentCheck {
  if (vm.nics.length === 0) return info('vm.nic_mapping', `${vm.name} has no NIC: the server gets no port`);
  const unmapped = vm.nics.filter((n) => !mappedNetwork(n.network, n.portgroupKey, o));
  if (unmapped.length === 0) return ok('vm.nic_mapping', 'every NIC has an OpenStack network');
  return o.network.usedMappedNetworks
    ? blocker('vm.nic_mapping', `NIC(s) ${unmapped.map((n) => `${n.label} on ${n.network}`).join(', ')} of ${vm.name} have no entry in network_map`, `add ${unmapped.map((n) => `"${n.portgroupKey ?? n.network}"`).join(', ')} to network_map`)
    : blocker('vm.nic_mapping', `no network for the ports of ${vm.name}: used_mapped_networks is off and openstack_private_network is not set`, 'set openstack_private_network, or used_mapped_networks with a network_map');
}

function staticIpCheck(vm: VmDetail, o: AssessOptions): AssessmentCheck {
  const withIp = vm.nics.filter((n) => n.ipAddresses.some((a) => a.includes('.')));
  if (!o.network.useFixedIps) return ok('vm.static_ips', `use_fixed_ips is off: the ports get addresses from Neutron${withIp.length ? ' (the guest keeps its own configuration)' : ''}`);
  const unknown = vm.nics.filter((n) => !n.ipAddresses.some((a) => a.includes('.')));
  return unknown.length
    ? warning('vm.static_ips', `use_fixed_ips is on but the guest reports no IPv4 address for ${unknown.map((n) => `${n.label} (${n.mac})`).join(', ')} (VMware Tools not running, or no address)`, 'start the VM with VMware Tools before the assessment and migration, or give those ports their address yourself')
    : ok('vm.static_ips', `the guest reports the IPv4 address of every NIC: ${withIp.map((n) => n.ipAddresses.filter((a) => a.includes('.')).join('/')).join(', ')}`);
}

function guestOsCheck(vm: VmDetail, skipConversion: boolean): AssessmentCheck {
  const what = `${vm.guestFullName || 'unknown guest'} (${vm.guestId || 'no guest id'})`;
  if (skipConversion) return ok('vm.guest_os', `${what}: skip_conversion is set, the guest is not converted`);
  if (isWindowsGuest(vm)) return ok('vm.guest_os', `${what}: Windows, converted by virt-v2v-in-place (virtio drivers installed)`);
  if (isLinuxGuest(vm) && CONVERTIBLE_LINUX.test(vm.guestId)) return ok('vm.guest_os', `${what}: converted by virt-v2v-in-place`);
  return warning(
    'vm.guest_os',
    `${what}: virt-v2v-in-place may not know this guest (vSphere says only "${vm.guestId || 'nothing'}"); the conversion fails when it finds no supported operating system`,
    'set the right guest OS on the VM in vCenter, test one conversion first, or set skip_conversion if the guest already has virtio drivers',
  );
}

function windowsEditionCheck(vm: VmDetail, skipConversion: boolean): AssessmentCheck {
  if (!isWindowsGuest(vm)) return ok('vm.windows_edition', 'not a Windows guest');
  if (skipConversion) return ok('vm.windows_edition', `${vm.guestFullName}: not converted (skip_conversion)`);
  return OLD_WINDOWS.test(vm.guestId)
    ? blocker('vm.windows_edition', `${vm.guestFullName} (${vm.guestId}) is older than Windows 7 / Server 2008 R2: virt-v2v-in-place does not convert it`, 'upgrade the guest, or install the virtio drivers yourself and set skip_conversion')
    : ok('vm.windows_edition', `${vm.guestFullName}: a Windows release virt-v2v-in-place converts`);
}
