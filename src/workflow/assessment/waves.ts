// Wave planning: the assessed VMs that may move (ready and warning) cut into ordered waves, each within every limit
// the operator and the target set. Pure: no I/O, the same input always gives the same waves.
import { GiB } from '../../util/units.js';
import type { AssessedVm, AssessmentFile } from './assessment-file.js';

export interface WaveLimits {
  /** Migrated instances the operator allows at once, across all conversion hosts. */
  maxInstancesInFlight?: number;
  /** VMs one conversion host migrates at once. */
  maxParallelMigrations: number;
  conversionHosts: number;
  /** VMs of one ESXi host read at the same time. */
  maxReadsPerEsxiHost?: number;
  /** VMs reading from one datastore at the same time. */
  maxReadsPerDatastore?: number;
}

export interface WaveRequest {
  assessment: Pick<AssessmentFile, 'vms' | 'quota_headroom'>;
  /** Plan only these VMs (by name); all assessed VMs when absent. */
  vms?: string[];
  limits: WaveLimits;
  /** VMs that must move in the same wave. */
  groups: string[][];
  /** VMs that go first, in this order (a group goes where its first listed member goes). */
  priority: string[];
  order: 'smallest' | 'largest';
  /** Bytes per second one wave reads, for the estimate. */
  bytesPerSecond: number;
}

export interface Wave {
  name: string;
  vms: string[];
  bytes: number;
  estimated_seconds: number;
}

export interface Unplanned {
  vm: string;
  reason: string;
}

export interface WavePlan {
  waves: Wave[];
  /** VMs asked for that are in no wave, and why (blocked, not assessed, larger than a limit allows). */
  unplanned: Unplanned[];
  /** What a user should know: quota that the waves together exceed. */
  warnings: string[];
}

/** What one VM or one group takes from each limit of a wave. */
interface Need {
  instances: number;
  cores: number;
  ramMb: number;
  volumes: number;
  gigabytes: number;
  ports: number;
  esxi: Map<string, number>;
  datastores: Map<string, number>;
}

interface Unit {
  vms: AssessedVm[];
  bytes: number;
  /** Position in the priority list (Infinity when not listed). */
  rank: number;
  need: Need;
}

type Capacity = Omit<Need, 'esxi' | 'datastores'> & { perEsxi: number; perDatastore: number };

const volumeGiB = (bytes: number) => Math.ceil(bytes / GiB);

function vmNeed(vm: AssessedVm): Need {
  const datastores = new Set(vm.disks.map((d) => d.datastore).filter((d): d is string => d !== null));
  return {
    instances: 1,
    cores: vm.cpus,
    ramMb: vm.memory_mb,
    volumes: vm.disks.length,
    gigabytes: vm.disks.reduce((s, d) => s + volumeGiB(d.capacity_bytes), 0),
    ports: vm.nics.length,
    esxi: new Map(vm.esxi_host === null ? [] : [[vm.esxi_host, 1]]),
    datastores: new Map([...datastores].map((d) => [d, 1])),
  };
}

function addNeed(a: Need, b: Need): Need {
  const merge = (x: Map<string, number>, y: Map<string, number>) => {
    const m = new Map(x);
    for (const [k, v] of y) m.set(k, (m.get(k) ?? 0) + v);
    return m;
  };
  return {
    instances: a.instances + b.instances,
    cores: a.cores + b.cores,
    ramMb: a.ramMb + b.ramMb,
    volumes: a.volumes + b.volumes,
    gigabytes: a.gigabytes + b.gigabytes,
    ports: a.ports + b.ports,
    esxi: merge(a.esxi, b.esxi),
    datastores: merge(a.datastores, b.datastores),
  };
}

const emptyNeed = (): Need => ({ instances: 0, cores: 0, ramMb: 0, volumes: 0, gigabytes: 0, ports: 0, esxi: new Map(), datastores: new Map() });

const orInfinity = (n: number | null | undefined) => (n === null || n === undefined ? Infinity : n);

