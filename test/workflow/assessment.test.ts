// The assessment's pure parts: the source VM checks, the hardware read from vCenter's answer, the flavor choice
// (the migration's own best match), the status and the summary, all validated against the assessment file schema.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Flavor } from '../../src/openstack/flavors.js';
import { type VmHardware, vmHardware } from '../../src/vmware/vm-hardware.js';
import { parseXml } from '../../src/vmware/xml.js';
import type { VmDetail } from '../../src/vmware/vm.js';
import { assessmentCheck, assessmentFile } from '../../src/workflow/assessment/assessment-file.js';
import { chooseFlavor } from '../../src/workflow/assessment/flavor-choice.js';
import type { AssessOptions } from '../../src/workflow/assessment/options.js';
import { selectionOf, sourceVmChecks } from '../../src/workflow/assessment/source-vm.js';
import { summarize, vmStatus } from '../../src/workflow/assessment/summary.js';
import { mixedDeviceVm } from '../vmware/recorded-vm.js';

const hw = (over: Partial<VmHardware> = {}): VmHardware => ({
  consolidationNeeded: false,
  faultToleranceState: 'notConfigured',
  secureBoot: false,
  passthrough: [],
  usb: [],
  tpm: [],
  sriov: [],
  diskSharing: new Map(),
  ...over,
});

function options(over: Partial<AssessOptions['migration']> = {}, rest: Partial<AssessOptions> = {}): AssessOptions {
  return {
    migration: {
      vmware: { server: 'vc', user: 'u', password: 'p', insecure: false },
      cloud: undefined,
      source: { kind: 'https', vddk: { libdir: '', compression: 'none' }, ssh: { user: 'root', port: 22 }, https: { viaHost: true, hostPort: 443 } },
      target: { kind: 'volume' },
      volume: { typeMapping: [] },
      assumeZero: false,
      cbtSync: false,
      cutover: false,
      skipConversion: false,
      multiDiskFs: false,
      conversion: { extraOpts: [], debug: false },
      byIdDir: '/dev/disk/by-id',
      allowEmptyDisks: false,
      verify: false,
      shutdownTimeoutMs: 1000,
      forcePowerOff: true,
      ...over,
    },
    vmNames: undefined,
    network: { usedMappedNetworks: false, networkMap: {}, networkName: 'private', securityGroups: ['default'], useFixedIps: false },
    flavor: { uuid: undefined, useExisting: true },
    conversionHosts: [],
    maxDisksPerConversionHost: 25,
    readDisks: true,
    parallel: 1,
    ...rest,
  };
}

const severityOf = (checks: { id: string; severity: string }[], id: string) => checks.find((c) => c.id === id)?.severity;

