import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import type { Session } from '../openstack/auth.js';
import {
  type Flavor,
  type FlavorSpec,
  addFlavorAccess,
  createFlavor,
  getFlavor,
  getFlavorExtraSpecs,
  listFlavors,
  setFlavorExtraSpecs,
} from '../openstack/flavors.js';
import { hasToolDescription, toolDescription } from '../openstack/markers.js';
import { GiB } from '../util/units.js';
import { checkFileContent, parseYamlFile } from '../util/file-parse.js';
import { readDiskCapacityBytes, readGuestInfo } from './vm-metadata-files.js';

/** Flavors: upstream's guest/disk info files, best match, flavors.yml, and idempotent creation. */

export interface Requirement {
  vcpus: number;
  ramMb: number;
  /** total of the VM's disks, in bytes */
  diskBytes: number;
}

export interface Match {
  flavor: Flavor;
  /** why this one, for the result message */
  reason: string;
}

export class NoFlavorFits extends Error {
  override name = 'NoFlavorFits';
}

const describe = (f: Flavor) => `${f.name} (${f.vcpus} vCPU, ${f.ram} MiB, ${f.disk} GB disk)`;

/**
 * The smallest flavor that is at least as large as the VM: every vCPU and every MiB of RAM, and with image boot the
 * whole disk. Ranking: least relative over-provisioning of vCPUs + RAM; then, when booting from volume, flavors with
 * no root disk (disk 0) first, else the smallest sufficient disk; then by name, so the answer is stable.
 */
export function bestMatchFlavor(flavors: Flavor[], need: Requirement, opts: { bootFromVolume: boolean }): Match {
  if (flavors.length === 0) throw new NoFlavorFits('no flavors found: this project sees no flavor at all');
  const needDiskGb = Math.ceil(need.diskBytes / GiB);
  const fits = flavors.filter(
    (f) => f.vcpus >= need.vcpus && f.ram >= need.ramMb && (opts.bootFromVolume || f.disk * GiB >= need.diskBytes),
  );
  if (fits.length === 0) {
    const largest = [...flavors].sort((a, b) => b.vcpus - a.vcpus || b.ram - a.ram).slice(0, 3).map(describe);
    throw new NoFlavorFits(
      `no flavor fits the VM: it needs ${need.vcpus} vCPU and ${need.ramMb} MiB RAM${
        opts.bootFromVolume ? '' : ` and a ${needDiskGb} GB root disk`
      }; the largest flavors are ${largest.join(', ')}. Create one (create_flavor, or use_existing_flavor: false)`,
    );
  }
  const score = (f: Flavor) => (f.vcpus - need.vcpus) / need.vcpus + (f.ram - need.ramMb) / need.ramMb;
  const diskRank = (f: Flavor) => (opts.bootFromVolume ? (f.disk === 0 ? -1 : f.disk) : f.disk);
  const ranked = [...fits].sort(
    (a, b) => score(a) - score(b) || diskRank(a) - diskRank(b) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
  const best = ranked[0]!;
  return {
    flavor: best,
    reason: `${describe(best)} is the closest flavor with at least ${need.vcpus} vCPU and ${need.ramMb} MiB RAM${
      opts.bootFromVolume ? ' (boot from volume: root disk size not needed)' : ` and ${needDiskGb} GB disk`
    }`,
  };
}

export async function bestMatchFromFiles(
  s: Session,
  guestInfoPath: string,
  diskInfoPath: string,
  opts: { bootFromVolume: boolean },
): Promise<Match & { need: Requirement }> {
  const guest = readGuestInfo(guestInfoPath);
  const need: Requirement = {
    vcpus: guest.hw_processor_count,
    ramMb: guest.hw_memtotal_mb,
    diskBytes: readDiskCapacityBytes(diskInfoPath),
  };
  return { ...bestMatchFlavor(await listFlavors(s), need, opts), need };
}

/** A flavor by ID, else by exact name (several with that name is an error). */
export async function findFlavor(s: Session, nameOrId: string): Promise<Flavor | undefined> {
  const byId = await getFlavor(s, nameOrId);
  if (byId) return byId;
  const named = (await listFlavors(s, { includePrivate: true })).filter((f) => f.name === nameOrId);
  if (named.length > 1) {
    throw new Error(`flavor name '${nameOrId}' is ambiguous: ${named.map((f) => f.id).join(', ')}; use the flavor ID`);
  }
  return named[0];
}

/** Result shape of a flavor (upstream's gophercloud keys, plus swap). */
export function flavorResult(f: Flavor, extraSpecs?: Record<string, string>): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    vcpus: f.vcpus,
    ram: f.ram,
    disk: f.disk,
    swap: typeof f.swap === 'number' ? f.swap : 0,
    rxtx_factor: f.rxtx_factor ?? 1,
    'os-flavor-access:is_public': f['os-flavor-access:is_public'] ?? true,
    'OS-FLV-EXT-DATA:ephemeral': f['OS-FLV-EXT-DATA:ephemeral'] ?? 0,
    description: f.description ?? '',
    extra_specs: extraSpecs ?? f.extra_specs ?? {},
  };
}

export interface FlavorRequest extends FlavorSpec {
  extraSpecs: Record<string, string>;
}

/** Upstream's flavor name `osm-vmware-<vm>-<N>`, with N derived from the VM and the sizes (stable across runs). */
export function toolFlavorName(vmName: string, spec: { vcpus: number; ram: number; disk: number }): string {
  const digest = createHash('sha256').update(`${vmName}\0${spec.vcpus}\0${spec.ram}\0${spec.disk}`).digest();
  return `osm-vmware-${vmName}-${digest.readUInt32BE(0) % 9999}`;
}

