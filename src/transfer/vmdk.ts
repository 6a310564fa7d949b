/**
 * VMDK descriptor parsing and the flat-extent layout of a disk, shared by the sources that read the
 * datastore's files themselves (local, https, ssh).
 */

export interface VmdkExtentLine {
  access: string;
  sectors: number;
  /** FLAT, VMFS, ZERO, SPARSE, VMFSSPARSE, SESPARSE, VMFSRDM, VMFSRAW. */
  type: string;
  file: string | undefined;
  /** Offset of the extent inside its file, in sectors. */
  offset: number;
}

export interface VmdkDescriptor {
  createType: string;
  parentCID: string;
  parentFileNameHint: string | undefined;
  extents: VmdkExtentLine[];
}

/** One piece of the virtual disk: bytes `[start, start+length)` live in `file` at `fileOffset` (no file: zeros). */
export interface LayoutExtent {
  start: number;
  length: number;
  file: string | undefined;
  fileOffset: number;
}

export interface FlatLayout {
  size: number;
  extents: LayoutExtent[];
}

const SECTOR = 512;
const FLAT_TYPES = new Set(['FLAT', 'VMFS', 'VMFSRAW', 'VMFSRDM']);

/** True when the bytes are a binary sparse VMDK (monolithicSparse / streamOptimized header) rather than a text descriptor. */
export function isBinarySparseVmdk(head: Buffer): boolean {
  return head.subarray(0, 4).toString('latin1') === 'KDMV' || head.subarray(0, 4).toString('latin1') === 'COWD';
}

export function parseVmdkDescriptor(text: string, name: string): VmdkDescriptor {
  const extents: VmdkExtentLine[] = [];
  const kv = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const ext = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?/.exec(line);
    if (ext) {
      extents.push({ access: ext[1]!, sectors: Number(ext[2]), type: ext[3]!, file: ext[4], offset: Number(ext[5] ?? 0) });
      continue;
    }
    const m = /^([A-Za-z0-9_.]+)\s*=\s*"?([^"]*)"?$/.exec(line);
    if (m) kv.set(m[1]!, m[2]!);
  }
  if (extents.length === 0) throw new Error(`${name} is not a VMDK descriptor (no extent lines)`);
  return {
    createType: kv.get('createType') ?? '',
    parentCID: (kv.get('parentCID') ?? 'ffffffff').toLowerCase(),
    parentFileNameHint: kv.get('parentFileNameHint'),
    extents,
  };
}

/** True when every extent can be read directly (flat/raw data or zeros) and the disk has no parent. */
export function isFlat(desc: VmdkDescriptor): boolean {
  return desc.parentCID === 'ffffffff' && desc.extents.every((e) => e.type === 'ZERO' || FLAT_TYPES.has(e.type));
}

/** Byte layout of a flat descriptor; throws with the reason when the disk needs a VMDK driver (sparse or a delta disk). */
export function flatLayout(desc: VmdkDescriptor, name: string): FlatLayout {
  if (desc.parentCID !== 'ffffffff') {
    throw new Error(
      `${name} is a delta disk (parent ${desc.parentFileNameHint ?? 'unknown'}); read the snapshot's base disk instead`,
    );
  }
  const extents: LayoutExtent[] = [];
  let pos = 0;
  for (const e of desc.extents) {
    if (e.type !== 'ZERO' && !FLAT_TYPES.has(e.type)) {
      throw new Error(`${name} has a ${e.type} extent (createType ${desc.createType}); only flat extents can be read without a VMDK driver`);
    }
    if (e.type !== 'ZERO' && !e.file) throw new Error(`${name}: ${e.type} extent without a file name`);
    const length = e.sectors * SECTOR;
    extents.push({ start: pos, length, file: e.type === 'ZERO' ? undefined : e.file, fileOffset: e.offset * SECTOR });
    pos += length;
  }
  return { size: pos, extents };
}

/** A read of one extent file: fill `buf` from `fileOffset`. */
export type FileReader = (file: string, buf: Buffer, fileOffset: number) => Promise<void>;

/** Read `buf.length` bytes of the virtual disk at `offset` by splitting the request over the layout's extents. */
export async function readLayout(layout: FlatLayout, readFile: FileReader, buf: Buffer, offset: number): Promise<void> {
  if (offset < 0 || offset + buf.length > layout.size) {
    throw new Error(`read beyond the end of the disk (${offset}+${buf.length} > ${layout.size})`);
  }
  const parts: Promise<void>[] = [];
  const end = offset + buf.length;
  for (const e of layout.extents) {
    const s = Math.max(offset, e.start);
    const t = Math.min(end, e.start + e.length);
    if (s >= t) continue;
    const slice = buf.subarray(s - offset, t - offset);
    if (e.file === undefined) slice.fill(0);
    else parts.push(readFile(e.file, slice, e.fileOffset + (s - e.start)));
  }
  await Promise.all(parts);
}

/** Map allocated ranges of each extent file (as reported by the file system) to ranges of the virtual disk. */
export function layoutAllocation(layout: FlatLayout, fileAllocation: Map<string, { start: number; length: number }[]>): { start: number; length: number }[] {
  const out: { start: number; length: number }[] = [];
  for (const e of layout.extents) {
    if (e.file === undefined) continue;
    for (const a of fileAllocation.get(e.file) ?? [{ start: e.fileOffset, length: e.length }]) {
      const s = Math.max(a.start, e.fileOffset);
      const t = Math.min(a.start + a.length, e.fileOffset + e.length);
      if (s >= t) continue;
      const start = e.start + (s - e.fileOffset);
      const last = out[out.length - 1];
      if (last && last.start + last.length === start) last.length += t - s;
      else out.push({ start, length: t - s });
    }
  }
  return out;
}