describe('source VM checks', () => {
  const recorded = mixedDeviceVm();
  // The recorded VM's third disk is an independent RDM: left out where a test needs clean disks.
  const vm: VmDetail = { ...recorded, disks: recorded.disks.slice(0, 2) };
  const sel = selectionOf([vm], [vm]);

  it('gives every check an id, a severity and a fix where something is to be done', () => {
    const checks = sourceVmChecks(vm, hw(), sel, options());
    for (const c of checks) assessmentCheck.parse(c);
    assert.equal(new Set(checks.map((c) => c.id)).size, checks.length, 'one check per id');
    for (const c of checks.filter((x) => x.severity === 'warning' || x.severity === 'blocker')) assert.ok(c.fix, `${c.id} has a fix`);
    assert.ok(checks.length >= 25, `${checks.length} source checks`);
  });

  it('blocks independent, RDM and multi-writer disks, templates, passthrough, fault tolerance and consolidation', () => {
    const disks = vm.disks.map((d, i) => (i === 0 ? { ...d, diskMode: 'independent_persistent' } : { ...d, backingType: 'VirtualDiskRawDiskMappingVer1BackingInfo' }));
    const odd: VmDetail = { ...vm, template: true, disks };
    const checks = sourceVmChecks(
      odd,
      hw({ consolidationNeeded: true, faultToleranceState: 'running', passthrough: ['PCI device 0'], diskSharing: new Map([[vm.disks[1]!.key, 'sharingMultiWriter']]) }),
      sel,
      options(),
    );
    for (const id of ['vm.independent_disks', 'vm.rdm_disks', 'vm.shared_disks', 'vm.template', 'vm.passthrough', 'vm.fault_tolerance', 'vm.consolidation']) {
      assert.equal(severityOf(checks, id), 'blocker', id);
    }
    assert.equal(vmStatus(checks), 'blocked');
    assert.equal(severityOf(sourceVmChecks(vm, hw(), sel, options()), 'vm.independent_disks'), 'ok');
    const asRecorded = sourceVmChecks(recorded, hw(), selectionOf([recorded], [recorded]), options());
    assert.match(asRecorded.find((c) => c.id === 'vm.independent_disks')!.message, /independent_persistent/);
    assert.equal(severityOf(asRecorded, 'vm.rdm_disks'), 'blocker');
  });

  it('warns about snapshots, USB, vTPM, secure boot, SR-IOV and a guest without running VMware Tools', () => {
    const running: VmDetail = { ...vm, powerState: 'poweredOn', guest: { ...vm.guest, toolsRunningStatus: 'guestToolsNotRunning' } };
    const checks = sourceVmChecks(running, hw({ usb: ['USB 1'], tpm: ['TPM'], secureBoot: true, sriov: ['SR-IOV 1'] }), sel, options());
    for (const id of ['vm.usb', 'vm.vtpm', 'vm.secure_boot', 'vm.sriov', 'vm.vmware_tools']) assert.equal(severityOf(checks, id), 'warning', id);
    assert.equal(severityOf(checks, 'vm.snapshots'), vm.snapshots.length ? 'warning' : 'ok');
    assert.equal(vmStatus(checks), 'warning');
  });

  it('finds target names and MACs that collide, and NICs without a network', () => {
    const twin: VmDetail = { ...vm, moid: 'vm-43', name: `${vm.name}?` };
    const both = selectionOf([vm, twin], [vm, twin]);
    const checks = sourceVmChecks(vm, hw(), both, options());
    assert.equal(severityOf(checks, 'vm.name_collision'), 'blocker');
    assert.match(checks.find((c) => c.id === 'vm.name_collision')!.message, /web-01\?/);
    assert.equal(severityOf(checks, 'vm.duplicate_mac'), 'blocker');
    const unmapped = sourceVmChecks(vm, hw(), sel, options({}, { network: { usedMappedNetworks: true, networkMap: {}, networkName: undefined, securityGroups: [], useFixedIps: false } }));
    assert.equal(severityOf(unmapped, 'vm.nic_mapping'), 'blocker');
    assert.match(unmapped.find((c) => c.id === 'vm.nic_mapping')!.fix!, /network_map/);
  });

  it('judges the guest OS as virt-v2v-in-place would see it, and not at all with skip_conversion', () => {
    const other: VmDetail = { ...vm, guestId: 'otherLinux64Guest', guestFullName: 'Other Linux (64-bit)' };
    assert.equal(severityOf(sourceVmChecks(other, hw(), sel, options()), 'vm.guest_os'), 'warning');
    assert.equal(severityOf(sourceVmChecks(other, hw(), sel, options({ skipConversion: true })), 'vm.guest_os'), 'ok');
    const old: VmDetail = { ...vm, guestId: 'winNetEnterpriseGuest', guestFullName: 'Microsoft Windows Server 2003' };
    assert.equal(severityOf(sourceVmChecks(old, hw(), sel, options()), 'vm.windows_edition'), 'blocker');
    const modern: VmDetail = { ...vm, guestId: 'windows2019srv_64Guest', guestFullName: 'Microsoft Windows Server 2019' };
    assert.equal(severityOf(sourceVmChecks(modern, hw(), sel, options()), 'vm.windows_edition'), 'ok');
  });

  it('asks for multidiskfs on a converted multi-disk VM and for the disk count a conversion host takes', () => {
    assert.equal(severityOf(sourceVmChecks(vm, hw(), sel, options()), 'vm.multidiskfs'), vm.disks.length > 1 ? 'warning' : 'ok');
    assert.equal(severityOf(sourceVmChecks(vm, hw(), sel, options({}, { maxDisksPerConversionHost: 1 })), 'vm.disk_count'), 'blocker');
  });
});

