import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { esxiDatastorePath, openSshSource } from '../../src/transfer/sources/ssh.js';
import { openTarget } from '../../src/transfer/target.js';
import { copyDisk } from '../../src/transfer/copy.js';
import { copyChangedAreas } from '../../src/transfer/delta.js';
import { MiB, makeEmptyTarget, makeFlatVmdk, makeSparseImage, sha256File, tempDir } from './fixtures.js';
import { startSshd, type TestSshd } from './servers.js';

describe('ssh source (SFTP from the ESXi host)', () => {
  const t = tempDir('ssh');
  const size = 40 * MiB;
  const raw = join(t.dir, 'src.raw');
  let vmdk: string;
  let sshd: TestSshd;
  before(async () => {
    makeSparseImage(raw, size, [{ start: 1 * MiB, length: 6 * MiB + 4096 }, { start: 39 * MiB, length: MiB }]);
    mkdirSync(join(t.dir, 'ds', 'vm-1'), { recursive: true });
    vmdk = makeFlatVmdk(raw, join(t.dir, 'ds', 'vm-1'), 'vm-1');
    sshd = await startSshd(t.dir);
  });
  after(async () => {
    await sshd.stop();
    t.cleanup();
  });

  it('maps a backing file name to its /vmfs/volumes path', () => {
    assert.equal(esxiDatastorePath('[datastore 1] vm-1/vm-1.vmdk'), '/vmfs/volumes/datastore 1/vm-1/vm-1.vmdk');
    assert.throws(() => esxiDatastorePath('vm-1.vmdk'), /unexpected backing file name/);
  });

  it('copies the disk over SFTP with key auth and a pinned host key, identical to the source', async () => {
    const source = await openSshSource({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, hostKeySha256: sshd.hostKeySha256, path: vmdk });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol1'), size) });
    try {
      assert.equal(source.size, size);
      const r = await copyDisk({ source, target, assumeZero: true, hashSource: true });
      assert.equal(r.sourceSha256, sha256File(raw));
      assert.equal(source.stats.bytesRead, size);
    } finally {
      await source.close();
      await target.close();
    }
    assert.equal(sha256File(join(t.dir, 'vol1')), sha256File(raw));
  });

  it('a CBT delta reads exactly the changed bytes', async () => {
    const source = await openSshSource({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, hostKeySha256: sshd.hostKeySha256, path: vmdk });
    const target = await openTarget({ path: makeEmptyTarget(join(t.dir, 'vol2'), size) });
    try {
      const r = await copyChangedAreas({ source, target, areas: [{ start: 2 * MiB + 512, length: 1000 * 1024 }] });
      assert.equal(r.bytesRead, 1000 * 1024);
      assert.equal(source.stats.bytesRead, 1000 * 1024);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it('refuses a host whose key does not match the pin', async () => {
    await assert.rejects(
      openSshSource({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, hostKeySha256: 'SHA256:' + 'A'.repeat(43), path: vmdk }),
      /does not match the pinned/,
    );
  });
});
