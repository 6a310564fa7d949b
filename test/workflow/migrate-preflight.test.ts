// The source checks before the target is touched, on real files: sparse empty disks, disks with data, allocated
// zeros, missing and unreadable files, and the ssh key, passphrase and known_hosts checks (ssh2's own key parser).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanForData } from '../../src/transfer/data-scan.js';
import { openLocalSource } from '../../src/transfer/sources/local.js';
import { createLogger } from '../../src/util/log.js';
import type { VSphereSession } from '../../src/vmware/session.js';
import type { VmDetail, VmDisk } from '../../src/vmware/vm.js';
import { type PlanOptions, emptyDiskProblem, planMigration, withChecks } from '../../src/workflow/migrate-plan.js';
import { preflight } from '../../src/workflow/migrate-preflight.js';
import type { MigrateRequest } from '../../src/workflow/migrate-request.js';
import { MiB, makeFlatVmdk, makeSparseImage, tempDir } from '../transfer/fixtures.js';

const GiB = 1024 * MiB;
const log = createLogger({ stderr: false, level: 'error' });

function disk(key: number, file: string, capacityBytes: number): VmDisk {
  return { key, capacityBytes, datastore: 'ds', fileName: `[ds] vm/${file}.vmdk`, changeId: '' } as VmDisk;
}

function vmWith(disks: VmDisk[], powerState = 'poweredOff'): VmDetail {
  return { name: 'vm1', moid: 'vm-1', datacenter: 'DC0', disks, powerState, guestFullName: 'Debian', guestId: '', changeTrackingEnabled: false } as unknown as VmDetail;
}

const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  assumeZero: false,
  cbtSync: false,
  cutover: false,
  skipConversion: true,
  allowEmptyDisks: false,
  volume: {},
  ...over,
});

function request(source: Partial<MigrateRequest['source']>, o: PlanOptions): MigrateRequest {
  return {
    ...o,
    vmware: { server: '127.0.0.1:8989', user: 'u', password: 'p', insecure: false },
    source: { kind: 'local', vddk: { libdir: '', compression: 'none' }, https: { viaHost: true, hostPort: 443 }, ssh: { user: 'root', port: 22 }, ...source },
    runId: 'pf',
  } as MigrateRequest;
}

async function check(vm: VmDetail, req: MigrateRequest) {
  const o = req as unknown as PlanOptions;
  const draft = planMigration({ vm, volumes: vm.disks.map(() => undefined), host: { id: 'h' }, snapshots: [], options: o });
  const checks = await preflight({ req, vs: undefined as unknown as VSphereSession, vm, log, signal: new AbortController().signal }, draft);
  return { checks, plan: withChecks(draft, vm, checks, o) };
}

