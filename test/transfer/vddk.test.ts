import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openVddkSource, vddkNbdkitArgs, type VddkOptions } from '../../src/transfer/sources/vddk.js';
import { startNbdServer } from '../../src/transfer/nbd/server-process.js';
import { NbdSource } from '../../src/transfer/sources/nbd.js';
import { MiB, makeSparseImage, sha256File, tempDir } from './fixtures.js';
import { startDatastoreServer, type DatastoreServer } from './servers.js';
import { sha256OfSource } from '../../src/transfer/verify.js';

const opts: VddkOptions = {
  server: 'vcenter.example.com',
  user: 'administrator@vsphere.local',
  password: 'S3cr3t pass=word',
  thumbprint: 'ab:cd:ef:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01',
  vmMoref: 'vm-123',
  snapshotMoref: 'snapshot-456',
  file: '[datastore1] rhel 9/rhel 9-000001.vmdk',
};

describe('vddk source', () => {
  it('builds nbdkit argv with every vddk parameter and the password only as password=-3', () => {
    const argv = vddkNbdkitArgs(opts, '/tmp/osm-nbd-x/vm-abc.sock');
    assert.deepEqual(argv, [
      '--readonly',
      '--exit-with-parent',
      '--foreground',
      '--unix',
      '/tmp/osm-nbd-x/vm-abc.sock',
      '--threads',
      '4',
      'vddk',
      'server=vcenter.example.com',
      'user=administrator@vsphere.local',
      'password=-3',
      'thumbprint=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01',
      'libdir=/usr/lib/vmware-vix-disklib',
      'vm=moref=vm-123',
      'snapshot=snapshot-456',
      'compression=fastlz',
      'transports=file:nbdssl:nbd',
      'file=[datastore1] rhel 9/rhel 9-000001.vmdk',
    ]);
    assert.ok(!argv.join(' ').includes(opts.password));
    const custom = vddkNbdkitArgs({ ...opts, libdir: '/opt/vddk', compression: 'none', transports: ['nbdssl'] }, '/s');
    assert.ok(custom.includes('libdir=/opt/vddk') && custom.includes('compression=none') && custom.includes('transports=nbdssl'));
  });

  it('rejects missing or malformed parameters before starting anything', () => {
    assert.throws(() => vddkNbdkitArgs({ ...opts, snapshotMoref: '' }, '/s'), /snapshot is required/);
    assert.throws(() => vddkNbdkitArgs({ ...opts, thumbprint: 'abc' }, '/s'), /not a SHA-1 fingerprint/);
    assert.throws(() => vddkNbdkitArgs({ ...opts, file: 'a\nb' }, '/s'), /control character/);
  });

  it('fails cleanly without VDDK: nbdkit output in the error, no password, nothing left behind', async () => {
    const t = tempDir('vddk');
    try {
      const err = await openVddkSource({ ...opts, name: 'vm-abc', readyTimeoutMs: 10_000 }).then(
        () => assert.fail('no VDDK exists here'),
        (e: Error) => e,
      );
      assert.match(err.message, /nbdkit failed to start/);
      assert.doesNotMatch(err.message, /S3cr3t/);
      assert.deepEqual(readdirSync('/tmp').filter((f) => f.startsWith('osm-nbd-') && f.includes('vm-abc')), []);
    } finally {
      t.cleanup();
    }
  });
});

describe('nbdkit password on fd 3 (curl plugin standing in for vddk)', () => {
  const t = tempDir('pw');
  const password = 'fd3-Pa55 word';
  let srv: DatastoreServer;
  before(async () => {
    mkdirSync(join(t.dir, 'ds'));
    makeSparseImage(join(t.dir, 'ds', 'disk.img'), 8 * MiB, [{ start: MiB, length: 3 * MiB }]);
    srv = await startDatastoreServer({ root: join(t.dir, 'ds'), dir: t.dir, basicAuth: `osm:${password}` });
  });
  after(async () => {
    await srv.close();
    t.cleanup();
  });

  it('authenticates with the password from the pipe, which never shows in the process listing', async () => {
    const lines: string[] = [];
    const server = await startNbdServer({
      command: 'nbdkit',
      name: 'pw',
      baseDir: t.dir,
      secretFd3: password,
      onOutput: (l) => lines.push(l),
      args: (sock) => ['--readonly', '--exit-with-parent', '--foreground', '--unix', sock, 'curl', `url=${srv.url('disk.img')}`, 'user=osm', 'password=-3', 'sslverify=false'],
    });
    const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8');
    const source = await NbdSource.open('vddk', server.socketPath, server);
    try {
      assert.ok(cmdline.includes('password=-3'));
      assert.ok(!cmdline.includes(password));
      assert.equal(await sha256OfSource(source), sha256File(join(t.dir, 'ds', 'disk.img')));
    } finally {
      await source.close();
    }
    assert.ok(!lines.join('\n').includes(password));
  });

  it('a wrong password is refused by the server (the pipe really carries it)', async () => {
    const lines: string[] = [];
    const server = await startNbdServer({
      command: 'nbdkit',
      name: 'pw2',
      baseDir: t.dir,
      secretFd3: 'wrong',
      onOutput: (l) => lines.push(l),
      args: (sock) => ['--readonly', '--exit-with-parent', '--foreground', '--unix', sock, 'curl', `url=${srv.url('disk.img')}`, 'user=osm', 'password=-3', 'sslverify=false'],
    });
    try {
      await assert.rejects(NbdSource.open('vddk', server.socketPath), /refused/);
      assert.match(lines.join('\n'), /401/);
    } finally {
      await server.stop();
    }
  });
});
