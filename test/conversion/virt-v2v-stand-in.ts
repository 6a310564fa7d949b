import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in `virt-v2v` (no VDDK or vCenter exists here): a small Node script that records what it was given
 * (argv, stdin, the password file and its permissions, the OpenStack settings), optionally creates the volumes
 * virt-v2v -o openstack would create (with the real openstack client and the clouds.yaml it was handed), then
 * exits with the requested code.
 */
export interface StandInOptions {
  exitCode: number;
  sleepSeconds?: number;
  /** Create this many volumes `<vm>-sda`, ... (1 GiB, the first bootable) carrying virt-v2v's properties. */
  createVolumes?: number;
  /**
   * Append `<pid> <pgid> start <ms>` to this file when starting; then, while `<writesFile>.hang` exists at start,
   * never finish: start a `sleep` in the background (a second process of its group, as virt-v2v's appliance is) and
   * append `<pid> write <ms>` every 50 ms, standing for the writes of a virt-v2v that outlived its module.
   */
  writesFile?: string;
}

export interface StandInRecord {
  argv: string[];
  stdin: string;
  passwordFile: string;
  passwordFileMode: string;
  privateDirMode: string;
  password: string;
  cloudsFileMode: string;
  osCloud: string | undefined;
  osVariables: string[];
}

export function writeStandIn(dir: string, o: StandInOptions): { command: string; recordFile: string } {
  const command = join(dir, 'virt-v2v');
  const recordFile = join(dir, 'record.json');
  const script = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const argv = process.argv.slice(2);
const mode = (p) => (fs.statSync(p).mode & 0o777).toString(8);
const passwordFile = argv[argv.indexOf('-ip') + 1];
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
fs.writeFileSync(${JSON.stringify(recordFile)}, JSON.stringify({
  argv, stdin, passwordFile,
  passwordFileMode: mode(passwordFile),
  privateDirMode: mode(path.dirname(passwordFile)),
  password: fs.readFileSync(passwordFile, 'utf8'),
  cloudsFileMode: mode(process.env.OS_CLIENT_CONFIG_FILE),
  osCloud: process.env.OS_CLOUD,
  osVariables: Object.keys(process.env).filter((k) => k.startsWith('OS_')).sort(),
}));
const writes = ${JSON.stringify(o.writesFile ?? '')};
if (writes) {
  const pgid = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[2];
  fs.appendFileSync(writes, process.pid + ' ' + pgid + ' start ' + Date.now() + '\\n');
  if (fs.existsSync(writes + '.hang')) {
    require('node:child_process').spawn('sleep', ['600'], { stdio: 'ignore' });
    setInterval(() => fs.appendFileSync(writes, process.pid + ' write ' + Date.now() + '\\n'), 50);
    return;
  }
}
const vm = argv[argv.length - 1];
const openstack = (...args) => {
  const p = spawnSync('openstack', args, { encoding: 'utf8' });
  if (p.status !== 0) { process.stderr.write('openstack ' + args.join(' ') + ': ' + p.stderr); process.exit(1); }
  return p.stdout.trim();
};
for (let i = 0; i < ${o.createVolumes ?? 0}; i++) {
  const name = vm + '-sd' + String.fromCharCode(97 + i);
  const id = openstack('volume', 'create', '--size', '1', '--property', 'virt_v2v_guest_name=' + vm,
    '--property', 'virt_v2v_disk_index=' + i, ...(i === 0 ? ['--bootable'] : []), '-f', 'value', '-c', 'id', name);
  for (let t = 0; openstack('volume', 'show', '-f', 'value', '-c', 'status', id) !== 'available'; t++) {
    if (t > 60) { process.stderr.write(name + ' did not become available'); process.exit(1); }
    spawnSync('sleep', ['1']);
  }
}
if (${o.sleepSeconds ?? 0} > 0) spawnSync('sleep', ['${o.sleepSeconds ?? 0}']);
if (${o.exitCode} !== 0) { process.stderr.write('stand-in virt-v2v failing with ${o.exitCode}\\n'); process.exit(${o.exitCode}); }
process.stdout.write('stand-in virt-v2v done\\n');
`;
  writeFileSync(command, script);
  chmodSync(command, 0o755);
  return { command, recordFile };
}

export function readRecord(file: string): StandInRecord {
  return JSON.parse(readFileSync(file, 'utf8')) as StandInRecord;
}
