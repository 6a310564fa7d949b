import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import type { Session } from '../../src/openstack/auth.js';
import { connect } from '../../src/openstack/connect.js';
import { type HeatServerRequest, ensureHeatServer, heatStackName } from '../../src/workflow/import-heat.js';
import { FakeCloud, PROJECT_ID } from '../openstack/fake-cloud.js';

let cloud: FakeCloud;
let s: Session;
before(async () => {
  cloud = await new FakeCloud().start();
  s = await connect(cloud.cloud());
});
after(async () => {
  await s.close();
  await cloud.stop();
});

const request = (dir: string, over: Partial<HeatServerRequest> = {}): HeatServerRequest => ({
  vmName: 'osm ñame é spaces',
  dir,
  flavor: 'm1.small',
  bootVolume: 'B',
  volumes: ['D'],
  portIds: ['P'],
  network: 'frontier-net',
  securityGroups: ['osm-sg'],
  keyName: undefined,
  availabilityZone: undefined,
  userData: undefined,
  autoDeploy: false,
  timeoutMs: 60_000,
  checkMode: false,
  ...over,
});

test('one stack per VM, named after SafeVmName', () => {
  assert.equal(heatStackName('osm ñame é spaces'), 'os-migrate-osm_name_e_spaces');
});

test('without auto deploy: the template in the VM directory and the command, no call to Heat; unchanged on rerun', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'heat-vm-')), 'osm ñame é spaces');
  const first = await ensureHeatServer(s, request(dir));
  assert.equal(first.changed, true);
  assert.equal(first.template_path, join(dir, 'heat_template.yaml'));
  const doc = parse(readFileSync(first.template_path, 'utf8')) as { resources: Record<string, { type: string; properties: Record<string, unknown> }> };
  assert.deepEqual(Object.keys(doc.resources), ['osm_name_e_spaces_server']);
  assert.deepEqual(first.parameters, { osm_name_e_spaces_boot_volume_id: 'B', osm_name_e_spaces_data_volume_0_id: 'D', osm_name_e_spaces_port_0_id: 'P' });
  assert.equal(
    first.command,
    `openstack stack create --wait --tags osm -t '${first.template_path}' --parameter osm_name_e_spaces_boot_volume_id=B --parameter osm_name_e_spaces_data_volume_0_id=D --parameter osm_name_e_spaces_port_0_id=P os-migrate-osm_name_e_spaces`,
  );
  assert.equal(first.stack, undefined);
  assert.equal((await ensureHeatServer(s, request(dir))).changed, false);
  assert.equal(cloud.calls('GET', `/heat/v1/${PROJECT_ID}/stacks`).length + cloud.calls('POST', `/heat/v1/${PROJECT_ID}/stacks`).length, 0);
});

test('check mode with auto deploy writes nothing and creates no stack', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'heat-vm-')), 'vm');
  cloud.on('GET', `/heat/v1/${PROJECT_ID}/stacks`, { status: 200, body: { stacks: [] } });
  const r = await ensureHeatServer(s, request(dir, { autoDeploy: true, checkMode: true }));
  assert.equal(r.changed, true);
  assert.deepEqual(r.stack, { id: null, name: heatStackName('osm ñame é spaces'), status: 'absent' });
  assert.equal(existsSync(dir), false);
  assert.equal(cloud.calls('POST', `/heat/v1/${PROJECT_ID}/stacks`).length, 0);
});

test('no port and no network: an error naming the options, nothing written', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'heat-vm-')), 'vm');
  await assert.rejects(ensureHeatServer(s, request(dir, { portIds: [], network: undefined })), /no port \(create_ports is false\) and no network_name/);
  assert.equal(existsSync(dir), false);
});
