/**
 * import_vmware_volume through the built executable. No VDDK or real vCenter exists here, so `virt-v2v` is mostly a
 * stand-in that records what it was given and, like virt-v2v -o openstack, creates the volumes <vm>-sda, ... in the
 * lab's real Cinder with the real openstack client and the clouds.yaml the module handed it. The last tests run the
 * real virt-v2v, whose libvirt ESX driver logs in to the lab's vCenter simulator with the module's password file.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers } from '../../src/util/process.js';
import { orphanGroup } from '../helpers/orphan.js';
import { moduleNode } from '../helpers/run-module.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deleteVolume, listVolumesByName } from '../../src/openstack/volume.js';
import { readRecord, writeStandIn } from '../conversion/virt-v2v-stand-in.js';
import { vsphereFacts } from '../helpers/lab-migration.js';
import { cloudDict, expectFail, expectOk, root, runModule, session, uniqueName } from '../openstack/lab/lab.js';

const password = 'vc-S3cret pass"word';

function setup(o: { exitCode: number; createVolumes?: number }) {
  const work = mkdtempSync(join(tmpdir(), 'osm-iv-'));
  const tmp = join(work, 'tmp');
  mkdirSync(tmp);
  const standIn = writeStandIn(work, o);
  // The module's own environment: PATH for the openstack client, TMPDIR to see what the private directory leaves.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, TMPDIR: tmp };
  return { ...standIn, tmp, env };
}

function args(vm: string, command: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vcenter_hostname: 'vcenter.example.com:8443',
    vcenter_username: 'administrator@vsphere.local',
    vcenter_password: password,
    vcenter_datacenter: 'DC0',
    vcenter_cluster: 'DC0_C0',
    esxi_hostname: 'DC0_C0_H0',
    vddk_libdir: '/usr/lib/vmware-vix-disklib',
    vddk_thumbprint: 'AB:CD:EF:01',
    conversion_host_id: 'osm-conversion-host',
    vm_name: vm,
    cloud: cloudDict(),
    virt_v2v_path: command,
    ...extra,
  };
}

describe('import_vmware_volume: bad input fails before anything runs', () => {
  it('a vcenter_hostname that would change the URL: exit 1, clear msg, virt-v2v not run', async () => {
    const s = setup({ exitCode: 0 });
    const r = await runModule('import_vmware_volume', args('osm-v2v-bad', s.command, { vcenter_hostname: 'vc/evil?x=1' }), { env: s.env });
    expectFail(r, /vcenter_hostname 'vc\/evil\?x=1' is not a host name, an IP address or host:port/, 'bad host');
    assert.equal(existsSync(s.recordFile), false);
  });

  it('no cloud and no OS_* variables: exit 1 naming what to set, virt-v2v not run', async () => {
    const s = setup({ exitCode: 0 });
    const { cloud: _omit, ...noCloud } = args('osm-v2v-bad', s.command);
    const r = await runModule('import_vmware_volume', noCloud, { env: s.env });
    expectFail(r, /no OpenStack cloud given: pass `cloud`.*OS_CLOUD/, 'no cloud');
    assert.equal(existsSync(s.recordFile), false);
    assert.ok(!JSON.stringify(r.result).includes(password));
  });
});

describe('import_vmware_volume against the lab Cinder (stand-in virt-v2v)', () => {
  const vm = uniqueName('osm-v2v');
  const failingVm = uniqueName('osm-v2v-fail');

  after(async () => {
    const s = await session();
    for (const name of [`${vm}-sda`, `${vm}-sdb`, `${failingVm}-sda`]) {
      for (const v of await listVolumesByName(s, name)) await deleteVolume(s, v.id);
    }
    await s.close();
  });

  it('check mode: reports the command it would run, runs nothing', async () => {
    const s = setup({ exitCode: 0, createVolumes: 2 });
    const r = await runModule('import_vmware_volume', args(vm, s.command), { env: s.env, check: true });
    const res = expectOk(r, 'check mode');
    assert.equal(res.changed, true);
    assert.equal(res.rc, 0);
    assert.deepEqual((res.cmd as string[]).slice(0, 5), [s.command, '-ip', '<password file>', '-ic', 'vpx://administrator%40vsphere.local@vcenter.example.com:8443/DC0/host/DC0_C0/DC0_C0_H0']);
    assert.equal(existsSync(s.recordFile), false, 'virt-v2v ran in check mode');
  });

  it('runs virt-v2v with the password in a private 0600 file and the cloud in a private clouds.yaml, then removes them', async () => {
    const s = setup({ exitCode: 0, createVolumes: 2 });
    const t0 = Date.now();
    const r = await runModule('import_vmware_volume', args(vm, s.command), { env: s.env });
    const res = expectOk(r, 'import');
    const record = readRecord(s.recordFile);
    assert.equal(res.changed, true);
    assert.equal(res.rc, 0);
    assert.match(String(res.stdout), /stand-in virt-v2v done/);
    assert.deepEqual((res.cmd as string[]).slice(1), record.argv);
    assert.deepEqual(record.argv.slice(-2), ['--', vm]);
    assert.ok(record.argv.includes('vddk-thumbprint=AB:CD:EF:01'));
    assert.equal(record.passwordFileMode, '600');
    assert.equal(record.privateDirMode, '700');
    assert.equal(record.cloudsFileMode, '600');
    assert.equal(record.password, password, 'the file holds exactly the password, no newline');
    assert.equal(record.stdin, '');
    assert.deepEqual(record.osVariables, ['OS_CLIENT_CONFIG_FILE', 'OS_CLOUD']);
    assert.ok(!record.argv.some((a) => a.includes(password)), 'password on the command line');
    assert.equal(existsSync(record.passwordFile), false, 'password file left behind');
    assert.deepEqual(readdirSync(s.tmp), [], 'private directory left behind');
    assert.ok(!r.stderr.includes(password) && !JSON.stringify(res).includes(password), 'password in the output');
    const volumes = res.volumes as { id: string; name: string }[];
    assert.deepEqual(volumes.map((v) => v.name), [`${vm}-sda`, `${vm}-sdb`]);
    console.error(`import with 2 stand-in volumes: ${Date.now() - t0} ms`);
  });

  it('a rerun finds the volumes virt-v2v made: changed false, virt-v2v not run', async () => {
    const s = setup({ exitCode: 0, createVolumes: 2 });
    const res = expectOk(await runModule('import_vmware_volume', args(vm, s.command), { env: s.env }), 'rerun');
    assert.equal(res.changed, false);
    assert.match(String(res.msg), /already imported by virt-v2v/);
    assert.deepEqual((res.volumes as { name: string }[]).map((v) => v.name), [`${vm}-sda`, `${vm}-sdb`]);
    assert.equal(existsSync(s.recordFile), false, 'virt-v2v ran again');
  });

  it('a volume of the same name not made by virt-v2v for this VM does not count as an import', async () => {
    const os = await session();
    const name = `${failingVm}-sda`;
    await os.request('block-storage', 'create volume', 'POST', '/volumes', { body: { volume: { name, size: 1 } } });
    await os.close();
    const s = setup({ exitCode: 2 });
    const r = await runModule('import_vmware_volume', args(failingVm, s.command), { env: s.env });
    expectFail(r, /Command failed: virt-v2v exited with code 2: stand-in virt-v2v failing with 2/, 'failing virt-v2v');
    assert.ok(existsSync(s.recordFile), 'virt-v2v did not run: the foreign volume was taken for an import');
    assert.equal(r.result.rc, 2);
    assert.match(String(r.result.stderr), /stand-in virt-v2v failing/);
    const record = readRecord(s.recordFile);
    assert.equal(existsSync(record.passwordFile), false);
    assert.deepEqual(readdirSync(s.tmp), []);
    assert.ok(!JSON.stringify(r.result).includes(password) && !r.stderr.includes(password));
  });
});

describe('import_vmware_volume with the real virt-v2v and libvirt against the vCenter simulator', () => {
  // virt-v2v sets up the input first: libvirt's ESX driver logs in to the simulator with the password file and
  // looks the VM up (the simulator then lacks something libvirt needs, so the run ends there, before VDDK or Cinder).
  function realRun(extra: Record<string, unknown>) {
    const work = mkdtempSync(join(tmpdir(), 'osm-iv-real-'));
    const tmp = join(work, 'tmp');
    mkdirSync(tmp);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, TMPDIR: tmp };
    const a = {
      ...args('DC0_C0_RP0_VM6', 'virt-v2v'),
      vcenter_hostname: `${vsphereFacts.host}:${vsphereFacts.port}`,
      vcenter_username: vsphereFacts.user,
      vcenter_password: vsphereFacts.password,
      vddk_libdir: join(work, 'vddk'),
      ...extra,
    };
    return runModule('import_vmware_volume', a, { env }).then((r) => ({ r, tmp }));
  }

  it('verifies the vCenter certificate by default: a self-signed one is refused', async () => {
    const { r, tmp } = await realRun({});
    expectFail(r, /^Command failed: virt-v2v exited with code 1/, 'untrusted certificate');
    assert.match(String(r.result.stderr), /certificate verification failed/);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('vmware_insecure: libvirt logs in with the password read from the file (a wrong one is refused)', async () => {
    const wrong = await realRun({ vmware_insecure: true, vcenter_password: 'not-the-vcenter-password' });
    expectFail(wrong.r, /Command failed/, 'wrong password');
    assert.match(String(wrong.r.result.stderr), /Login failure/);
    const right = await realRun({ vmware_insecure: true });
    expectFail(right.r, /Command failed/, 'right password, simulator limits');
    assert.match(String(right.r.result.stderr), /VIR_FROM_ESX/);
    assert.doesNotMatch(String(right.r.result.stderr), /Login failure|certificate verification failed|Could not find/);
    assert.deepEqual(readdirSync(right.tmp), []);
  });

  it("libvirt resolves the URI's /<datacenter>/host/<cluster>/<esxi> path in the inventory", async () => {
    const { r } = await realRun({ vmware_insecure: true, vcenter_cluster: 'NO_SUCH_CLUSTER' });
    expectFail(r, /Command failed/, 'unknown cluster');
    assert.match(String(r.result.stderr), /Could not find compute resource specified in '\/DC0\/host\/NO_SUCH_CLUSTER\/DC0_C0_H0'/);
  });
});

describe('import_vmware_volume: one import of a VM at a time; nothing of a killed import outlives it', () => {
  const vm = uniqueName('osm-v2v-kill');
  const orphanVm = `${vm}-b`;

  after(async () => {
    const s = await session();
    for (const name of [`${vm}-sda`, `${orphanVm}-sda`]) for (const v of await listVolumesByName(s, name)) await deleteVolume(s, v.id);
    await s.close();
  });

  /** The stand-in, hanging (see writesFile), and its log split into `{ pid, pgid?, what, ms }`. */
  function hanging() {
    const s = setup({ exitCode: 0, createVolumes: 1 });
    const writes = join(dirname(s.tmp), 'writes');
    const standIn = writeStandIn(dirname(s.tmp), { exitCode: 0, createVolumes: 1, writesFile: writes });
    writeFileSync(`${writes}.hang`, '');
    const log = () =>
      existsSync(writes)
        ? readFileSync(writes, 'utf8').trim().split('\n').map((l) => {
            const f = l.split(' ');
            return f[2] === 'start' ? { pid: Number(f[0]), pgid: Number(f[1]), what: 'start', ms: Number(f[3]) } : { pid: Number(f[0]), what: f[1]!, ms: Number(f[2]) };
          })
        : [];
    return { ...s, command: standIn.command, writes, log };
  }

  /** Run the module in the background; resolves once the stand-in is writing. */
  async function startHanging(h: ReturnType<typeof hanging>, vm: string) {
    const dir = mkdtempSync(join(tmpdir(), 'osm-test-'));
    writeFileSync(join(dir, 'args'), JSON.stringify({ ...args(vm, h.command), _ansible_module_name: 'import_vmware_volume' }));
    const child = spawn(moduleNode, [join(root, 'plugins', 'modules', 'import_vmware_volume'), join(dir, 'args')], { env: h.env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const closed = new Promise<string>((resolve) => child.once('close', () => resolve(stdout)));
    const deadline = Date.now() + 60_000;
    while (!h.log().some((w) => w.what === 'write') && child.exitCode === null && Date.now() < deadline) await sleep(50);
    const start = h.log()[0];
    assert.ok(start?.pgid, `the stand-in did not start: ${child.exitCode === null ? 'timeout' : await closed}`);
    return { child, closed, pgid: start.pgid, standInPid: start.pid };
  }

  it('a second import of the same VM while one runs fails at once naming the first; after kill -9 of the first nothing of it runs and a rerun imports', async () => {
    const h = hanging();
    const first = await startHanging(h, vm);
    const r = await runModule('import_vmware_volume', args(vm, h.command), { env: h.env });
    expectFail(
      r,
      new RegExp(`^import_vmware_volume of VM ${vm} is already running on this conversion host \\(pid ${first.child.pid}, lock /tmp/osm-vm-${vm}\\.lock\\); wait for it to finish$`),
      'second import',
    );
    assert.equal(h.log().filter((w) => w.what === 'start').length, 1, 'the second import ran virt-v2v');
    const killedAt = performance.now();
    first.child.kill('SIGKILL');
    while (groupMembers(first.pgid).length > 0 && performance.now() - killedAt < 5000) await sleep(1);
    console.log(`# virt-v2v's process group was gone ${(performance.now() - killedAt).toFixed(0)} ms after kill -9 of import_vmware_volume`);
    assert.deepEqual(groupMembers(first.pgid), [], 'virt-v2v outlived the killed module');
    await first.closed;
    const lastWrite = Math.max(...h.log().filter((w) => w.pid === first.standInPid).map((w) => w.ms));
    rmSync(`${h.writes}.hang`);
    const res = expectOk(await runModule('import_vmware_volume', args(vm, h.command), { env: h.env }), 'rerun');
    assert.deepEqual((res.volumes as { name: string }[]).map((v) => v.name), [`${vm}-sda`]);
    assert.equal(res.warnings, undefined, 'nothing of the killed run was left to stop');
    await sleep(300);
    assert.deepEqual(h.log().filter((w) => w.pid === first.standInPid && w.ms > lastWrite), []);
    assert.deepEqual(readdirSync(h.tmp), [], 'the killed run left a private directory');
  });

  it('kill -9 with the group surviving it: the rerun stops the orphan before its virt-v2v starts, and removes the private directory', async () => {
    const h = hanging();
    const killed = await startHanging(h, orphanVm);
    await orphanGroup(killed.child.pid!, killed.closed, killed.pgid, killed.standInPid);
    assert.equal(readdirSync(h.tmp).filter((n) => n.startsWith('osm-v2v-')).length, 1, 'the killed run left its private directory');
    rmSync(`${h.writes}.hang`);
    const r = await runModule('import_vmware_volume', args(orphanVm, h.command), { env: h.env });
    const res = expectOk(r, 'rerun');
    assert.deepEqual((res.volumes as { name: string }[]).map((v) => v.name), [`${orphanVm}-sda`]);
    const warning = (res.warnings as string[]).find((w) => w.startsWith('stopped processes'));
    assert.match(warning ?? '', new RegExp(`^stopped processes (\\d+, )*${killed.standInPid}(, \\d+)* left running by a killed import_vmware_volume of VM ${orphanVm} \\(pid ${killed.child.pid}\\) in \\d+ ms$`));
    console.log(`# rerun: ${warning}`);
    assert.deepEqual(groupMembers(killed.pgid), []);
    await sleep(300);
    const log = h.log();
    const orphanWrites = log.filter((w) => w.pid === killed.standInPid && w.what === 'write');
    const rerunStart = log.find((w) => w.what === 'start' && w.pid !== killed.standInPid);
    assert.ok(rerunStart, 'the rerun ran virt-v2v');
    assert.ok(Math.max(...orphanWrites.map((w) => w.ms)) < rerunStart.ms, 'the orphan wrote after the rerun started virt-v2v');
    assert.deepEqual(readdirSync(h.tmp), [], 'a private directory is left');
  });
});
