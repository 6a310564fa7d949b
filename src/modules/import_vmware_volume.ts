import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { secretString } from '../ansible/schema.js';
import { V2V_CLOUD_NAME, type VddkImportSpec, runVirtV2v, virtV2vVddkArgs } from '../conversion/virt-v2v-vddk.js';
import type { Session } from '../openstack/auth.js';
import { type CloudConfig, cloudsYaml, resolveCloud } from '../openstack/cloud-config.js';
import { withResolvedCloudSession } from '../openstack/connect.js';
import { listVolumesByName } from '../openstack/volume.js';
import { lockVm } from '../util/vm-lock.js';
import { cloudOption } from './options/openstack.js';

const required = (description: string) => z.string().min(1).meta({ description });

/** What virt-v2v `-o openstack` names a guest's disks: `<vm>-sda`, `-sdb`, ..., `-sdz`, `-sdaa`, ... */
export function driveName(index: number): string {
  let name = '';
  for (let i = index + 1; i > 0; i = Math.floor((i - 1) / 26)) name = String.fromCharCode(97 + ((i - 1) % 26)) + name;
  return `sd${name}`;
}

/**
 * The volumes a finished virt-v2v import of `vm` left: `<vm>-sda`, `<vm>-sdb`, ... up to the first name missing,
 * each carrying virt-v2v's property `virt_v2v_guest_name=<vm>` (virt-v2v deletes its volumes when it fails).
 */
async function importedVolumes(s: Session, vm: string): Promise<{ id: string; name: string }[]> {
  const found: { id: string; name: string }[] = [];
  for (let i = 0; ; i++) {
    const name = `${vm}-${driveName(i)}`;
    const matches = (await listVolumesByName(s, name)).filter((v) => v.metadata.virt_v2v_guest_name === vm);
    if (matches.length === 0) return found;
    if (matches.length > 1) {
      throw new Error(`several volumes named ${name} come from virt-v2v imports of ${vm} (${matches.map((v) => v.id).join(', ')}); delete the extra ones`);
    }
    found.push({ id: matches[0]!.id, name });
  }
}

