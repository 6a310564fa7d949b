import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The libvirt domain XML handed to `virt-v2v-in-place -i libvirtxml` when a guest's filesystems span several disks.
 * Differences from upstream: every disk gets its own target name (upstream names every NVMe disk `vda`),
 * the domain name keeps a separator (`<vm>-<runid>`), block devices are declared as such, the format is raw, and the
 * firmware is stated so UEFI guests are converted as UEFI.
 */

/** A disk's bus as libvirt's domain XML names it: the source VM's controller kind, or virtio. */
export type LibvirtDiskBus = 'scsi' | 'sata' | 'ide' | 'virtio' | 'nvme';

export interface DomainDisk {
  /** Attached volume: block device or raw file. */
  path: string;
  /** Bus of the disk on the source VM (from its controller). */
  bus: LibvirtDiskBus;
}

export interface DomainSpec {
  /** Domain name, e.g. `<SafeVmName>-<runid>`. */
  name: string;
  /** Disks in VMware disk order. */
  disks: DomainDisk[];
  firmware?: 'bios' | 'efi';
  memoryKiB?: number;
}

/** a..z, aa..az, ... (the kernel's sd/vd/hd suffixes). */
export function diskLetters(index: number): string {
  let s = '';
  let i = index + 1;
  while (i > 0) {
    const r = (i - 1) % 26;
    s = String.fromCharCode(97 + r) + s;
    i = Math.floor((i - 1) / 26);
  }
  return s;
}

/** Target device names in disk order, counted per naming family: sd (scsi, sata), hd (ide), vd (virtio), nvme0nN. */
export function targetDevs(buses: LibvirtDiskBus[]): string[] {
  const counters = { sd: 0, hd: 0, vd: 0, nvme: 0 };
  return buses.map((bus) => {
    switch (bus) {
      case 'ide':
        return `hd${diskLetters(counters.hd++)}`;
      case 'virtio':
        return `vd${diskLetters(counters.vd++)}`;
      case 'nvme':
        return `nvme0n${++counters.nvme}`;
      default:
        return `sd${diskLetters(counters.sd++)}`;
    }
  });
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The domain XML text; `kinds[i]` says whether disk i is a block device or a file. */
export function domainXml(spec: DomainSpec, kinds: ('block' | 'file')[]): string {
  if (spec.disks.length === 0) throw new Error(`domain ${spec.name}: no disks`);
  const devs = targetDevs(spec.disks.map((d) => d.bus));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<domain type="kvm">',
    `  <name>${esc(spec.name)}</name>`,
    `  <memory unit="KiB">${spec.memoryKiB ?? 2097152}</memory>`,
    `  <os${spec.firmware === 'efi' ? ' firmware="efi"' : ''}>`,
    '    <type arch="x86_64">hvm</type>',
    '  </os>',
    '  <devices>',
  ];
  spec.disks.forEach((d, i) => {
    const block = kinds[i] === 'block';
    lines.push(
      `    <disk type="${block ? 'block' : 'file'}" device="disk">`,
      '      <driver name="qemu" type="raw"/>',
      `      <source ${block ? 'dev' : 'file'}="${esc(d.path)}"/>`,
      `      <target dev="${devs[i]}" bus="${d.bus}"/>`,
      '    </disk>',
    );
  });
  lines.push('  </devices>', '</domain>', '');
  return lines.join('\n');
}

/** Write `<dir>/<name>-domain.xml` (mode 0600) and return its path. */
export async function writeDomainXml(spec: DomainSpec, dir: string): Promise<string> {
  const kinds = await Promise.all(
    spec.disks.map(async (d) => {
      const st = await stat(d.path).catch((e: NodeJS.ErrnoException) => {
        throw new Error(`domain ${spec.name}: disk ${d.path} is not accessible (${e.code ?? e.message})`);
      });
      return st.isBlockDevice() ? ('block' as const) : ('file' as const);
    }),
  );
  const path = join(dir, `${spec.name}-domain.xml`);
  await writeFile(path, domainXml(spec, kinds), { mode: 0o600 });
  return path;
}
