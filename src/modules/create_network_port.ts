import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withCloudSession } from '../openstack/connect.js';
import { type Nic, ensurePorts, readNicsFile } from '../workflow/ports.js';
import { cloudOption, openstackFragmentOptions } from './options/openstack.js';

export default defineModule({
  name: 'create_network_port',
  shortDescription: 'Create one Neutron port per VMware NIC, keeping its MAC address (idempotent)',
  description: [
    'Reads the NIC file written by export_metadata (nics.json when networks are mapped, macs.json otherwise) and makes sure each NIC has a port with its VMware MAC address, named <SafeVmName>-NIC-<i>-VLAN-<network>.',
    'A port the tool created for that MAC on that network is reused (changed false); a MAC held by any other port fails and names that port, its project and device. Created ports carry the tool marker in their description (osm=true ...).',
    'With use_fixed_ips the NIC IPv4 addresses are requested as fixed IPs on the NIC subnet, subnet_uuid, or the network subnet that contains each address.',
  ],
  options: z.strictObject({
    ...openstackFragmentOptions,
    cloud: cloudOption(),
    os_migrate_nics_file_path: z.string().min(1).meta({ description: 'nics.json or macs.json: a list of {vlan, mac, ipaddresses, subnet}.' }),
    vm_name: z.string().min(1).meta({ description: 'VMware VM name (port names use SafeVmName of it).' }),
    used_mapped_networks: z.boolean().default(false).meta({ description: "Use each NIC's own network (vlan); when false every NIC goes to network_name." }),
    network_name: z.string().optional().meta({ description: 'Network name or ID for every NIC when used_mapped_networks is false.' }),
    security_groups: z.array(z.string()).optional().meta({ description: "Security group names or IDs for the ports (default: Neutron's default group)." }),
    use_fixed_ips: z.boolean().default(false).meta({ description: 'Request the VMware IPv4 addresses as fixed IPs.' }),
    subnet_uuid: z.string().optional().meta({ description: 'Subnet for fixed IPs of NICs whose entry has no subnet.' }),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Create the VM ports on mapped networks
  os_migrate.vmware_migration_kit.create_network_port:
    cloud: "{{ dst_cloud }}"
    os_migrate_nics_file_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/nics.json"
    vm_name: "{{ vm_name }}"
    used_mapped_networks: true
    security_groups: [default]
  register: ports_uuid
`,
  returns: {
    ports: { description: 'One {"port-id": id} per NIC, in NIC order (port-id null in check mode for ports to create).', returned: 'success', type: 'list', elements: 'dict' },
    port_details: { description: 'Per NIC: nic, id, name, mac_address, network_id, fixed_ips, action (created, reused, updated).', returned: 'success', type: 'list', elements: 'dict' },
  },
  async run(params, ctx) {
    let nics: Nic[];
    try {
      nics = readNicsFile(params.os_migrate_nics_file_path);
    } catch (e) {
      throw new ModuleFailure((e as Error).message);
    }
    return withCloudSession(params.cloud, ctx.signal, async (s) => {
      let outcomes;
      try {
        outcomes = await ensurePorts(s, {
          vmName: params.vm_name,
          nics,
          usedMappedNetworks: params.used_mapped_networks,
          networkName: params.network_name,
          securityGroups: params.security_groups,
          useFixedIps: params.use_fixed_ips,
          subnetUuid: params.subnet_uuid,
          checkMode: ctx.checkMode,
        });
      } catch (e) {
        throw new ModuleFailure(`Failed to create port: ${(e as Error).message}`);
      }
      const changed = outcomes.some((o) => o.action !== 'reused');
      return {
        changed,
        msg: !changed ? 'Network ports already exist' : ctx.checkMode ? 'Network ports would be created or updated' : 'Network ports created successfully',
        ports: outcomes.map((o) => ({ 'port-id': o.id })),
        port_details: outcomes,
      };
    });
  },
});
