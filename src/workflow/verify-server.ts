import { type Check, type VerifyFacts, cannotRun, check } from './verify-request.js';

/** The tool's server exists and is ACTIVE, and its flavor has at least the source VM's vCPUs and RAM. */
export function serverChecks(f: VerifyFacts): Check[] {
  const { server, vm } = f;
  const out: Check[] = [];
  out.push(
    server
      ? check('server.active', 'ACTIVE', server.status, server.status === 'ACTIVE', `server ${server.name} (${server.id}) is ${server.status}`)
      : check('server.active', 'ACTIVE', 'absent', false, `no server of the tool named after ${vm.name}`),
  );
  const flavor = server?.flavor;
  const noFlavor = server ? `Nova did not say which flavor server ${server.id} has` : 'there is no server';
  out.push(
    flavor?.vcpus === undefined
      ? cannotRun('flavor.vcpus', `>= ${vm.numCpu}`, noFlavor)
      : check('flavor.vcpus', `>= ${vm.numCpu}`, flavor.vcpus, flavor.vcpus >= vm.numCpu, `flavor ${flavor.original_name ?? ''} has ${flavor.vcpus} vCPUs, the source ${vm.numCpu}`),
  );
  out.push(
    flavor?.ram === undefined
      ? cannotRun('flavor.ram_mb', `>= ${vm.memoryMb}`, noFlavor)
      : check('flavor.ram_mb', `>= ${vm.memoryMb}`, flavor.ram, flavor.ram >= vm.memoryMb, `flavor ${flavor.original_name ?? ''} has ${flavor.ram} MiB, the source ${vm.memoryMb} MiB`),
  );
  return out;
}
