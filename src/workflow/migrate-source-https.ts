import { readFile } from 'node:fs/promises';
import { HttpStatusError, openHttpsSource } from '../transfer/sources/https.js';
import type { DiskSource } from '../transfer/types.js';
import { ThumbprintMismatch, type TlsPolicy, normalizeThumbprint } from '../util/tls-pinning.js';
import { type DatastoreFile, datastoreUrl, parseDatastorePath } from '../vmware/datastore.js';
import { VSphereError } from '../vmware/faults.js';
import { TICKET_COOKIE, TicketSupply, acquireHttpTicket, vmHost } from '../vmware/service-ticket.js';
import type { HttpsPathUsed, SourceSettings, VmwareEndpoint } from './migrate-request.js';
import type { VSphereSession } from '../vmware/session.js';

/** How long connecting to an ESXi host may take before the vCenter path is used instead. */
const HOST_CONNECT_TIMEOUT_MS = 10_000;

/** Tickets asked for ahead of the data reads: as many as the https source has in flight (2 x its 4 connections). */
const TICKETS_AHEAD = 8;

/** The datacenter path an ESXi host knows its datastores under. */
const HOST_DATACENTER = 'ha-datacenter';

export interface HttpsPathFacts {
  settings: SourceSettings['https'];
  /** ServiceContent about.apiType of the session's server: `VirtualCenter`, or `HostAgent` for an ESXi host. */
  apiType: string;
  /** Why reading from the ESXi host did not work, when it was tried. */
  hostFailure?: unknown;
}

/**
 * The one choice of path for the https source: straight from the ESXi host that runs the VM (with a vCenter ticket),
 * or through vCenter, and why. Asked before the host is tried and again when trying it failed: the host's failure
 * falls back to vCenter when it is about reaching the host (refused, timed out, unresolvable, reset), trusting it
 * (certificate not verified, pin mismatch), its answer (401/403 for the ticket, any other HTTP error) or getting a
 * ticket from vCenter. Anything else (a disk the https source cannot read, a cancelled run) would fail the vCenter
 * path as well and is thrown.
 */
export function httpsPath(f: HttpsPathFacts): { path: 'esxi host' } | { path: 'vcenter'; reason: string } {
  if (!f.settings.viaHost) return { path: 'vcenter', reason: 'https_via_esxi is false' };
  if (f.apiType === 'HostAgent') return { path: 'vcenter', reason: 'vcenter_hostname is an ESXi host, which serves its own datastores' };
  if (f.hostFailure === undefined) return { path: 'esxi host' };
  const reason = hostProblem(f.hostFailure);
  if (reason === undefined) throw f.hostFailure;
  return { path: 'vcenter', reason };
}

function hostProblem(e: unknown): string | undefined {
  if (!(e instanceof Error) || e.name === 'AbortError') return undefined;
  if (e instanceof VSphereError) return `no ticket or host from vCenter: ${e.message}`;
  if (e instanceof HttpStatusError || e instanceof ThumbprintMismatch) return e.message;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code !== 'ABORT_ERR' && code !== 'UND_ERR_ABORTED') return `${e.message} (${code})`;
  return undefined;
}

/**
 * How the ESXi host's certificate is checked, as the vCenter's is: not at all when the user opted out; pinned to the
 * thumbprint vCenter reports for the host when the user pinned vCenter's (without one, verified like below); else
 * verified against vmware_ca_file and the system CAs.
 */
export function hostTls(endpoint: VmwareEndpoint, ca: Buffer | undefined, hostThumbprint: string | undefined): TlsPolicy {
  if (endpoint.insecure) return { insecure: true };
  if (endpoint.thumbprint && hostThumbprint) return { thumbprint: normalizeThumbprint(hostThumbprint) };
  return ca ? { ca } : {};
}

/** What opening an https disk needs (a part of migrate-source.ts's OpenDiskArgs). */
export interface HttpsDiskArgs {
  settings: SourceSettings;
  endpoint: VmwareEndpoint;
  session: VSphereSession;
  datacenter: string;
  vmMoid: string;
  /** Backing file of the disk, `[datastore] folder/disk.vmdk`. */
  fileName: string;
  onOutput: (line: string) => void;
  signal: AbortSignal;
}

/** Open one disk over https by the path `httpsPath` chooses; says which in the log (`onOutput`) and in `path`. */
export async function openHttpsDisk(a: HttpsDiskArgs): Promise<{ source: DiskSource; path: HttpsPathUsed }> {
  const { endpoint, session } = a;
  const file = parseDatastorePath(a.fileName, a.datacenter);
  const ca = endpoint.caFile ? await readFile(endpoint.caFile) : undefined;
  const facts = { settings: a.settings.https, apiType: session.serviceContent.about.apiType };
  const first = httpsPath(facts);
  let reason = first.path === 'vcenter' ? first.reason : '';
  if (first.path === 'esxi host') {
    try {
      return await openFromHost(a, file, ca);
    } catch (e) {
      a.signal.throwIfAborted();
      const next = httpsPath({ ...facts, hostFailure: e });
      reason = next.path === 'vcenter' ? next.reason : '';
      a.onOutput(`${a.fileName}: not read from the ESXi host (${reason}); reading through vCenter ${session.server} instead`);
    }
  }
  const cookie = session.cookieHeader();
  const source = await openHttpsSource({
    url: datastoreUrl(session.server, file),
    ...(cookie ? { cookie } : {}),
    tls: { insecure: endpoint.insecure, ...(ca ? { ca } : {}), ...(endpoint.thumbprint ? { thumbprint: normalizeThumbprint(endpoint.thumbprint) } : {}) },
  });
  a.onOutput(`${a.fileName}: reading through vCenter ${session.server} (${reason})`);
  return { source, path: { path: 'vcenter', server: session.server, reason } };
}

/** The disk from the ESXi host running the VM, each request with its own ticket from vCenter. */
async function openFromHost(a: HttpsDiskArgs, file: DatastoreFile, ca: Buffer | undefined): Promise<{ source: DiskSource; path: HttpsPathUsed }> {
  const { session } = a;
  const host = await vmHost(session, a.vmMoid);
  const server = `${host.address.includes(':') ? `[${host.address}]` : host.address}:${a.settings.https.hostPort}`;
  const url = datastoreUrl(server, { ...file, datacenter: HOST_DATACENTER });
  // The first ticket (for the descriptor) tells the host's thumbprint, which the TLS policy may pin. The data reads
  // get theirs ahead of use, as many as the source reads at once.
  const first = await acquireHttpTicket(session, 'GET', url);
  let firstUnused = true;
  const supply = new TicketSupply(session, TICKETS_AHEAD);
  const cookie = async (method: 'GET' | 'HEAD', u: URL): Promise<string> => {
    if (firstUnused && method === 'GET' && u.href === new URL(url).href) {
      firstUnused = false;
      return `${TICKET_COOKIE}=${first.id}`;
    }
    return method === 'GET' ? supply.cookie(method, u.href) : `${TICKET_COOKIE}=${(await acquireHttpTicket(session, method, u.href)).id}`;
  };
  const source = await openHttpsSource({ url, cookie, tls: hostTls(a.endpoint, ca, first.sslThumbprint), connectTimeoutMs: HOST_CONNECT_TIMEOUT_MS });
  a.onOutput(`${a.fileName}: reading straight from ESXi host ${host.name} at ${server}, with a ticket from vCenter per request`);
  return { source, path: { path: 'esxi host', server } };
}
