import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session } from '../../../src/openstack/auth.js';
import { resolveCloud } from '../../../src/openstack/cloud-config.js';
import { listFlavors } from '../../../src/openstack/flavors.js';
import { cloudDict, expectFail, expectOk, labFacts, runModule, session } from './lab.js';

test('password auth with the upstream dict lists flavors', async () => {
  const r = expectOk(await runModule('flavor_info', { cloud: cloudDict(), flavor_name: 'm2.4' }), 'flavor_info');
  assert.equal(r.changed, false);
  assert.equal((r.flavor as { id: string }).id, labFacts().flavors['m2.4']);
});

test('wrong password fails with the 401 and what to check, and never shows the password', async () => {
  const cloud = cloudDict();
  (cloud.auth as Record<string, string>).password = 'not-the-password-x1';
  const r = await runModule('flavor_info', { cloud, flavor_name: 'm2.4' });
  const msg = expectFail(r, /Failed to authenticate Openstack client: .*HTTP 401.*Check the credentials/, 'wrong password');
  assert.ok(!JSON.stringify(r.result).includes('not-the-password-x1'), 'password leaked into the result');
  assert.ok(!r.stderr.includes('not-the-password-x1'), 'password leaked into stderr');
  assert.equal(r.result.flavor, null);
  assert.ok(msg.length > 50);
});

test('unknown region fails naming the regions the catalog offers', async () => {
  const r = await runModule('flavor_info', { cloud: cloudDict('osm', { region_name: 'RegionNowhere' }), flavor_name: 'm2.4' });
  expectFail(r, /region 'RegionNowhere'.*regions offered: RegionOne/, 'unknown region');
});

test('unreachable Keystone fails after bounded retries with connection refused', async () => {
  const cloud = cloudDict();
  (cloud.auth as Record<string, string>).auth_url = 'http://127.0.0.1:9/v3';
  const t0 = Date.now();
  const r = await runModule('flavor_info', { cloud, flavor_name: 'm2.4' });
  expectFail(r, /Failed to authenticate Openstack client: identity: .*connection refused after 4 attempt/, 'unreachable');
  assert.ok(Date.now() - t0 < 30_000, 'retries must be bounded');
});

test('a named cloud from clouds.yaml with secure.yaml merged, selected by OS_CLOUD', async () => {
  const f = labFacts();
  const dir = mkdtempSync(join(tmpdir(), 'osm-clouds-'));
  writeFileSync(
    join(dir, 'clouds.yaml'),
    `clouds:\n  dst:\n    auth:\n      auth_url: ${f.auth_url}\n      username: osm\n      project_name: osm\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: ${f.region}\n    interface: internal\n    identity_api_version: 3\n`,
  );
  writeFileSync(join(dir, 'secure.yaml'), `clouds:\n  dst:\n    auth:\n      password: ${f.osm.password}\n`);
  const env = { ...process.env, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLIENT_SECURE_FILE: join(dir, 'secure.yaml') };
  expectOk(await runModule('flavor_info', { cloud: 'dst', flavor_name: 'm1.tiny' }, { env }), 'named cloud');
  expectOk(await runModule('flavor_info', { flavor_name: 'm1.tiny' }, { env: { ...env, OS_CLOUD: 'dst' } }), 'OS_CLOUD');
  expectFail(await runModule('flavor_info', { cloud: 'nope', flavor_name: 'm1.tiny' }, { env }), /cloud 'nope' is not defined in .*clouds\.yaml \(clouds defined there: dst\)/, 'unknown cloud');
});

test('OS_* environment variables when no cloud is given', async () => {
  const f = labFacts();
  const env = {
    ...process.env,
    OS_AUTH_URL: f.auth_url,
    OS_USERNAME: 'osm',
    OS_PASSWORD: f.osm.password,
    OS_PROJECT_NAME: 'osm',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: f.region,
  };
  const r = expectOk(await runModule('flavor_info', { flavor_name: 'm1.tiny' }, { env }), 'env auth');
  assert.equal((r.flavor as { name: string }).name, 'm1.tiny');
});

test('token and application-credential authentication', async () => {
  const s = await session('osm');
  try {
    const name = `osm-test-appcred-${process.pid}-${Date.now()}`;
    const f = labFacts();
    const res = await fetch(`${f.auth_url}/users/${s.userId}/application_credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': await tokenOf() },
      body: JSON.stringify({ application_credential: { name } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const cred = ((await res.json()) as { application_credential: { id: string; secret: string } }).application_credential;
    try {
      const viaAppCred = await Session.connect(
        resolveCloud({ auth_type: 'v3applicationcredential', auth: { auth_url: f.auth_url, application_credential_id: cred.id, application_credential_secret: cred.secret }, region_name: f.region }),
      );
      assert.equal(viaAppCred.projectId, f.osm.project_id);
      assert.ok((await listFlavors(viaAppCred)).length > 0);
      await viaAppCred.close();
    } finally {
      await fetch(`${f.auth_url}/users/${s.userId}/application_credentials/${cred.id}`, { method: 'DELETE', headers: { 'x-auth-token': await tokenOf() } });
    }
    const viaToken = await Session.connect(resolveCloud({ auth_type: 'token', auth: { auth_url: f.auth_url, token: await tokenOf(), project_id: f.osm.project_id }, region_name: f.region }));
    assert.ok((await listFlavors(viaToken)).length > 0);
    await viaToken.close();
  } finally {
    await s.close();
  }
});

/** The session's token, read the way a user would get one (a fresh password authentication). */
async function tokenOf(): Promise<string> {
  const f = labFacts();
  const res = await fetch(`${f.auth_url}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'osm', domain: { name: 'Default' }, password: f.osm.password } } },
        scope: { project: { id: f.osm.project_id } },
      },
    }),
  });
  assert.equal(res.status, 201);
  return res.headers.get('x-subject-token')!;
}