describe('migrate pre-checks: disk data', () => {
  const t = tempDir('preflight');
  const ds = join(t.dir, 'ds');
  before(() => {
    mkdirSync(join(ds, 'vm'), { recursive: true });
    // A 10 GiB disk that holds nothing (as the simulator's), one with data, one of allocated zeros.
    makeSparseImage(join(t.dir, 'empty.raw'), 10 * GiB, []);
    makeFlatVmdk(join(t.dir, 'empty.raw'), join(ds, 'vm'), 'empty');
    makeSparseImage(join(t.dir, 'data.raw'), 64 * MiB, [{ start: 40 * MiB, length: MiB }]);
    makeFlatVmdk(join(t.dir, 'data.raw'), join(ds, 'vm'), 'data');
    execFileSync('dd', ['if=/dev/zero', `of=${join(t.dir, 'zeros.raw')}`, 'bs=1M', 'count=16', 'status=none']);
    makeFlatVmdk(join(t.dir, 'zeros.raw'), join(ds, 'vm'), 'zeros');
    execFileSync('dd', ['if=/dev/zero', `of=${join(ds, 'vm', 'zeros-flat.vmdk')}`, 'bs=1M', 'count=16', 'status=none', 'conv=notrunc']);
  });
  after(() => t.cleanup());

  it('a sparse empty disk is found empty without a read, fast; data is found at its offset', async () => {
    const empty = await openLocalSource({ path: join(ds, 'vm', 'empty.vmdk'), name: 'pf-empty' });
    const started = Date.now();
    try {
      const r = await scanForData(empty);
      assert.deepEqual({ ...r, bytesRead: undefined }, { firstData: undefined, bytesRead: undefined, allocationKnown: true });
      assert.ok(r.bytesRead <= 64 * 1024, `only the allocated block(s) the file system reports are read (${r.bytesRead})`);
    } finally {
      await empty.close();
    }
    assert.ok(Date.now() - started < 5000, 'a 10 GiB sparse disk is checked in seconds');
    const data = await openLocalSource({ path: join(ds, 'vm', 'data.vmdk'), name: 'pf-data' });
    try {
      const r = await scanForData(data);
      assert.equal(r.firstData, 40 * MiB);
      assert.ok(r.bytesRead <= 8 * MiB, `stops at the data (${r.bytesRead} bytes read)`);
    } finally {
      await data.close();
    }
  });

  it('allocated zeros are read and found empty', async () => {
    const zeros = await openLocalSource({ path: join(ds, 'vm', 'zeros.vmdk'), name: 'pf-zeros' });
    try {
      const r = await scanForData(zeros);
      assert.equal(r.firstData, undefined);
      assert.equal(r.bytesRead, 16 * MiB);
    } finally {
      await zeros.close();
    }
  });

  it('an empty disk blocks the plan with a message naming the VM, disk, file and allow_empty_disks; a disk with data does not', async () => {
    const vm = vmWith([disk(2000, 'data', 64 * MiB), disk(2001, 'empty', 10 * GiB)]);
    const { checks, plan } = await check(vm, request({ localDiskPath: ds }, options()));
    assert.deepEqual(checks, [{ key: 2000, hasData: true, readFrom: 'powered-off VM' }, { key: 2001, hasData: false, readFrom: 'powered-off VM' }]);
    assert.deepEqual(plan.blocked.map((d) => d.disk.key), [2001]);
    assert.match(plan.blocked[0]!.blocked!, /^VM vm1 disk 1 \(key 2001, file \[ds\] vm\/empty\.vmdk\) holds no data.*allow_empty_disks: true/);
    const allowed = await check(vm, request({ localDiskPath: ds }, options({ allowEmptyDisks: true })));
    assert.deepEqual(allowed.plan.blocked, []);
    assert.equal(allowed.plan.disks[1]!.hasData, false);
  });

  it('a blank boot disk with conversion on is refused even with allow_empty_disks', () => {
    const d = { disk: disk(2000, 'empty', GiB) };
    assert.match(emptyDiskProblem({ name: 'vm1' }, 0, d, { allowEmptyDisks: true, skipConversion: false })!, /boot disk and there is no guest to convert/);
    assert.equal(emptyDiskProblem({ name: 'vm1' }, 0, d, { allowEmptyDisks: true, skipConversion: true }), undefined);
    assert.equal(emptyDiskProblem({ name: 'vm1' }, 1, d, { allowEmptyDisks: true, skipConversion: false }), undefined);
  });

  it('a missing flat file, a directory in its place and a missing descriptor are found, with what to do', async () => {
    const vm = vmWith([disk(2000, 'data', 64 * MiB), disk(2001, 'nosuch', GiB)]);
    renameSync(join(ds, 'vm', 'data-flat.vmdk'), join(ds, 'vm', 'data-flat.vmdk.away'));
    try {
      const { plan } = await check(vm, request({ localDiskPath: ds }, options()));
      assert.equal(plan.blocked.length, 2);
      assert.match(plan.blocked[0]!.blocked!, /VM vm1 disk 0 \(key 2000, file \[ds\] vm\/data\.vmdk\) cannot be read through disk_source local: .*ENOENT.*localdiskpath/);
      assert.match(plan.blocked[1]!.blocked!, /disk 1 \(key 2001.*nosuch\.vmdk\) cannot be read .*ENOENT/);
      mkdirSync(join(ds, 'vm', 'data-flat.vmdk'));
      const dir = await check(vm, request({ localDiskPath: ds }, options()));
      assert.match(dir.plan.blocked[0]!.blocked!, /disk 0 .* cannot be read through disk_source local: .*(EISDIR|directory|regular file)/);
    } finally {
      execFileSync('rm', ['-rf', join(ds, 'vm', 'data-flat.vmdk')]);
      renameSync(join(ds, 'vm', 'data-flat.vmdk.away'), join(ds, 'vm', 'data-flat.vmdk'));
    }
  });

  it('a running VM on a local mount is read (not left to the snapshot)', async () => {
    const vm = vmWith([disk(2000, 'data', 64 * MiB)], 'poweredOn');
    const { checks } = await check(vm, request({ localDiskPath: ds }, options()));
    assert.deepEqual(checks, [{ key: 2000, hasData: true, readFrom: 'running VM' }], 'a local mount is read even for a running VM');
  });
});

