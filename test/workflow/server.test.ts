import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Session } from '../../src/openstack/auth.js';
import { resolveCloud } from '../../src/openstack/cloud-config.js';
import { type ServerRequest, ensureServer } from '../../src/workflow/server.js';
import { FakeCloud, PROJECT_ID } from '../openstack/fake-cloud.js';

const VOL = 'aaaaaaaa-bbbb-cccc-dddd-000000000001';
let cloud: FakeCloud;
let s: Session;
const servers: Array<Record<string, unknown>> = [];

before(async () => {
  cloud = await new FakeCloud().start();
  cloud
    .on('GET', '/compute/v2.1/servers/detail', (r) => ({
      status: 200,
      body: { servers: servers.filter((x) => new RegExp(r.query.get('name') ?? '').test(String(x.name))) },
    }))
    .on('GET', /^\/compute\/v2\.1\/servers\/[^/]+$/, (r) => {
      const x = servers.find((y) => r.path.endsWith(`/${String(y.id)}`));
      return x ? { status: 200, body: { server: x } } : { status: 404, body: { itemNotFound: { message: 'Instance could not be found.', code: 404 } } };
    })
    .on('POST', '/compute/v2.1/servers', (r) => {
      const b = (r.body as { server: Record<string, unknown> }).server;
      servers.push({ id: `srv-${servers.length}`, name: b.name, status: 'ERROR', metadata: b.metadata, tenant_id: PROJECT_ID, fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } });
      return { status: 202, body: { server: { id: `srv-${servers.length - 1}` } } };
    })
    .on('GET', '/compute/v2.1/flavors/m1', { status: 200, body: { flavor: { id: 'm1', name: 'm1', vcpus: 1, ram: 512, disk: 0 } } })
    .on('GET', `/volume/v3/${PROJECT_ID}/volumes/${VOL}`, { status: 200, body: { volume: { id: VOL, name: 'vm-2000', status: 'available', size: 1, bootable: 'true', metadata: { osm: 'true' } } } });
  s = await Session.connect(resolveCloud(cloud.cloud(), {}), { retry: { attempts: 1, baseDelayMs: 1 } });
});
after(async () => {
  await s.close();
  await cloud.stop();
});

const req = (name: string): ServerRequest => ({
  name,
  flavor: 'm1',
  bootVolume: VOL,
  volumes: [],
  nics: [],
  securityGroups: [],
  keyName: undefined,
  availabilityZone: undefined,
  userData: 'echo hi',
  metadata: {},
  wait: true,
  timeoutMs: 5000,
  intervalMs: 10,
  checkMode: false,
});

test("a server that goes to ERROR fails with Nova's fault; the rerun reports it instead of creating another", async () => {
  await assert.rejects(ensureServer(s, req('vm one')), /server vm_one \(srv-0\) (went to|is in) ERROR: No valid host was found/);
  const sent = (cloud.calls('POST', '/compute/v2.1/servers')[0]!.body as { server: Record<string, unknown> }).server;
  assert.equal(sent.user_data, Buffer.from('echo hi').toString('base64'));
  assert.deepEqual(sent.metadata, { osm: 'true' });
  assert.deepEqual(sent.block_device_mapping_v2, [{ boot_index: 0, uuid: VOL, source_type: 'volume', destination_type: 'volume', delete_on_termination: false }]);
  await assert.rejects(ensureServer(s, req('vm one')), /is in ERROR: No valid host was found.*delete it with delete_server and rerun/);
  assert.equal(cloud.calls('POST', '/compute/v2.1/servers').length, 1);
});

test('a server of the same name without the marker is left alone', async () => {
  servers.push({ id: 'foreign-1', name: 'shared', status: 'ACTIVE', metadata: {}, tenant_id: PROJECT_ID });
  await assert.rejects(ensureServer(s, req('shared')), /a server named shared already exists \(foreign-1\) and was not created by this tool/);
});

test('waiting for ACTIVE is bounded', async () => {
  servers.push({ id: 'slow-1', name: 'slow', status: 'BUILD', metadata: { osm: 'true' }, tenant_id: PROJECT_ID });
  await assert.rejects(ensureServer(s, { ...req('slow'), timeoutMs: 200 }), /server slow-1 did not reach ACTIVE within 0\.2s \(last status BUILD\)/);
});
