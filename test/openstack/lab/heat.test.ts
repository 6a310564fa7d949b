import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Session } from '../../../src/openstack/auth.js';
import { findServersByName, getServer } from '../../../src/openstack/servers.js';
import { listVolumeAttachments } from '../../../src/openstack/volume-attachments.js';
import { createPort, getPort, listPorts } from '../../../src/openstack/network.js';
import { createStack, findStackByName, getStack, waitForStackComplete } from '../../../src/openstack/orchestration.js';
import { createVolume, getVolume, setBootable } from '../../../src/openstack/volume.js';
import { safeVmName } from '../../../src/util/names.js';
import { deleteToolPort, deleteToolStack, deleteToolVolume } from '../../../src/workflow/teardown.js';
import { cloudDict, expectFail, expectOk, labFacts, runModule, session, uniqueName } from './lab.js';

const wait = { timeoutMs: 120_000, intervalMs: 1000 };
const del = (name: string, checkMode = false) => ({ name, wait: true, waitOpts: { timeoutMs: 300_000, intervalMs: 2000 }, checkMode });

/** A locally administered MAC unique to this run. */
function mac(n: number): string {
  const r = (process.pid * 7919 + Date.now()) % 0xffffff;
  const b = (x: number) => (x & 0xff).toString(16).padStart(2, '0');
  return `fa:16:3e:${b(r >> 16)}:${b(r >> 8)}:${b(r + n)}`;
}

async function volume(s: Session, name: string, bootable: boolean): Promise<string> {
  const v = await createVolume(s, { name, sizeGiB: 1, metadata: { converted: 'true' } }, wait);
  if (bootable) await setBootable(s, v.id, true);
  return v.id;
}

/** What the foreign tenant's server, volume and port look like; a test must leave them exactly so. */
async function foreignState(admin: Session): Promise<unknown> {
  const f = labFacts().foreign;
  const srv = (await getServer(admin, f.server_id))!;
  const vol = (await getVolume(admin, f.volume_id))!;
  const port = (await getPort(admin, f.port_id))!;
  return [srv.status, srv.updated, vol.status, vol.updated_at, port.device_id, port.revision_number];
}

