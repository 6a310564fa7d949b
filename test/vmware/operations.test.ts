import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { changedAreas, enableCbt } from '../../src/vmware/cbt.js';
import { InvalidPowerStateError, NotAuthenticatedError, TaskFailedError, VSphereError } from '../../src/vmware/faults.js';
import type { MoRef } from '../../src/vmware/moref.js';
import { powerOff, powerOn } from '../../src/vmware/power.js';
import { createSnapshot, removeSnapshot } from '../../src/vmware/snapshots.js';
import { withSession } from '../../src/vmware/session.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const vm = { type: 'VirtualMachine', value: 'vm-42' };
const snapshot = { type: 'VirtualMachineSnapshot', value: 'snapshot-7' };

const envelope = (inner: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
const taskAnswer = (op: string, task: string): string => envelope(`<${op}Response xmlns="urn:vim25"><returnval type="Task">${task}</returnval></${op}Response>`);
const emptyAnswer = (op: string): string => envelope(`<${op}Response xmlns="urn:vim25"></${op}Response>`);
const property = (obj: MoRef, name: string, val: string): string =>
  envelope(
    `<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="${obj.type}">${obj.value}</obj>` +
      `<propSet><name>${name}</name><val xsi:type="xsd:string">${val}</val></propSet></objects></returnval></RetrievePropertiesExResponse>`,
  );
const qcda = (startOffset: string, length: string, areas: [string, string][]): string =>
  envelope(
    `<QueryChangedDiskAreasResponse xmlns="urn:vim25"><returnval><startOffset>${startOffset}</startOffset><length>${length}</length>` +
      areas.map(([s, l]) => `<changedArea><start>${s}</start><length>${l}</length></changedArea>`).join('') +
      '</returnval></QueryChangedDiskAreasResponse>',
  );

describe('tasks, snapshots, power and CBT (recorded answers)', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer();
  });
  after(() => server.close());
  const session = <T>(fn: Parameters<typeof withSession<T>>[1]) =>
    withSession({ host: server.host, username: 'user', password: 'pass', caFile: server.certFile }, fn);
  /** The bodies the client sent for `op`, from the SOAP body's first element to its end. */
  const sent = (op: string): string[] =>
    server.requests.filter((r) => r.op === op).map((r) => /<soapenv:Body>(.*)<\/soapenv:Body>/s.exec(r.body)?.[1] ?? r.body);

  it('creates a snapshot with the upstream name and waits for the task result', async () => {
    server.requests.length = 0;
    server.queue('CreateSnapshot_Task', 'create-snapshot.xml');
    server.queue('RetrievePropertiesEx', 'task-success.xml');
    const snap = await session((s) => createSnapshot(s, vm));
    assert.deepEqual(snap, { type: 'VirtualMachineSnapshot', value: 'snapshot-901' });
    assert.deepEqual(sent('CreateSnapshot_Task'), [
      '<CreateSnapshot_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this><name>osm-snap</name>' +
        '<description>OS Migrate snapshot.</description><memory>false</memory><quiesce>false</quiesce></CreateSnapshot_Task>',
    ]);
    assert.match(sent('RetrievePropertiesEx')[0]!, /<obj type="Task">task-78<\/obj>/);
  });

  it('escapes text and MoRef values it writes', async () => {
    server.requests.length = 0;
    server.queue('CreateSnapshot_Task', 'create-snapshot.xml');
    server.queue('RetrievePropertiesEx', 'task-success.xml');
    await session((s) => createSnapshot(s, { type: 'VirtualMachine', value: 'vm-<1>' }, 'a<b & "c"', "it's"));
    assert.match(
      sent('CreateSnapshot_Task')[0]!,
      /<_this type="VirtualMachine">vm-&lt;1&gt;<\/_this><name>a&lt;b &amp; &quot;c&quot;<\/name><description>it&apos;s<\/description>/,
    );
  });

  it('turns a failed task into a typed error naming the call', async () => {
    server.queue('CreateSnapshot_Task', 'create-snapshot.xml');
    server.queue('RetrievePropertiesEx', 'task-error.xml');
    await assert.rejects(session((s) => createSnapshot(s, vm)), (e: Error) => e instanceof TaskFailedError && /vm-42.*locked/.test(e.message));
  });

  it('removes a snapshot keeping its children and consolidating', async () => {
    server.requests.length = 0;
    server.queue('RemoveSnapshot_Task', taskAnswer('RemoveSnapshot_Task', 'task-79'));
    server.queue('RetrievePropertiesEx', 'task-success.xml');
    await session((s) => removeSnapshot(s, snapshot));
    assert.deepEqual(sent('RemoveSnapshot_Task'), [
      '<RemoveSnapshot_Task xmlns="urn:vim25"><_this type="VirtualMachineSnapshot">snapshot-7</_this>' +
        '<removeChildren>false</removeChildren><consolidate>true</consolidate></RemoveSnapshot_Task>',
    ]);
    assert.match(sent('RetrievePropertiesEx')[0]!, /<obj type="Task">task-79<\/obj>/);
  });

  it('enables CBT with ReconfigVM_Task only when it is off', async () => {
    server.requests.length = 0;
    server.queue('RetrievePropertiesEx', property(vm, 'config.changeTrackingEnabled', 'false'), 'task-success.xml');
    server.queue('ReconfigVM_Task', taskAnswer('ReconfigVM_Task', 'task-80'));
    assert.equal(await session((s) => enableCbt(s, vm)), true);
    assert.deepEqual(sent('ReconfigVM_Task'), [
      '<ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this><spec><changeTrackingEnabled>true</changeTrackingEnabled></spec></ReconfigVM_Task>',
    ]);
    server.requests.length = 0;
    server.queue('RetrievePropertiesEx', property(vm, 'config.changeTrackingEnabled', 'true'));
    assert.equal(await session((s) => enableCbt(s, vm)), false);
    assert.deepEqual(sent('ReconfigVM_Task'), []);
  });

  it('shuts the guest down and waits until it is off', async () => {
    server.requests.length = 0;
    server.queue('RetrievePropertiesEx', property(vm, 'runtime.powerState', 'poweredOn'), property(vm, 'runtime.powerState', 'poweredOff'));
    server.queue('ShutdownGuest', emptyAnswer('ShutdownGuest'));
    assert.equal(await session((s) => powerOff(s, vm, { timeoutMs: 5000, force: false })), 'guest');
    assert.deepEqual(sent('ShutdownGuest'), ['<ShutdownGuest xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this></ShutdownGuest>']);
    assert.deepEqual(sent('PowerOffVM_Task'), []);
  });

  it('powers off hard when the guest shutdown fails and force is set; refuses without force', async () => {
    server.requests.length = 0;
    const on = property(vm, 'runtime.powerState', 'poweredOn');
    server.queue('RetrievePropertiesEx', on, on, 'task-success.xml');
    server.queue('ShutdownGuest', 'fault-invalid-power-state.xml');
    server.queue('PowerOffVM_Task', taskAnswer('PowerOffVM_Task', 'task-81'));
    assert.equal(await session((s) => powerOff(s, vm, { timeoutMs: 5000, force: true })), 'hard');
    assert.deepEqual(sent('PowerOffVM_Task'), ['<PowerOffVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this></PowerOffVM_Task>']);

    server.queue('RetrievePropertiesEx', on);
    server.queue('ShutdownGuest', 'fault-invalid-power-state.xml');
    await assert.rejects(
      session((s) => powerOff(s, vm, { timeoutMs: 5000, force: false })),
      (e: Error) => e instanceof VSphereError && /vm-42: guest shutdown failed: .*InvalidPowerState.*allow a hard power-off/.test(e.message),
    );
  });

  it('powers on; a fault reply becomes its typed error and a non-idempotent call is not sent again', async () => {
    server.requests.length = 0;
    server.queue('RetrievePropertiesEx', property(vm, 'runtime.powerState', 'poweredOff'));
    server.queue('PowerOnVM_Task', 'fault-invalid-power-state.xml');
    await assert.rejects(
      session((s) => powerOn(s, vm)),
      (e: Error) =>
        e instanceof InvalidPowerStateError && e.fault === 'InvalidPowerState' && /PowerOnVM_Task: .*power it on or off first: .*Powered off/.test(e.message),
    );
    assert.deepEqual(sent('PowerOnVM_Task'), ['<PowerOnVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this></PowerOnVM_Task>']);

    server.requests.length = 0;
    server.queue('CreateSnapshot_Task', 'fault-not-authenticated.xml');
    await assert.rejects(session((s) => createSnapshot(s, vm)), NotAuthenticatedError);
    assert.equal(sent('CreateSnapshot_Task').length, 1);
    assert.deepEqual(server.requests.map((r) => r.op), ['RetrieveServiceContent', 'Login', 'CreateSnapshot_Task', 'Logout']);
  });

  it('pages QueryChangedDiskAreas to the end of the disk, past an empty window', async () => {
    server.requests.length = 0;
    server.queue('QueryChangedDiskAreas', 'qcda-window-1.xml', 'qcda-window-2.xml', 'qcda-window-3.xml');
    const areas = await session((s) => changedAreas(s, vm, snapshot, 2000, 3 * 1024 ** 3, '52 aa/7'));
    assert.deepEqual(areas, [
      { start: 0, length: 65536 },
      { start: 1048576, length: 131072 },
      { start: 3221159936, length: 65536 },
    ]);
    const bodies = sent('QueryChangedDiskAreas');
    assert.deepEqual(bodies.map((b) => /<startOffset>(\d+)</.exec(b)?.[1]), ['0', '1073741824', '2147483648']);
    assert.equal(
      bodies[0],
      '<QueryChangedDiskAreas xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this><snapshot type="VirtualMachineSnapshot">snapshot-7</snapshot>' +
        '<deviceKey>2000</deviceKey><startOffset>0</startOffset><changeId>52 aa/7</changeId></QueryChangedDiskAreas>',
    );
  });

  it('QueryChangedDiskAreas without a snapshot leaves the element out, and is retried once after a re-login', async () => {
    server.requests.length = 0;
    server.queue('QueryChangedDiskAreas', 'fault-not-authenticated.xml', qcda('0', '4096', [['512', '1024']]));
    assert.deepEqual(await session((s) => changedAreas(s, vm, undefined, 2000, 4096, '*')), [{ start: 512, length: 1024 }]);
    assert.deepEqual(server.requests.map((r) => r.op), ['RetrieveServiceContent', 'Login', 'QueryChangedDiskAreas', 'Login', 'QueryChangedDiskAreas', 'Logout']);
    assert.doesNotMatch(sent('QueryChangedDiskAreas')[1]!, /<snapshot/);
  });

  it('reads xsd:long values exactly: 2^53 - 1 is kept, a larger value is refused rather than rounded', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    server.queue('QueryChangedDiskAreas', qcda('0', String(max), [[String(max - 4096), '4096']]));
    assert.deepEqual(await session((s) => changedAreas(s, vm, snapshot, 2000, max, '*')), [{ start: max - 4096, length: 4096 }]);

    server.queue('QueryChangedDiskAreas', qcda('0', '1073741824', [['9007199254740993', '4096']]));
    await assert.rejects(
      session((s) => changedAreas(s, vm, snapshot, 2000, 1073741824, '*')),
      (e: Error) => e instanceof VSphereError && /^QueryChangedDiskAreas\(vm-42\): .*start is 9007199254740993, not an integer held exactly/.test(e.message),
    );
  });
});
