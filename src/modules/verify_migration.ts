import { z } from 'zod';
import { ModuleFailure } from '../ansible/errors.js';
import { defineModule } from '../ansible/module.js';
import { DEFAULT_BY_ID_DIR } from '../transfer/target.js';
import { createLogger } from '../util/log.js';
import { failedChecks, verifyVm, verifyVms } from '../workflow/verify.js';
import { type VerifyRequest, expectedSourcePower } from '../workflow/verify-request.js';
import { cloudOption } from './options/openstack.js';
import { sessionOptions } from '../workflow/vsphere-source.js';
import { vmwareConnectionAliases, vmwareConnectionOptions, vmwareEndpoint } from './options/vmware.js';

const d = (description: string) => ({ description });

const options = z.strictObject({
  cloud: cloudOption(),
  ...vmwareConnectionOptions,
  vm_name: z.string().min(1).optional().meta(d('The migrated VMware VM. Exactly one of vm_name and vms_list.')),
  vms_list: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta(
      d(
        'Several migrated VMs, verified at the same time (at most 4 at once): the result has verifications, one per VM in this order, instead of verification, and the module fails when one VM fails. Exactly one of vm_name and vms_list.',
      ),
    ),
  os_migrate_vmw_data_dir: z.string().min(1).meta(d('Working directory of the migration, holding <vm_name>/import_workloads.json and nics.json or macs.json.')),
  used_mapped_networks: z.boolean().default(false).meta(d('The ports were made on the networks of nics.json (true) or all on network_name (macs.json), as in the migration.')),
  network_name: z.string().optional().meta(d('Network (name or ID) of every port when used_mapped_networks is false.')),
  security_groups: z.array(z.string()).default(['default']).meta(d('Security groups every port must have (names or IDs), as in the migration.')),
  use_fixed_ips: z.boolean().default(false).meta(d("Each port must hold its NIC's IPv4 addresses (the migration's use_fixed_ips).")),
  create_server: z.boolean().default(true).meta(d('The migration made the server (import_workloads create_server); false skips the server, flavor, attachment and guest checks.')),
  create_ports: z.boolean().default(true).meta(d('The migration made the ports (import_workloads create_ports); false skips the port checks.')),
  cbt_sync: z.boolean().default(false).meta(d('The migration was a CBT sync; without cutover it was a pre-sync (no server, ports or converted volumes expected yet).')),
  cutover: z.boolean().default(false).meta(d('With cbt_sync: the migration was the cutover.')),
  skip_conversion: z.boolean().default(false).meta(d('The migration ran without conversion.')),
  verify_source_power_state: z
    .enum(['poweredOn', 'poweredOff', 'untouched'])
    .optional()
    .meta(
      d(
        'Power state the source must be in. Default: poweredOff after a cutover or a final migration with conversion, else untouched (running passes; off is reported as not checked, since the state before the run is not recorded).',
      ),
    ),
  verify_checksums: z
    .boolean()
    .default(false)
    .meta(d("Read each volume and compare its SHA-256 with the one the migration recorded (migrate with verify_disks: true). A volume whose bytes are not readable here is reported as not checked.")),
  verify_volume_dir: z
    .string()
    .optional()
    .meta(d('Directory where the volume backend keeps each volume as a file volume-<id> (e.g. the Cinder NFS share mounted here); else a volume is read through its by-id link when it is attached to this machine.')),
  disk_by_id_dir: z.string().default(DEFAULT_BY_ID_DIR).meta(d('Directory of by-id device links on this machine.')),
  verify_console_pattern: z.string().optional().meta(d("Regular expression the server's console log (Nova os-getConsoleOutput) must match, e.g. 'login:'.")),
  verify_console_patterns: z
    .record(z.string(), z.string())
    .default({})
    .meta(d('Per VM name, the console pattern of that VM, in place of verify_console_pattern.')),
  verify_tcp_ports: z.array(z.number().int().min(1).max(65535)).default([]).meta(d("TCP ports that must accept a connection on the first NIC's fixed IP.")),
  verify_guest_timeout: z.number().int().positive().default(300).meta(d('Seconds to wait for the console pattern and each TCP port.')),
});