test('generate_heat_template + create_heat_stack on the real Heat: servers ACTIVE from their volumes, idempotent, check mode, info file', async () => {
  const f = labFacts();
  const vmA = uniqueName('osm heat.a');
  const vmB = uniqueName('osm-heat-b');
  const [safeA, safeB] = [safeVmName(vmA), safeVmName(vmB)];
  const stackName = uniqueName('osm-test-heat');
  const dir = mkdtempSync(join(tmpdir(), 'osm-heat-'));
  const s = await session();
  const admin = await session('admin');
  const volumes: string[] = [];
  const ports: string[] = [];
  try {
    const foreignBefore = await foreignState(admin);
    const bootA = await volume(s, `${safeA}-2000`, true);
    const dataA = await volume(s, `${safeA}-2001`, false);
    const bootB = await volume(s, `${safeB}-2000`, true);
    volumes.push(bootA, dataA, bootB);
    // B's port is made beforehand (as create_network_port does); A's port is made by the stack.
    const portB = await createPort(s, { name: `${safeB}-NIC-0`, networkId: f.networks['frontier-net']!.id, macAddress: mac(2), description: 'osm=true test' });
    ports.push(portB.id);
    const macA = mac(1);
    const vmsData = [
      { name: vmA, boot_volume_id: bootA, data_volume_ids: [dataA], flavor: 'm1.small-bfv', network: 'frontier-net', security_groups: ['osm-sg'], mac_address: macA },
      { name: vmB, boot_volume_id: bootB, flavor: f.flavors['m1.small-bfv'], port_ids: [portB.id], key_name: f.keypair.name },
    ];
    const genArgs = { vms_data: vmsData, stack_name: stackName, output_dir: dir };

    const genCheck = expectOk(await runModule('generate_heat_template', genArgs, { check: true }), 'template check');
    assert.equal(genCheck.changed, true);
    assert.equal(existsSync(join(dir, 'heat_template.yaml')), false, 'check mode wrote the template');
    const gen = expectOk(await runModule('generate_heat_template', genArgs), 'template');
    assert.equal(gen.changed, true);
    const templatePath = gen.template_path as string;
    const stackArgs = { cloud: cloudDict(), template_path: templatePath, stack_name: stackName, parameters: gen.parameters, output_dir: dir, timeout: 300 };

    const check = expectOk(await runModule('create_heat_stack', stackArgs, { check: true }), 'stack check');
    assert.equal(check.changed, true);
    assert.equal(await findStackByName(s, stackName), undefined, 'check mode created a stack');
    assert.equal(existsSync(join(dir, 'heat_stack_info.txt')), false, 'check mode wrote the info file');

    const t0 = Date.now();
    const created = expectOk(await runModule('create_heat_stack', stackArgs), 'stack');
    const seconds = (Date.now() - t0) / 1000;
    const stack = created.stack as { id: string; name: string; status: string };
    assert.equal(created.changed, true);
    assert.equal(stack.status, 'CREATE_COMPLETE');
    assert.equal(created.info_path, join(dir, 'heat_stack_info.txt'));
    assert.equal(readFileSync(join(dir, 'heat_stack_info.txt'), 'utf8'), `Stack Name: ${stackName}\nStack ID: ${stack.id}\nStatus: CREATE_COMPLETE\nTemplate: ${templatePath}\n`);
    const listed = await findStackByName(s, stackName);
    assert.deepEqual(listed?.tags, ['osm']);
    console.error(`create_heat_stack (2 servers) to CREATE_COMPLETE: ${seconds.toFixed(1)} s`);

    const [serverA] = await findServersByName(s, safeA);
    const [serverB] = await findServersByName(s, safeB);
    assert.equal(serverA?.status, 'ACTIVE');
    assert.equal(serverB?.status, 'ACTIVE');
    assert.equal(serverA.metadata?.osm, 'true');
    assert.equal(serverB.key_name, f.keypair.name);
    assert.deepEqual((await listVolumeAttachments(s, serverA.id)).map((a) => a.volumeId).sort(), [bootA, dataA].sort());
    assert.deepEqual((await listVolumeAttachments(s, serverB.id)).map((a) => a.volumeId), [bootB]);
    const [stackPortA] = await listPorts(s, { device_id: serverA.id });
    assert.equal(stackPortA?.mac_address, macA, 'the stack made A\'s port with the VMware MAC');
    assert.deepEqual(stackPortA.security_groups, [f.security_groups['osm-sg']]);
    assert.deepEqual((await listPorts(s, { device_id: serverB.id })).map((p) => p.id), [portB.id], 'B boots on the given port');

    // A second run: the tool's stack is reused, nothing is created.
    const again = expectOk(await runModule('create_heat_stack', stackArgs), 'stack rerun');
    assert.equal(again.changed, false);
    assert.deepEqual(again.stack, stack);
    assert.equal(expectOk(await runModule('generate_heat_template', genArgs), 'template rerun').changed, false);
    assert.equal((await findServersByName(s, safeA)).length, 1, 'a rerun created a second server');
    assert.equal((await listPorts(s, { mac_address: macA })).length, 1, 'a rerun created a second port');

    // Teardown of the stack: its servers and the port it made go; the volumes and the given port stay.
    assert.equal((await deleteToolStack(s, del(stackName, true))).changed, true);
    assert.ok(await findStackByName(s, stackName), 'check-mode delete deleted the stack');
    assert.equal((await deleteToolStack(s, del(stackName))).changed, true);
    assert.equal((await deleteToolStack(s, del(stackName))).changed, false);
    assert.equal(await getServer(s, serverA.id), undefined);
    assert.equal(await getServer(s, serverB.id), undefined);
    assert.equal(await getPort(s, stackPortA.id), undefined, 'the stack\'s own port went with it');
    assert.equal((await getPort(s, portB.id))?.device_id, '', 'the given port is kept, detached');
    for (const v of volumes) assert.equal((await getVolume(s, v))?.status, 'available', `volume ${v} kept`);

    assert.deepEqual(await foreignState(admin), foreignBefore, 'the foreign tenant\'s server, volume or port changed');
  } finally {
    await deleteToolStack(s, del(stackName)).catch(() => undefined);
    for (const v of volumes) await deleteToolVolume(s, del(v)).catch(() => undefined);
    for (const p of ports) await deleteToolPort(s, del(p)).catch(() => undefined);
    await s.close();
    await admin.close();
  }
});

