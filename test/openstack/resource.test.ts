import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Session } from '../../src/openstack/auth.js';
import { resolveCloud } from '../../src/openstack/cloud-config.js';
import { OpenStackApiError } from '../../src/openstack/errors.js';
import { getFlavor } from '../../src/openstack/flavors.js';
import { deleteImage, getImage, waitForImageActive } from '../../src/openstack/image.js';
import { getKeypair } from '../../src/openstack/keypairs.js';
import { deletePort, findSecurityGroup, getNetwork, getPort, waitForPortGone } from '../../src/openstack/network.js';
import { waitForStackComplete, waitForStackGone } from '../../src/openstack/orchestration.js';
import { getServer, waitForServerGone, waitForServerStatus } from '../../src/openstack/servers.js';
import { detachVolumeFromServer } from '../../src/openstack/volume-attachments.js';
import { deleteVolume, getVolume, waitForVolumeGone, waitForVolumeStatus } from '../../src/openstack/volume.js';
import { FakeCloud, PROJECT_ID, type Reply } from './fake-cloud.js';

/** The uniform get (404: undefined), delete (404: done) and wait helpers, through every resource that uses them. */

const fast = { retry: { attempts: 2, baseDelayMs: 5 } };
const wait = { timeoutMs: 2000, intervalMs: 5 };
const ID = '0b6f7e3c-0000-4000-8000-000000000001';
const VOL = `/volume/v3/${PROJECT_ID}/volumes/${ID}`;
const STACK = `/heat/v1/${PROJECT_ID}/stacks/st/${ID}`;
let cloud: FakeCloud;
let s: Session;
before(async () => {
  cloud = await new FakeCloud().start();
  s = await Session.connect(resolveCloud(cloud.cloud(), {}), fast);
});
after(async () => {
  await s.close();
  await cloud.stop();
});

const volume = (status: string): Reply => ({ status: 200, body: { volume: { id: ID, name: 'vm-sda', status, size: 1, bootable: 'false' } } });
const server = (status: string, fault?: { message: string; code?: number }): Reply => ({ status: 200, body: { server: { id: ID, name: 'vm', status, fault } } });
const stack = (stack_status: string): Reply => ({ status: 200, body: { stack: { id: ID, stack_name: 'st', stack_status, stack_status_reason: 'quota' } } });
const gone: Reply = { status: 404, body: { itemNotFound: { message: 'gone', code: 404 } } };

test('a get answered 404 is undefined for every resource; another error, or an answer of the wrong shape, is thrown', async () => {
  // The fake cloud answers 404 to every path without a recorded reply.
  assert.equal(await getServer(s, 'nope'), undefined);
  assert.equal(await getVolume(s, 'nope'), undefined);
  assert.equal(await getFlavor(s, 'nope'), undefined);
  assert.equal(await getKeypair(s, 'nope'), undefined);
  assert.equal(await getNetwork(s, 'nope'), undefined);
  assert.equal(await getPort(s, 'nope'), undefined);
  assert.equal(await getImage(s, 'nope'), undefined);
  cloud.on('GET', '/compute/v2.1/os-keypairs/k', { status: 200, body: { keypair: { name: 'k', type: 'ssh' } } });
  assert.equal((await getKeypair(s, 'k'))?.name, 'k');

  cloud.on('GET', '/compute/v2.1/servers/broken', { status: 500, body: { computeFault: { message: 'db down', code: 500 } } });
  await assert.rejects(getServer(s, 'broken'), (e: unknown) => e instanceof OpenStackApiError && e.status === 500 && /compute: get server broken .*db down/.test(e.message));
  cloud.on('GET', '/network/v2.0/ports/odd', { status: 200, body: { port: { id: 'odd' } } });
  await assert.rejects(getPort(s, 'odd'), /unexpected answer from network: get port odd: name: /);
  cloud.on('GET', '/image/v2/images/odd', { status: 200, body: { id: 'odd' } });
  await assert.rejects(getImage(s, 'odd'), /unexpected answer from image: get image odd: status: /);
});

test('a security group by ID that does not exist is looked up by name instead', async () => {
  cloud.on('GET', '/network/v2.0/security-groups', (r) =>
    r.query.get('name') === ID ? { status: 200, body: { security_groups: [{ id: 'sg-1', name: ID, project_id: PROJECT_ID }] } } : undefined,
  );
  assert.equal((await findSecurityGroup(s, ID, PROJECT_ID)).id, 'sg-1');
});

