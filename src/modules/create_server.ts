import { z } from 'zod';
import { defineModule } from '../ansible/module.js';
import { ModuleFailure } from '../ansible/errors.js';
import { withCloudSession } from '../openstack/connect.js';
import { ensureServer } from '../workflow/server.js';
import { noEffect } from '../ansible/schema.js';
import { cloudOption, openstackFragmentOptions, waitTimeoutOption } from './options/openstack.js';

const nic = z
  .looseObject({
    'net-id': z.string().optional().meta({ description: 'Network ID.' }),
    'port-id': z.string().optional().meta({ description: 'Port ID (from create_network_port).' }),
    'fixed-ip': z.string().optional().meta({ description: 'Fixed IP on net-id.' }),
  })
  .meta({ description: 'A NIC.' });

export default defineModule({
  name: 'create_server',
  shortDescription: 'Create the Nova server of a migrated VM, booting from its volume (idempotent)',
  description: [
    'Boots a server named SafeVmName(name) from boot_volume, with the data volumes, ports or networks, security groups, key pair, availability zone and user data, and waits until it is ACTIVE.',
    'Everything is checked before the create call (flavor, volumes available and the boot volume bootable, ports free, networks, security groups, key pair), so mistakes fail with a clear message and create nothing.',
    'Idempotent: a server of that name carrying the tool marker (metadata osm=true) is reused (changed false); a server of that name without it is left alone and the module fails. A server in ERROR fails with Nova\'s fault message.',
  ],
  options: z.strictObject({
    cloud: cloudOption(),
    name: z.string().min(1).meta({ description: 'VM name; the server is named SafeVmName(name).' }),
    state: z.enum(['present']).default('present').meta({ description: 'Only present (use delete_server to remove).' }),
    flavor: z.string().min(1).meta({ description: 'Flavor ID or name.' }),
    boot_volume: z.string().min(1).meta({ description: 'Cinder volume ID to boot from (boot_index 0).' }),
    volumes: z.array(z.string()).default([]).meta({ description: 'Data volume IDs, attached in order (empty strings ignored).' }),
    nics: z.array(nic).default([]).meta({ description: 'NICs: {port-id} (from create_network_port) or {net-id[, fixed-ip]}.' }),
    security_groups: z.array(z.string()).default([]).meta({ description: 'Security group names or IDs (apply to NICs given by net-id; ports keep their own groups).' }),
    key_name: z.string().optional().meta({ description: 'Nova key pair to inject.' }),
    availability_zone: z.string().optional().meta({ description: 'Nova availability zone.' }),
    user_data: z.string().optional().meta({ description: 'User data (plain text; base64-encoded by the module).' }),
    boot_from_cinder: z.boolean().default(false).meta({ description: "Upstream option; the boot volume is always checked to be available and bootable." }),
    metadata: z.record(z.string(), z.string()).default({}).meta({ description: 'Extra server metadata (osm=true is always added).' }),
    wait: z.boolean().default(true).meta({ description: 'Wait until the server is ACTIVE.' }),
    timeout: waitTimeoutOption('the server to become ACTIVE', 1800),
    auth: openstackFragmentOptions.auth,
    region_name: openstackFragmentOptions.region_name,
    flavor_id: noEffect('give the flavor ID or name as flavor.', z.string()),
    networks: noEffect('give the NICs as nics ({port-id} or {net-id, fixed-ip}).', z.array(z.looseObject({}))),
    image_id: noEffect('the server boots from boot_volume (the migrated disk), never from an image.', z.string()),
    boot_from_volume: noEffect('the server always boots from boot_volume.', z.boolean()),
    source_vm_json_path: noEffect('the server is built from flavor, boot_volume, volumes and nics, not from a VM file.', z.string()),
    instance_scheduler: noEffect('the Nova scheduler places the server; availability_zone narrows it.', z.looseObject({})),
  }),
  caseInsensitiveKeys: true,
  checkMode: 'full',
  diffMode: 'none',
  examples: `
- name: Create the server
  os_migrate.vmware_migration_kit.create_server:
    cloud: "{{ dst_cloud }}"
    name: "{{ vm_name }}"
    nics: "{{ nics }}"
    boot_volume: "{{ boot_volume_uuid }}"
    volumes: "{{ volumes_list }}"
    security_groups: ["{{ security_groups }}"]
    flavor: "{{ flavor_info.flavor.id }}"
    key_name: "{{ ssh_key_name | default(omit) }}"
  register: instance_output
`,
  returns: {
    id: { description: 'Server ID (null in check mode when it would be created).', returned: 'success', type: 'str' },
    server: { description: 'id, name, status.', returned: 'success', type: 'dict' },
  },
  async run(params, ctx) {
    return withCloudSession(params.cloud, ctx.signal, async (s) => {
      try {
        const o = await ensureServer(s, {
          name: params.name,
          flavor: params.flavor,
          bootVolume: params.boot_volume,
          volumes: params.volumes.filter((v) => v !== ''),
          nics: params.nics,
          securityGroups: params.security_groups,
          keyName: params.key_name || undefined,
          availabilityZone: params.availability_zone || undefined,
          userData: params.user_data,
          metadata: params.metadata,
          wait: params.wait,
          timeoutMs: params.timeout * 1000,
          intervalMs: 2000,
          checkMode: ctx.checkMode,
        });
        return { changed: o.changed, msg: o.msg, id: o.id, server: { id: o.id, name: o.name, status: o.status } };
      } catch (e) {
        throw new ModuleFailure(`Failed create instance: ${(e as Error).message}`);
      }
    });
  },
});