function capacity(req: WaveRequest): Capacity {
  const q = req.assessment.quota_headroom;
  const l = req.limits;
  return {
    instances: Math.min(orInfinity(l.maxInstancesInFlight), l.maxParallelMigrations * l.conversionHosts, orInfinity(q.instances)),
    cores: orInfinity(q.cores),
    ramMb: orInfinity(q.ram_mb),
    volumes: orInfinity(q.volumes),
    gigabytes: orInfinity(q.gigabytes),
    ports: orInfinity(q.ports),
    perEsxi: orInfinity(l.maxReadsPerEsxiHost),
    perDatastore: orInfinity(l.maxReadsPerDatastore),
  };
}

/** The first limit `need` exceeds, as words for a user; undefined when it fits. */
function exceeded(need: Need, cap: Capacity): string | undefined {
  const scalar: [keyof Omit<Capacity, 'perEsxi' | 'perDatastore'>, string][] = [
    ['instances', 'instances at once (max_instances_in_flight, max_parallel_migrations x conversion hosts, instance quota)'],
    ['cores', 'cores quota headroom'],
    ['ramMb', 'RAM quota headroom (MiB)'],
    ['volumes', 'volumes quota headroom'],
    ['gigabytes', 'gigabytes quota headroom'],
    ['ports', 'ports quota headroom'],
  ];
  for (const [k, what] of scalar) if (need[k] > cap[k]) return `needs ${need[k]} ${what}, the limit is ${cap[k]}`;
  for (const [host, n] of need.esxi) if (n > cap.perEsxi) return `needs ${n} reads at once from ESXi host ${host}, max_reads_per_esxi_host is ${cap.perEsxi}`;
  for (const [ds, n] of need.datastores) if (n > cap.perDatastore) return `needs ${n} reads at once from datastore ${ds}, max_reads_per_datastore is ${cap.perDatastore}`;
  return undefined;
}

/** VMs grouped by migration_groups (a VM in several groups joins them); every other VM is its own unit. */
function units(vms: AssessedVm[], req: WaveRequest): Unit[] {
  const byName = new Map(vms.map((v) => [v.name, v]));
  const parent = new Map(vms.map((v) => [v.name, v.name]));
  const root = (n: string): string => {
    let r = n;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    return r;
  };
  for (const g of req.groups) {
    const members = g.filter((n) => byName.has(n));
    for (const m of members.slice(1)) parent.set(root(m), root(members[0] as string));
  }
  const grouped = new Map<string, AssessedVm[]>();
  for (const v of vms) grouped.set(root(v.name), [...(grouped.get(root(v.name)) ?? []), v]);
  const rank = new Map<string, number>();
  req.priority.forEach((n, i) => rank.has(n) || rank.set(n, i));
  return [...grouped.values()].map((members) => ({
    vms: members,
    bytes: members.reduce((s, v) => s + v.bytes_to_read, 0),
    rank: Math.min(...members.map((v) => rank.get(v.name) ?? Infinity)),
    need: members.map(vmNeed).reduce(addNeed, emptyNeed()),
  }));
}

/**
 * How crowded a unit's ESXi hosts and datastores are: the most waves any of them needs alone (its VMs over its read
 * limit). Among units of the same rank and size the more crowded go first, so that they spread over the first
 * waves and the others fill in around them.
 */
function pressure(all: Unit[], cap: Capacity): (u: Unit) => number {
  const count = (pick: (n: Need) => Map<string, number>) => {
    const m = new Map<string, number>();
    for (const u of all) for (const [k, n] of pick(u.need)) m.set(k, (m.get(k) ?? 0) + n);
    return m;
  };
  const esxi = count((n) => n.esxi);
  const ds = count((n) => n.datastores);
  return (u) =>
    Math.max(0, ...[...u.need.esxi.keys()].map((k) => (esxi.get(k) ?? 0) / cap.perEsxi), ...[...u.need.datastores.keys()].map((k) => (ds.get(k) ?? 0) / cap.perDatastore));
}

function byOrder(order: WaveRequest['order'], crowded: (u: Unit) => number) {
  const first = (u: Unit) => (u.vms[0] as AssessedVm).name;
  return (a: Unit, b: Unit) =>
    a.rank - b.rank ||
    (order === 'smallest' ? a.bytes - b.bytes : b.bytes - a.bytes) ||
    crowded(b) - crowded(a) ||
    (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0);
}

