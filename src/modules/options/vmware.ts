import { z } from 'zod';
import { secretString } from '../../ansible/schema.js';
import type { VmwareEndpoint } from '../../workflow/migrate-request.js';

/** Connection options of every module that talks to vCenter/ESXi (upstream's variable names). */
export const vmwareConnectionOptions = {
  vcenter_hostname: z.string().min(1).meta({ description: 'vCenter or ESXi address, `host` or `host:port` (port 443 by default).' }),
  vcenter_username: z.string().min(1).meta({ description: 'vCenter user name, e.g. administrator@vsphere.local.' }),
  vcenter_password: secretString('Password of vcenter_username.'),
  vmware_insecure: z
    .boolean()
    .default(false)
    .meta({ description: 'Skip TLS certificate verification of vCenter. Prefer vcenter_thumbprint or vcenter_ca_file.' }),
  vcenter_thumbprint: z
    .string()
    .optional()
    .meta({
      description:
        'SHA-1 thumbprint of the vCenter certificate (`AB:CD:…`). When set, only a certificate with this thumbprint is accepted (instead of CA verification), and a mismatch stops before any credential is sent.',
    }),
  vcenter_ca_file: z.string().optional().meta({ description: 'PEM file of a CA (or of the self-signed vCenter certificate) to trust.' }),
};

export const vmwareConnectionAliases = {
  vcenter_hostname: ['hostname'],
  vcenter_username: ['username'],
  vcenter_password: ['password'],
  vcenter_thumbprint: ['thumbprint', 'vmware_thumbprint'],
  vcenter_ca_file: ['vmware_ca_file'],
};

export interface VmwareConnectionParams {
  vcenter_hostname: string;
  vcenter_username: string;
  vcenter_password: string;
  vmware_insecure: boolean;
  vcenter_thumbprint?: string | undefined;
  vcenter_ca_file?: string | undefined;
}

/** The vCenter endpoint of the connection options. */
export function vmwareEndpoint(p: VmwareConnectionParams): VmwareEndpoint {
  return {
    server: p.vcenter_hostname,
    user: p.vcenter_username,
    password: p.vcenter_password,
    insecure: p.vmware_insecure,
    thumbprint: p.vcenter_thumbprint,
    caFile: p.vcenter_ca_file,
  };
}
