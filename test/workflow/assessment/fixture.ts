// assessment.json as the assessment module writes it for the lab: the 30 simulator VMs (1 vCPU, 32 MB, one 10 GiB
// disk holding no data on LocalDS_0, one NIC on DC0_DVPG0) assessed with allow_empty_disks (warnings, m1.tiny boot
// from volume), plus the lab's own VMs with data: some ready, one with a warning, two blocked.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AssessedVm, type AssessmentCheck, type AssessmentFile, assessmentFile } from '../../../src/workflow/assessment/assessment-file.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const ok = (id: string): AssessmentCheck => ({ id, severity: 'ok', message: `${id} passed`, fix: null });

function vm(o: {
  name: string;
  status: AssessedVm['status'];
  esxi: string;
  disks: { datastore: string; capacity: number; allocated: number | null }[];
  nics: { mac: string; vmware_network: string; network: string | null }[];
  cpus?: number;
  memory_mb?: number;
  flavor?: AssessedVm['flavor'];
  checks?: AssessmentCheck[];
}): AssessedVm {
  return {
    name: o.name,
    target_name: o.name.replace(/[^A-Za-z0-9_.-]/g, '_'),
    status: o.status,
    power_state: 'poweredOn',
    esxi_host: o.esxi,
    cpus: o.cpus ?? 1,
    memory_mb: o.memory_mb ?? 32,
    flavor: o.flavor ?? { name: 'm1.tiny', id: '1', source: 'existing', reason: 'smallest flavor with at least 1 vCPU and 32 MiB RAM (boot from volume)' },
    nics: o.nics.map((n) => ({ ...n, security_groups: ['default'], fixed_ip: null })),
    disks: o.disks.map((d, i) => ({
      key: 2000 + i,
      label: `Hard disk ${i + 1}`,
      datastore: d.datastore,
      capacity_bytes: d.capacity,
      allocated_bytes: d.allocated,
      volume_type: '__DEFAULT__',
      availability_zone: 'nova',
    })),
    bytes_to_read: o.disks.reduce((s, d) => s + (d.allocated ?? d.capacity), 0),
    checks: [ok('power_state'), ok('snapshots'), ok('guest_os'), ...(o.checks ?? [])],
  };
}

const emptyDisk: AssessmentCheck = {
  id: 'disk_has_data',
  severity: 'warning',
  message: 'Hard disk 1 holds no data (no allocated extent); allow_empty_disks is true',
  fix: 'Check that the source disk really is empty before migrating it',
};

/** The 30 simulator VMs: DC0_H0_VM0-9 on the standalone host, DC0_C{0,1}_RP0_VM0-9 spread over 3 hosts per cluster. */
export function simulatorVms(): AssessedVm[] {
  const out: AssessedVm[] = [];
  const hosts = [
    ['H0', () => 'DC0_H0'],
    ['C0_RP0', (i: number) => `DC0_C0_H${i % 3}`],
    ['C1_RP0', (i: number) => `DC0_C1_H${i % 3}`],
  ] as const;
  hosts.forEach(([prefix, host], p) => {
    for (let i = 0; i < 10; i++) {
      out.push(
        vm({
          name: `DC0_${prefix}_VM${i}`,
          status: 'warning',
          esxi: host(i),
          disks: [{ datastore: 'LocalDS_0', capacity: 10 * GiB, allocated: 0 }],
          nics: [{ mac: `00:50:56:00:0${p}:0${i}`, vmware_network: 'DC0_DVPG0', network: 'private' }],
          checks: [emptyDisk],
        }),
      );
    }
  });
  return out;
}

