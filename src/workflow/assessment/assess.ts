import { resolveCloud } from '../../openstack/cloud-config.js';
import { withResolvedCloudSession } from '../../openstack/connect.js';
import { safeVmName } from '../../util/names.js';
import type { Logger } from '../../util/log.js';
import { readInventory } from '../../vmware/inventory.js';
import type { VSphereSession } from '../../vmware/session.js';
import { type VmDetail, vmDetail } from '../../vmware/vm.js';
import { VM_HARDWARE_PATHS, pruneVmHardware, vmHardware } from '../../vmware/vm-hardware.js';
import { resolveVms } from '../discovery.js';
import { openVSphere } from '../vsphere-source.js';
import { type AssessedVm, type AssessmentCheck, type AssessmentFile, assessmentFile } from './assessment-file.js';
import { blocker, notRun, reason } from './check.js';
import { conversionHostChecks } from './conversion-hosts.js';
import { assessDisks } from './disks.js';
import { chooseFlavor } from './flavor-choice.js';
import { cloudEnvironmentChecks, cloudVmChecks, readCloud } from './openstack.js';
import type { AssessOptions } from './options.js';
import { quotaChecks } from './quotas.js';
import { selectionOf, sourceVmChecks } from './source-vm.js';
import { summarize, vmStatus } from './summary.js';
import { loginChecks, privilegeChecks, sourceEndpointChecks } from './vcenter.js';
import { mapInLanes } from '../../util/lanes.js';

/**
 * Assess VMs against both clouds without creating or changing anything: vCenter is only read (one inventory pass,
 * the privileges, the disks through the disk source where that is safe), OpenStack only listed. The result is the
 * assessment file, validated against its schema.
 */
export async function assess(o: AssessOptions, log: Logger, signal: AbortSignal): Promise<AssessmentFile> {
  const cloud = resolveCloud(o.migration.cloud);
  const base = {
    generated_at: new Date().toISOString(),
    vcenter: o.migration.vmware.server,
    cloud: { auth_url: cloud.auth.authUrl, project: cloud.auth.projectName ?? cloud.auth.projectId ?? null },
    quota_headroom: { instances: null, cores: null, ram_mb: null, volumes: null, gigabytes: null, ports: null },
  };
  let vs: VSphereSession;
  try {
    vs = await openVSphere(o.migration.vmware);
  } catch (e) {
    const env = [blocker('vcenter.login', `cannot log in to ${o.migration.vmware.server}: ${reason(e)}`, 'check vcenter_hostname, the credentials and the TLS settings (vmware_ca_file, vmware_thumbprint)')];
    return assessmentFile.parse({ ...base, environment_checks: env, vms: [], summary: summarize([], env) });
  }
  try {
    return await assessWith(vs, o, base, log, signal);
  } finally {
    await vs.close();
  }
}

