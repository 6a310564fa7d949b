// Which VMs a rerun need not map or migrate again (migration_status): the pure decision, each reason it gives, and
// the metadata files it reads.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Server } from '../../src/openstack/servers.js';
import type { Volume } from '../../src/openstack/volume.js';
import { judgeMigrated } from '../../src/workflow/migration-status.js';
import { type ExportedVm, readExportedVm } from '../../src/workflow/vm-metadata-files.js';
import { SNAPSHOT_DESCRIPTION } from '../../src/vmware/snapshots.js';

const VM = 'web 01';
const SERVER = 'srv-1';

const server = (status = 'ACTIVE', id = SERVER): Server => ({ id, name: 'web_01', status, metadata: { osm: 'true' } }) as Server;

function volume(key: number, metadata: Record<string, string> = { osm: 'true', converted: 'true' }, attachedTo: string[] = [SERVER]): Volume {
  return {
    id: `vol-${key}`,
    name: `web_01-${key}`,
    status: attachedTo.length ? 'in-use' : 'available',
    size: 1,
    metadata,
    attachments: attachedTo.map((server_id) => ({ server_id })),
  } as Volume;
}

const twoDisks: ExportedVm = { diskKeys: [2000, 2001], snapshots: [] };
const judge = (found: { servers: Server[]; volumes: Volume[] }, exported = twoDisks) => judgeMigrated(VM, exported, found);

describe('judgeMigrated', () => {
  it('a VM whose server is ACTIVE on a final volume of every disk, attached to it only, is migrated', () => {
    const r = judge({ servers: [server()], volumes: [volume(2000), volume(2001)] });
    assert.deepEqual(r, { vm: VM, migrated: true, server_id: SERVER, reason: `server ${SERVER} is ACTIVE on the final volumes of its 2 disks` });
  });

  const notMigrated: [string, { servers: Server[]; volumes: Volume[] }, RegExp, ExportedVm?][] = [
    ['no server', { servers: [], volumes: [volume(2000), volume(2001)] }, /the tool made no server for it/],
    ['two servers', { servers: [server(), server('ACTIVE', 'srv-2')], volumes: [volume(2000), volume(2001)] }, /servers srv-1, srv-2 are named like it/],
    ['server not ACTIVE', { servers: [server('SHUTOFF')], volumes: [volume(2000), volume(2001)] }, /its server srv-1 is SHUTOFF/],
    ['server in ERROR', { servers: [server('ERROR')], volumes: [volume(2000), volume(2001)] }, /is ERROR/],
    ['a disk without volume (added after the migration)', { servers: [server()], volumes: [volume(2000)] }, /disk 2001 has no volume web_01-2001/],
    ['a volume not converted (CBT pre-sync)', { servers: [server()], volumes: [volume(2000), volume(2001, { osm: 'true', converted: 'false' })] }, /web_01-2001 \(vol-2001\) of disk 2001 is not final/],
    ['a volume without converted', { servers: [server()], volumes: [volume(2000, { osm: 'true' }), volume(2001)] }, /web_01-2000 .* is not final/],
    ['converted not a boolean', { servers: [server()], volumes: [volume(2000, { osm: 'true', converted: 'maybe' }), volume(2001)] }, /converted="maybe", which is not a boolean/],
    ['a volume still on the conversion host', { servers: [server()], volumes: [volume(2000), volume(2001, undefined, [SERVER, 'conv-host'])] }, /web_01-2001 \(vol-2001\) is attached to conv-host/],
    ['a volume attached nowhere', { servers: [server()], volumes: [volume(2000), volume(2001, undefined, [])] }, /web_01-2001 \(vol-2001\) is not attached to its server srv-1/],
    ['the tool\'s snapshot on the source', { servers: [server()], volumes: [volume(2000), volume(2001)] }, /snapshot osm-snap is still on the source/, { diskKeys: [2000, 2001], snapshots: [{ name: 'osm-snap', description: SNAPSHOT_DESCRIPTION }] }],
    ['no disk in the metadata', { servers: [server()], volumes: [] }, /lists no disk/, { diskKeys: [], snapshots: [] }],
  ];
  for (const [what, found, reason, exported] of notMigrated) {
    it(`is not migrated with ${what}, and says why`, () => {
      const r = judge(found, exported);
      assert.equal(r.migrated, false);
      assert.match(r.reason, reason);
    });
  }

  it('the user\'s own snapshots do not count', () => {
    const r = judge({ servers: [server()], volumes: [volume(2000), volume(2001)] }, { diskKeys: [2000, 2001], snapshots: [{ name: 'before-upgrade', description: '' }] });
    assert.equal(r.migrated, true);
  });
});

describe('readExportedVm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-status-'));
  const write = (vm: string, disk: unknown, guest: unknown) => {
    mkdirSync(join(dir, vm), { recursive: true });
    writeFileSync(join(dir, vm, 'disk_info.json'), JSON.stringify(disk));
    writeFileSync(join(dir, vm, 'guest_info.json'), JSON.stringify(guest));
  };

  it('reads the disk keys in order and the snapshots', () => {
    write('a', { disk_keys: ['2001', '2000'], disks: [{ key: 2001, capacity: 1 }, { key: 2000, capacity: 1 }] }, {
      snapshots: [{ id: 1, name: 'osm-snap', description: SNAPSHOT_DESCRIPTION }, { id: 2, name: 'mine', description: null }],
    });
    assert.deepEqual(readExportedVm(dir, 'a'), {
      diskKeys: [2001, 2000],
      snapshots: [{ name: 'osm-snap', description: SNAPSHOT_DESCRIPTION }, { name: 'mine', description: '' }],
    });
  });

  it('names the file and the field when a disk has no key, and when a file is missing', () => {
    write('b', { disks: [{ capacity: 1 }] }, {});
    assert.throws(() => readExportedVm(dir, 'b'), new RegExp(`disk info file ${join(dir, 'b', 'disk_info.json')}: disks\\.0\\.key`));
    assert.throws(() => readExportedVm(dir, 'missing'), /failed to open disk info file .*missing\/disk_info\.json/);
  });
});
