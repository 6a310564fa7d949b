import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GuestNic, networkScript } from '../conversion/network-script.js';
import { convertInPlace } from '../conversion/virt-v2v.js';
import { writeDomainXml } from '../conversion/virt-v2v-domain-xml.js';
import type { Logger } from '../util/log.js';
import { safeVmName } from '../util/names.js';
import { createPrivateDir } from '../util/private-dir.js';
import type { VmDetail } from '../vmware/vm.js';
import type { MigrateRequest } from './migrate-request.js';

/** The text upstream detects the guest OS family in: guestFullName and guestId, lower-cased. */
function guestText(vm: Pick<VmDetail, 'guestFullName' | 'guestId'>): string {
  return `${vm.guestFullName} ${vm.guestId}`.toLowerCase();
}

/** virt-v2v-in-place extra options as an argument list: upstream's string form is split on whitespace (no shell). */
export function extraOptionList(opts: string | string[] | undefined): string[] {
  return typeof opts === 'string' ? opts.split(/\s+/).filter(Boolean) : (opts ?? []);
}

export function isWindowsGuest(vm: Pick<VmDetail, 'guestFullName' | 'guestId'>): boolean {
  return /windows|microsoft/.test(guestText(vm));
}

export function isLinuxGuest(vm: Pick<VmDetail, 'guestFullName' | 'guestId'>): boolean {
  return guestText(vm).includes('linux');
}

/** The VM's NICs for the network script: MAC, the in-guest name from the PCI slot (ens192), guest addresses. */
export function guestNics(vm: Pick<VmDetail, 'nics'>): GuestNic[] {
  return vm.nics.map((n) => ({
    mac: n.mac,
    ...(n.pciSlot !== undefined ? { name: `ens${n.pciSlot}` } : {}),
    ipaddresses: n.ipAddresses,
  }));
}

export interface ConvertArgs {
  vm: VmDetail;
  /** Attached device of each volume (or staged file of each disk), in disk order. */
  devices: string[];
  request: Pick<MigrateRequest, 'conversion' | 'multiDiskFs' | 'runId'>;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Convert the guest in place (src/conversion): one virt-v2v-in-place run over the boot disk (disks tried in order,
 * as upstream does for guests whose OS is not on the first disk), or one run over a domain XML of all disks
 * (multidiskfs). Linux guests get the network script (`--run`) pinning each NIC's name to its MAC unless `runscript`
 * is given.
 */
export async function convertGuest(a: ConvertArgs): Promise<void> {
  const { vm, log, request } = a;
  const dir = createPrivateDir('osm-v2v-');
  try {
    const guestFamily = isLinuxGuest(vm) ? 'linux' : isWindowsGuest(vm) ? 'windows' : 'other';
    let networkScriptPath = request.conversion.runScript;
    if (!networkScriptPath && guestFamily === 'linux' && vm.nics.length > 0) {
      networkScriptPath = join(dir, 'network_config.sh');
      writeFileSync(networkScriptPath, networkScript(guestNics(vm)), { mode: 0o700 });
    }
    const base = {
      guestFamily,
      ...(networkScriptPath ? { networkScript: networkScriptPath } : {}),
      ...(request.conversion.bootScript ? { firstbootScript: request.conversion.bootScript } : {}),
      extraOptions: request.conversion.extraOpts,
      debug: request.conversion.debug,
      onLine: (line: string) => log.info(line),
      signal: a.signal,
    } as const;
    if (request.multiDiskFs) {
      const disks = vm.disks.map((d, i) => ({ path: a.devices[i]!, bus: d.bus }));
      const xml = await writeDomainXml({ name: `${safeVmName(vm.name)}-${request.runId}`, disks, firmware: vm.firmware === 'efi' ? 'efi' : 'bios' }, dir);
      const r = await convertInPlace({ ...base, input: { kind: 'libvirtxml', path: xml, disks: a.devices } });
      log.info(`converted ${vm.name} over ${a.devices.length} disks in ${r.durationSeconds.toFixed(1)} s`);
      return;
    }
    const failures: string[] = [];
    for (const [i, dev] of a.devices.entries()) {
      try {
        const r = await convertInPlace({ ...base, input: { kind: 'disk', path: dev } });
        log.info(`converted ${vm.name} on disk ${vm.disks[i]!.key} in ${r.durationSeconds.toFixed(1)} s: ${r.commands.map((c) => c.join(' ')).join('; ')}`);
        return;
      } catch (e) {
        a.signal.throwIfAborted();
        failures.push(`disk ${vm.disks[i]!.key} (${dev}): ${(e as Error).message}`);
        if (i + 1 < a.devices.length) log.warn(`conversion of disk ${vm.disks[i]!.key} failed; trying the next disk as the boot disk`);
      }
    }
    throw new Error(`virt-v2v-in-place failed on every disk: ${failures.join('; ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