describe('hardware read from the vCenter answer', () => {
  it('finds passthrough, USB, vTPM, SR-IOV, multi-writer disks, secure boot, fault tolerance and consolidation', () => {
    const props = new Map([
      [
        'config.hardware',
        parseXml(`<val><device xsi:type="VirtualDisk"><key>2000</key><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><sharing>sharingMultiWriter</sharing></backing></device>
          <device xsi:type="VirtualPCIPassthrough"><key>13000</key><deviceInfo><label>PCI device 0</label></deviceInfo></device>
          <device xsi:type="VirtualUSB"><key>15000</key><deviceInfo><label>USB 1</label></deviceInfo></device>
          <device xsi:type="VirtualTPM"><key>11000</key><deviceInfo><label>Virtual TPM</label></deviceInfo></device>
          <device xsi:type="VirtualSriovEthernetCard"><key>4001</key><deviceInfo><label>SR-IOV network adapter 1</label></deviceInfo><macAddress>00:50:56:aa:bb:cc</macAddress></device></val>`),
      ],
      ['runtime.consolidationNeeded', parseXml('<val>true</val>')],
      ['runtime.faultToleranceState', parseXml('<val>running</val>')],
      ['config.bootOptions', parseXml('<val><efiSecureBootEnabled>true</efiSecureBootEnabled></val>')],
    ]);
    const h = vmHardware(props);
    assert.deepEqual([h.passthrough, h.usb, h.tpm, h.sriov], [['PCI device 0'], ['USB 1'], ['Virtual TPM'], ['SR-IOV network adapter 1']]);
    assert.equal(h.diskSharing.get(2000), 'sharingMultiWriter');
    assert.equal(h.secureBoot, true);
    assert.equal(h.faultToleranceState, 'running');
    assert.equal(h.consolidationNeeded, true);
    const none = vmHardware(new Map());
    assert.deepEqual([none.faultToleranceState, none.secureBoot, none.consolidationNeeded], ['notConfigured', false, false]);
  });
});

describe('flavor choice', () => {
  const flavor = (id: string, name: string, vcpus: number, ram: number, disk: number): Flavor => ({ id, name, vcpus, ram, disk }) as Flavor;
  const flavors = [flavor('1', 'm1.tiny', 1, 512, 1), flavor('2', 'm1.small', 1, 2048, 20), flavor('3', 'm1.large', 4, 8192, 80)];
  const vm = { ...mixedDeviceVm(), numCpu: 2, memoryMb: 4096 };

  it('takes the existing flavor best_match_flavor takes (boot from volume)', () => {
    const c = chooseFlavor(vm, flavors, options());
    assert.deepEqual([c.flavor.name, c.flavor.id, c.flavor.source], ['m1.large', '3', 'existing']);
    assert.equal(c.check.severity, 'ok');
    assert.equal(c.vcpus, 4);
  });

  it('creates one when nothing fits or use_existing_flavor is off, and names it as export_flavor does', () => {
    const big = { ...vm, numCpu: 16 };
    const c = chooseFlavor(big, flavors, options());
    assert.equal(c.flavor.source, 'create');
    assert.match(c.flavor.name!, /^osm-vmware-web-01-\d+$/);
    assert.match(c.flavor.reason, /no flavor fits/);
    assert.equal(chooseFlavor(vm, flavors, options({}, { flavor: { uuid: undefined, useExisting: false } })).flavor.source, 'create');
  });

  it('blocks a flavor_uuid the project does not see', () => {
    const c = chooseFlavor(vm, flavors, options({}, { flavor: { uuid: 'nope', useExisting: true } }));
    assert.equal(c.flavor.source, 'none');
    assert.equal(c.check.severity, 'blocker');
    assert.equal(chooseFlavor(vm, flavors, options({}, { flavor: { uuid: '2', useExisting: true } })).flavor.name, 'm1.small');
  });
});

describe('status and summary', () => {
  it('a check that could not run never leaves a VM ready; the summary counts every severity per id', () => {
    const ok = { id: 'a', severity: 'ok' as const, message: '', fix: null };
    assert.equal(vmStatus([ok]), 'ready');
    assert.equal(vmStatus([ok, { ...ok, severity: 'not_run' }]), 'warning');
    assert.equal(vmStatus([ok, { ...ok, severity: 'warning' }, { ...ok, severity: 'blocker' }]), 'blocked');
    const vm = { name: 'v', target_name: 'v', status: 'ready' as const, power_state: 'poweredOff', esxi_host: null, cpus: 1, memory_mb: 32, flavor: { name: null, id: null, source: 'none' as const, reason: '' }, nics: [], disks: [], bytes_to_read: 0, checks: [ok] };
    const summary = summarize([vm, { ...vm, status: 'warning', checks: [{ ...ok, severity: 'not_run' }] }], [{ ...ok, id: 'b' }]);
    assert.deepEqual(summary.checks.a, { ok: 1, info: 0, warning: 0, blocker: 0, not_run: 1 });
    assert.deepEqual([summary.ready, summary.warning, summary.blocked], [1, 1, 0]);
    assessmentFile.parse({
      generated_at: 'now',
      vcenter: 'vc',
      cloud: { auth_url: 'x', project: null },
      environment_checks: [],
      quota_headroom: { instances: null, cores: null, ram_mb: null, volumes: null, gigabytes: null, ports: null },
      vms: [vm],
      summary,
    });
  });
});
