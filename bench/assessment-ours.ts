// One measured assessment run for bench/discovery.ts: reads {host, port, user, password, cafile, cloud, read_disks}
// on stdin, assesses every VM of the vCenter against the lab's OpenStack (vmware_assessment's work, no file written)
// and prints one JSON line.
import { readFileSync } from 'node:fs';
import { createLogger } from '../src/util/log.js';
import { assess } from '../src/workflow/assessment/assess.js';

const req = JSON.parse(readFileSync(0, 'utf8')) as { host: string; port: number; user: string; password: string; cafile: string; cloud: unknown; read_disks: boolean };
const start = performance.now();
const a = await assess(
  {
    migration: {
      vmware: { server: `${req.host}:${req.port}`, user: req.user, password: req.password, insecure: false, caFile: req.cafile },
      cloud: req.cloud,
      source: { kind: 'https', vddk: { libdir: '', compression: 'none' }, ssh: { user: 'root', port: 22 }, https: { viaHost: true, hostPort: 443 } },
      target: { kind: 'volume' },
      volume: { typeMapping: [] },
      assumeZero: false,
      cbtSync: false,
      cutover: false,
      skipConversion: true,
      multiDiskFs: false,
      conversion: { extraOpts: [], debug: false },
      byIdDir: '/dev/disk/by-id',
      allowEmptyDisks: false,
      verify: false,
      shutdownTimeoutMs: 300_000,
      forcePowerOff: true,
    },
    vmNames: undefined,
    network: { usedMappedNetworks: false, networkMap: {}, networkName: 'frontier-net', securityGroups: ['osm-sg'], useFixedIps: false },
    flavor: { uuid: undefined, useExisting: true },
    conversionHosts: [],
    maxDisksPerConversionHost: 25,
    readDisks: req.read_disks,
    parallel: 8,
  },
  createLogger({ level: 'warn' }),
  AbortSignal.timeout(3_600_000),
);
const ms = Math.round(performance.now() - start);
console.log(JSON.stringify({ ms, vms: a.vms.length, blocked: a.summary.blocked, maxrss_kb: process.resourceUsage().maxRSS }));
