/**
 * The migration playbook with use_heat (upstream's heat_deploy): the VM's server comes from a Heat stack, against the
 * lab's real Heat, with the lab's own variable files (skip_conversion: the lab disks hold known bytes, not guests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceType, Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { type Server, getServer } from '../../src/openstack/servers.js';
import { listVolumeAttachments } from '../../src/openstack/volume-attachments.js';
import { listPorts } from '../../src/openstack/network.js';
import { STACK_TAG, hasToolDescription, hasToolMetadata } from '../../src/openstack/markers.js';
import { findStackByName, getStack, stackOutput } from '../../src/openstack/orchestration.js';
import { getVolume } from '../../src/openstack/volume.js';
import { heatStackName } from '../../src/workflow/import-heat.js';
import { deleteToolStack } from '../../src/workflow/teardown.js';
import { type InstalledCollection, installCollection } from '../helpers/collection.js';
import {
  cleanLabVm,
  importResults,
  labDir,
  labDstCloud,
  labMigration as migration,
  labVm,
  openstackFacts as openstack,
  reportLines,
  toolServer,
  toolVolumes,
} from '../helpers/lab-migration.js';

const VM = 'osm-multidisk';
const STACK = heatStackName(VM);
const vmDir = join(labDir, 'data', VM);

interface Listed {
  id: string;
  metadata?: Record<string, string>;
  description?: string | null;
  tags?: string[] | null;
}

/**
 * Every volume, port, server and stack of the project that the tool did not make (no marker). Objects the tool made
 * are left out: other tests may create and delete theirs while this one runs.
 */
async function notTheTools(s: Session): Promise<string[]> {
  const ids = async (service: ServiceType, path: string, key: string, ours: (x: Listed) => boolean) =>
    (await s.list<Listed>(service, `list ${key}`, path, key, {})).filter((x) => !ours(x)).map((x) => `${key} ${x.id}`);
  const all = await Promise.all([
    ids('block-storage', '/volumes/detail', 'volumes', (x) => hasToolMetadata(x.metadata)),
    ids('network', '/ports', 'ports', (x) => hasToolDescription(x.description)),
    ids('compute', '/servers/detail', 'servers', (x) => hasToolMetadata(x.metadata)),
    ids('orchestration', '/stacks', 'stacks', (x) => (x.tags ?? []).includes(STACK_TAG)),
  ]);
  return all.flat().sort();
}