describe('migrate pre-checks: the vddk source, before any snapshot', () => {
  const t = tempDir('preflight-vddk');
  const libdir = join(t.dir, 'vddk');
  const plugins = join(t.dir, 'plugins');
  const bin = join(t.dir, 'bin');
  const path = process.env.PATH;
  before(() => {
    mkdirSync(join(libdir, 'lib64'), { recursive: true });
    writeFileSync(join(libdir, 'lib64', 'libvixDiskLib.so.8'), '');
    mkdirSync(plugins);
    mkdirSync(bin);
    // An nbdkit stand-in whose plugin directory is ours, so that the vddk plugin can be there or not.
    writeFileSync(join(bin, 'nbdkit'), `#!/bin/sh\n[ "$1" = --dump-config ] && echo "plugindir=${plugins}" && exit 0\nexit 1\n`, { mode: 0o755 });
    process.env.PATH = `${bin}:${path}`;
  });
  after(() => {
    process.env.PATH = path;
    t.cleanup();
  });

  const vm = vmWith([disk(2000, 'data', 64 * MiB), disk(2001, 'empty', 10 * GiB)], 'poweredOn');
  const vddk = (lib: string, vmware: Partial<MigrateRequest['vmware']> = {}) => {
    const req = request({ kind: 'vddk', vddk: { libdir: lib, compression: 'none' } }, options());
    return { ...req, vmware: { ...req.vmware, ...vmware } };
  };
  const problems = async (req: MigrateRequest) => (await check(vm, req)).plan.blocked.map((d) => d.blocked);

  it('a libdir without the VDDK library blocks every disk, naming the directory and what to do', async () => {
    const missing = join(t.dir, 'no-vddk');
    const p = await problems(vddk(missing));
    assert.equal(p.length, 2);
    assert.match(p[0]!, new RegExp(`^VM vm1 disk 0 .* cannot be read through disk_source vddk: libdir ${missing} holds no VDDK library \\(no ${missing}/lib64/libvixDiskLib\\.so\\*\\): install the VMware VDDK there, or point libdir at it`));
  });

  it('nbdkit without its vddk plugin is found next', async () => {
    assert.match((await problems(vddk(libdir)))[0]!, new RegExp(`nbdkit has no vddk plugin \\(${plugins}/nbdkit-vddk-plugin\\.so\\): install nbdkit's vddk plugin`));
  });

  it('then the thumbprint: a malformed one, or none and a server whose certificate cannot be read; a good one passes', async () => {
    writeFileSync(join(plugins, 'nbdkit-vddk-plugin.so'), '');
    assert.match((await problems(vddk(libdir, { thumbprint: 'AB:CD' })))[0]!, /vmware_thumbprint: thumbprint "AB:CD" is neither a SHA-1/);
    const sha256 = Array.from({ length: 32 }, () => 'ab').join(':');
    assert.match((await problems(vddk(libdir, { thumbprint: sha256 })))[0]!, /vmware_thumbprint is a SHA-256 fingerprint, and VDDK pins the SHA-1 one/);
    assert.match((await problems(vddk(libdir, { server: '127.0.0.1:1' })))[0]!, /cannot read the certificate thumbprint of 127\.0\.0\.1:1 for VDDK .*; set vmware_thumbprint, vmware_ca_file or vmware_insecure/);
    const good = await check(vm, vddk(libdir, { thumbprint: Array.from({ length: 20 }, () => 'ab').join(':') }));
    assert.deepEqual(good.checks, [{ key: 2000 }, { key: 2001 }], 'the disks themselves are read from the snapshot');
    assert.deepEqual(good.plan.blocked, []);
  });
});

describe('migrate pre-checks: ssh access', () => {
  const t = tempDir('preflight-ssh');
  const key = join(t.dir, 'id_ed25519');
  const knownHosts = join(t.dir, 'known_hosts');
  before(() => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', key]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(t.dir, 'hostkey')]);
    writeFileSync(knownHosts, `otherhost ${execFileSync('cat', [join(t.dir, 'hostkey.pub')], { encoding: 'utf8' }).split(' ').slice(0, 2).join(' ')}\n`);
  });
  after(() => t.cleanup());

  const vm = vmWith([disk(2000, 'data', 64 * MiB)], 'poweredOn');
  const ssh = (over: Partial<MigrateRequest['source']['ssh']>) => request({ kind: 'ssh', ssh: { user: 'root', port: 22, keyPath: key, knownHosts, ...over } }, options());
  const problem = async (req: MigrateRequest) => (await check(vm, req)).plan.blocked[0]?.blocked;

  it('an encrypted key without its passphrase, or with a wrong one, says to set esxi_ssh_key_passphrase', async () => {
    assert.match((await problem(ssh({})))!, /^VM vm1 disk 0 .* cannot be read through disk_source ssh: esxi_ssh_key_path .*id_ed25519 cannot be used: it is encrypted and no passphrase was given; set esxi_ssh_key_passphrase/);
    const wrong = (await problem(ssh({ passphrase: 'wrong' })))!;
    assert.match(wrong, /the passphrase does not decrypt it; set esxi_ssh_key_passphrase/);
    assert.ok(!wrong.includes('wrong'), 'the passphrase is not in the message');
  });

  it('with the passphrase, a known_hosts file without the host says how to add it', async () => {
    assert.match((await problem(ssh({ passphrase: 'correct horse' })))!, /no host key for 127\.0\.0\.1 in .*known_hosts; add it \(ssh-keyscan -p 22 127\.0\.0\.1\)/);
  });

  it('a key path that is a directory, a missing key, a public key', async () => {
    assert.match((await problem(ssh({ keyPath: t.dir })))!, /cannot read esxi_ssh_key_path .* \(EISDIR\)/);
    assert.match((await problem(ssh({ keyPath: join(t.dir, 'missing') })))!, /cannot read esxi_ssh_key_path .* \(ENOENT\)/);
    assert.match((await problem(ssh({ keyPath: `${key}.pub` })))!, /cannot be used: it holds no private key; point esxi_ssh_key_path at the private key \(not the \.pub file\)/);
  });
});
