import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { type ModuleContext, parseParams } from '../../src/ansible/module.js';
import createHeatStack from '../../src/modules/create_heat_stack.js';
import generateHeatTemplate from '../../src/modules/generate_heat_template.js';
import { createLogger } from '../../src/util/log.js';
import { renderHeatTemplate, stackCreateCommand } from '../../src/workflow/server-heat.js';
import { FakeCloud, PROJECT_ID } from '../openstack/fake-cloud.js';

const ctx = (checkMode = false): ModuleContext => ({
  checkMode,
  diff: false,
  noLog: false,
  verbosity: 0,
  log: createLogger({ stderr: false }),
  warn: () => undefined,
  signal: new AbortController().signal,
});

const vms = [
  { name: 'rhel-1', boot_volume_id: 'B1', data_volume_ids: ['D1', ''], flavor: 'F', network: 'N', security_groups: ['SG', 'web'], mac_address: '00:50:56:aa:bb:cc' },
  { name: 'vm.02 (db)', boot_volume_id: 'B2', flavor: 'F2', network: 'N2' },
];

test('the Heat template boots each VM from its volume, keeps MACs, never manages the volumes', () => {
  const t = renderHeatTemplate('os-migrate-1700000000', vms);
  const doc = parse(t.text) as Record<string, Record<string, unknown>>;
  assert.equal(doc.heat_template_version, '2018-08-31');
  assert.deepEqual(Object.keys(doc.parameters!), ['rhel_1_boot_volume_id', 'rhel_1_data_volume_0_id', 'rhel_1_security_groups', 'vm_02_db_boot_volume_id']);
  assert.deepEqual(t.parameters, { rhel_1_boot_volume_id: 'B1', rhel_1_data_volume_0_id: 'D1', rhel_1_security_groups: 'SG,web', vm_02_db_boot_volume_id: 'B2' });
  assert.deepEqual(Object.entries(doc.resources!).map(([k, v]) => [k, (v as { type: string }).type]), [
    ['rhel_1_port', 'OS::Neutron::Port'],
    ['rhel_1_server', 'OS::Nova::Server'],
    ['vm_02_db_port', 'OS::Neutron::Port'],
    ['vm_02_db_server', 'OS::Nova::Server'],
  ]);
  const server = (doc.resources!.rhel_1_server as { properties: Record<string, unknown> }).properties;
  assert.deepEqual(server.block_device_mapping_v2, [
    { volume_id: { get_param: 'rhel_1_boot_volume_id' }, boot_index: 0, delete_on_termination: false },
    { volume_id: { get_param: 'rhel_1_data_volume_0_id' }, boot_index: -1, delete_on_termination: false },
  ]);
  assert.deepEqual(server.metadata, { osm: 'true' });
  assert.equal((doc.resources!.vm_02_db_server as { properties: { name: string } }).properties.name, 'vm_02_db');
  assert.deepEqual((doc.resources!.rhel_1_port as { properties: unknown }).properties, { network: 'N', mac_address: '00:50:56:aa:bb:cc', security_groups: { get_param: 'rhel_1_security_groups' } });
  assert.deepEqual(Object.keys(doc.outputs!), ['rhel_1_server_id', 'vm_02_db_server_id']);
  assert.ok(!t.text.includes('OS::Cinder::Volume'));
  assert.equal(server.user_data_format, 'RAW', 'Heat must add no boot-config to a migrated guest');
  assert.equal(server.user_data, undefined);
  assert.deepEqual(t.serverOutputs, { 'rhel-1': 'rhel_1_server_id', 'vm.02 (db)': 'vm_02_db_server_id' });
  assert.throws(() => renderHeatTemplate('s', []), /No VMs data provided/);
  assert.throws(() => renderHeatTemplate('s', [{ ...vms[1]!, network: '' }]), /has no network \(nor port_ids\)/);
});

test('with port_ids the server uses the given ports (parameters) and the stack makes none', () => {
  const t = renderHeatTemplate('st', [{ name: 'web', boot_volume_id: 'B', flavor: 'F', port_ids: ['P0', 'P1'], key_name: 'k', user_data: '#cloud-config\n' }]);
  const doc = parse(t.text) as { resources: Record<string, { type: string; properties: Record<string, unknown> }> };
  assert.deepEqual(Object.keys(doc.resources), ['web_server']);
  const p = doc.resources.web_server!.properties;
  assert.deepEqual(p.networks, [{ port: { get_param: 'web_port_0_id' } }, { port: { get_param: 'web_port_1_id' } }]);
  assert.deepEqual(t.parameters, { web_boot_volume_id: 'B', web_port_0_id: 'P0', web_port_1_id: 'P1' });
  assert.equal(p.key_name, 'k');
  assert.equal(p.user_data, '#cloud-config\n');
  assert.deepEqual(t.doc, parse(t.text), 'doc is what the text says');
});

