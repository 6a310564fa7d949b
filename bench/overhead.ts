/**
 * Fixed-overhead benchmark (prints a ratio; not a test). Needs the lab up and the module executables built
 * (`npm run build`); run it under the lab's lock:
 *   flock /tmp/osm-lab.lock node build/bench/overhead.js [--runs 3] [--vms a,b]
 *
 * The migration playbook exactly as a user runs it against the lab (lab/env's inventory, secrets.yml and myvars.yml:
 * four VMs, https source, conversion host prepared; `--vms` migrates these instead), first once to migrate what is not migrated yet, then `--runs`
 * times with nothing left to copy (every VM already migrated). Prints each rerun's wall time, the slowest tasks of the
 * fastest rerun and `RATIO nothing-to-copy run vs 10 s` (goal <= 1). Afterwards the tool's servers, volumes and ports
 * of those VMs are deleted again.
 */
import { connect } from '../src/openstack/connect.js';
import { FQCN, installCollection, type InstalledCollection, type PlaybookRun } from '../test/helpers/collection.js';
import { cleanLabVm, labDstCloud, labEnvVar, labMigration } from '../test/helpers/lab-migration.js';

const argAfter = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(argAfter('--runs') ?? 3);
const onlyVms = argAfter('--vms')?.split(',');
const GOAL_SECONDS = 10;

interface Run {
  seconds: number;
  tasks: PlaybookRun['durations'];
}

/** The lab's migration playbook, as a user runs it (labMigration); fails unless it succeeds. */
function migration(c: InstalledCollection): Run {
  const t0 = performance.now();
  const run = labMigration(c, onlyVms ? { vms_list: onlyVms } : {});
  const seconds = (performance.now() - t0) / 1000;
  if (run.code !== 0) throw new Error(`the migration playbook failed (exit ${String(run.code)}): ${JSON.stringify(run.tasks.filter((t) => t.result.failed).map((t) => [t.task, t.result.msg]))}`);
  return { seconds, tasks: run.durations };
}

async function main(): Promise<void> {
  const names = onlyVms ?? (labEnvVar('myvars.yml', 'vms_list') as string[]);
  const s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
  const c = installCollection();
  try {
    process.stderr.write(`migrating ${names.join(', ')} (what is not migrated yet)\n`);
    const first = migration(c);
    process.stderr.write(`  first run: ${first.seconds.toFixed(1)} s\n`);
    const reruns: Run[] = [];
    for (let n = 0; n < runs; n++) {
      const r = migration(c);
      process.stderr.write(`  rerun ${n + 1}: ${r.seconds.toFixed(1)} s\n`);
      reruns.push(r);
    }
    const best = reruns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    console.log(`\nMigration playbook against the lab with nothing to copy (${names.length} VMs already migrated; conversion host prepared).`);
    console.log(`Reruns (s): ${reruns.map((r) => r.seconds.toFixed(1)).join(', ')}; tasks in the fastest: ${best.tasks.length}, their sum ${best.tasks.reduce((a, t) => a + t.seconds, 0).toFixed(1)} s.`);
    console.log('| slowest tasks of the fastest rerun | s |');
    console.log('|---|---|');
    for (const t of [...best.tasks].sort((a, b) => b.seconds - a.seconds).slice(0, 10)) console.log(`| ${t.task} | ${t.seconds.toFixed(2)} |`);
    const byPart = new Map<string, { seconds: number; count: number }>();
    for (const t of best.tasks) {
      const part = t.task.includes(' : ') ? t.task.split(' : ')[0]!.replace(`${FQCN}.`, 'role ') : 'playbook tasks';
      const e = byPart.get(part) ?? { seconds: 0, count: 0 };
      e.seconds += t.seconds;
      e.count++;
      byPart.set(part, e);
    }
    console.log('| part of the fastest rerun | tasks | s |');
    console.log('|---|---|---|');
    for (const [part, e] of [...byPart].sort((a, b) => b[1].seconds - a[1].seconds)) console.log(`| ${part} | ${e.count} | ${e.seconds.toFixed(2)} |`);
    const x = best.seconds / GOAL_SECONDS;
    console.log(`RATIO nothing-to-copy run vs ${GOAL_SECONDS} s: ${x.toFixed(2)} (${best.seconds.toFixed(1)} s; goal <= 1: ${x <= 1 ? 'met' : 'NOT met'})`);
  } finally {
    for (const name of names) await cleanLabVm(s, name);
    await s.close();
  }
}

await main();