export default defineModule({
  name: 'verify_migration',
  shortDescription: 'Check that a VM was migrated completely and correctly',
  description: [
    'Reads the source VM, the tool\'s volumes, server and ports (read-only) and runs checks, each with id, expected, observed, passed and a message: the server exists and is ACTIVE; its flavor has at least the source\'s vCPUs and RAM; each disk\'s volume is attached in VMware disk order (disk 0 the boot device) and to nothing else; volumes marked converted; each NIC has a port with its VMware MAC on the mapped network (and its fixed IPs with use_fixed_ips) with the security groups asked for; no tool snapshot left on the source; the source\'s power state.',
    'With verify_checksums each volume is read and its SHA-256 compared with the one the migration recorded; with verify_console_pattern and verify_tcp_ports, guest-level evidence.',
    'A check that could not run has passed null and says why; it never counts as passed. A failed check fails the module, with the failed checks in the message. The verify playbook writes every VM\'s result to <os_migrate_vmw_data_dir>/verification.json.',
  ],
  options,
  aliases: { cloud: ['dst_cloud'], ...vmwareConnectionAliases },
  checkMode: 'full',
  diffMode: 'none',
  notes: ['Changes nothing, so check mode runs the same checks; changed is always false.'],
  examples: `
- name: Verify rhel-1 after its migration, with the volumes' bytes
  os_migrate.vmware_migration_kit.verify_migration:
    cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vm_name: rhel-1
    os_migrate_vmw_data_dir: /opt/os-migrate
    network_name: private
    security_groups: [default]
    verify_checksums: true
    verify_volume_dir: /var/lib/cinder/mnt/nfs-share
    verify_console_pattern: "login:"
  register: verification
`,
  returns: {
    passed: { description: 'No check failed.', returned: 'always', type: 'bool' },
    verification: {
      description: 'vm, passed, duration_seconds and checks: a list of {id, expected, observed, passed (true, false, or null when it could not run), message}.',
      returned: 'with vm_name, when the VM could be read',
      type: 'dict',
    },
    verifications: {
      description: 'One verification per VM of vms_list, in its order; a VM that could not be read has passed false, no checks, and error (why).',
      returned: 'with vms_list',
      type: 'list',
      elements: 'dict',
    },
  },
  async run(p, ctx) {
    if ((p.vm_name === undefined) === (p.vms_list === undefined)) {
      throw new ModuleFailure('give exactly one of vm_name (one VM) and vms_list (several VMs)', { passed: false });
    }
    const log = createLogger({ level: ctx.verbosity >= 3 ? 'debug' : 'info' });
    const env = { log, signal: ctx.signal };
    const request = (vmName: string): VerifyRequest => ({
      vmware: sessionOptions(vmwareEndpoint(p), ctx.signal),
      cloud: p.cloud,
      vmName,
      dataDir: p.os_migrate_vmw_data_dir,
      ports: { usedMappedNetworks: p.used_mapped_networks, networkName: p.network_name, securityGroups: p.security_groups, useFixedIps: p.use_fixed_ips },
      final: !p.cbt_sync || p.cutover,
      expect: { server: p.create_server, ports: p.create_ports },
      sourcePower: expectedSourcePower({ cbtSync: p.cbt_sync, cutover: p.cutover, skipConversion: p.skip_conversion }, p.verify_source_power_state),
      checksums: { enabled: p.verify_checksums, volumeDir: p.verify_volume_dir, byIdDir: p.disk_by_id_dir },
      guest: { consolePattern: p.verify_console_patterns[vmName] ?? p.verify_console_pattern, tcpPorts: p.verify_tcp_ports, timeoutMs: p.verify_guest_timeout * 1000 },
    });
    if (p.vms_list) {
      const verifications = await verifyVms(p.vms_list.map(request), env);
      const failed = verifications.filter((v) => !v.passed);
      if (failed.length) {
        const why = failed.map((v) => `${v.vm}: ${v.error ?? failedChecks(v).join('; ')}`).join(' | ');
        throw new ModuleFailure(`${failed.length} of ${verifications.length} VMs failed verification: ${why}`, { passed: false, verifications });
      }
      return { changed: false, msg: `${verifications.length} VMs verified`, passed: true, verifications };
    }
    const vmName = p.vm_name!;
    let verification;
    try {
      verification = await verifyVm(request(vmName), env);
    } catch (e) {
      throw new ModuleFailure(`Failed to verify VM ${vmName}: ${(e as Error).message}`, { passed: false });
    }
    const failed = failedChecks(verification);
    if (failed.length) {
      throw new ModuleFailure(`VM ${vmName} failed verification: ${failed.join('; ')}`, { passed: false, verification });
    }
    const notRun = verification.checks.filter((c) => c.passed === null).length;
    return {
      changed: false,
      msg: `VM ${vmName} verified: ${verification.checks.length - notRun} checks passed${notRun ? `, ${notRun} could not run` : ''}`,
      passed: true,
      verification,
    };
  },
});