/** The lab's VMs with data: ready ones, a warning, and two blocked with their fixes. */
export function dataVms(): AssessedVm[] {
  const net = (mac: string, vmware_network = 'VM Network') => ({ mac, vmware_network, network: 'private' });
  return [
    vm({ name: 'osm-single', status: 'ready', esxi: 'DC0_H0', cpus: 2, memory_mb: 2048, disks: [{ datastore: 'LocalDS_0', capacity: 128 * MiB, allocated: 96 * MiB }], nics: [net('00:50:56:01:01:00')] }),
    vm({
      name: 'osm-multidisk',
      status: 'ready',
      esxi: 'DC0_H0',
      cpus: 2,
      memory_mb: 2048,
      disks: [
        { datastore: 'LocalDS_0', capacity: 96 * MiB, allocated: 64 * MiB },
        { datastore: 'LocalDS_1', capacity: 64 * MiB, allocated: 32 * MiB },
      ],
      nics: [net('00:50:56:01:02:00')],
    }),
    vm({
      name: 'osm-multinic',
      status: 'ready',
      esxi: 'DC0_H0',
      disks: [{ datastore: 'LocalDS_0', capacity: 64 * MiB, allocated: 48 * MiB }],
      nics: [net('00:50:56:01:03:00'), net('00:50:56:01:03:01', 'DC0_DVPG0')],
    }),
    vm({
      name: 'osm-efi',
      status: 'warning',
      esxi: 'DC0_C0_H1',
      disks: [{ datastore: 'LocalDS_1', capacity: 64 * MiB, allocated: null }],
      nics: [net('00:50:56:01:05:00')],
      checks: [{ id: 'firmware', severity: 'warning', message: 'EFI firmware: the flavor or image needs hw_firmware_type=uefi', fix: 'Set hw_firmware_type=uefi on the volume after the migration' }],
    }),
    vm({
      name: 'osm-independent',
      status: 'blocked',
      esxi: 'DC0_H0',
      disks: [{ datastore: 'LocalDS_0', capacity: 64 * MiB, allocated: 64 * MiB }],
      nics: [net('00:50:56:01:07:00')],
      checks: [{ id: 'independent_disks', severity: 'blocker', message: 'Hard disk 1 is independent_persistent: it cannot be snapshotted', fix: 'Change the disk mode to dependent (VM powered off) and assess again' }],
    }),
    vm({
      name: 'osm-snapshot',
      status: 'blocked',
      esxi: 'DC0_H0',
      disks: [{ datastore: 'LocalDS_0', capacity: 64 * MiB, allocated: 64 * MiB }],
      nics: [{ mac: '00:50:56:01:08:00', vmware_network: 'Lab Isolated', network: null }],
      checks: [
        { id: 'snapshots', severity: 'blocker', message: "The VM has 1 user snapshot ('before-upgrade')", fix: 'Delete or consolidate the snapshots in vCenter' },
        { id: 'network_mapping', severity: 'blocker', message: "NIC 00:50:56:01:08:00 is on 'Lab Isolated', which has no network mapping", fix: "Add 'Lab Isolated' to the network mapping or set used_mapped_networks: false" },
        { id: 'quota_read', severity: 'not_run', message: 'Could not read the compute quota: 403 Forbidden', fix: 'Grant the user the reader role on the project' },
      ],
    }),
  ];
}

export function assessment(vms: AssessedVm[], headroom: Partial<AssessmentFile['quota_headroom']> = {}): AssessmentFile {
  const summary: AssessmentFile['summary'] = { ready: 0, warning: 0, blocked: 0, checks: {} };
  for (const v of vms) {
    summary[v.status]++;
    for (const c of v.checks) {
      const counts = (summary.checks[c.id] ??= { ok: 0, info: 0, warning: 0, blocker: 0, not_run: 0 });
      counts[c.severity]++;
    }
  }
  const file: AssessmentFile = {
    generated_at: '2026-12-07T15:00:00.000Z',
    vcenter: '127.0.0.1:8989',
    cloud: { auth_url: 'http://127.0.0.1:5000/v3', project: 'osm' },
    environment_checks: [
      ok('vcenter_login'),
      { id: 'quota_compute', severity: 'warning', message: 'Instances quota: 12 left, the VMs need 34', fix: 'Ask the operator to raise the instances quota or migrate in several waves' },
    ],
    quota_headroom: { instances: null, cores: null, ram_mb: null, volumes: null, gigabytes: null, ports: null, ...headroom },
    vms,
    summary,
  };
  return assessmentFile.parse(file);
}

/** The lab's assessment: 30 simulator VMs and the VMs with data. */
export const labAssessment = (headroom: Partial<AssessmentFile['quota_headroom']> = {}) => assessment([...simulatorVms(), ...dataVms()], headroom);

export function writeAssessment(dataDir: string, a: AssessmentFile): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'assessment.json'), `${JSON.stringify(a, null, 2)}\n`);
}
