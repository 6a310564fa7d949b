import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Session } from '../../src/openstack/auth.js';
import { CloudConfigError, resolveCloud } from '../../src/openstack/cloud-config.js';
import { listFlavors } from '../../src/openstack/flavors.js';
import { OpenStackApiError, parseFault } from '../../src/openstack/errors.js';
import { listPorts } from '../../src/openstack/network.js';
import { maskSecrets } from '../../src/util/secrets.js';
import { FakeCloud, PROJECT_ID } from './fake-cloud.js';

const fast = { retry: { attempts: 4, baseDelayMs: 5 } };
let cloud: FakeCloud;
before(async () => {
  cloud = await new FakeCloud().start();
});
after(async () => {
  await cloud.stop();
});

const flavor = (id: string, name: string) => ({ id, name, vcpus: 1, ram: 512, disk: 0 });

test('clouds.yaml: named cloud found through OS_CLIENT_CONFIG_FILE, secure.yaml merged, secrets registered', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-'));
  writeFileSync(
    join(dir, 'clouds.yaml'),
    'clouds:\n  dst:\n    auth:\n      auth_url: https://k.example:5000\n      username: u\n      project_name: p\n    region_name: R2\n    interface: internalURL\n    cacert: /etc/ca.pem\n    compute_endpoint_override: https://nova.example/v2.1\n    block_storage_endpoint_override: https://cinder.example/v3/%(project_id)s\n',
  );
  writeFileSync(join(dir, 'secure.yaml'), 'clouds:\n  dst:\n    auth:\n      password: s3cret-from-secure\n');
  const env = { HOME: dir, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLIENT_SECURE_FILE: join(dir, 'secure.yaml') };
  const c = resolveCloud('dst', env);
  assert.equal(c.auth.password, 's3cret-from-secure');
  assert.equal(c.regionName, 'R2');
  assert.equal(c.interface, 'internal');
  assert.equal(c.cacert, '/etc/ca.pem');
  assert.equal(c.verify, true);
  assert.deepEqual(c.endpointOverrides, { compute: 'https://nova.example/v2.1', 'block-storage': 'https://cinder.example/v3/%(project_id)s' });
  assert.equal(maskSecrets('pw=s3cret-from-secure'), 'pw=********');
  assert.throws(() => resolveCloud('other', env), /cloud 'other' is not defined in .*clouds\.yaml \(clouds defined there: dst\)/);
  assert.throws(() => resolveCloud('dst', { HOME: '/nonexistent' }), (e: unknown) => e instanceof CloudConfigError && /no clouds\.yaml found/.test(e.message));
});

test('cloud dict: upstream keys, insecure spellings, auth types, OS_* fallbacks', () => {
  const d = resolveCloud({ auth: { auth_url: 'http://k/v3', username: 'u', password: 'pw-dict-1', project_name: 'p', user_domain_name: 'D' }, openstack_insecure: true, identity_api_version: 3 }, { OS_REGION_NAME: 'R9' });
  assert.equal(d.verify, false);
  assert.equal(d.regionName, 'R9', 'upstream takes the region from OS_REGION_NAME');
  assert.equal(d.authType, 'password');
  assert.equal(resolveCloud({ auth: { auth_url: 'http://k', token: 'tok-x' } }, {}).authType, 'token');
  assert.equal(resolveCloud({ auth: { auth_url: 'http://k', application_credential_id: 'a', application_credential_secret: 'sec-app-1' } }, {}).authType, 'v3applicationcredential');
  assert.equal(resolveCloud({ auth: { auth_url: 'http://k' }, verify: false }, {}).verify, false);
  assert.equal(resolveCloud({ auth: { auth_url: 'http://k' }, insecure: 'yes' }, {}).verify, false);
  const env = { OS_AUTH_URL: 'http://env/v3', OS_USERNAME: 'e', OS_PASSWORD: 'pw-env-1', OS_PROJECT_NAME: 'ep', OS_INTERFACE: 'admin', OS_REGION_NAME: 'RE' };
  const e = resolveCloud(undefined, env);
  assert.equal(e.auth.authUrl, 'http://env/v3');
  assert.equal(e.interface, 'admin');
  assert.equal(resolveCloud({ auth: {}, openstack_insecure: true }, env).verify, false, 'upstream: empty auth_url + OS_AUTH_URL uses the environment');
  assert.throws(() => resolveCloud(undefined, {}), /no OpenStack cloud given/);
  assert.throws(() => resolveCloud({ auth: { auth_url: 'http://k' }, interface: 'private' }, {}), /interface 'private'/);
  assert.throws(() => resolveCloud({ auth: { auth_url: 'http://k' }, auth_type: 'saml2' }, {}), /auth_type 'saml2' is not supported/);
});

