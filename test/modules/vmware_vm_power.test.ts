// vmware_vm_power run as Ansible runs it (built executable, args file, empty environment) against the lab:
// every state, idempotency, check mode, an unknown name, the folder, and no other VM touched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { powerOn, powerState } from '../../src/vmware/power.js';
import { withSession } from '../../src/vmware/session.js';
import { runModule } from '../helpers/run-module.js';
import { type LabFacts, labFacts, labSession } from '../vmware/lab-facts.js';

const VM = 'DC0_H0_VM6';
/** Never named: must keep its power state throughout. */
const BYSTANDERS = ['DC0_H0_VM5', 'DC0_H0_VM7'];

describe('vmware_vm_power module against the lab', () => {
  let facts: LabFacts;
  let connection: Record<string, unknown>;
  const moid = (name: string) => facts.base_vms.find((v) => v.name === name)!.moid;
  const state = (name: string) => withSession(labSession(facts), (s) => powerState(s, { type: 'VirtualMachine', value: moid(name) }));
  const power = (args: Record<string, unknown>, check = false) => {
    const r = runModule('vmware_vm_power', { ...connection, vm_name: VM, ...args, ...(check ? { _ansible_check_mode: true } : {}) });
    return { code: r.code, ...r.result } as Record<string, unknown> & { code: number | null };
  };
  let bystandersBefore: string[];

  before(async () => {
    facts = labFacts();
    connection = {
      vcenter_hostname: `${facts.host}:${facts.port}`,
      vcenter_username: facts.user,
      vcenter_password: facts.password,
      vcenter_ca_file: facts.cert_path,
    };
    await withSession(labSession(facts), (s) => powerOn(s, { type: 'VirtualMachine', value: moid(VM) }));
    bystandersBefore = await Promise.all(BYSTANDERS.map(state));
  });

  after(async () => {
    await withSession(labSession(facts), (s) => powerOn(s, { type: 'VirtualMachine', value: moid(VM) }));
    assert.deepEqual(await Promise.all(BYSTANDERS.map(state)), bystandersBefore, 'VMs not named keep their power state');
  });

  it('shutdownguest: check mode says what it would do and changes nothing; then the guest is shut down; again: no change', async () => {
    const check = power({ state: 'shutdownguest' }, true);
    assert.equal(check.code, 0, JSON.stringify(check));
    assert.deepEqual([check.changed, check.power_state_before, check.power_state, check.action], [true, 'poweredOn', 'poweredOff', 'guest shutdown']);
    assert.match(String(check.msg), /^VM DC0_H0_VM6 would be poweredOff \(guest shutdown\)$/);
    assert.equal(await state(VM), 'poweredOn', 'check mode changed nothing');

    const run = power({ state: 'shutdownguest', timeout: 30 });
    assert.equal(run.code, 0, JSON.stringify(run));
    assert.deepEqual([run.changed, run.power_state_before, run.power_state, run.action], [true, 'poweredOn', 'poweredOff', 'guest shutdown']);
    assert.deepEqual(run.vm, { name: VM, moid: moid(VM), path: `/DC0/vm/${VM}` });
    assert.equal(await state(VM), 'poweredOff');

    const again = power({ state: 'shutdownguest' });
    assert.deepEqual([again.code, again.changed, again.action, again.msg], [0, false, 'none', 'VM DC0_H0_VM6 already poweredOff']);
  });

  it('poweredon: check mode, then on, then no change', async () => {
    const check = power({ state: 'poweredon' }, true);
    assert.deepEqual([check.code, check.changed, check.power_state_before, check.power_state, check.action], [0, true, 'poweredOff', 'poweredOn', 'power on']);
    assert.equal(await state(VM), 'poweredOff');
    const run = power({ state: 'poweredon' });
    assert.deepEqual([run.code, run.changed, run.power_state, run.action], [0, true, 'poweredOn', 'power on']);
    assert.equal(await state(VM), 'poweredOn');
    const again = power({ state: 'poweredon' }, true);
    assert.deepEqual([again.code, again.changed, again.action], [0, false, 'none']);
  });

  it('poweredoff: a hard power-off, found by its folder (vddkpath alias); then no change', async () => {
    const check = power({ state: 'poweredoff', vddkpath: '/DC0/vm' }, true);
    assert.deepEqual([check.code, check.changed, check.action], [0, true, 'hard power-off']);
    const run = power({ state: 'poweredoff', folder: '/DC0/vm' });
    assert.deepEqual([run.code, run.changed, run.power_state_before, run.power_state, run.action], [0, true, 'poweredOn', 'poweredOff', 'hard power-off']);
    assert.equal(await state(VM), 'poweredOff');
    const again = power({ state: 'poweredoff' });
    assert.deepEqual([again.code, again.changed], [0, false]);
    const path = power({ state: 'poweredon', vm_name: `/DC0/vm/${VM}` });
    assert.deepEqual([path.code, path.changed, path.power_state], [0, true, 'poweredOn'], 'an inventory path names the VM too');
  });

  it('a VM that does not exist fails clearly, naming the closest ones, and touches nothing', () => {
    const r = power({ state: 'poweredoff', vm_name: 'DC0_H0_VM66' });
    assert.equal(r.code, 1);
    assert.equal(r.failed, true);
    assert.match(String(r.msg), /^vmware_vm_power: VM DC0_H0_VM66: VM "DC0_H0_VM66" was not found on .*closest names: .*"DC0_H0_VM6"/);
    const bad = power({ state: 'off' });
    assert.equal(bad.code, 1);
    assert.match(String(bad.msg), /state/);
  });
});
