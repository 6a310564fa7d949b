import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeVmName } from '../../src/util/names.js';

test('safeVmName matches upstream SafeVmName examples', () => {
  const cases: Array<[string, string]> = [
    ['My VM', 'My_VM'],
    ['vm@#$%', 'vm'],
    ['_already_ok_', '_already_ok'],
    [' ', ''],
    ['Mi-VM.2025', 'Mi-VM_2025'],
    ['vm--01', 'vm-01'],
    ['straße_01', 'strasse_01'],
    ['host---', 'host'],
    ['My VM (prod) #1', 'My_VM_prod_1'],
    ['a'.repeat(70), 'a'.repeat(64)],
    ['prod-web-01', 'prod-web-01'],
    ['Ångström', '_ngstrom'],
    ['Ñandú Çedilla', 'Nandu_Cedilla'],
    ['Œuvre–Æther', 'OEuvre_AEther'],
    ['日本語vm', '_vm'],
  ];
  for (const [input, want] of cases) assert.equal(safeVmName(input), want, `safeVmName(${JSON.stringify(input)})`);
});

test('safeVmName strips trailing separators left by truncation', () => {
  assert.equal(safeVmName('a'.repeat(63) + '-b'), 'a'.repeat(63));
});
