import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retrieveFromView } from '../../src/vmware/property-collector.js';
import { withSession } from '../../src/vmware/session.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

describe('property collector paging (recorded answers)', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer();
  });
  after(() => server.close());

  it('asks for maxObjects and follows the token with ContinueRetrievePropertiesEx', async () => {
    server.requests.length = 0;
    server.queue('RetrievePropertiesEx', 'props-page-1.xml');
    server.queue('ContinueRetrievePropertiesEx', 'props-page-2.xml');
    const objects = await withSession({ host: server.host, username: 'user', password: 'pass', caFile: server.certFile }, (s) =>
      retrieveFromView(s, { type: 'ContainerView', value: 'session[x]v' }, [{ type: 'VirtualMachine', paths: ['name'] }], { pageSize: 2 }),
    );
    assert.deepEqual(
      objects.map((o) => [o.obj.type, o.obj.value, o.props.get('name')?.text]),
      [
        ['VirtualMachine', 'vm-1', 'alpha'],
        ['VirtualMachine', 'vm-2', 'beta & gamma'],
        ['VirtualMachine', 'vm-3', 'delta'],
      ],
    );
    const first = server.requests.find((r) => r.op === 'RetrievePropertiesEx')!.body;
    assert.match(first, /<options><maxObjects>2<\/maxObjects><\/options>/);
    assert.match(first, /<selectSet xsi:type="TraversalSpec"><name>traverseView<\/name><type>ContainerView<\/type><path>view<\/path>/);
    assert.match(server.requests.find((r) => r.op === 'ContinueRetrievePropertiesEx')!.body, /<token>page-2-token<\/token>/);
  });
});