const flavorParamsSchema = z.looseObject({
  name: z.string().min(1),
  vcpus: z.number().int().positive(),
  ram: z.number().int().positive(),
  disk: z.number().int().nonnegative().default(0),
  ephemeral: z.number().int().nonnegative().nullable().default(0),
  swap: z.number().int().nonnegative().nullable().default(0),
  rxtx_factor: z.number().nullable().default(1),
  is_public: z.boolean().nullable().default(true),
  description: z.string().nullable().optional(),
  extra_specs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable().optional(),
});
const flavorsFileSchema = z.looseObject({
  resources: z.array(z.looseObject({ params: flavorParamsSchema })).min(1, 'No flavors found in the YAML file'),
});

/** Every flavor of an upstream/os-migrate `flavors.yml` (upstream used only the first). */
export function readFlavorsFile(path: string): FlavorRequest[] {
  let doc: unknown;
  try {
    doc = parseYamlFile(readFileSync(path, 'utf8'), path);
  } catch (e) {
    throw new Error(`Failed to read flavors file ${path}: ${(e as Error).message}`);
  }
  const file = checkFileContent(flavorsFileSchema, doc, `Failed to parse flavors YAML ${path}`);
  return file.resources.map(({ params: p }) => ({
    name: p.name,
    vcpus: p.vcpus,
    ram: p.ram,
    disk: p.disk,
    ephemeral: p.ephemeral ?? 0,
    swap: p.swap ?? 0,
    rxtxFactor: p.rxtx_factor ?? 1,
    isPublic: p.is_public ?? true,
    description: p.description ?? undefined,
    extraSpecs: Object.fromEntries(Object.entries(p.extra_specs ?? {}).map(([k, v]) => [k, String(v)])),
  }));
}

/** The `flavors.yml` upstream's export_flavor writes (disk rounded up, not truncated). */
export function renderFlavorsFile(spec: { name: string; vcpus: number; ram: number; diskBytes: number }): string {
  const doc = {
    os_migrate_version: '1.0.1',
    resources: [
      {
        _info: { id: null, is_disabled: false },
        _migration_params: {},
        params: {
          description: null,
          disk: Math.ceil(spec.diskBytes / GiB),
          ephemeral: 0,
          extra_specs: {},
          is_public: true,
          name: spec.name,
          ram: spec.ram,
          rxtx_factor: 1.0,
          swap: 0,
          vcpus: spec.vcpus,
        },
        type: 'openstack.compute.Flavor',
      },
    ],
  };
  return stringifyYaml(doc, { sortMapEntries: true, indent: 2 });
}

export interface EnsureFlavorResult {
  flavor: Flavor | undefined;
  changed: boolean;
  /** carries the tool's marker */
  owned: boolean;
  extraSpecs: Record<string, string>;
}

const sameSizes = (f: Flavor, r: FlavorRequest) =>
  f.vcpus === r.vcpus &&
  f.ram === r.ram &&
  f.disk === r.disk &&
  (f['OS-FLV-EXT-DATA:ephemeral'] ?? 0) === (r.ephemeral ?? 0) &&
  (typeof f.swap === 'number' ? f.swap : 0) === (r.swap ?? 0);

/**
 * Make sure a flavor with this name and these sizes exists. An existing flavor of that name is reused when its sizes
 * match (its extra specs are completed only if the tool created it); one with other sizes is an error, never changed.
 */
export async function ensureFlavor(s: Session, req: FlavorRequest, checkMode: boolean): Promise<EnsureFlavorResult> {
  const named = (await listFlavors(s, { includePrivate: true })).filter((f) => f.name === req.name);
  if (named.length > 1) throw new Error(`several flavors are named ${req.name} (${named.map((f) => f.id).join(', ')}); remove the extras`);
  const existing = named[0];
  if (existing) {
    const owned = hasToolDescription(existing.description);
    if (!sameSizes(existing, req)) {
      throw new Error(
        `flavor ${req.name} (${existing.id}) exists with other sizes (${existing.vcpus} vCPU, ${existing.ram} MiB, ${existing.disk} GB) than requested (${req.vcpus} vCPU, ${req.ram} MiB, ${req.disk} GB)${
          owned ? '; delete it with delete_flavor first' : ' and was not created by this tool; choose another flavor name'
        }`,
      );
    }
    const current = await getFlavorExtraSpecs(s, existing.id);
    const missing = Object.fromEntries(Object.entries(req.extraSpecs).filter(([k, v]) => current[k] !== v));
    if (Object.keys(missing).length === 0 || !owned) return { flavor: existing, changed: false, owned, extraSpecs: current };
    if (!checkMode) await setFlavorExtraSpecs(s, existing.id, missing);
    return { flavor: existing, changed: true, owned, extraSpecs: { ...current, ...missing } };
  }
  if (checkMode) return { flavor: undefined, changed: true, owned: true, extraSpecs: req.extraSpecs };
  const created = await createFlavor(s, {
    ...req,
    description: toolDescription(req.description ? `(${req.description})` : `flavor ${req.name}`),
  });
  await setFlavorExtraSpecs(s, created.id, req.extraSpecs);
  if (req.isPublic === false) await addFlavorAccess(s, created.id, s.projectId);
  return { flavor: created, changed: true, owned: true, extraSpecs: req.extraSpecs };
}
