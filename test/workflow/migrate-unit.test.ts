// Pure parts of the migrate workflow: naming, volume types, guest detection and NIC names, the lock,
// known_hosts pinning, and the module's option parsing.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseParams } from '../../src/ansible/module.js';
import migrateModule from '../../src/modules/migrate.js';
import { guestNics, isLinuxGuest, isWindowsGuest } from '../../src/workflow/migrate-convert.js';
import { migrationLogPath, runId } from '../../src/workflow/migrate-log.js';
import { hostOf, knownHostKey } from '../../src/workflow/migrate-source.js';
import { isConverted, volumeNameFor, volumeTypeFor } from '../../src/workflow/migrate.js';
import { lockVm } from '../../src/workflow/migrate-lock.js';
import type { Volume } from '../../src/openstack/volume.js';

describe('migrate naming and volume types', () => {
  it('names volumes <SafeVmName>-<disk key> and log files like upstream', () => {
    assert.equal(volumeNameFor({ name: 'osm ñame é spaces' }, { key: 2000 }), 'osm_name_e_spaces-2000');
    const id = runId();
    assert.match(id, /^[A-Za-z0-9]{8}$/);
    assert.notEqual(runId(), id);
    assert.equal(migrationLogPath('My VM (prod) #1', 'abcdEFG1'), '/tmp/osm-nbdkit-My_VM_prod_1-abcdEFG1.log');
    assert.match(migrationLogPath('My VM', id), /^\/tmp\/[^ ]+\.log$/);
  });

  it('takes the type from the datastore mapping, else volumetype (never the previous disk type), else the default', () => {
    const volume = { type: 'ceph-hdd', typeMapping: [{ vmware_datastore: 'LocalDS_0', openstack_type: 'ceph-ssd' }] };
    const types = [{ datastore: 'LocalDS_0' }, { datastore: 'LocalDS_1' }, { datastore: 'LocalDS_0' }].map((d) => volumeTypeFor(d, volume));
    assert.deepEqual(types, ['ceph-ssd', 'ceph-hdd', 'ceph-ssd']);
    assert.equal(volumeTypeFor({ datastore: 'LocalDS_1' }, { typeMapping: [] }), undefined);
  });

  it('reads converted like strconv.ParseBool and rejects anything else', () => {
    const v = (converted?: string) => ({ id: 'v', name: 'n', metadata: converted === undefined ? {} : { converted } }) as unknown as Volume;
    assert.equal(isConverted(v()), false);
    assert.equal(isConverted(v('True')), true);
    assert.equal(isConverted(v('0')), false);
    assert.throws(() => isConverted(v('yes')), /not a boolean/);
  });
});

describe('migrate guest detection', () => {
  it('detects Windows and Linux guests and names NICs from their PCI slot', () => {
    assert.equal(isWindowsGuest({ guestFullName: 'Microsoft Windows Server 2019 (64-bit)', guestId: 'windows2019srv_64Guest' }), true);
    assert.equal(isLinuxGuest({ guestFullName: 'Red Hat Enterprise Linux 8 (64-bit)', guestId: 'rhel8_64Guest' }), true);
    assert.equal(isLinuxGuest({ guestFullName: 'Microsoft Windows Server 2019 (64-bit)', guestId: 'windows2019srv_64Guest' }), false);
    const nics = guestNics({
      nics: [
        { mac: '00:50:56:01:03:00', pciSlot: 192, ipAddresses: ['10.1.0.13'] },
        { mac: '00:50:56:01:03:01', pciSlot: undefined, ipAddresses: [] },
      ] as never,
    });
    assert.deepEqual(nics, [
      { mac: '00:50:56:01:03:00', name: 'ens192', ipaddresses: ['10.1.0.13'] },
      { mac: '00:50:56:01:03:01', ipaddresses: [] },
    ]);
  });
});

describe('migrate ssh host key pinning', () => {
  const key = Buffer.from('ssh-ed25519-test-key-blob');
  const b64 = key.toString('base64');
  const fingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

  it('finds plain and hashed known_hosts entries for host:port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-kh-'));
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('esxi.example').digest('base64')}`;
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `# comment\nother.example ssh-ed25519 AAAA\n[127.0.0.1]:2222 ssh-ed25519 ${b64}\n${hashed} ssh-ed25519 ${b64}\n`);
    assert.equal(await knownHostKey(file, '127.0.0.1', 2222), fingerprint);
    assert.equal(await knownHostKey(file, 'esxi.example', 22), fingerprint);
    await assert.rejects(knownHostKey(file, '127.0.0.1', 22), /no host key for 127\.0\.0\.1 in/);
  });

  it('takes the host out of server host[:port]', () => {
    assert.equal(hostOf('vcenter.example'), 'vcenter.example');
    assert.equal(hostOf('127.0.0.1:8989'), '127.0.0.1');
    assert.equal(hostOf('[::1]:443'), '::1');
  });
});

describe('migrate module options', () => {
  const base = { user: 'u', password: 'secret-pw', server: 'vc', vmname: 'vm' };

  it('accepts upstream keys in any capitalisation and applies defaults', () => {
    const p = parseParams(migrateModule, { user: 'u', password: 'secret-pw', server: 'vc', VmName: 'vm-1', CBTSync: true, volume_type_mapping: [{ vmware_datastore: 'ds', openstack_type: 't' }] }) as Record<
      string,
      unknown
    >;
    assert.equal(p.vmname, 'vm-1');
    assert.equal(p.cbtsync, true);
    assert.equal(p.compression, 'fastlz');
    assert.equal(p.disk_by_id_dir, '/dev/disk/by-id');
    assert.equal(p.libdir, '/usr/lib/vmware-vix-disklib');
  });

  it('fails naming the required key that is missing or empty', () => {
    assert.throws(() => parseParams(migrateModule, { ...base, user: '' }), /argument 'user' must not be empty/);
    assert.throws(() => parseParams(migrateModule, { password: 'x', server: 'vc', vmname: 'vm' }), /user/);
  });
});

describe('migrate lock', () => {
  it('allows one migration of a VM at a time and takes over the lock of a killed run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-lock-'));
    const release = lockVm('osm ñame', dir);
    assert.throws(() => lockVm('osm ñame', dir), /another migration of VM osm ñame is running on this conversion host \(pid \d+/);
    release();
    const again = lockVm('osm ñame', dir);
    again();
    writeFileSync(join(dir, 'osm-migrate-osm_name.lock'), '999999999');
    lockVm('osm ñame', dir)();
  });
});
