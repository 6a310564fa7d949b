import type { Session } from '../../openstack/auth.js';
import { looksLikeId } from '../../openstack/network.js';
import { type Server, findServersByName, getServer } from '../../openstack/servers.js';
import type { AssessmentCheck } from './assessment-file.js';
import { blocker, notRun, ok, reason } from './check.js';

/** Each conversion host: a server of the project, ACTIVE, with room for the largest VM's volumes. */
export async function conversionHostChecks(s: Session, hosts: string[], maxDisks: number, largestVmDisks: number): Promise<AssessmentCheck[]> {
  if (hosts.length === 0) {
    return [notRun('openstack.conversion_host', 'no conversion host named (conversion_hosts): its checks did not run', 'give conversion_hosts (the servers\' names or IDs)')];
  }
  const out: AssessmentCheck[] = [];
  for (const h of hosts) {
    let server: Server | undefined;
    try {
      const found = looksLikeId(h) ? [await getServer(s, h)].filter((x): x is Server => !!x) : await findServersByName(s, h);
      if (found.length > 1) {
        out.push(blocker('openstack.conversion_host', `${found.length} servers are named ${h}: ${found.map((x) => x.id).join(', ')}`, 'name the conversion host by its server ID'));
        continue;
      }
      server = found[0];
    } catch (e) {
      out.push(notRun('openstack.conversion_host', `conversion host ${h} could not be looked up: ${reason(e)}`, null));
      continue;
    }
    if (!server) {
      out.push(blocker('openstack.conversion_host', `conversion host ${h} is not a server of project ${s.projectId}`, 'create the conversion host (conversion_host role) or fix conversion_hosts'));
      continue;
    }
    out.push(
      server.status === 'ACTIVE'
        ? ok('openstack.conversion_host', `conversion host ${h} (${server.id}) is ACTIVE`)
        : blocker('openstack.conversion_host', `conversion host ${h} (${server.id}) is ${server.status}`, 'start the conversion host server'),
    );
    const attached = server['os-extended-volumes:volumes_attached']?.length ?? 0;
    const room = maxDisks - attached;
    out.push(
      room >= largestVmDisks
        ? ok('openstack.conversion_host_headroom', `conversion host ${h} has ${attached} volume(s) attached: room for ${room} more (the largest VM has ${largestVmDisks} disk(s))`)
        : blocker('openstack.conversion_host_headroom', `conversion host ${h} has ${attached} volume(s) attached: room for ${room} of the ${largestVmDisks} disks of the largest VM`, `detach volumes left on ${h} (rollback of earlier runs) or use another conversion host`),
    );
  }
  return out;
}