test('Keystone v3 request bodies for password, application credential and token', async () => {
  const bodies: unknown[] = [];
  for (const c of [
    cloud.cloud(),
    { auth: { auth_url: `${cloud.url}/identity`, application_credential_name: 'ac', username: 'u', application_credential_secret: 'acs-1234' } },
    { auth: { auth_url: `${cloud.url}/identity/v3/`, token: 'given-token-1', project_id: 'pid' } },
  ]) {
    const n = cloud.requests.length;
    const s = await Session.connect(resolveCloud(c, {}), fast);
    bodies.push(cloud.requests[n]!.body);
    await s.close();
  }
  assert.deepEqual(bodies, [
    { auth: { identity: { methods: ['password'], password: { user: { name: 'u', domain: { name: 'Default' }, password: 'secret-pw-123' } } }, scope: { project: { name: 'p', domain: { name: 'Default' } } } } },
    { auth: { identity: { methods: ['application_credential'], application_credential: { name: 'ac', user: { name: 'u', domain: { name: 'Default' } }, secret: 'acs-1234' } } } },
    { auth: { identity: { methods: ['token'], token: { id: 'given-token-1' } }, scope: { project: { id: 'pid' } } } },
  ]);
});

test('endpoint selection: interface, region, overrides, unknown region', async () => {
  cloud.regions = ['RegionOne', 'RegionTwo'];
  try {
    const s = await Session.connect(resolveCloud(cloud.cloud({ interface: 'internal', region_name: 'RegionTwo' }), {}), fast);
    assert.equal(s.endpoint('compute'), `${cloud.url}/internal/RegionTwo/compute/v2.1`);
    assert.equal(s.endpoint('network'), `${cloud.url}/internal/RegionTwo/network/v2.0`);
    assert.equal(s.endpoint('block-storage'), `${cloud.url}/internal/RegionTwo/volume/v3/${PROJECT_ID}`);
    assert.equal(s.endpoint('image'), `${cloud.url}/internal/RegionTwo/image/v2`);
    await s.close();
    const o = await Session.connect(resolveCloud(cloud.cloud({ volume_endpoint_override: 'https://cinder.example/v3/%(project_id)s' }), {}), fast);
    assert.equal(o.endpoint('block-storage'), `https://cinder.example/v3/${PROJECT_ID}`);
    assert.equal(o.endpoint('compute'), `${cloud.url}/compute/v2.1`, 'first public endpoint when no region is given');
    await o.close();
    await assert.rejects(Session.connect(resolveCloud(cloud.cloud({ region_name: 'RegionX' }), {}), fast), /region 'RegionX' .*regions offered: RegionOne, RegionTwo/);
  } finally {
    cloud.regions = ['RegionOne'];
  }
});

test('GET is retried on 503 and on a connection reset; POST is sent once; 401 re-authenticates once', async () => {
  cloud
    .sequence('GET', '/compute/v2.1/flavors/detail', [{ status: 503, body: { message: 'busy' } }, { status: 200, reset: true }])
    .on('GET', '/compute/v2.1/flavors/detail', { status: 200, body: { flavors: [flavor('1', 'a')] } });
  const s = await Session.connect(resolveCloud(cloud.cloud(), {}), fast);
  try {
    const n = cloud.calls('GET', '/compute/v2.1/flavors/detail').length;
    assert.deepEqual((await listFlavors(s)).map((f) => f.name), ['a']);
    assert.equal(cloud.calls('GET', '/compute/v2.1/flavors/detail').length - n, 3);
    assert.equal(cloud.calls('GET', '/compute/v2.1/flavors/detail').at(-1)!.headers['openstack-api-version'], 'compute 2.55');

    cloud.sequence('POST', '/network/v2.0/ports', [{ status: 503, body: { NeutronError: { type: 'ServiceUnavailable', message: 'later', detail: '' } } }]);
    await assert.rejects(
      s.request('network', 'create port x', 'POST', '/ports', { body: { port: {} } }),
      (e: unknown) => e instanceof OpenStackApiError && e.status === 503 && /^network: create port x \(POST .*\/network\/v2\.0\/ports\) failed: HTTP 503 ServiceUnavailable: later$/.test(e.message),
    );
    assert.equal(cloud.calls('POST', '/network/v2.0/ports').length, 1, 'a POST must not be retried');

    const tokensBefore = cloud.tokens;
    cloud.sequence('GET', '/network/v2.0/ports', [{ status: 401, body: { error: { message: 'token expired' } } }]);
    cloud.on('GET', '/network/v2.0/ports', { status: 200, body: { ports: [] } });
    assert.deepEqual(await listPorts(s, {}), []);
    assert.equal(cloud.tokens, tokensBefore + 1);
    assert.match(String(cloud.calls('GET', '/network/v2.0/ports').at(-1)!.headers['x-auth-token']), new RegExp(`^tok-${cloud.tokens}-`));
  } finally {
    await s.close();
  }
});

