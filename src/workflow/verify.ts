import { connect } from '../openstack/connect.js';
import { hasToolMetadata, inProject } from '../openstack/markers.js';
import { listPorts } from '../openstack/network.js';
import { findServersByName } from '../openstack/servers.js';
import { listVolumeAttachments } from '../openstack/volume-attachments.js';
import { findToolVolume } from '../openstack/volume.js';
import { mapInLanes } from '../util/lanes.js';
import type { Logger } from '../util/log.js';
import { safeVmName } from '../util/names.js';
import { VSphereSession } from '../vmware/session.js';
import { readVmPlan } from './import-workloads.js';
import { findSourceVm } from './migrate.js';
import { volumeNameFor } from './migrate-plan.js';
import { readNicsFile } from './ports.js';
import { checksumChecks } from './verify-checksums.js';
import { guestChecks } from './verify-guest.js';
import { portChecks } from './verify-ports.js';
import type { Check, VerifyFacts, VerifyRequest, VmVerification } from './verify-request.js';
import { serverChecks } from './verify-server.js';
import { sourceChecks } from './verify-source.js';
import { volumeChecks } from './verify-volumes.js';

/**
 * Verify one migrated VM: read the source, the tool's volumes, server and ports (read-only), and run each group
 * of checks. A failed check fails the VM; a check that could not run (passed null) says why and does not pass.
 */
export async function verifyVm(req: VerifyRequest, env: { log: Logger; signal: AbortSignal }): Promise<VmVerification> {
  const started = Date.now();
  const plan = readVmPlan(req.dataDir, req.vmName, req.ports.usedMappedNetworks);
  const nics = readNicsFile(plan.nicsFile);
  const vs = await VSphereSession.open(req.vmware);
  try {
    const vm = await findSourceVm(vs, plan.folder, req.vmName);
    const os = await connect(req.cloud);
    try {
      const volumes = [];
      for (const disk of vm.disks) volumes.push({ disk, volume: await findToolVolume(os, volumeNameFor(vm, disk)) });
      const server = (await findServersByName(os, safeVmName(vm.name))).find((x) => hasToolMetadata(x.metadata) && inProject(x.tenant_id, os.projectId));
      const attachments = server ? await listVolumeAttachments(os, server.id) : [];
      const ports = [];
      for (const nic of nics) ports.push(await listPorts(os, { mac_address: nic.mac.toLowerCase() }));
      const facts: VerifyFacts = { req, os, vm, volumes, server, attachments, nics, ports };
      const checks: Check[] = [
        ...(req.final && req.expect.server ? serverChecks(facts) : []),
        ...volumeChecks(facts),
        ...(await portChecks(facts)),
        ...sourceChecks(facts),
        ...(await checksumChecks(facts, env.signal)),
        ...(req.final && req.expect.server ? await guestChecks(facts, env.signal) : []),
      ];
      for (const c of checks) env.log.info(`${vm.name}: ${c.id}: ${c.passed === null ? 'NOT RUN' : c.passed ? 'ok' : 'FAILED'}: ${c.message}`);
      return { vm: req.vmName, passed: checks.every((c) => c.passed !== false), checks, duration_seconds: (Date.now() - started) / 1000 };
    } finally {
      await os.close();
    }
  } finally {
    await vs.close();
  }
}

/** VMs verified at the same time by verifyVms: each opens its own vCenter and OpenStack sessions. */
const VERIFY_AT_ONCE = 4;

/**
 * Several VMs, at most VERIFY_AT_ONCE at a time, the results in the order given. A VM that cannot be verified (its files missing, the VM
 * not found) gets passed false, no checks, and the error; the others are verified all the same.
 */
export async function verifyVms(reqs: VerifyRequest[], env: { log: Logger; signal: AbortSignal }): Promise<VmVerification[]> {
  return mapInLanes(reqs, VERIFY_AT_ONCE, async (req): Promise<VmVerification> => {
    const started = Date.now();
    try {
      return await verifyVm(req, env);
    } catch (e) {
      const error = (e as Error).message;
      env.log.error(`${req.vmName}: cannot be verified: ${error}`);
      return { vm: req.vmName, passed: false, checks: [], duration_seconds: (Date.now() - started) / 1000, error };
    }
  });
}

/** `id (message)` of each failed check. */
export function failedChecks(v: VmVerification): string[] {
  return v.checks.filter((c) => c.passed === false).map((c) => `${c.id} (${c.message})`);
}