test('create_heat_stack fails clearly: a stack not made by the tool is left alone, Heat\'s reasons are reported, nothing is created', async () => {
  const vm = uniqueName('osm-heat-bad');
  const safe = safeVmName(vm);
  const dir = mkdtempSync(join(tmpdir(), 'osm-heat-'));
  const s = await session();
  const foreignName = uniqueName('osm-test-not-ours');
  const failingName = uniqueName('osm-test-failing');
  const volumes: string[] = [];
  let foreignId: string | undefined;
  try {
    // A stack of that name that this tool did not create (no osm tag).
    foreignId = (await createStack(s, { name: foreignName, template: { heat_template_version: '2018-08-31', resources: {} }, parameters: {}, timeoutMins: 5, tags: [] })).id;
    const foreignBefore = await waitForStackComplete(s, foreignName, foreignId, { timeoutMs: 120_000, intervalMs: 1000 });
    const boot = await volume(s, `${safe}-2000`, true);
    const notBootable = await volume(s, `${safe}-2001`, false);
    volumes.push(boot, notBootable);
    const template = async (flavor: string, bootVolume: string, out: string) =>
      expectOk(
        await runModule('generate_heat_template', { vms_data: [{ name: vm, boot_volume_id: bootVolume, flavor, network: 'frontier-net' }], stack_name: 'x', output_dir: join(dir, out) }),
        'template',
      ) as { template_path: string; parameters: Record<string, string> };
    const good = await template('m1.small-bfv', boot, 'good');
    const args = (name: string, t: { template_path: string; parameters: Record<string, string> }) => ({
      cloud: cloudDict(),
      template_path: t.template_path,
      stack_name: name,
      parameters: t.parameters,
      output_dir: dir,
      timeout: 300,
    });

    const r = await runModule('create_heat_stack', args(foreignName, good));
    expectFail(r, new RegExp(`a stack named ${foreignName} \\(${foreignId}\\) exists and was not created by this tool; choose another stack_name`), 'foreign stack');
    const foreignAfter = await getStack(s, foreignName, foreignId);
    assert.deepEqual([foreignAfter.stack_status, foreignAfter.updated_time, foreignAfter.tags], [foreignBefore.stack_status, foreignBefore.updated_time, foreignBefore.tags], 'the foreign stack changed');
    assert.equal((await findServersByName(s, safe)).length, 0);

    // Heat refuses the template at once: its reason, exit 1, no stack.
    const unknownFlavor = await template('no-such-flavor', boot, 'flavor');
    const flavorName = uniqueName('osm-test-flavor');
    const msg = expectFail(await runModule('create_heat_stack', args(flavorName, unknownFlavor)), /Stack creation failed: .*HTTP 400.*no-such-flavor/s, 'unknown flavor');
    assert.match(msg, /flavor/i);
    assert.equal(await findStackByName(s, flavorName), undefined, 'a stack was created for an invalid template');

    // Heat accepts it but Nova refuses to boot from a volume that is not bootable: CREATE_FAILED with the reason.
    const failing = await template('m1.small-bfv', notBootable, 'failing');
    const fail = await runModule('create_heat_stack', args(failingName, failing));
    expectFail(fail, /Stack creation failed: stack .* reached CREATE_FAILED: .*not bootable/is, 'stack that cannot complete');
    const failed = fail.result.stack as { id: string | null; status: string };
    assert.equal(failed.status, 'CREATE_FAILED');
    assert.equal(failed.id, (await findStackByName(s, failingName))?.id, 'the result names the failed stack');
    // A rerun says what to do with the failed stack instead of waiting on it.
    expectFail(await runModule('create_heat_stack', args(failingName, failing)), new RegExp(`is CREATE_FAILED: .*delete it \\(openstack stack delete ${failingName}\\)`, 's'), 'rerun on a failed stack');
    assert.equal((await findServersByName(s, safe)).filter((x) => x.status === 'ACTIVE').length, 0);

    // Bad arguments: a JSON error naming the argument, exit 1, nothing created.
    expectFail(await runModule('create_heat_stack', { cloud: cloudDict(), template_path: join(dir, 'missing.yaml'), stack_name: uniqueName('osm-x') }), /missing\.yaml does not exist/, 'missing template');
    expectFail(await runModule('create_heat_stack', { ...args(uniqueName('osm-x'), good), timeout: -1 }), /timeout/, 'negative timeout');
    expectFail(await runModule('generate_heat_template', { vms_data: [{ name: vm, boot_volume_id: boot, flavor: 'm1.small-bfv' }], stack_name: 'x', output_dir: dir }), /has no network \(nor port_ids\)/, 'no network');
  } finally {
    await deleteToolStack(s, del(failingName)).catch(() => undefined);
    if (foreignId) await s.request('orchestration', 'delete test stack', 'DELETE', `/stacks/${foreignName}/${foreignId}`).catch(() => undefined);
    for (const v of volumes) await deleteToolVolume(s, del(v)).catch(() => undefined);
    await s.close();
  }
});
