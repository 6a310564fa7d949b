/**
 * Start-up benchmark (not a test): median wall time of module runs (`<pinned node> <module file> <args file>`, as
 * Ansible runs them) against references measured side by side, interleaved so machine load affects all alike.
 * Goal (issue 2): <= 120 ms median for a module that loads no SDK.
 *
 *   node build/bench/startup.js [runs]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moduleNode, modulesDir } from '../test/helpers/run-module.js';

interface Subject {
  label: string;
  cmd: string;
  args: string[];
}

const work = mkdtempSync(join(tmpdir(), 'osm-bench-startup-'));
const argsFile = (name: string, args: Record<string, unknown>) => {
  const p = join(work, `${name}.json`);
  writeFileSync(p, JSON.stringify(args));
  return p;
};

function staticBinary(): string {
  const src = join(work, 'true.c');
  const exe = join(work, 'true-static');
  writeFileSync(src, 'int main(void){return 0;}\n');
  execFileSync('gcc', ['-static', '-O2', '-o', exe, src]);
  return exe;
}

function labFacts(): { authUrl: string; vcenter: string } {
  const dir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
  try {
    const os = JSON.parse(readFileSync(join(dir, 'openstack.json'), 'utf8')) as { auth_url: string };
    const vs = JSON.parse(readFileSync(join(dir, 'vsphere.json'), 'utf8')) as { host: string; port: number };
    return { authUrl: os.auth_url, vcenter: `${vs.host}:${vs.port}` };
  } catch {
    return { authUrl: 'http://127.0.0.1:9/v3', vcenter: '127.0.0.1:9' };
  }
}

function subjects(): Subject[] {
  const list: Subject[] = [
    { label: 'static C binary (floor)', cmd: staticBinary(), args: [] },
    { label: 'node -e 0 (plain Node start)', cmd: moduleNode, args: ['-e', '0'] },
    { label: 'warn (module, no SDK)', cmd: moduleNode, args: [join(modulesDir, 'warn'), argsFile('warn', { msg: 'x' })] },
  ];
  // Modules that load an SDK and make one real request that is refused at once: the lab's Keystone and vCenter
  // with a wrong password (run `lab/up` first); without the lab they fail on a closed local port instead.
  const facts = labFacts();
  const sdk: [string, string, Record<string, unknown>][] = [
    ['flavor_info (loads undici)', 'flavor_info', {
      cloud: { auth: { auth_url: facts.authUrl, username: 'osm', password: 'wrong', project_name: 'osm', user_domain_name: 'Default' } },
      flavor_name: 'm1.tiny',
    }],
    ['vmware_inventory (vSphere client)', 'vmware_inventory', {
      vcenter_hostname: facts.vcenter, vcenter_username: 'user', vcenter_password: 'wrong', vmware_insecure: true, vms_list: ['x'],
      os_migrate_vmw_data_dir: work,
    }],
  ];
  for (const [label, name, args] of sdk) {
    if (existsSync(join(modulesDir, name))) list.push({ label, cmd: moduleNode, args: [join(modulesDir, name), argsFile(name, args)] });
  }
  return list;
}

function timeOnce(s: Subject): number {
  const t0 = process.hrtime.bigint();
  spawnSync(s.cmd, s.args, { stdio: 'ignore', env: {} });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const runs = Number(process.argv[2] ?? 25);
const list = subjects();
const times = list.map(() => [] as number[]);
for (const s of list) timeOnce(s); // warm the page cache
for (let r = 0; r < runs; r++) list.forEach((s, i) => times[i]!.push(timeOnce(s)));

const floor = median(times[0]!);
const node = median(times[1]!);
console.log(`start-up, median of ${runs} interleaved runs (load average ${(await import('node:os')).loadavg()[0]!.toFixed(2)})`);
console.log('subject'.padEnd(34), 'median ms'.padStart(10), 'x static'.padStart(10), 'x node'.padStart(8));
list.forEach((s, i) => {
  const m = median(times[i]!);
  console.log(s.label.padEnd(34), m.toFixed(1).padStart(10), (m / floor).toFixed(1).padStart(10), (m / node).toFixed(2).padStart(8));
});
