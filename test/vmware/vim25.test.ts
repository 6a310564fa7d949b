import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VIM25, XSI_TYPE, requestXml } from '../../src/vmware/vim25.js';
import { at, longAt, parseXml } from '../../src/vmware/xml.js';
import { fixture } from './replay-server.js';

const pc = { type: 'PropertyCollector', value: 'propertyCollector' };

describe('vim25 requests and replies', () => {
  it('writes fields in the given order: MoRefs with their type, arrays repeated, subtypes with xsi:type, undefined left out', () => {
    const xml = requestXml('RetrievePropertiesEx', {
      _this: pc,
      specSet: {
        propSet: [{ type: 'VirtualMachine', pathSet: ['name', 'config.hardware'] }],
        objectSet: [
          {
            obj: { type: 'ContainerView', value: 'session[1]view-1' },
            skip: true,
            selectSet: { [XSI_TYPE]: 'TraversalSpec', name: 'traverseView', type: 'ContainerView', path: 'view', skip: false },
          },
        ],
        reportMissingObjectsInResults: undefined,
      },
      options: { maxObjects: 1000 },
    });
    assert.equal(
      xml,
      '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet>' +
        '<propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>config.hardware</pathSet></propSet>' +
        '<objectSet><obj type="ContainerView">session[1]view-1</obj><skip>true</skip><selectSet xsi:type="TraversalSpec">' +
        '<name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet>' +
        '</specSet><options><maxObjects>1000</maxObjects></options></RetrievePropertiesEx>',
    );
  });

  it('escapes text and attributes, writes any xsd:long exactly as a bigint, and refuses a number it cannot write exactly', () => {
    assert.equal(
      requestXml('Login', { _this: { type: 'Session"Manager', value: 'a&b' }, userName: '<root>', password: `p'"&` }),
      '<Login xmlns="urn:vim25"><_this type="Session&quot;Manager">a&amp;b</_this><userName>&lt;root&gt;</userName><password>p&apos;&quot;&amp;</password></Login>',
    );
    assert.match(requestXml('X', { startOffset: 2n ** 63n - 1n }), /<startOffset>9223372036854775807<\/startOffset>/);
    assert.throws(() => requestXml('X', { startOffset: 2 ** 53 + 2 }), /startOffset = 9007199254740994: not an integer held exactly/);
    assert.throws(() => requestXml('X', { deviceKey: 1.5 }), /deviceKey/);
  });

  it('knows which calls may be sent again after a re-login', () => {
    const retried = Object.entries(VIM25)
      .filter(([, op]) => op.idempotent)
      .map(([name]) => name);
    assert.deepEqual(retried.sort(), ['AcquireGenericServiceTicket', 'HasPrivilegeOnEntities', 'QueryChangedDiskAreas', 'RetrievePropertiesEx']);
  });

  it('asks for a generic service ticket with the HTTP request spec as a typed data object, and reads the ticket', () => {
    const url = 'https://10.0.0.5/folder/vm/vm-flat.vmdk?dcPath=ha-datacenter&dsName=ds1';
    assert.equal(
      requestXml('AcquireGenericServiceTicket', {
        _this: { type: 'SessionManager', value: 'SessionManager' },
        spec: { [XSI_TYPE]: 'SessionManagerHttpServiceRequestSpec', method: 'httpGet', url },
      }),
      '<AcquireGenericServiceTicket xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>' +
        '<spec xsi:type="SessionManagerHttpServiceRequestSpec"><method>httpGet</method>' +
        '<url>https://10.0.0.5/folder/vm/vm-flat.vmdk?dcPath=ha-datacenter&amp;dsName=ds1</url></spec></AcquireGenericServiceTicket>',
    );
    const answer = (inner: string) => parseXml(`<AcquireGenericServiceTicketResponse><returnval>${inner}</returnval></AcquireGenericServiceTicketResponse>`);
    assert.deepEqual(VIM25.AcquireGenericServiceTicket.read(answer('<id>52 1a</id><hostName>esx1.lab</hostName><sslThumbprint>AB:CD</sslThumbprint>'), 'a'), {
      id: '52 1a',
      hostName: 'esx1.lab',
      sslThumbprint: 'AB:CD',
    });
    assert.deepEqual(VIM25.AcquireGenericServiceTicket.read(answer('<id>52</id>'), 'a'), { id: '52', hostName: undefined, sslThumbprint: undefined });
    assert.throws(() => VIM25.AcquireGenericServiceTicket.read(answer('<hostName>h</hostName>'), 'A(SessionManager)'), /A\(SessionManager\): the answer has no ticket id/);
  });

  it('reads a DiskChangeInfo, a task MoRef and the service content into typed results', () => {
    const response = (file: string) => at(parseXml(fixture(file)), 'Body')!.children[0]!;
    assert.deepEqual(VIM25.QueryChangedDiskAreas.read(response('qcda-window-1.xml'), 'q'), {
      startOffset: 0,
      length: 1073741824,
      changedArea: [
        { start: 0, length: 65536 },
        { start: 1048576, length: 131072 },
      ],
    });
    assert.deepEqual(VIM25.CreateSnapshot_Task.read(response('create-snapshot.xml'), 'c'), { type: 'Task', value: 'task-78' });
    const sc = VIM25.RetrieveServiceContent.read(response('service-content.xml'), 'r');
    assert.deepEqual(sc.propertyCollector, pc);
    assert.equal(sc.about.apiType, 'VirtualCenter');
    assert.throws(() => VIM25.PowerOnVM_Task.read(parseXml('<PowerOnVM_TaskResponse/>'), 'PowerOnVM_Task(vm-1)'), /PowerOnVM_Task\(vm-1\): the answer has no returnval/);
    const partial = parseXml('<r><returnval><startOffset>0</startOffset><length>4096</length><changedArea><start>0</start></changedArea></returnval></r>');
    assert.throws(() => VIM25.QueryChangedDiskAreas.read(partial, 'Q(vm-1)'), /Q\(vm-1\): the answer has no changedArea\.length/);
  });

  it('longAt keeps integers up to 2^53 - 1 and refuses larger or fractional values', () => {
    const node = parseXml('<r><a>9007199254740991</a><b>9007199254740993</b><c>-9007199254740991</c><d>1.5</d><e></e></r>');
    assert.equal(longAt(node, 'a'), Number.MAX_SAFE_INTEGER);
    assert.equal(longAt(node, 'c'), -Number.MAX_SAFE_INTEGER);
    assert.equal(longAt(node, 'e'), undefined);
    assert.equal(longAt(node, 'missing'), undefined);
    assert.throws(() => longAt(node, 'b'), /b is 9007199254740993/);
    assert.throws(() => longAt(node, 'd'), /d is 1\.5/);
  });
});
