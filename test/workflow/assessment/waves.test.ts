/**
 * Wave planning (pure): only ready and warning VMs; every limit held by every wave (instances in flight, parallel
 * migrations x conversion hosts, quota headroom, reads per ESXi host and per datastore); migration groups never split;
 * the order (priority list, then smallest or largest); estimates from bytes and the rate; the rate measured from logs;
 * waves.yml written and read back through its schema.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { AssessedVm, AssessmentFile } from '../../../src/workflow/assessment/assessment-file.js';
import { measuredRate, migrationLogs } from '../../../src/workflow/assessment/transfer-rate.js';
import { type WaveRequest, type WavePlan, planWaves } from '../../../src/workflow/assessment/waves.js';
import { readWaves, wavesYaml } from '../../../src/workflow/assessment/waves-file.js';
import { assessment, dataVms, labAssessment, simulatorVms } from './fixture.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function request(a: AssessmentFile, o: Partial<Omit<WaveRequest, 'limits'>> & { limits?: Partial<WaveRequest['limits']> } = {}): WaveRequest {
  return {
    assessment: a,
    groups: [],
    priority: [],
    order: 'smallest',
    bytesPerSecond: 100 * MiB,
    ...o,
    limits: { maxParallelMigrations: 5, conversionHosts: 1, ...o.limits },
  };
}

const planned = (p: WavePlan) => p.waves.flatMap((w) => w.vms);

/** Every invariant a plan must hold, whatever the input. */
function assertPlanHolds(req: WaveRequest, plan: WavePlan): void {
  const byName = new Map(req.assessment.vms.map((v) => [v.name, v]));
  const asked = [...new Set(req.vms ?? req.assessment.vms.map((v) => v.name))];
  const inWaves = planned(plan);
  assert.equal(new Set(inWaves).size, inWaves.length, 'a VM is in two waves');
  assert.deepEqual([...inWaves, ...plan.unplanned.map((u) => u.vm)].sort(), [...asked].sort(), 'every asked VM is planned or unplanned, once');
  const q = req.assessment.quota_headroom;
  const l = req.limits;
  const cap = Math.min(l.maxInstancesInFlight ?? Infinity, l.maxParallelMigrations * l.conversionHosts, q.instances ?? Infinity);
  for (const w of plan.waves) {
    const vms = w.vms.map((n) => byName.get(n) as AssessedVm);
    assert.ok(vms.length > 0 && vms.length <= cap, `${w.name} has ${vms.length} VMs, cap ${cap}`);
    for (const v of vms) assert.notEqual(v.status, 'blocked', `${v.name} is blocked but in ${w.name}`);
    const sum = (f: (v: AssessedVm) => number) => vms.reduce((s, v) => s + f(v), 0);
    assert.ok(sum((v) => v.cpus) <= (q.cores ?? Infinity));
    assert.ok(sum((v) => v.memory_mb) <= (q.ram_mb ?? Infinity));
    assert.ok(sum((v) => v.disks.length) <= (q.volumes ?? Infinity));
    assert.ok(sum((v) => v.disks.reduce((s, d) => s + Math.ceil(d.capacity_bytes / GiB), 0)) <= (q.gigabytes ?? Infinity));
    assert.ok(sum((v) => v.nics.length) <= (q.ports ?? Infinity));
    const per = (keys: (v: AssessedVm) => (string | null)[]) => {
      const m = new Map<string, number>();
      for (const v of vms) for (const k of new Set(keys(v))) if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
      return Math.max(0, ...m.values());
    };
    assert.ok(per((v) => [v.esxi_host]) <= (l.maxReadsPerEsxiHost ?? Infinity), `${w.name} reads too many VMs of one ESXi host`);
    assert.ok(per((v) => v.disks.map((d) => d.datastore)) <= (l.maxReadsPerDatastore ?? Infinity), `${w.name} reads too many VMs of one datastore`);
    assert.equal(w.bytes, sum((v) => v.bytes_to_read));
    assert.equal(w.estimated_seconds, Math.ceil(w.bytes / req.bytesPerSecond));
  }
  for (const g of req.groups) {
    const waves = new Set(g.map((n) => plan.waves.findIndex((w) => w.vms.includes(n))));
    assert.ok(waves.size === 1, `group ${g.join(',')} split over waves ${[...waves].join(',')}`);
  }
}

