import { type SessionOptions, VSphereSession } from '../vmware/session.js';
import type { VmDetail } from '../vmware/vm.js';
import { UnknownVmError, discover } from './discovery.js';
import type { VmwareEndpoint } from './migrate-request.js';

/** The session options of a vCenter endpoint: the one mapping from the connection options every module takes. */
export function sessionOptions(v: VmwareEndpoint, signal?: AbortSignal): SessionOptions {
  return {
    host: v.server,
    username: v.user,
    password: v.password,
    insecure: v.insecure,
    ...(v.caFile ? { caFile: v.caFile } : {}),
    ...(v.thumbprint ? { thumbprint: v.thumbprint } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** A session on the vCenter, without AbortSignal: a migration's cleanup must still run after an abort. */
export function openVSphere(v: VmwareEndpoint): Promise<VSphereSession> {
  return VSphereSession.open(sessionOptions(v));
}

/** The VM at `<folder>/<name>`, else by its name; an unknown name fails with the closest names (UnknownVmError). */
export async function findVm(vs: VSphereSession, folder: string | undefined, name: string): Promise<VmDetail> {
  if (folder) {
    try {
      return (await discover(vs, [`/${folder}/${name}`.replace(/\/+/g, '/')])).vms[0]!;
    } catch (e) {
      if (!(e instanceof UnknownVmError)) throw e;
    }
  }
  return (await discover(vs, [name])).vms[0]!;
}
