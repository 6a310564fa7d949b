import { VSphereError } from './faults.js';
import { moRefOf } from './moref.js';
import { retrieveOne } from './property-collector.js';
import type { VSphereSession } from './session.js';
import { type GenericServiceTicket, XSI_TYPE } from './vim25.js';
import { type XmlNode, children, textAt } from './xml.js';

/**
 * Reading a datastore file straight from the ESXi host that holds it, with vCenter's word for it: vCenter hands out
 * a ticket for one HTTP request to the host (`SessionManager.AcquireGenericServiceTicket`), the host serves that
 * request for the ticket, sent as the cookie `vmware_cgi_ticket`. No ESXi credentials are involved. A ticket is good
 * for the one method and URL it was asked for, and once.
 */

export const TICKET_COOKIE = 'vmware_cgi_ticket';

export type TicketMethod = 'GET' | 'HEAD';

/** A ticket for `method` on `url` (the host's own `/folder/...` URL). */
export function acquireHttpTicket(session: VSphereSession, method: TicketMethod, url: string): Promise<GenericServiceTicket> {
  return session.invoke('AcquireGenericServiceTicket', {
    _this: session.serviceContent.sessionManager,
    spec: { [XSI_TYPE]: 'SessionManagerHttpServiceRequestSpec', method: method === 'GET' ? 'httpGet' : 'httpHead', url },
  });
}

/**
 * Cookies for requests to a host, a fresh ticket each, asked for ahead of use: up to `ahead` tickets per method and
 * URL are kept on the way, so a read does not wait for vCenter's answer; one older than `maxAgeMs` is not used.
 */
export class TicketSupply {
  private readonly queues = new Map<string, { at: number; ticket: Promise<GenericServiceTicket> }[]>();

  constructor(
    private readonly session: VSphereSession,
    private readonly ahead: number,
    private readonly maxAgeMs = 20_000,
  ) {}

  async cookie(method: TicketMethod, url: string): Promise<string> {
    const key = `${method} ${url}`;
    const queue = this.queues.get(key) ?? [];
    this.queues.set(key, queue);
    while (queue.length > 0 && Date.now() - queue[0]!.at > this.maxAgeMs) queue.shift();
    const next = queue.shift()?.ticket ?? acquireHttpTicket(this.session, method, url);
    while (queue.length < this.ahead) {
      const ticket = acquireHttpTicket(this.session, method, url);
      ticket.catch(() => undefined); // a failure surfaces when the ticket is taken
      queue.push({ at: Date.now(), ticket });
    }
    return `${TICKET_COOKIE}=${(await next).id}`;
  }
}

/** The ESXi host a VM runs on, and the address it is reached at. */
export interface VmHost {
  moid: string;
  /** The host's inventory name (the address vCenter added it by). */
  name: string;
  /** The IP of its selected management vmknic, else its inventory name. */
  address: string;
}

/** The host of the VM (`runtime.host`), with its management address as govc finds it. */
export async function vmHost(session: VSphereSession, vmMoid: string): Promise<VmHost> {
  const vm = await retrieveOne(session, { type: 'VirtualMachine', value: vmMoid }, ['runtime.host']);
  const hostNode = vm.get('runtime.host');
  if (!hostNode?.text) throw new VSphereError(`VM ${vmMoid} has no runtime.host: vCenter does not know which ESXi host runs it`, undefined);
  const host = moRefOf(hostNode);
  const props = await retrieveOne(session, host, ['name', 'config.virtualNicManagerInfo.netConfig']);
  const name = props.get('name')?.text ?? '';
  const address = managementAddress(props.get('config.virtualNicManagerInfo.netConfig')) ?? name;
  if (!address) throw new VSphereError(`ESXi host ${host.value} has neither a management address nor a name`, undefined);
  return { moid: host.value, name: name || host.value, address };
}

/** The IP of the first selected vmknic of the `management` kind in a VirtualNicManagerNetConfig array. */
function managementAddress(netConfig: XmlNode | undefined): string | undefined {
  for (const nc of children(netConfig, 'VirtualNicManagerNetConfig')) {
    if (textAt(nc, 'nicType') !== 'management') continue;
    const selected = new Set(children(nc, 'selectedVnic').map((s) => s.text));
    for (const vnic of children(nc, 'candidateVnic')) {
      const ip = textAt(vnic, 'spec.ip.ipAddress');
      if (ip && selected.has(textAt(vnic, 'key') ?? '')) return ip;
    }
  }
  return undefined;
}