describe('planWaves', () => {
  it('plans the 30 simulator VMs with max_instances_in_flight 5 into 6 waves of 5 (the users\' case)', () => {
    const req = request(assessment(simulatorVms()), { limits: { maxInstancesInFlight: 5, maxParallelMigrations: 5, conversionHosts: 2 } });
    const plan = planWaves(req);
    assertPlanHolds(req, plan);
    assert.deepEqual(plan.waves.map((w) => w.vms.length), [5, 5, 5, 5, 5, 5]);
    assert.deepEqual(plan.waves.map((w) => w.name), ['wave-1', 'wave-2', 'wave-3', 'wave-4', 'wave-5', 'wave-6']);
    assert.deepEqual(plan.unplanned, []);
    // no data on the disks: nothing to read, no time for the copy
    assert.ok(plan.waves.every((w) => w.bytes === 0 && w.estimated_seconds === 0));
  });

  it('takes ready and warning VMs only: blocked and unknown VMs are unplanned with the reason', () => {
    const req = request(labAssessment(), { vms: ['osm-single', 'osm-efi', 'osm-independent', 'osm-snapshot', 'no-such-vm'] });
    const plan = planWaves(req);
    assertPlanHolds(req, plan);
    assert.deepEqual(planned(plan).sort(), ['osm-efi', 'osm-single']);
    const reasons = Object.fromEntries(plan.unplanned.map((u) => [u.vm, u.reason]));
    assert.match(reasons['osm-independent'] as string, /blocked by the assessment \(independent_disks\)/);
    assert.match(reasons['osm-snapshot'] as string, /blocked by the assessment \(snapshots, network_mapping\)/);
    assert.match(reasons['no-such-vm'] as string, /not in assessment.json/);
  });

  it('caps a wave at the smallest of max_instances_in_flight, max_parallel_migrations x conversion hosts and the instance quota', () => {
    const a = assessment(simulatorVms());
    for (const [limits, instances, size] of [
      [{ maxInstancesInFlight: 10, maxParallelMigrations: 2, conversionHosts: 2 }, null, 4],
      [{ maxInstancesInFlight: 3, maxParallelMigrations: 5, conversionHosts: 2 }, null, 3],
      [{ maxParallelMigrations: 5, conversionHosts: 2 }, 7, 7],
      [{ maxParallelMigrations: 5, conversionHosts: 1 }, null, 5],
    ] as const) {
      const req = request({ ...a, quota_headroom: { ...a.quota_headroom, instances } }, { limits });
      const plan = planWaves(req);
      assertPlanHolds(req, plan);
      assert.equal(Math.max(...plan.waves.map((w) => w.vms.length)), size, JSON.stringify(limits));
      assert.equal(plan.waves.length, Math.ceil(30 / size));
    }
  });

  it('splits waves by the remaining quota of cores, RAM, volumes, gigabytes and ports, and warns when they add up beyond it', () => {
    const vms = simulatorVms().slice(0, 10);
    for (const [headroom, size] of [
      [{ cores: 3 }, 3],
      [{ ram_mb: 64 }, 2],
      [{ volumes: 4 }, 4],
      [{ gigabytes: 25 }, 2],
      [{ ports: 1 }, 1],
    ] as const) {
      const req = request(assessment(vms, headroom), { limits: { maxParallelMigrations: 10 } });
      const plan = planWaves(req);
      assertPlanHolds(req, plan);
      assert.equal(Math.max(...plan.waves.map((w) => w.vms.length)), size, JSON.stringify(headroom));
      assert.equal(plan.warnings.length, 1, JSON.stringify(headroom));
      assert.match(plan.warnings[0] as string, /raise the quota/);
    }
    assert.deepEqual(planWaves(request(assessment(vms, { cores: 100 }))).warnings, []);
  });

  it('reads at most max_reads_per_esxi_host VMs of one host and max_reads_per_datastore VMs of one datastore at once', () => {
    const a = assessment(simulatorVms());
    let req = request(a, { limits: { maxParallelMigrations: 10, maxReadsPerEsxiHost: 2 } });
    let plan = planWaves(req);
    assertPlanHolds(req, plan);
    // DC0_H0 holds 10 VMs: at 2 per wave they need 5 waves
    assert.equal(plan.waves.length, 5);
    req = request(labAssessment(), { limits: { maxParallelMigrations: 10, maxReadsPerDatastore: 3 } });
    plan = planWaves(req);
    assertPlanHolds(req, plan);
    // 30 + 3 VMs read LocalDS_0 (osm-multidisk reads both), 3 at a time
    assert.equal(plan.waves.length, 11);
  });

  it('never splits a migration group: together in one wave, or unplanned whole with the reason', () => {
    const a = labAssessment();
    const groups = [
      ['DC0_H0_VM0', 'DC0_C1_RP0_VM9', 'osm-multidisk'],
      ['DC0_H0_VM5', 'DC0_H0_VM6'],
      ['DC0_H0_VM6', 'DC0_C0_RP0_VM2'], // shares a VM with the previous group: they join
    ];
    const req = request(a, { groups, limits: { maxInstancesInFlight: 4 } });
    const plan = planWaves(req);
    assertPlanHolds(req, plan);
    assert.deepEqual(plan.waves.find((w) => w.vms.includes('DC0_H0_VM5'))?.vms.filter((n) => ['DC0_H0_VM5', 'DC0_H0_VM6', 'DC0_C0_RP0_VM2'].includes(n)).length, 3);
    // a group larger than a wave may be
    const big = request(a, { groups: [simulatorVms().slice(0, 6).map((v) => v.name)], limits: { maxInstancesInFlight: 5 } });
    const bigPlan = planWaves(big);
    assertPlanHolds(big, bigPlan);
    assert.equal(bigPlan.unplanned.length, 6 + 2);
    assert.match(bigPlan.unplanned.find((u) => u.vm === 'DC0_H0_VM0')?.reason as string, /migration group of 6 VMs needs 6 instances at once/);
    // a group with a blocked member, or a member outside vms_list, does not move at all
    const held = request(a, { groups: [['DC0_H0_VM1', 'osm-snapshot'], ['DC0_H0_VM2', 'DC0_H0_VM3']], vms: ['DC0_H0_VM1', 'osm-snapshot', 'DC0_H0_VM2', 'DC0_H0_VM4'] });
    const heldPlan = planWaves(held);
    assert.deepEqual(planned(heldPlan), ['DC0_H0_VM4']);
    assert.match(heldPlan.unplanned.find((u) => u.vm === 'DC0_H0_VM1')?.reason as string, /osm-snapshot is blocked or not in vms_list/);
    assert.match(heldPlan.unplanned.find((u) => u.vm === 'DC0_H0_VM2')?.reason as string, /DC0_H0_VM3 is blocked or not in vms_list/);
  });

  it('orders by the priority list first, then smallest or largest first', () => {
    const a = assessment(dataVms().filter((v) => v.status !== 'blocked'));
    const one = { maxParallelMigrations: 1 };
    const order = (o: Partial<Omit<WaveRequest, 'limits'>>) => planWaves(request(a, { ...o, limits: one })).waves.map((w) => w.vms.join('+'));
    // bytes: osm-multinic 48 MiB, osm-efi 64 MiB (capacity: allocation unknown), osm-multidisk 96 MiB, osm-single 96 MiB
    assert.deepEqual(order({ order: 'smallest' }), ['osm-multinic', 'osm-efi', 'osm-multidisk', 'osm-single']);
    assert.deepEqual(order({ order: 'largest' }), ['osm-multidisk', 'osm-single', 'osm-efi', 'osm-multinic']);
    assert.deepEqual(order({ order: 'largest', priority: ['osm-multinic', 'osm-efi'] }), ['osm-multinic', 'osm-efi', 'osm-multidisk', 'osm-single']);
    // a group goes where its best-ranked member goes; the wave holds the group's bytes
    const grouped = planWaves(request(a, { priority: ['osm-single'], groups: [['osm-efi', 'osm-single']], limits: { maxParallelMigrations: 2 } }));
    assert.deepEqual(grouped.waves[0]?.vms.sort(), ['osm-efi', 'osm-single']);
    assert.equal(grouped.waves[0]?.bytes, 96 * MiB + 64 * MiB);
  });

  it('estimates each wave from its bytes and the rate', () => {
    const a = assessment(dataVms().filter((v) => v.status === 'ready'));
    const plan = planWaves(request(a, { bytesPerSecond: 10 * MiB }));
    assert.equal(plan.waves.length, 1);
    assert.equal(plan.waves[0]?.bytes, (96 + 96 + 48) * MiB);
    assert.equal(plan.waves[0]?.estimated_seconds, 24);
    assert.equal(planWaves(request(a, { bytesPerSecond: 7 * MiB })).waves[0]?.estimated_seconds, Math.ceil(240 / 7));
  });

  it('holds every limit on random inputs', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const vms = Array.from({ length: 1 + rnd(40) }, (_, i) => {
        const base = simulatorVms()[0] as AssessedVm;
        const disks = Array.from({ length: 1 + rnd(3) }, (_, k) => ({ ...(base.disks[0] as AssessedVm['disks'][number]), key: 2000 + k, datastore: `DS${rnd(3)}`, capacity_bytes: (1 + rnd(50)) * GiB, allocated_bytes: rnd(20) * GiB }));
        return {
          ...base,
          name: `vm${i}`,
          status: (['ready', 'warning', 'blocked'] as const)[rnd(3)] as AssessedVm['status'],
          esxi_host: `esx${rnd(4)}`,
          cpus: 1 + rnd(8),
          memory_mb: 512 * (1 + rnd(16)),
          disks,
          nics: Array.from({ length: rnd(3) }, () => base.nics[0] as AssessedVm['nics'][number]),
          bytes_to_read: disks.reduce((s, d) => s + (d.allocated_bytes ?? 0), 0),
        };
      });
      const names = vms.map((v) => v.name);
      const groups = Array.from({ length: rnd(4) }, () => Array.from({ length: 2 + rnd(3) }, () => names[rnd(names.length)] as string));
      const maybe = (n: number) => (rnd(2) ? n : null);
      const req = request(
        assessment(vms, { instances: maybe(1 + rnd(20)), cores: maybe(8 + rnd(60)), ram_mb: maybe(8192 + rnd(65536)), volumes: maybe(3 + rnd(20)), gigabytes: maybe(150 + rnd(1000)), ports: maybe(2 + rnd(20)) }),
        {
          groups,
          priority: rnd(2) ? [names[rnd(names.length)] as string] : [],
          order: rnd(2) ? 'smallest' : 'largest',
          bytesPerSecond: 1 + rnd(1000) * MiB,
          limits: {
            maxInstancesInFlight: rnd(2) ? 1 + rnd(10) : undefined,
            maxParallelMigrations: 1 + rnd(6),
            conversionHosts: 1 + rnd(3),
            maxReadsPerEsxiHost: rnd(2) ? 1 + rnd(4) : undefined,
            maxReadsPerDatastore: rnd(2) ? 1 + rnd(4) : undefined,
          },
        },
      );
      const plan = planWaves(req);
      assertPlanHolds(req, plan);
      // nothing that could move is left out without a reason naming a limit, a block or its group
      for (const u of plan.unplanned) assert.match(u.reason, /blocked|needs|migration group/, u.reason);
    }
  });
});