describe('the migration playbook with use_heat against the lab', () => {
  let c: InstalledCollection;
  let s: Session;
  let foreignBefore: Server;
  let before_: string[];

  const clean = async () => {
    await deleteToolStack(s, { name: STACK, wait: true, waitOpts: { timeoutMs: 300_000, intervalMs: 2000 }, checkMode: false });
    await cleanLabVm(s, VM);
  };

  before(async () => {
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    foreignBefore = (await getServer(s, openstack.foreign.server_id))!;
    await clean();
    before_ = await notTheTools(s);
  });
  after(async () => {
    await clean();
    await s?.close();
  });

  it('with heat_auto_deploy false writes the template and the command, and creates no stack nor server', async () => {
    const run = migration(c, { vms_list: [VM], use_heat: true, heat_auto_deploy: false });
    assert.equal(run.code, 0, JSON.stringify(importResults(run).map((r) => r.msg)));
    const [r] = importResults(run) as Array<{ msg: string; heat: { template_path: string; command: string; stack_name: string } }>;
    assert.equal(r!.heat.template_path, join(vmDir, 'heat_template.yaml'));
    assert.ok(existsSync(r!.heat.template_path), 'template written');
    assert.equal(r!.heat.stack_name, STACK);
    assert.match(r!.heat.command, new RegExp(`^openstack stack create --wait --tags osm -t ${vmDir}/heat_template.yaml --parameter .* ${STACK}$`));
    const report = run.tasks.find((t) => t.task.endsWith('Report each VM'));
    assert.match(JSON.stringify(report?.result), /create the stack with: openstack stack create/);
    assert.equal(await findStackByName(s, STACK), undefined, 'no stack');
    assert.equal(await toolServer(s, VM), undefined, 'no server');
    assert.equal((await toolVolumes(s, VM)).length, labVm(VM).disks.length, 'the disks were migrated');
  });

  it('creates the server through a stack: ACTIVE, booting from the migrated volumes, with the VMware MAC', async () => {
    const run = migration(c, { vms_list: [VM], use_heat: true });
    assert.equal(run.code, 0, JSON.stringify(importResults(run).map((r) => r.msg)));
    const [r] = importResults(run) as Array<{ changed: boolean; server_id: string; volume_ids: string[]; heat: { stack: { id: string; status: string }; info_path: string } }>;
    assert.equal(r!.changed, true);
    assert.equal(r!.heat.stack.status, 'CREATE_COMPLETE');
    const stack = (await findStackByName(s, STACK))!;
    assert.deepEqual(stack.tags, ['osm']);
    const outputs = await getStack(s, STACK, stack.id);
    const server = (await toolServer(s, VM))!;
    assert.equal(stackOutput(outputs, 'osm_multidisk_server_id'), server.id, 'the server is the stack\'s');
    assert.equal(r!.server_id, server.id);
    assert.equal(server.status, 'ACTIVE');
    const vm = labVm(VM);
    const [boot, ...data] = r!.volume_ids;
    const attachments = await listVolumeAttachments(s, server.id);
    const root = server['OS-EXT-SRV-ATTR:root_device_name'];
    assert.ok(typeof root === 'string' && root !== '', 'Nova names the root device (the lab user is admin)');
    assert.equal(attachments.find((a) => a.volumeId === boot)?.device, root, 'boots from the first migrated volume');
    assert.deepEqual(attachments.map((a) => a.volumeId).sort(), [boot, ...data].sort());
    assert.equal(data.length, vm.disks.length - 1);
    const ports = await listPorts(s, { device_id: server.id });
    assert.deepEqual(ports.map((p) => p.mac_address), vm.nics.map((n) => n.mac), 'the port carries the VMware MAC');
    assert.match(ports[0]!.description ?? '', /^osm=true /, 'the port is the tool\'s own, not the stack\'s');
    assert.equal(
      readFileSync(r!.heat.info_path, 'utf8'),
      `Stack Name: ${STACK}\nStack ID: ${stack.id}\nStatus: CREATE_COMPLETE\nTemplate: ${join(vmDir, 'heat_template.yaml')}\n`,
    );
  });

  it('changes nothing on a second run', async () => {
    const server = (await toolServer(s, VM))!;
    const stack = (await findStackByName(s, STACK))!;
    const run = migration(c, { vms_list: [VM], use_heat: true });
    assert.equal(run.code, 0);
    assert.deepEqual(importResults(run), [], 'the VM is migrated already: not started again');
    assert.ok(reportLines(run).some((l) => l.startsWith(`${VM}: migrated already (server ${server.id} is ACTIVE`)), JSON.stringify(reportLines(run)));
    const again = migration(c, { vms_list: [VM], use_heat: true, skip_migrated_vms: false });
    assert.equal(again.code, 0);
    const [r] = importResults(again);
    assert.equal(r!.changed, false, String(r!.msg));
    assert.equal((await toolServer(s, VM))?.id, server.id);
    assert.equal((await findStackByName(s, STACK))?.id, stack.id);
  });

  it('tears down the stack, server, ports and volumes it made, and nothing else, even when use_heat is left out', async () => {
    const server = (await toolServer(s, VM))!;
    const volumes = await toolVolumes(s, VM);
    const ports = await listPorts(s, { device_id: server.id });
    const run = migration(c, { vms_list: [VM], os_migrate_tear_down: true });
    assert.equal(run.code, 0, JSON.stringify(importResults(run).map((r) => r.msg)));
    assert.equal(await findStackByName(s, STACK), undefined, 'stack deleted');
    assert.equal(await getServer(s, server.id), undefined, 'server deleted');
    for (const v of volumes) assert.equal(await getVolume(s, v.id), undefined, `volume ${v.name} deleted`);
    for (const p of ports) assert.equal((await listPorts(s, { mac_address: p.mac_address })).length, 0, `port ${p.mac_address} deleted`);
    const now = await notTheTools(s);
    assert.deepEqual(before_.filter((x) => !now.includes(x)), [], 'something the tool did not make was removed');
    const foreign = (await getServer(s, openstack.foreign.server_id))!;
    assert.deepEqual([foreign.status, foreign.updated], [foreignBefore.status, foreignBefore.updated]);
  });
});
