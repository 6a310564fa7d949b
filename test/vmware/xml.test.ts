import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XmlReader, at, child, children, numberAt, parseXml, textAt } from '../../src/vmware/xml.js';
import { fixture } from './replay-server.js';

describe('xml reader', () => {
  it('reads elements, local names, entities, CDATA and self-closing tags', () => {
    const root = parseXml('<?xml version="1.0"?><!-- c --><a:root xmlns:a="x"><b>1 &lt; 2 &amp; &#233;&#x41;</b><c/><d><![CDATA[<raw>]]></d></a:root>');
    assert.equal(root.name, 'root');
    assert.equal(textAt(root, 'b'), '1 < 2 & éA');
    assert.equal(child(root, 'c')?.text, '');
    assert.equal(textAt(root, 'd'), '<raw>');
  });

  it('normalises xsi:type whatever prefix the server uses', () => {
    const root = parseXml(fixture('vm-mixed-devices.xml'));
    const devices = children(at(root, 'Body.RetrievePropertiesExResponse.returnval.objects.propSet.val'), 'device');
    assert.deepEqual(
      devices.map((d) => d.xsiType),
      ['VirtualIDEController', 'VirtualLsiLogicController', 'VirtualAHCIController', 'VirtualNVMEController', 'VirtualCdrom', 'VirtualDisk', 'VirtualDisk', 'VirtualDisk', 'VirtualVmxnet3', 'VirtualE1000e'],
    );
    assert.equal(child(devices[6], 'backing')?.xsiType, 'VirtualDiskSeSparseBackingInfo');
  });

  it('keeps a MoRef type attribute apart from xsi:type', () => {
    const node = parseXml('<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><m type="Task" xsi:type="ManagedObjectReference">task-1</m></r>');
    assert.equal(child(node, 'm')?.typeAttr, 'Task');
    assert.equal(child(node, 'm')?.xsiType, 'ManagedObjectReference');
  });

  it('reads numbers beyond 32 bits exactly', () => {
    assert.equal(numberAt(parseXml('<r><n>1099511627776</n></r>'), 'n'), 2 ** 40);
  });

  it('rejects truncated documents', () => {
    assert.throws(() => parseXml('<a><b>x</b>'), /unclosed/);
    assert.throws(() => parseXml('<a><b'), /unterminated/);
  });

  it('reads the same tree when the text arrives in pieces of any size', () => {
    const xml = fixture('vm-mixed-devices.xml') + '<!-- trailing -->';
    const whole = parseXml(xml);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const reader = new XmlReader();
      for (let i = 0; i < xml.length; i += size) reader.write(xml.slice(i, i + size));
      assert.deepEqual(reader.end(), whole, `chunks of ${size}`);
    }
  });

  it('hands completed elements to onClose and drops them from the tree when asked', () => {
    const seen: string[] = [];
    const reader = new XmlReader((node, depth) => {
      if (depth !== 2 || node.name !== 'o') return false;
      seen.push(node.text);
      return true;
    });
    reader.write('<r><o>1</o><k>x</k><o>2</o><o/></r>');
    const root = reader.end();
    assert.deepEqual(seen, ['1', '2', '']);
    assert.deepEqual(root.children.map((c) => c.name), ['k']);
  });
});