async function assessWith(vs: VSphereSession, o: AssessOptions, base: Omit<AssessmentFile, 'environment_checks' | 'vms' | 'summary'>, log: Logger, signal: AbortSignal): Promise<AssessmentFile> {
  const started = Date.now();
  const inventory = await readInventory(vs, VM_HARDWARE_PATHS, pruneVmHardware);
  const details = new Map<string, VmDetail>();
  for (const e of inventory.vms) details.set(e.moid, vmDetail(e, inventory.vmProps.get(e.moid) ?? new Map(), inventory));
  const every = [...details.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const selected = o.vmNames === undefined ? every : [...new Map(resolveVms(inventory, o.vmNames, vs.server).map((e) => [e.moid, details.get(e.moid)!])).values()];
  log.info(`inventory of ${vs.server}: ${every.length} VM(s), ${selected.length} assessed (${Date.now() - started} ms)`);

  const env: AssessmentCheck[] = loginChecks(vs, o);
  const sel = selectionOf(selected, every);
  const perVm = new Map(selected.map((vm) => [vm.moid, sourceVmChecks(vm, vmHardware(inventory.vmProps.get(vm.moid) ?? new Map()), sel, o)]));
  const privileges = await privilegeChecks(vs, inventory, selected, o);
  env.push(privileges.env);
  const endpoints = await sourceEndpointChecks(vs, selected, o);
  env.push(...endpoints.env);
  for (const vm of selected) {
    const checks = perVm.get(vm.moid)!;
    checks.push(privileges.perVm.get(vm.moid)!);
    const host = endpoints.perHost.get(vm.host);
    if (host) checks.push(host);
  }

  const vms = await withResolvedCloudSession(resolveCloud(o.migration.cloud), signal, async (s) => {
    const facts = await readCloud(s, selected, o);
    env.push(...(await cloudEnvironmentChecks(s, facts, o)));
    const toolVolumes = facts.toolVolumes instanceof Error ? new Map() : facts.toolVolumes;
    if (facts.toolVolumes instanceof Error) env.push(notRun('openstack.volumes', `the volumes could not be listed: ${facts.toolVolumes.message}`, null));
    const flavors = new Map<string, { vcpus: number; ramMb: number }>();
    const out = await mapInLanes(selected, o.parallel, async (vm): Promise<AssessedVm> => {
      const checks = perVm.get(vm.moid)!;
      const flavor = facts.flavors instanceof Error ? undefined : chooseFlavor(vm, facts.flavors, o);
      if (flavor) checks.push(flavor.check.severity === 'info' && flavor.flavor.source === 'create' && !facts.admin ? { ...flavor.check, severity: 'blocker', fix: 'create the flavor with an admin, or set flavor_uuid to an existing one' } : flavor.check);
      else checks.push(notRun('openstack.flavor', 'the flavors could not be listed', null));
      const cloudVm = cloudVmChecks(s, vm, facts, o);
      checks.push(...cloudVm.checks);
      const disks = await assessDisks(vs, vm, o, toolVolumes, log, signal);
      checks.push(...disks.checks);
      flavors.set(vm.name, flavor ? { vcpus: flavor.vcpus, ramMb: flavor.ramMb } : { vcpus: vm.numCpu, ramMb: vm.memoryMb });
      return record(vm, checks, flavor?.flavor, cloudVm.nics, disks.disks);
    });

    // What the whole vms_list needs (wave planning splits it by the headroom).
    const quotas = await quotaChecks(s, {
      instances: out.length,
      cores: out.reduce((n, v) => n + flavors.get(v.name)!.vcpus, 0),
      ram_mb: out.reduce((n, v) => n + flavors.get(v.name)!.ramMb, 0),
      volumes: out.reduce((n, v) => n + v.disks.length, 0),
      gigabytes: out.reduce((n, v) => n + v.disks.reduce((g, d) => g + Math.ceil(d.capacity_bytes / 2 ** 30), 0), 0),
      ports: out.reduce((n, v) => n + v.nics.length, 0),
    });
    env.push(...quotas.checks);
    base.quota_headroom = quotas.headroom;
    env.push(...(await conversionHostChecks(s, o.conversionHosts, o.maxDisksPerConversionHost, Math.max(0, ...selected.map((v) => v.disks.length)))));
    return out;
  }).catch((e: unknown) => {
    signal.throwIfAborted();
    return { cloudError: e };
  });
  if (!Array.isArray(vms)) {
    env.push(blocker('openstack.auth', reason(vms.cloudError), 'check dst_cloud (credentials, auth_url, project) and that Keystone answers'));
    const unassessed: AssessedVm[] = selected.map((vm) => {
      const checks = [...perVm.get(vm.moid)!, notRun('openstack.auth', 'OpenStack could not be reached: its checks did not run', 'fix dst_cloud and run the assessment again')];
      return record(vm, checks, undefined, [], []);
    });
    return assessmentFile.parse({ ...base, environment_checks: env, vms: unassessed, summary: summarize(unassessed, env) });
  }
  log.info(`assessed ${vms.length} VM(s) in ${Date.now() - started} ms`);
  return assessmentFile.parse({ ...base, environment_checks: env, vms, summary: summarize(vms, env) });
}

function record(vm: VmDetail, checks: AssessmentCheck[], flavor: AssessedVm['flavor'] | undefined, nics: AssessedVm['nics'], disks: AssessedVm['disks']): AssessedVm {
  return {
    name: vm.name,
    target_name: safeVmName(vm.name),
    status: vmStatus(checks),
    power_state: vm.powerState,
    esxi_host: vm.host || null,
    cpus: vm.numCpu,
    memory_mb: vm.memoryMb,
    flavor: flavor ?? { name: null, id: null, source: 'none', reason: 'the flavors of the cloud could not be read' },
    nics,
    disks,
    bytes_to_read: disks.length ? disks.reduce((sum, d) => sum + (d.allocated_bytes ?? d.capacity_bytes), 0) : vm.disks.reduce((n, d) => n + d.capacityBytes, 0),
    checks,
  };
}
