import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type GuestNic, networkScript } from '../conversion/network-script.js';
import type { Volume } from '../openstack/volume.js';
import type { Logger } from '../util/log.js';
import { safeVmName } from '../util/names.js';
import type { VmDetail, VmDisk } from '../vmware/vm.js';
import type { MigrateRequest } from './migrate.js';

/** Upstream's OS detection (§3.6): lower-cased guestFullName / guestId. */
function guestText(vm: Pick<VmDetail, 'guestFullName' | 'guestId'>): string {
  return `${vm.guestFullName} ${vm.guestId}`.toLowerCase();
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

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** libvirt target of the i-th disk: sd* on SCSI/SATA, hd* on IDE, vd* for NVMe (upstream gave every NVMe disk vda). */
function target(disk: Pick<VmDisk, 'bus'>, i: number): { dev: string; bus: string } {
  const letter = String.fromCharCode(97 + i);
  if (disk.bus === 'ide') return { dev: `hd${letter}`, bus: 'ide' };
  if (disk.bus === 'nvme') return { dev: `vd${letter}`, bus: 'virtio' };
  return { dev: `sd${letter}`, bus: disk.bus };
}

/** The libvirt domain XML virt-v2v-in-place reads for a guest whose filesystems span several disks. */
export function domainXml(name: string, disks: Pick<VmDisk, 'bus'>[], devices: string[]): string {
  const lines = disks.map((d, i) => {
    const dev = devices[i]!;
    const block = statSync(dev).isBlockDevice();
    const t = target(d, i);
    return (
      `    <disk type="${block ? 'block' : 'file'}" device="disk">\n` +
      `      <driver name="qemu" type="raw"/>\n` +
      `      <source ${block ? 'dev' : 'file'}="${xmlEscape(dev)}"/>\n` +
      `      <target dev="${t.dev}" bus="${t.bus}"/>\n` +
      '    </disk>'
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<domain type="kvm">\n  <name>${xmlEscape(name)}</name>\n  <memory>2097152</memory>\n  <devices>\n${lines.join('\n')}\n  </devices>\n</domain>\n`;
}

/** virt-v2v-in-place's argv (no shell): options, then `-i disk <dev>` or `-i libvirtxml <file>`. */
export function virtV2vArgs(o: { runScript?: string | undefined; bootScript?: string | undefined; extraOpts: string[]; input: { disk: string } | { libvirtxml: string } }): string[] {
  return [
    ...(o.runScript ? ['--run', o.runScript] : []),
    ...(o.bootScript ? ['--firstboot', o.bootScript] : []),
    ...o.extraOpts,
    ...('disk' in o.input ? ['-i', 'disk', o.input.disk] : ['-i', 'libvirtxml', o.input.libvirtxml]),
  ];
}

export interface ConvertArgs {
  vm: VmDetail;
  volumes: Volume[];
  /** Attached device of each volume, in disk order. */
  devices: string[];
  request: Pick<MigrateRequest, 'conversion' | 'multiDiskFs' | 'runId'>;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Convert the guest in place: one virt-v2v-in-place run over the boot disk (disks tried in order, as upstream
 * does for guests whose OS is not on the first disk), or one run over a domain XML of all disks (multidiskfs).
 * Linux guests get the network script (`--run`) pinning each NIC's name to its MAC unless `runscript` is given.
 */
export async function convertGuest(a: ConvertArgs): Promise<void> {
  const { vm, log, request } = a;
  const dir = mkdtempSync('/tmp/osm-v2v-');
  try {
    let runScript: string | undefined;
    if (isLinuxGuest(vm)) {
      runScript = request.conversion.runScript;
      if (!runScript && vm.nics.length > 0) {
        runScript = join(dir, 'network_config.sh');
        writeFileSync(runScript, networkScript(guestNics(vm)), { mode: 0o700 });
      }
    }
    for (const f of [runScript, request.conversion.bootScript]) {
      if (f) statSync(f);
    }
    const base = { runScript, bootScript: request.conversion.bootScript, extraOpts: request.conversion.extraOpts };
    if (request.multiDiskFs) {
      const xml = join(dir, `${safeVmName(vm.name)}-${request.runId}-domain.xml`);
      writeFileSync(xml, domainXml(`${safeVmName(vm.name)}-${request.runId}`, vm.disks, a.devices));
      await runVirtV2v(virtV2vArgs({ ...base, input: { libvirtxml: xml } }), a);
      return;
    }
    const failures: string[] = [];
    for (const [i, dev] of a.devices.entries()) {
      try {
        await runVirtV2v(virtV2vArgs({ ...base, input: { disk: dev } }), a);
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

function runVirtV2v(args: string[], a: ConvertArgs): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, LIBGUESTFS_BACKEND: process.env.LIBGUESTFS_BACKEND ?? 'direct' };
  if (a.request.conversion.debug) Object.assign(env, { LIBGUESTFS_DEBUG: '1', LIBGUESTFS_TRACE: '1' });
  a.log.info(`running virt-v2v-in-place ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn('virt-v2v-in-place', args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal: a.signal });
    const tail: string[] = [];
    for (const [stream, tag] of [
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        a.log.info(`[virt-v2v ${tag}] ${line}`);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      });
    }
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'ENOENT' ? 'virt-v2v-in-place not found on the conversion host (install virt-v2v)' : e.message)),
    );
    child.once('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(`virt-v2v-in-place exited with ${sig ?? `code ${code}`}: ${tail.join(' | ')}`));
    });
  });
}
