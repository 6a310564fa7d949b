import { access, constants } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import type { Inventory } from '../../vmware/inventory.js';
import type { MoRef } from '../../vmware/moref.js';
import { sessionPrivileges } from '../../vmware/privileges.js';
import type { VSphereSession } from '../../vmware/session.js';
import type { VmDetail } from '../../vmware/vm.js';
import { hostOf, sshAccess } from '../migrate-source.js';
import type { AssessmentCheck } from './assessment-file.js';
import { blocker, notRun, ok, reason, warning } from './check.js';
import type { AssessOptions } from './options.js';

/** vCenter: the login and TLS as configured, the privileges held on each VM and datastore, the disk source's endpoint. */

export function loginChecks(vs: VSphereSession, o: AssessOptions): AssessmentCheck[] {
  const v = o.migration.vmware;
  const tls = v.thumbprint
    ? ok('vcenter.tls', `the certificate of ${vs.server} matches vmware_thumbprint`)
    : v.caFile
      ? ok('vcenter.tls', `the certificate of ${vs.server} is verified with ${v.caFile}`)
      : v.insecure
        ? warning('vcenter.tls', `TLS verification of ${vs.server} is off (vmware_insecure): anyone on the path can read the vCenter password`, 'set vmware_ca_file or vmware_thumbprint and drop vmware_insecure')
        : ok('vcenter.tls', `the certificate of ${vs.server} is verified with the system CAs`);
  return [ok('vcenter.login', `logged in to ${vs.server} as ${v.user} (${vs.serviceContent.about.fullName || 'version unknown'})`), tls];
}

/** The privileges a migration uses on the VM (the last one with cbt_sync only) and on its datastores. */
export function vmPrivileges(o: AssessOptions): string[] {
  const list = [
    'VirtualMachine.State.CreateSnapshot',
    'VirtualMachine.State.RemoveSnapshot',
    'VirtualMachine.Provisioning.DiskRandomRead',
    'VirtualMachine.Provisioning.GetVmFiles',
    'VirtualMachine.Interact.PowerOff',
  ];
  return o.migration.cbtSync ? [...list, 'VirtualMachine.Config.ChangeTracking'] : list;
}
export const DATASTORE_PRIVILEGES = ['Datastore.Browse'];

/** Per VM: the privileges missing on it and on its datastores (one `vcenter.privileges` check each). */
export async function privilegeChecks(vs: VSphereSession, inv: Inventory, vms: VmDetail[], o: AssessOptions): Promise<{ env: AssessmentCheck; perVm: Map<string, AssessmentCheck> }> {
  const perVm = new Map<string, AssessmentCheck>();
  const dsByName = new Map(inv.datastores.map((d) => [d.name, d]));
  const dsNames = [...new Set(vms.flatMap((v) => [...v.datastores, ...v.disks.map((d) => d.datastore)]))].filter((n) => dsByName.has(n));
  let missing: Map<string, string[]>;
  try {
    const vmRefs: MoRef[] = vms.map((v) => ({ type: 'VirtualMachine', value: v.moid }));
    const dsRefs: MoRef[] = dsNames.map((n) => ({ type: 'Datastore', value: dsByName.get(n)!.moid }));
    const answers = [...(await sessionPrivileges(vs, vmRefs, vmPrivileges(o))), ...(await sessionPrivileges(vs, dsRefs, DATASTORE_PRIVILEGES))];
    missing = new Map(answers.map((a) => [a.entity.value, [...a.granted].filter(([, g]) => !g).map(([p]) => p)]));
  } catch (e) {
    const msg = `the privileges of ${o.migration.vmware.user} could not be read: ${reason(e)}`;
    for (const vm of vms) perVm.set(vm.moid, notRun('vcenter.privileges', msg, 'give the user the System.View privilege on the vCenter root, or check the privileges by hand'));
    return { env: notRun('vcenter.privileges', msg, null), perVm };
  }
  let lacking = 0;
  for (const vm of vms) {
    const gaps = [
      ...(missing.get(vm.moid) ?? []).map((p) => `${p} on VM ${vm.name}`),
      ...[...new Set(vm.disks.map((d) => d.datastore))].flatMap((n) => {
        const ds = dsByName.get(n);
        return ds ? (missing.get(ds.moid) ?? []).map((p) => `${p} on datastore ${n}`) : [];
      }),
    ];
    if (gaps.length) lacking++;
    perVm.set(
      vm.moid,
      gaps.length
        ? blocker('vcenter.privileges', `${o.migration.vmware.user} lacks ${gaps.join(', ')}`, `grant the missing privileges to ${o.migration.vmware.user} (a role on the VM folder and the datastores, propagated)`)
        : ok('vcenter.privileges', `${o.migration.vmware.user} holds every privilege the migration uses on the VM and its datastores`),
    );
  }
  const env = lacking
    ? warning('vcenter.privileges', `${o.migration.vmware.user} lacks privileges on ${lacking} of ${vms.length} VM(s) (see each VM)`, 'grant the missing privileges')
    : ok('vcenter.privileges', `${o.migration.vmware.user} holds the migration's privileges on ${vms.length} VM(s) and ${dsNames.length} datastore(s)`);
  return { env, perVm };
}