test('stackCreateCommand quotes what the shell would split', () => {
  assert.equal(
    stackCreateCommand('os-migrate-a_b', '/data/a b/heat_template.yaml', { a_boot_volume_id: 'B' }),
    "openstack stack create --wait --tags osm -t '/data/a b/heat_template.yaml' --parameter a_boot_volume_id=B os-migrate-a_b",
  );
});

test('generate_heat_template: writes once, check mode writes nothing, rerun unchanged', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'heat-')), 'out');
  const args = { vms_data: vms, stack_name: 'os-migrate-1', output_dir: dir };
  const check = await generateHeatTemplate.run(parseParams(generateHeatTemplate, args) as never, ctx(true));
  assert.equal(check.changed, true);
  assert.throws(() => readFileSync(join(dir, 'heat_template.yaml')));
  const first = await generateHeatTemplate.run(parseParams(generateHeatTemplate, args) as never, ctx());
  assert.equal(first.changed, true);
  assert.equal(first.template_path, join(dir, 'heat_template.yaml'));
  assert.equal(first.msg, 'Heat template generated successfully for 2 VMs');
  const again = await generateHeatTemplate.run(parseParams(generateHeatTemplate, args) as never, ctx());
  assert.equal(again.changed, false);
  assert.throws(() => parseParams(generateHeatTemplate, { ...args, vms_data: [] }), /vms_data/);
});

let cloud: FakeCloud;
before(async () => {
  cloud = await new FakeCloud().start();
});
after(async () => {
  await cloud.stop();
});

test('create_heat_stack on recorded Heat responses: create, wait, info file, rerun reuses, foreign name refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-'));
  const template = join(dir, 'heat_template.yaml');
  writeFileSync(template, renderHeatTemplate('st', vms).text);
  const stacks: Array<{ id: string; stack_name: string; stack_status: string; tags: string[] | null }> = [];
  let polls = 0;
  cloud
    .on('GET', `/heat/v1/${PROJECT_ID}/stacks`, (r) => ({ status: 200, body: { stacks: stacks.filter((x) => x.stack_name === r.query.get('name')) } }))
    .on('POST', `/heat/v1/${PROJECT_ID}/stacks`, (r) => {
      const b = r.body as { stack_name: string; tags: string };
      stacks.push({ id: 'stack-1', stack_name: b.stack_name, stack_status: 'CREATE_IN_PROGRESS', tags: b.tags.split(',') });
      return { status: 201, body: { stack: { id: 'stack-1', links: [] } } };
    })
    .on('GET', `/heat/v1/${PROJECT_ID}/stacks/mig/stack-1`, () => {
      if (++polls >= 2) stacks[0]!.stack_status = 'CREATE_COMPLETE';
      return { status: 200, body: { stack: stacks[0] } };
    });
  const args = { cloud: cloud.cloud(), template_path: template, stack_name: 'mig', parameters: { rhel_1_boot_volume_id: 'B1' }, output_dir: dir, timeout: 60 };
  const params = parseParams(createHeatStack, args) as { timeout: number };
  const check = await createHeatStack.run(params as never, ctx(true));
  assert.equal(check.changed, true);
  assert.equal(cloud.calls('POST', `/heat/v1/${PROJECT_ID}/stacks`).length, 0);

  // 5 s between polls is the module's interval; the recorded stack completes on the second poll.
  const r = await createHeatStack.run(params as never, ctx());
  assert.equal(r.changed, true);
  assert.deepEqual(r.stack, { id: 'stack-1', name: 'mig', status: 'CREATE_COMPLETE' });
  const sent = cloud.calls('POST', `/heat/v1/${PROJECT_ID}/stacks`)[0]!.body as Record<string, unknown>;
  assert.equal(sent.stack_name, 'mig');
  assert.equal(sent.timeout_mins, 1);
  assert.equal(sent.tags, 'osm');
  assert.deepEqual(sent.parameters, { rhel_1_boot_volume_id: 'B1' });
  assert.equal((sent.template as { heat_template_version: string }).heat_template_version, '2018-08-31');
  assert.equal(readFileSync(join(dir, 'heat_stack_info.txt'), 'utf8'), `Stack Name: mig\nStack ID: stack-1\nStatus: CREATE_COMPLETE\nTemplate: ${template}\n`);
  assert.equal(r.info_path, join(dir, 'heat_stack_info.txt'));

  const again = await createHeatStack.run(params as never, ctx());
  assert.equal(again.changed, false);
  assert.equal(cloud.calls('POST', `/heat/v1/${PROJECT_ID}/stacks`).length, 1);

  stacks[0]!.tags = null;
  await assert.rejects(createHeatStack.run(params as never, ctx()), /a stack named mig \(stack-1\) exists and was not created by this tool/);
});
