/**
 * What the migration created in the lab's OpenStack project: the tool's servers (marker `osm: "true"`), their
 * status, volumes and ports with MACs. Used by `make demo`; reads the lab's clouds.yaml (cloud `osm-lab`).
 */
import { join } from 'node:path';
import type { ServiceType } from '../src/openstack/auth.js';
import { withCloudSession } from '../src/openstack/connect.js';
import { listPorts } from '../src/openstack/network.js';
import { getVolume } from '../src/openstack/volume.js';

interface ServerRow {
  id: string;
  name: string;
  status: string;
  metadata?: Record<string, string>;
  'os-extended-volumes:volumes_attached'?: { id: string }[];
}

const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
process.env.OS_CLIENT_CONFIG_FILE = join(labDir, 'env', 'clouds.yaml');

await withCloudSession('osm-lab', undefined, async (s) => {
  const compute: ServiceType = 'compute';
  const servers = (await s.list<ServerRow>(compute, 'list servers', '/servers/detail', 'servers')).filter((x) => x.metadata?.osm === 'true');
  if (servers.length === 0) console.log('no migrated servers in the project');
  for (const server of servers) {
    console.log(`server ${server.name} (${server.id}): ${server.status}`);
    for (const { id } of server['os-extended-volumes:volumes_attached'] ?? []) {
      const v = await getVolume(s, id);
      console.log(`  volume ${v?.name ?? id} (${id}): ${v?.size ?? '?'} GiB, bootable ${v?.bootable ?? '?'}, converted ${v?.metadata.converted ?? '-'} (${v?.metadata.osm_conversion ?? 'conversion unknown'})`);
    }
    for (const p of await listPorts(s, { device_id: server.id })) {
      console.log(`  port ${p.name} (${p.id}): MAC ${p.mac_address}, ${p.fixed_ips.map((f) => f.ip_address).join(', ')}`);
    }
  }
});