function tcpProbe(host: string, port: number, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const done = (problem: string | undefined) => {
      s.destroy();
      resolve(problem);
    };
    s.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    s.once('connect', () => done(undefined));
    s.once('error', (e) => done(e.message));
  });
}

/** Per ESXi host (vddk: port 902) or once (ssh: key and pinned host key; local: the mount), the disk source's endpoint. */
export async function sourceEndpointChecks(vs: VSphereSession, vms: VmDetail[], o: AssessOptions): Promise<{ env: AssessmentCheck[]; perHost: Map<string, AssessmentCheck> }> {
  const src = o.migration.source;
  const perHost = new Map<string, AssessmentCheck>();
  const env: AssessmentCheck[] = [];
  switch (src.kind) {
    case 'vddk': {
      const hosts = [...new Set(vms.map((v) => v.host).filter((h) => h))];
      await Promise.all(
        hosts.map(async (h) => {
          const problem = await tcpProbe(h, 902);
          perHost.set(
            h,
            problem
              ? blocker('vcenter.source_endpoint', `ESXi host ${h} cannot be reached on port 902 (VDDK/NFC): ${problem}`, `open TCP 902 from the conversion hosts to ${h} (and name resolution of ${h})`)
              : ok('vcenter.source_endpoint', `ESXi host ${h} answers on port 902 (VDDK/NFC)`),
          );
        }),
      );
      env.push(ok('vcenter.source_endpoint', `disk_source vddk: ${hosts.length} ESXi host(s) probed on port 902 (from this machine; the conversion hosts need the same)`));
      break;
    }
    case 'https':
      env.push(ok('vcenter.source_endpoint', `disk_source https: the disks are read through ${vs.server}'s datastore file access (each disk is opened: vm.disk_readable)`));
      break;
    case 'ssh':
      try {
        await sshAccess(src.ssh, hostOf(o.migration.vmware.server));
        env.push(ok('vcenter.source_endpoint', `disk_source ssh: the key and the pinned host key of ${hostOf(o.migration.vmware.server)} are usable`));
      } catch (e) {
        env.push(blocker('vcenter.source_endpoint', `disk_source ssh: ${reason(e)}`, 'fix esxi_ssh_key_path / esxi_ssh_known_hosts'));
      }
      break;
    case 'local':
      if (!src.localDiskPath) env.push(blocker('vcenter.source_endpoint', 'disk_source local needs local_disk_path (the datastore mount)', 'set local_disk_path'));
      else {
        const problem = await access(src.localDiskPath, constants.R_OK).then(
          () => undefined,
          (e: NodeJS.ErrnoException) => e.code ?? e.message,
        );
        env.push(
          problem
            ? blocker('vcenter.source_endpoint', `the datastore mount ${src.localDiskPath} cannot be read here: ${problem}`, 'mount the datastore (NFS) at local_disk_path on the migrator and the conversion hosts')
            : ok('vcenter.source_endpoint', `the datastore mount ${src.localDiskPath} is readable here (the conversion hosts need the same mount)`),
        );
      }
      break;
  }
  if (vms.length === 0) env.push(notRun('vcenter.source_endpoint', 'no VM selected', null));
  return { env, perHost };
}