export default defineModule({
  name: 'import_vmware_volume',
  shortDescription: 'Import a VM into Cinder volumes with virt-v2v and VDDK (legacy virt-v2v path)',
  description: [
    'Runs virt-v2v -it vddk -o openstack on the conversion host: virt-v2v reads the VM from vCenter through VDDK, converts it and writes one Cinder volume per disk, named <vm_name>-sda, <vm_name>-sdb, ... The migration_v2v playbook then creates the ports and the server from these volumes.',
    'No shell: an argument list. The vCenter URI percent-encodes every component (user, datacenter, cluster, ESXi host); a / inside vcenter_datacenter or vcenter_cluster separates inventory folders.',
    'The vCenter password reaches virt-v2v as a 0600 file (-ip) in a private 0700 directory, and the OpenStack credentials as a 0600 clouds.yaml there (OS_CLOUD), never on a command line; the directory is removed on every exit path (a directory left by a killed run is removed by the next run). cmd, stdout, stderr and errors never show the password.',
    "Idempotent: when volumes <vm_name>-sda, ... carrying virt-v2v's property virt_v2v_guest_name=<vm_name> exist (virt-v2v deletes its volumes when it fails, so they are a finished import), nothing runs and changed is false.",
    'One import_vmware_volume or migrate of a VM at a time on a conversion host: a second run fails naming the first (its pid and lock file). virt-v2v and what it starts end with the module, also when it is killed with SIGKILL; a run after a killed one first stops whatever of that run still runs.',
    'The vCenter certificate is verified (libvirt checks it against its CA bundle, /etc/pki/CA/cacert.pem) unless vmware_insecure is true.',
  ],
  options: z.strictObject({
    vcenter_hostname: required('vCenter address, host or host:port.'),
    vcenter_username: required('vCenter user, e.g. administrator@vsphere.local.'),
    vcenter_password: secretString('Password of vcenter_username.'),
    vcenter_datacenter: required('Datacenter of the VM (folders separated by /).'),
    vcenter_cluster: required('Cluster of the ESXi host (folders separated by /).'),
    esxi_hostname: required('ESXi host running the VM, as named in vCenter.'),
    vddk_libdir: required('Directory of the VDDK library (vmware-vix-disklib-distrib).'),
    vddk_thumbprint: required('SHA-1 thumbprint of the vCenter/ESXi certificate, AB:CD:..., for VDDK.'),
    conversion_host_id: required('Name or ID of the Nova server virt-v2v runs on (it attaches the volumes to it while writing).'),
    vm_name: required('VMware VM name.'),
    vmware_insecure: z.boolean().default(false).meta({ description: 'Skip the vCenter certificate check (adds no_verify=1 to the vCenter URI).' }),
    cloud: cloudOption('The destination cloud, handed to virt-v2v as a private clouds.yaml; also used to find earlier imports.'),
    virt_v2v_path: z.string().min(1).default('virt-v2v').meta({ description: 'virt-v2v executable: a path, or a name looked up in PATH.' }),
  }),
  aliases: { cloud: ['dst_cloud'] },
  checkMode: 'full',
  diffMode: 'none',
  notes: [
    'Needs virt-v2v with the VDDK input and the openstack client (python3-openstackclient) on the conversion host, and the VDDK library.',
    'libvirt verifies the vCenter certificate against its own CA bundle (/etc/pki/CA/cacert.pem on the conversion host); a vmware_ca_file or vmware_thumbprint given to the other modules is not used by virt-v2v: put the CA there.',
    'Upstream wrote the password to /tmp/passwd and left it there, and always disabled the vCenter certificate check.',
  ],
  examples: `
- name: Import the VM with virt-v2v
  os_migrate.vmware_migration_kit.import_vmware_volume:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vcenter_datacenter: "{{ vcenter_datacenter }}"
    vcenter_cluster: "{{ vcenter_cluster }}"
    esxi_hostname: "{{ esxi_hostname }}"
    vddk_libdir: /usr/lib/vmware-vix-disklib
    vddk_thumbprint: "{{ vddk_thumbprint }}"
    conversion_host_id: "{{ conversion_host_id }}"
    vm_name: "{{ vm_name }}"
    cloud: "{{ dst_cloud }}"
  register: v2v
`,
  returns: {
    cmd: {
      description: 'The virt-v2v command, as a list: the one run, or the one that would run (check mode, or nothing to do). The password appears only as the path of its file.',
      returned: 'always',
      type: 'list',
      elements: 'str',
    },
    rc: { description: 'Exit code of virt-v2v (0 when it did not run).', returned: 'always', type: 'int' },
    stdout: { description: 'Output of virt-v2v (its last MiB).', returned: 'always', type: 'str' },
    stderr: { description: 'Error output of virt-v2v (its last MiB).', returned: 'always', type: 'str' },
    volumes: {
      description: 'The volumes of the import, in disk order: id, name (<vm_name>-sda first, the boot disk).',
      returned: 'success',
      type: 'list',
      elements: 'dict',
    },
  },
  async run(params, ctx) {
    const spec: VddkImportSpec = {
      vcenterHostname: params.vcenter_hostname,
      vcenterUsername: params.vcenter_username,
      datacenter: params.vcenter_datacenter,
      cluster: params.vcenter_cluster,
      esxiHostname: params.esxi_hostname,
      vddkLibdir: params.vddk_libdir,
      vddkThumbprint: params.vddk_thumbprint,
      conversionHostId: params.conversion_host_id,
      vmName: params.vm_name,
      insecure: params.vmware_insecure,
    };
    let planned: string[];
    let cloud: CloudConfig;
    try {
      planned = [params.virt_v2v_path, ...virtV2vVddkArgs(spec, '<password file>')];
      cloud = resolveCloud(params.cloud);
    } catch (e) {
      throw new ModuleFailure((e as Error).message);
    }
    const idle = { rc: 0, stdout: '', stderr: '', cmd: planned };
    // The lock comes before the look for an earlier import: a concurrent import would not have finished it yet.
    let unlock = (): void => undefined;
    if (!ctx.checkMode) {
      try {
        unlock = await lockVm(params.vm_name, 'import_vmware_volume', { log: (line) => ctx.warn(line) });
      } catch (e) {
        throw new ModuleFailure((e as Error).message, { ...idle });
      }
    }
    try {
      const existing = await withResolvedCloudSession(cloud, ctx.signal, (s) => importedVolumes(s, params.vm_name));
      if (existing.length > 0) {
        return { changed: false, msg: `${params.vm_name} was already imported by virt-v2v: ${existing.map((v) => v.name).join(', ')}`, ...idle, volumes: existing };
      }
      if (ctx.checkMode) return { changed: true, msg: `virt-v2v would import ${params.vm_name}`, ...idle, volumes: [] };

      let run;
      try {
        run = await runVirtV2v({ spec, password: params.vcenter_password, cloudsYaml: cloudsYaml(cloud, V2V_CLOUD_NAME), command: params.virt_v2v_path, signal: ctx.signal });
      } catch (e) {
        throw new ModuleFailure(`Command failed: ${(e as Error).message}`, { ...idle });
      }
      if (run.rc !== 0) {
        const tail = run.stderr.trim().split('\n').slice(-5).join(' | ');
        throw new ModuleFailure(`Command failed: virt-v2v exited with code ${run.rc}${tail ? `: ${tail}` : ''}`, { ...run });
      }
      const volumes = await withResolvedCloudSession(cloud, ctx.signal, (s) => importedVolumes(s, params.vm_name));
      if (volumes.length === 0) ctx.warn(`virt-v2v succeeded but no volume ${params.vm_name}-sda with virt_v2v_guest_name=${params.vm_name} was found`);
      return { changed: true, msg: `virt-v2v imported ${params.vm_name}`, ...run, volumes };
    } finally {
      unlock();
    }
  },
});
