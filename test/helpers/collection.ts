import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './run-module.js';

export const FQCN = 'os_migrate.vmware_migration_kit';

export interface InstalledCollection {
  /** Directory for ANSIBLE_COLLECTIONS_PATH. */
  path: string;
  /** Root of the installed collection. */
  root: string;
  /** The collection tarball it was installed from. */
  tarball: string;
  work: string;
  env: NodeJS.ProcessEnv;
}

/** Build the collection tarball with ansible-galaxy and install it into a temporary collections path. */
export function installCollection(): InstalledCollection {
  const work = mkdtempSync(join(tmpdir(), 'osm-collection-'));
  const path = join(work, 'collections');
  const env = {
    ...process.env,
    ANSIBLE_COLLECTIONS_PATH: path,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCALHOST_WARNING: 'False',
    ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
  };
  execFileSync('ansible-galaxy', ['collection', 'build', '--force', '--output-path', work, repoRoot], { env, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tar.gz'));
  if (!tarball) throw new Error('ansible-galaxy built no tarball');
  execFileSync('ansible-galaxy', ['collection', 'install', '--force', '-p', path, join(work, tarball)], { env, stdio: 'pipe' });
  return { path, root: join(path, 'ansible_collections', 'os_migrate', 'vmware_migration_kit'), tarball: join(work, tarball), work, env };
}

export interface TaskResult {
  task: string;
  host: string;
  result: Record<string, unknown>;
}

export interface PlaybookRun {
  code: number | null;
  tasks: TaskResult[];
  /** Per host: ok, changed, failures, ... from the play recap. */
  stats: Record<string, { changed: number; failures: number; ok: number; unreachable: number }>;
  stderr: string;
  /** What the play printed before the JSON document: the lines actions display while they run (migration progress). */
  displayed: string;
  /** Each task that ran, once (whatever the number of hosts), with its wall time from the JSON callback. */
  durations: { task: string; seconds: number }[];
}

/** Run ansible-playbook with the JSON callback and return every task result. */
export function runPlaybook(c: InstalledCollection, args: string[], opts: { timeoutMs?: number } = {}): PlaybookRun {
  const p = spawnSync('ansible-playbook', args, {
    env: { ...c.env, ANSIBLE_STDOUT_CALLBACK: 'json' },
    encoding: 'utf8',
    cwd: c.work,
    timeout: opts.timeoutMs ?? 30 * 60_000,
    maxBuffer: 256 << 20,
  });
  let out: {
    plays: { tasks: { task: { name: string; duration?: { start?: string; end?: string } }; hosts: Record<string, Record<string, unknown>> }[] }[];
    stats: PlaybookRun['stats'];
  };
  // The JSON document starts on a line of its own; lines displayed during the run (display.display) come before it.
  const start = p.stdout.startsWith('{') ? 0 : p.stdout.indexOf('\n{\n') + 1;
  try {
    out = JSON.parse(p.stdout.slice(start));
  } catch {
    throw new Error(`ansible-playbook printed no JSON (exit ${String(p.status)}): ${p.stdout.slice(-2000)}\n${p.stderr.slice(-2000)}`);
  }
  const tasks: TaskResult[] = [];
  const durations: PlaybookRun['durations'] = [];
  for (const play of out.plays) {
    for (const t of play.tasks) {
      for (const [host, result] of Object.entries(t.hosts)) tasks.push({ task: t.task.name, host, result });
      const d = t.task.duration;
      if (d?.start && d.end) durations.push({ task: t.task.name, seconds: (Date.parse(d.end) - Date.parse(d.start)) / 1000 });
    }
  }
  return { code: p.status, tasks, stats: out.stats, stderr: p.stderr, displayed: p.stdout.slice(0, start), durations };
}

/** Write a one-play playbook on localhost and return its path. */
export function localPlaybook(c: InstalledCollection, tasks: string): string {
  const file = join(c.work, `play-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, `- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n${tasks}`);
  return file;
}