describe('measuredRate', () => {
  const line = (b: number, s: number) => `time="2026-12-07T10:00:00Z" level=info msg="disk 2000 (Hard disk 1): full copy done: read ${b} bytes (source fetched ${b}), wrote ${b}, zeroed 0, skipped 0 in ${s.toFixed(2)} s (direct writes to /dev/vdb)"`;

  it('divides the bytes of every copy that read something by their seconds', () => {
    assert.deepEqual(measuredRate([`${line(100 * MiB, 2)}\nother line\n${line(0, 0.01)}`, line(200 * MiB, 4)]), { bytesPerSecond: 50 * MiB, copies: 2 });
    assert.equal(measuredRate(['nothing here', line(0, 1.5)]), undefined);
  });

  it("reads <data_dir>/<vm>/migration.log and the log directories' osm-nbdkit-*.log files", () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-rate-'));
    try {
      const data = join(dir, 'data');
      const logs = join(dir, 'logs');
      mkdirSync(join(data, 'vm1'), { recursive: true });
      mkdirSync(logs);
      writeFileSync(join(data, 'vm1', 'migration.log'), line(30 * MiB, 1));
      writeFileSync(join(logs, 'osm-nbdkit-vm2-abc.log'), line(10 * MiB, 1));
      writeFileSync(join(logs, 'unrelated.log'), line(1000 * MiB, 1));
      assert.deepEqual(measuredRate(migrationLogs(data, [logs, join(dir, 'missing')])), { bytesPerSecond: 20 * MiB, copies: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('waves.yml', () => {
  it('is written as YAML with the waves and read back through its schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-waves-'));
    try {
      const plan = planWaves(request(labAssessment(), { limits: { maxInstancesInFlight: 5 } }));
      const text = wavesYaml(plan, { bytes_per_second: 100 * MiB, rate_source: 'default' });
      const raw = parse(text) as { waves: { name: string; vms: string[]; bytes: number; estimated_seconds: number }[] };
      assert.deepEqual(raw.waves, plan.waves);
      writeFileSync(join(dir, 'waves.yml'), text);
      const back = readWaves(dir);
      assert.deepEqual(back.waves, plan.waves);
      assert.deepEqual(back.unplanned, plan.unplanned);
      assert.equal(back.rate_source, 'default');
      writeFileSync(join(dir, 'waves.yml'), 'waves: [{name: w}]\n');
      assert.throws(() => readWaves(dir), /waves.yml is not a valid file of its kind \(waves\.0\.vms: .*run the plan_waves playbook/);
      rmSync(join(dir, 'waves.yml'));
      assert.throws(() => readWaves(dir), /waves.yml does not exist: run the plan_waves playbook/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