/** Why a VM asked for cannot be in any wave, or undefined when it may move. */
function notMovable(vm: AssessedVm | undefined): string | undefined {
  if (!vm) return 'not in assessment.json: run the assessment for it first';
  if (vm.status === 'blocked') {
    const blockers = vm.checks.filter((c) => c.severity === 'blocker').map((c) => c.id);
    return `blocked by the assessment (${blockers.join(', ') || 'see its checks'})`;
  }
  return undefined;
}

/**
 * Plan the waves: units (a VM, or a whole migration group) in order (priority list, then by bytes, then the most
 * crowded ESXi host or datastore first), each put into the first wave it fits in (first fit: not always the fewest
 * waves, never beyond a limit); a unit that fits in no empty wave is unplanned with the limit it exceeds. A group with a
 * member that cannot move is unplanned whole: a group is never split.
 */
export function planWaves(req: WaveRequest): WavePlan {
  const assessed = new Map(req.assessment.vms.map((v) => [v.name, v]));
  const asked = req.vms ?? req.assessment.vms.map((v) => v.name);
  const unplanned: Unplanned[] = [];
  const movable: AssessedVm[] = [];
  for (const name of new Set(asked)) {
    const vm = assessed.get(name);
    const why = notMovable(vm);
    if (why) unplanned.push({ vm: name, reason: why });
    else movable.push(vm as AssessedVm);
  }
  // a group member that cannot move (or was not asked for) holds its group back
  const held = new Set(unplanned.map((u) => u.vm));
  const cap = capacity(req);
  const open: { units: Unit[]; need: Need }[] = [];
  const all = units(movable, req);
  for (const unit of all.sort(byOrder(req.order, pressure(all, cap)))) {
    const blocked = req.groups.find((g) => unit.vms.some((v) => g.includes(v.name)) && g.some((n) => held.has(n) || !asked.includes(n)));
    if (blocked) {
      const missing = blocked.filter((n) => held.has(n) || !asked.includes(n));
      for (const v of unit.vms) unplanned.push({ vm: v.name, reason: `its migration group cannot move whole: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} blocked or not in vms_list` });
      continue;
    }
    const tooLarge = exceeded(unit.need, cap);
    if (tooLarge) {
      const what = unit.vms.length > 1 ? `migration group of ${unit.vms.length} VMs` : 'VM';
      for (const v of unit.vms) unplanned.push({ vm: v.name, reason: `its ${what} ${tooLarge}` });
      continue;
    }
    const wave = open.find((w) => exceeded(addNeed(w.need, unit.need), cap) === undefined);
    if (wave) {
      wave.units.push(unit);
      wave.need = addNeed(wave.need, unit.need);
    } else open.push({ units: [unit], need: unit.need });
  }
  const waves = open.map((w, i) => {
    const bytes = w.units.reduce((s, u) => s + u.bytes, 0);
    return { name: `wave-${i + 1}`, vms: w.units.flatMap((u) => u.vms.map((v) => v.name)), bytes, estimated_seconds: Math.ceil(bytes / req.bytesPerSecond) };
  });
  return { waves, unplanned, warnings: quotaWarnings(open.map((w) => w.need), req.assessment.quota_headroom) };
}

/** The waves stay: quota the waves need together beyond the headroom must be raised before the later waves. */
function quotaWarnings(needs: Need[], q: AssessmentFile['quota_headroom']): string[] {
  const total = needs.reduce(addNeed, emptyNeed());
  const pairs: [string, number, number | null][] = [
    ['instances', total.instances, q.instances],
    ['cores', total.cores, q.cores],
    ['RAM (MiB)', total.ramMb, q.ram_mb],
    ['volumes', total.volumes, q.volumes],
    ['gigabytes', total.gigabytes, q.gigabytes],
    ['ports', total.ports, q.ports],
  ];
  return pairs
    .filter(([, need, left]) => left !== null && need > left)
    .map(([what, need, left]) => `the waves together need ${need} ${what}, the project has ${left} left: raise the quota before the waves that go beyond it`);
}
