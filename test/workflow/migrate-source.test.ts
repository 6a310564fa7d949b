// The source VM on purpose, against the lab: a plain migration leaves the source alone unless source_power_off
// asks, a cutover stops it before the last sync also with skipconversion, a CBT pre-sync never touches it, and what
// the tool did (stop, CBT enabled) is in the result, the log and the metadata of every volume of the VM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { getVolume } from '../../src/openstack/volume.js';
import { powerState } from '../../src/vmware/power.js';
import { waitForTask } from '../../src/vmware/tasks.js';
import { migrateVm } from '../../src/workflow/migrate.js';
import type { MigrateOutcome, MigrateRequest } from '../../src/workflow/migrate-request.js';
import { deleteVmVolumes, ensurePoweredOn, localSource, openstack, request, startMetadataService, testLogger, vmFacts, withOpenstack, withVsphere } from './migrate-lab.js';

const VM = 'osm-efi';

async function run(req: MigrateRequest, checkMode = false): Promise<MigrateOutcome & { log: string }> {
  const log = testLogger();
  const out = await migrateVm(req, { log, signal: new AbortController().signal, checkMode });
  return { ...out, log: readFileSync(log.path, 'utf8') };
}

const vmRef = () => ({ type: 'VirtualMachine', value: vmFacts(VM).moid });
const state = () => withVsphere((vs) => powerState(vs, vmRef()));
const metadata = async (id: string) => (await withOpenstack((s) => getVolume(s, id)))?.metadata ?? {};
const plain = (over: Partial<MigrateRequest> = {}) => request(VM, { source: localSource(VM), ...over });

/** Index of the first log line matching `re` (-1 when none). */
const lineOf = (log: string, re: RegExp) => log.split('\n').findIndex((l) => re.test(l));

describe('migrate: the source VM on purpose (lab)', { timeout: 600_000 }, () => {
  let meta: Awaited<ReturnType<typeof startMetadataService>>;

  before(async () => {
    meta = await startMetadataService(openstack().conversion_host.uuid);
    process.env.OSM_METADATA_URL = meta.url;
  });

  beforeEach(async () => {
    await deleteVmVolumes(VM);
    await ensurePoweredOn(VM);
  });

  after(async () => {
    delete process.env.OSM_METADATA_URL;
    await meta.close();
    await deleteVmVolumes(VM);
    await ensurePoweredOn(VM);
  });

  it('a plain migration with skipconversion and no source_power_off leaves the source running, and says so', async () => {
    const out = await run(plain());
    assert.deepEqual(out.source, { power_state_before: 'poweredOn', action: 'none', cbt_enabled_by_tool: false });
    assert.equal(await state(), 'poweredOn');
    assert.match(out.log, /VM osm-efi is left poweredOn \(source_power_off is false\)/);
    const m = await metadata(out.ids[0]!);
    assert.equal(m.osm_source_powered_off, undefined);
    assert.equal(m.osm_cbt_enabled, undefined);
  });

  it('source_power_off false leaves the source running also when the run would convert', async () => {
    const check = await run(plain({ skipConversion: false, sourcePowerOff: false }), true);
    assert.deepEqual(check.plan?.source, { power_state: 'poweredOn', action: 'none', reason: null, enable_cbt: false });
    const dflt = await run(plain({ skipConversion: false }), true);
    assert.deepEqual(dflt.plan?.source, { power_state: 'poweredOn', action: 'stop', reason: 'conversion (source_power_off default)', enable_cbt: false });
    assert.equal(await state(), 'poweredOn', 'check mode stops nothing');
  });

  it('source_power_off true stops the source before the snapshot and records it on the volume', async () => {
    const check = await run(plain({ sourcePowerOff: true }), true);
    assert.deepEqual(check.plan?.source, { power_state: 'poweredOn', action: 'stop', reason: 'source_power_off', enable_cbt: false });
    const started = Date.now();
    const out = await run(plain({ sourcePowerOff: true }));
    assert.deepEqual(out.source, { power_state_before: 'poweredOn', action: 'guest shutdown', cbt_enabled_by_tool: false });
    assert.equal(await state(), 'poweredOff');
    const off = lineOf(out.log, /VM osm-efi is off: guest shutdown/);
    const snap = lineOf(out.log, /created snapshot osm-snap/);
    assert.ok(off >= 0 && snap > off, `stopped (line ${off}) before the snapshot (line ${snap})`);
    const m = await metadata(out.ids[0]!);
    assert.equal(m.osm_source_powered_off, 'true');
    const at = Date.parse(m.osm_source_powered_off_at ?? '');
    assert.ok(at >= started - 1000 && at <= Date.now(), `osm_source_powered_off_at ${m.osm_source_powered_off_at}`);
  });

  it('cbtsync: the pre-sync leaves the source running and records the CBT it enabled; the cutover with skipconversion stops it before the last sync', async () => {
    await withVsphere(async (vs) => {
      const task = await vs.invoke('ReconfigVM_Task', { _this: vmRef(), spec: { changeTrackingEnabled: false } });
      await waitForTask(vs, task, 'ReconfigVM_Task(changeTrackingEnabled=false)');
    });
    const presync = await run(plain({ cbtSync: true }));
    assert.deepEqual(presync.source, { power_state_before: 'poweredOn', action: 'none', cbt_enabled_by_tool: true });
    assert.equal(await state(), 'poweredOn');
    const id = presync.ids[0]!;
    assert.equal((await metadata(id)).osm_cbt_enabled, 'true', 'CBT enabled on a VM without it, before the volume existed, is recorded on it');
    assert.equal((await metadata(id)).osm_source_powered_off, undefined);

    const check = await run(plain({ cbtSync: true, cutover: true, sourcePowerOff: false }), true);
    assert.deepEqual(check.plan?.source, { power_state: 'poweredOn', action: 'stop', reason: 'cutover', enable_cbt: false });
    const cutover = await run(plain({ cbtSync: true, cutover: true, sourcePowerOff: false }));
    assert.deepEqual(cutover.source, { power_state_before: 'poweredOn', action: 'guest shutdown', cbt_enabled_by_tool: false });
    assert.deepEqual([cutover.converted, cutover.disks[0]!.mode], [true, 'delta']);
    const off = lineOf(cutover.log, /VM osm-efi is off: guest shutdown/);
    const snap = lineOf(cutover.log, /created snapshot osm-snap/);
    assert.ok(off >= 0 && snap > off, `stopped (line ${off}) before the final snapshot (line ${snap})`);
    assert.match(cutover.log, /stopping VM osm-efi before the last sync \(cutover\): guest shutdown, hard power-off after 10 s/);
    assert.equal(await state(), 'poweredOff');
    const m = await metadata(id);
    assert.deepEqual([m.osm_source_powered_off, m.osm_cbt_enabled, m.osm_conversion], ['true', 'true', 'skipped']);

    const again = await run(plain({ cbtSync: true, cutover: true }));
    assert.deepEqual([again.changed, again.source], [false, { power_state_before: 'poweredOff', action: 'none', cbt_enabled_by_tool: false }]);
  });

  it('a cutover that finds the source off says so and records no stop of its own', async () => {
    await withVsphere((vs) => vs.invoke('PowerOffVM_Task', { _this: vmRef() }).then((t) => waitForTask(vs, t, 'PowerOffVM_Task')));
    const out = await run(plain({ cbtSync: true, cutover: true }));
    assert.deepEqual(out.source, { power_state_before: 'poweredOff', action: 'already off', cbt_enabled_by_tool: false });
    assert.equal((await metadata(out.ids[0]!)).osm_source_powered_off, undefined);
  });
});
