// The lab OpenStack's PID files (lab/openstack/lib.sh): a file left by a session or machine that ended without
// lab/down must neither pass for a running service nor make lab/up report that service as exited.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const lib = resolve('lab/openstack/lib.sh');
const labDir = mkdtempSync(join(tmpdir(), 'osm-lab-pids-'));
const runDir = join(labDir, 'openstack', 'run');
mkdirSync(runDir, { recursive: true });
const bootId = `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${spawnSync('readlink', ['/proc/self/ns/pid'], { encoding: 'utf8' }).stdout.trim()}`;

// A live process leading its own group, as start_service leaves a service.
const leader = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
after(() => {
  leader.kill('SIGKILL');
  rmSync(labDir, { recursive: true, force: true });
});
const ticks = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[19];

function lab(script: string): { status: number | null; stdout: string } {
  const r = spawnSync('bash', ['-c', `source ${lib}; ${script}`], { env: { ...process.env, OSM_LAB_DIR: labDir }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout.trim() };
}

describe('lab OpenStack PID files', () => {
  it('knows the live process it recorded, with its start time', () => {
    writeFileSync(join(runDir, 'glance.pid'), `${leader.pid} ${bootId} ${ticks(leader.pid!)}\n`);
    assert.deepEqual(lab('service_pid glance'), { status: 0, stdout: String(leader.pid) });
  });

  it('does not take a later process that reuses the PID (other start time) for the service', () => {
    writeFileSync(join(runDir, 'placement.pid'), `${leader.pid} ${bootId} 1\n`);
    assert.equal(lab('service_pid placement').status, 1);
  });

  it('ignores a file from another PID namespace or boot, and one written before start times were recorded', () => {
    writeFileSync(join(runDir, 'keystone.pid'), `${leader.pid} ${bootId.split('/')[0]}/pid:[1] ${ticks(leader.pid!)}\n`);
    writeFileSync(join(runDir, 'nova-api.pid'), `${leader.pid} ${bootId}\n`);
    assert.equal(lab('service_pid keystone').status, 1);
    assert.equal(lab('service_pid nova-api').status, 1);
  });

  it('forget_exited removes the stale files and keeps the running one, so all_running passes', () => {
    const r = lab('forget_exited; all_running && echo ok');
    assert.deepEqual(r, { status: 0, stdout: 'ok' });
    assert.equal(existsSync(join(runDir, 'glance.pid')), true);
    for (const gone of ['placement', 'keystone', 'nova-api']) assert.equal(existsSync(join(runDir, `${gone}.pid`)), false, gone);
  });

  it('without forget_exited, a stale file makes all_running report that service as exited (the failure it prevents)', () => {
    writeFileSync(join(runDir, 'placement.pid'), `${leader.pid} ${bootId} 1\n`);
    const r = spawnSync('bash', ['-c', `source ${lib}; all_running`], { env: { ...process.env, OSM_LAB_DIR: labDir }, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /placement exited/);
  });
});
