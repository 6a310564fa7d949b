import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkFileContent, parseJsonFile } from '../util/file-parse.js';

/**
 * The parts of a VM's metadata files (`<data_dir>/<vm>/guest_info.json` and `disk_info.json`, written by
 * vmware_inventory, discovery-files.ts) that later steps read, each file checked against the fields it needs.
 */

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`failed to open ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return parseJsonFile(text, `${what} ${path}`);
  } catch (e) {
    throw new Error(`failed to parse JSON: ${(e as Error).message}`);
  }
}

const guestInfoSchema = z.looseObject({
  hw_processor_count: z.number().int().positive(),
  hw_memtotal_mb: z.number().int().positive(),
  hw_name: z.string().optional(),
});
export type GuestInfo = z.output<typeof guestInfoSchema>;

export function readGuestInfo(path: string): GuestInfo {
  return checkFileContent(guestInfoSchema, readJsonFile(path, 'guest info file'), `guest info file ${path}`);
}

/** `disk_info.json` capacities are bytes (vmware_rest); upstream divided by 1024 and compared with GB. */
const diskInfoSchema = z.looseObject({
  disks: z.array(z.looseObject({ capacity: z.number().nonnegative() })),
});

export function readDiskCapacityBytes(path: string): number {
  const info = checkFileContent(diskInfoSchema, readJsonFile(path, 'disk info file'), `disk info file ${path}`);
  return info.disks.reduce((sum, d) => sum + d.capacity, 0);
}

const diskKeysSchema = z.looseObject({ disks: z.array(z.looseObject({ key: z.number().int() })) });

const snapshotsSchema = z.looseObject({
  snapshots: z.array(z.looseObject({ name: z.string(), description: z.string().nullable().optional() })).default([]),
});

/** What the last export saw of one VM: its disk keys in device order, and its snapshots' names and descriptions. */
export interface ExportedVm {
  diskKeys: number[];
  snapshots: { name: string; description: string }[];
}

export function readExportedVm(dataDir: string, vm: string): ExportedVm {
  const diskFile = join(dataDir, vm, 'disk_info.json');
  const guestFile = join(dataDir, vm, 'guest_info.json');
  const disks = checkFileContent(diskKeysSchema, readJsonFile(diskFile, 'disk info file'), `disk info file ${diskFile}`).disks;
  const guest = checkFileContent(snapshotsSchema, readJsonFile(guestFile, 'guest info file'), `guest info file ${guestFile}`);
  return {
    diskKeys: disks.map((d) => d.key),
    snapshots: guest.snapshots.map((s) => ({ name: s.name, description: s.description ?? '' })),
  };
}