test('deleting what is already gone is done, for volumes, ports, images and volume attachments', async () => {
  await deleteVolume(s, 'gone-1');
  await deletePort(s, 'gone-1');
  await deleteImage(s, 'gone-1');
  cloud.sequence('GET', VOL, [volume('available')]);
  assert.equal((await detachVolumeFromServer(s, 'srv-1', ID, wait)).status, 'available');
  assert.equal(cloud.calls('DELETE', `/compute/v2.1/servers/srv-1/os-volume_attachments/${ID}`).length, 1);
});

test('waiting for a status: reached, an error state, the resource disappearing, the deadline', async () => {
  cloud.sequence('GET', VOL, [volume('creating'), volume('creating'), volume('available')]);
  assert.equal((await waitForVolumeStatus(s, ID, 'available', wait)).status, 'available');

  cloud.sequence('GET', VOL, [volume('creating'), volume('error')]);
  await assert.rejects(waitForVolumeStatus(s, ID, 'available', wait), /volume vm-sda \(.*\) went to error while waiting for available; see the Cinder/);
  cloud.sequence('GET', VOL, [volume('error')]);
  assert.equal((await waitForVolumeStatus(s, ID, 'error', wait)).status, 'error', 'an error status is not a failure when it is the one awaited');

  cloud.sequence('GET', VOL, [volume('creating'), gone]);
  await assert.rejects(waitForVolumeStatus(s, ID, 'available', wait), new RegExp(`volume ${ID} disappeared while waiting for available`));

  cloud.sequence('GET', `/compute/v2.1/servers/${ID}`, [server('BUILD'), server('ERROR', { message: 'No valid host was found.', code: 500 })]);
  await assert.rejects(waitForServerStatus(s, ID, 'ACTIVE', wait), /server vm \(.*\) went to ERROR: No valid host was found\. \(code 500\)/);

  cloud.on('GET', `/compute/v2.1/servers/${ID}`, (r) => (r.path.endsWith(ID) ? server('BUILD') : undefined));
  await assert.rejects(waitForServerStatus(s, ID, 'ACTIVE', { timeoutMs: 50, intervalMs: 10 }), new RegExp(`server ${ID} did not reach ACTIVE within 0\\.05s \\(last status BUILD\\)`));

  cloud.sequence('GET', `/image/v2/images/${ID}`, [{ status: 200, body: { id: ID, status: 'saving' } }, { status: 200, body: { id: ID, status: 'killed' } }]);
  await assert.rejects(waitForImageActive(s, ID, wait), new RegExp(`image ${ID} is killed; upload it again`));

  cloud.sequence('GET', STACK, [stack('CREATE_IN_PROGRESS'), stack('CREATE_FAILED')]);
  await assert.rejects(waitForStackComplete(s, 'st', ID, wait), /stack st \(.*\) reached CREATE_FAILED: quota/);
});

test('waiting for a deletion: a 404 or DELETE_COMPLETE ends it, a failed deletion stops it, the deadline names the last status', async () => {
  cloud.sequence('GET', VOL, [volume('deleting'), gone]);
  await waitForVolumeGone(s, ID, wait);
  cloud.sequence('GET', VOL, [volume('deleting'), volume('error_deleting')]);
  await assert.rejects(waitForVolumeGone(s, ID, wait), new RegExp(`volume ${ID} went to error_deleting`));

  // A stack that failed to create still reads CREATE_FAILED right after the delete request: keep waiting.
  cloud.sequence('GET', STACK, [stack('CREATE_FAILED'), stack('DELETE_IN_PROGRESS'), stack('DELETE_COMPLETE')]);
  await waitForStackGone(s, 'st', ID, wait);
  cloud.sequence('GET', STACK, [stack('DELETE_IN_PROGRESS'), gone]);
  await waitForStackGone(s, 'st', ID, wait);
  cloud.sequence('GET', STACK, [stack('DELETE_FAILED')]);
  await assert.rejects(waitForStackGone(s, 'st', ID, wait), /stack st \(.*\) reached DELETE_FAILED: quota/);

  const srv = '0b6f7e3c-0000-4000-8000-000000000002';
  cloud.sequence('GET', `/compute/v2.1/servers/${srv}`, [server('ACTIVE'), gone]);
  await waitForServerGone(s, srv, wait);

  cloud.on('GET', '/network/v2.0/ports/p-stuck', { status: 200, body: { port: { id: 'p-stuck', name: 'p', network_id: 'n', mac_address: 'fa:16:3e:00:00:01', status: 'DOWN' } } });
  await assert.rejects(waitForPortGone(s, 'p-stuck', { timeoutMs: 30, intervalMs: 10 }), /port p-stuck was not deleted within 0\.03s \(last status DOWN\)/);
});