test('pagination follows next links on our own endpoint', async () => {
  cloud.on('GET', '/compute/v2.1/servers/detail', (r) =>
    r.query.get('marker') === 's2'
      ? { status: 200, body: { servers: [{ id: 's3', name: 'x', status: 'ACTIVE' }] } }
      : {
          status: 200,
          body: {
            servers: [{ id: 's1', name: 'x', status: 'ACTIVE' }, { id: 's2', name: 'x', status: 'ACTIVE' }],
            servers_links: [{ rel: 'next', href: 'http://proxy.internal:8774/compute/v2.1/servers/detail?name=%5Ex%24&marker=s2' }],
          },
        },
  );
  const s = await Session.connect(resolveCloud(cloud.cloud(), {}), fast);
  try {
    const { findServersByName } = await import('../../src/openstack/servers.js');
    assert.deepEqual((await findServersByName(s, 'x')).map((x) => x.id), ['s1', 's2', 's3']);
    assert.equal(cloud.calls('GET', '/compute/v2.1/servers/detail')[0]!.query.get('name'), '^x$');
  } finally {
    await s.close();
  }
});

test('wrong password: 401 with the fault and what to check; unreachable endpoint: bounded retries', async () => {
  cloud.keystone = 'unauthorized';
  try {
    await assert.rejects(Session.connect(resolveCloud(cloud.cloud(), {}), fast), /HTTP 401 Unauthorized: The request you have made requires authentication\..*Check the credentials/);
  } finally {
    cloud.keystone = 'ok';
  }
  const t0 = Date.now();
  await assert.rejects(
    Session.connect(resolveCloud({ auth: { auth_url: 'http://127.0.0.1:9/v3', username: 'u', password: 'pw-x-1', project_name: 'p' } }, {}), fast),
    /identity: .*connection refused after 4 attempt\(s\)/,
  );
  assert.ok(Date.now() - t0 < 5000);
});

test('fault parsing across services', () => {
  assert.deepEqual(parseFault({ NeutronError: { type: 'MacAddressInUse', message: 'Unable to complete operation for network n. The mac address m is in use.', detail: '' } }), {
    type: 'MacAddressInUse',
    message: 'Unable to complete operation for network n. The mac address m is in use.',
  });
  assert.deepEqual(parseFault({ overLimit: { code: 413, message: 'VolumeSizeExceedsAvailableQuota' } }), { type: 'overLimit', message: 'VolumeSizeExceedsAvailableQuota' });
  assert.deepEqual(parseFault({ error: { code: 401, message: 'nope', title: 'Unauthorized' } }), { type: 'Unauthorized', message: 'nope' });
  assert.deepEqual(parseFault({ explanation: 'x', error: { message: 'Stack exists', type: 'StackExists' } }), { type: 'StackExists', message: 'Stack exists' });
  assert.deepEqual(parseFault('<html><body><h1>502 Bad Gateway</h1></body></html>'), { type: undefined, message: '502 Bad Gateway' });
});

test('TLS: verified by default, cacert trusts a private CA, insecure opts out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const tls = await new FakeCloud().start({ key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') });
  try {
    await assert.rejects(Session.connect(resolveCloud(tls.cloud(), {}), fast), /TLS verification failed \(.*\); give the CA bundle with cacert, or opt out with openstack_insecure: true/);
    assert.equal(tls.tokens, 0, 'no credentials may reach an unverified server');
    const viaCa = await Session.connect(resolveCloud(tls.cloud({ cacert: join(dir, 'cert.pem') }), {}), fast);
    await viaCa.close();
    const insecure = await Session.connect(resolveCloud(tls.cloud({ openstack_insecure: true }), {}), fast);
    await insecure.close();
    assert.equal(tls.tokens, 2);
  } finally {
    await tls.stop();
  }
});
