/**
 * The power playbook against the lab, run as a user runs it, with the lab's secrets.yml and myvars.yml:
 *   ansible-playbook -i inventory.yml os_migrate.vmware_migration_kit.power -e @secrets.yml -e @myvars.yml -e ...
 * Two VMs shut down (check mode first), again without change, powered on again; a VM not named keeps its state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { powerOn, powerState } from '../../src/vmware/power.js';
import { withSession } from '../../src/vmware/session.js';
import { type InstalledCollection, installCollection } from '../helpers/collection.js';
import { labMigration } from '../helpers/lab-migration.js';
import { labFacts, labSession } from '../vmware/lab-facts.js';

const VMS = ['DC0_H0_VM8', 'DC0_H0_VM9'];
const BYSTANDER = 'DC0_H0_VM7';

describe('power.yml against the lab', { timeout: 600_000 }, () => {
  const facts = labFacts();
  const ref = (name: string) => ({ type: 'VirtualMachine', value: facts.base_vms.find((v) => v.name === name)!.moid });
  const states = (names: string[]) => withSession(labSession(facts), (s) => Promise.all(names.map((n) => powerState(s, ref(n)))));
  const powerAll = (names: string[]) => withSession(labSession(facts), async (s) => {
    for (const n of names) await powerOn(s, ref(n));
  });
  let c: InstalledCollection;
  /** ansible-playbook os_migrate.vmware_migration_kit.power with the lab's secrets.yml and myvars.yml, and `extra`. */
  const powerPlaybook = (extra: Record<string, unknown>, flags: string[] = []) => labMigration(c, extra, 'power', flags);
  let bystander: string[];

  /** The module results of the power task, one per VM. */
  const results = (run: ReturnType<typeof powerPlaybook>) =>
    run.tasks.filter((t) => t.task.startsWith('Bring each VM to')).flatMap((t) => (t.result.results as Record<string, unknown>[]) ?? []);

  before(async () => {
    c = installCollection();
    await powerAll(VMS);
    bystander = await states([BYSTANDER]);
  });
  after(async () => {
    await powerAll(VMS);
    assert.deepEqual(await states([BYSTANDER]), bystander, 'a VM not in vms_list keeps its power state');
  });

  it('check mode reports the shutdown of both VMs and changes nothing', async () => {
    const run = powerPlaybook({ vms_list: VMS, vm_power_state: 'shutdownguest' }, ['--check']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(results(run).map((r) => [r.item, r.changed, r.action, r.power_state]), VMS.map((n) => [n, true, 'guest shutdown', 'poweredOff']));
    assert.deepEqual(await states(VMS), ['poweredOn', 'poweredOn']);
  });

  it('shuts both VMs down, then a second run changes nothing, then powers them on again', async () => {
    const run = powerPlaybook({ vms_list: VMS, vm_power_state: 'shutdownguest', vm_power_force: true, vm_power_timeout: 30 });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(results(run).map((r) => [r.item, r.changed, r.power_state_before, r.power_state]), VMS.map((n) => [n, true, 'poweredOn', 'poweredOff']));
    assert.deepEqual(await states(VMS), ['poweredOff', 'poweredOff']);
    const again = powerPlaybook({ vms_list: VMS, vm_power_state: 'shutdownguest' });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(results(again).map((r) => r.changed), [false, false]);
    assert.ok(Object.values(again.stats).every((h) => h.changed === 0), JSON.stringify(again.stats));
    const on = powerPlaybook({ vms_list: VMS, vm_power_state: 'poweredon' });
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(results(on).map((r) => [r.changed, r.action]), [[true, 'power on'], [true, 'power on']]);
    assert.deepEqual(await states(VMS), ['poweredOn', 'poweredOn']);
  });

  it('refuses a missing or unknown vm_power_state before touching any VM', async () => {
    const run = powerPlaybook({ vms_list: VMS, vm_power_state: 'off' });
    assert.notEqual(run.code, 0);
    assert.match(JSON.stringify(run.tasks.find((t) => t.result.failed)?.result.msg), /vm_power_state \(poweredon, poweredoff or shutdownguest\)/);
    assert.equal(results(run).length, 0);
    assert.deepEqual(await states(VMS), ['poweredOn', 'poweredOn']);
  });
});
