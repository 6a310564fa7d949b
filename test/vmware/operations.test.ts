import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { changedAreas } from '../../src/vmware/cbt.js';
import { TaskFailedError } from '../../src/vmware/faults.js';
import { createSnapshot } from '../../src/vmware/snapshots.js';
import { withSession } from '../../src/vmware/session.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const vm = { type: 'VirtualMachine', value: 'vm-42' };

describe('tasks, snapshots and CBT (recorded answers)', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer();
  });
  after(() => server.close());
  const session = <T>(fn: Parameters<typeof withSession<T>>[1]) =>
    withSession({ host: server.host, username: 'user', password: 'pass', caFile: server.certFile }, fn);

  it('creates a snapshot through soap with upstream name and waits for the task result', async () => {
    server.requests.length = 0;
    server.queue('CreateSnapshot_Task', 'create-snapshot.xml');
    server.queue('RetrievePropertiesEx', 'task-success.xml');
    const snap = await session((s) => createSnapshot(s, vm));
    assert.deepEqual(snap, { type: 'VirtualMachineSnapshot', value: 'snapshot-901' });
    const body = server.requests.find((r) => r.op === 'CreateSnapshot_Task')!.body;
    assert.match(body, /<_this type="VirtualMachine">vm-42<\/_this>/);
    assert.match(body, /<name>osm-snap<\/name><description>OS Migrate snapshot\.<\/description><memory>false<\/memory><quiesce>false<\/quiesce>/);
  });

  it('turns a failed task into a typed error naming the call', async () => {
    server.queue('CreateSnapshot_Task', 'create-snapshot.xml');
    server.queue('RetrievePropertiesEx', 'task-error.xml');
    await assert.rejects(session((s) => createSnapshot(s, vm)), (e: Error) => e instanceof TaskFailedError && /vm-42.*locked/.test(e.message));
  });

  it('pages QueryChangedDiskAreas to the end of the disk, past an empty window', async () => {
    server.requests.length = 0;
    server.queue('QueryChangedDiskAreas', 'qcda-window-1.xml', 'qcda-window-2.xml', 'qcda-window-3.xml');
    const areas = await session((s) => changedAreas(s, vm, { type: 'VirtualMachineSnapshot', value: 'snapshot-7' }, 2000, 3 * 1024 ** 3, '52 aa/7'));
    assert.deepEqual(areas, [
      { start: 0, length: 65536 },
      { start: 1048576, length: 131072 },
      { start: 3221159936, length: 65536 },
    ]);
    const offsets = server.requests.filter((r) => r.op === 'QueryChangedDiskAreas').map((r) => /<startOffset>(\d+)</.exec(r.body)?.[1]);
    assert.deepEqual(offsets, ['0', '1073741824', '2147483648']);
    assert.match(server.requests.find((r) => r.op === 'QueryChangedDiskAreas')!.body, /<snapshot type="VirtualMachineSnapshot">snapshot-7<\/snapshot><deviceKey>2000<\/deviceKey>/);
  });
});
