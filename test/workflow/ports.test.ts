import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Session } from '../../src/openstack/auth.js';
import { resolveCloud } from '../../src/openstack/cloud-config.js';
import { cidrContains, ensurePorts } from '../../src/workflow/ports.js';
import { FakeCloud, PROJECT_ID } from '../openstack/fake-cloud.js';

const NET = '11111111-2222-3333-4444-555555555555';
let cloud: FakeCloud;
let s: Session;
before(async () => {
  cloud = await new FakeCloud().start();
  cloud
    .on('GET', `/network/v2.0/networks/${NET}`, { status: 200, body: { network: { id: NET, name: 'prod', subnets: ['sn1', 'sn2'], project_id: PROJECT_ID } } })
    .on('GET', '/network/v2.0/networks', (r) =>
      r.query.get('name') === 'prod' ? { status: 200, body: { networks: [{ id: NET, name: 'prod', subnets: ['sn1', 'sn2'] }] } } : { status: 200, body: { networks: [] } },
    )
    .on('GET', '/network/v2.0/subnets', {
      status: 200,
      body: { subnets: [{ id: 'sn1', network_id: NET, cidr: '10.0.0.0/24', ip_version: 4 }, { id: 'sn2', network_id: NET, cidr: '10.0.1.0/24', ip_version: 4 }] },
    });
  s = await Session.connect(resolveCloud(cloud.cloud(), {}), { retry: { attempts: 1, baseDelayMs: 1 } });
});
after(async () => {
  await s.close();
  await cloud.stop();
});

const req = (mac: string, extra: Record<string, unknown> = {}) => ({
  vmName: 'Web 01',
  nics: [{ vlan: 'prod', mac, ipaddresses: ['10.0.1.7', 'fe80::7'], subnet: '__omit_place_holder__abc' }],
  usedMappedNetworks: true,
  networkName: undefined,
  securityGroups: undefined,
  useFixedIps: true,
  subnetUuid: undefined,
  checkMode: false,
  ...extra,
});

test('fixed IPv4 addresses go to the subnet that contains them; IPv6 and the omit placeholder are dropped', async () => {
  cloud.on('GET', '/network/v2.0/ports', { status: 200, body: { ports: [] } });
  cloud.on('POST', '/network/v2.0/ports', (r) => ({
    status: 201,
    body: { port: { id: 'new-port', network_id: NET, ...(r.body as { port: Record<string, unknown> }).port } },
  }));
  const [out] = await ensurePorts(s, req('00:50:56:AA:00:01'));
  assert.equal(out!.action, 'created');
  const sent = (cloud.calls('POST', '/network/v2.0/ports').at(-1)!.body as { port: Record<string, unknown> }).port;
  assert.deepEqual(sent.fixed_ips, [{ subnet_id: 'sn2', ip_address: '10.0.1.7' }]);
  assert.equal(sent.mac_address, '00:50:56:aa:00:01');
  assert.equal(sent.name, 'Web_01-NIC-0-VLAN-prod');
  assert.match(String(sent.description), /^osm=true vm=Web 01 nic=0 /);
  assert.equal(sent.security_groups, undefined, "no security_groups: Neutron's default group");
});

test("Neutron's 409 MacAddressInUse for a MAC held by an invisible port is explained", async () => {
  cloud.sequence('POST', '/network/v2.0/ports', [
    { status: 409, body: { NeutronError: { type: 'MacAddressInUse', message: 'Unable to complete operation for network x. The mac address 00:50:56:aa:00:02 is in use.', detail: '' } } },
  ]);
  await assert.rejects(
    ensurePorts(s, req('00:50:56:aa:00:02')),
    /NIC 0 of VM Web 01: MAC 00:50:56:aa:00:02 is already in use on network prod \(.*\) by a port this project cannot see .*Neutron said: Unable to complete operation/,
  );
});

test('an IP outside every subnet fails before anything is created', async () => {
  const posts = cloud.calls('POST', '/network/v2.0/ports').length;
  await assert.rejects(ensurePorts(s, req('00:50:56:aa:00:03', { nics: [{ vlan: 'prod', mac: '00:50:56:aa:00:03', ipaddresses: ['192.0.2.1'] }] })), /IP 192\.0\.2\.1 is in no subnet of network prod/);
  assert.equal(cloud.calls('POST', '/network/v2.0/ports').length, posts);
});

test('cidrContains', () => {
  assert.ok(cidrContains('10.0.0.0/8', '10.255.1.1'));
  assert.ok(!cidrContains('10.0.0.0/24', '10.0.1.1'));
  assert.ok(cidrContains('0.0.0.0/0', '1.2.3.4'));
  assert.ok(!cidrContains('fd00::/64', 'fd00::1'));
});
