// One measured discovery run for bench/discovery.ts: reads {host, port, user, password, cafile} on stdin, discovers
// the whole inventory with full VM detail (what vmware_inventory's whole_inventory does) and prints one JSON line.
import { readFileSync } from 'node:fs';
import { withSession } from '../src/vmware/session.js';
import { discover } from '../src/workflow/discovery.js';

const req = JSON.parse(readFileSync(0, 'utf8')) as { host: string; port: number; user: string; password: string; cafile: string };
const start = performance.now();
const d = await withSession({ host: `${req.host}:${req.port}`, username: req.user, password: req.password, caFile: req.cafile }, (s) =>
  discover(s, undefined),
);
const ms = Math.round(performance.now() - start);
const disks = d.vms.reduce((n, vm) => n + vm.disks.length, 0);
const nics = d.vms.reduce((n, vm) => n + vm.nics.length, 0);
console.log(JSON.stringify({ ms, vms: d.vms.length, disks, nics, maxrss_kb: process.resourceUsage().maxRSS }));
