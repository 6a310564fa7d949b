import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { readArgsFile } from '../../src/ansible/args.js';
import { cloudFromCloudsYaml } from '../../src/openstack/cloud-config.js';
import { describeIssues, jsonSyntaxError, parseJsonFile, parseYamlFile } from '../../src/util/file-parse.js';
import { readFlavorsFile } from '../../src/workflow/flavor.js';
import { readDiskCapacityBytes, readGuestInfo } from '../../src/workflow/vm-metadata-files.js';
import { readVmPlan } from '../../src/workflow/import-workloads.js';
import { readNicsFile } from '../../src/workflow/ports.js';
import { readTemplate } from '../../src/workflow/server-heat.js';

// A line shaped like /etc/shadow's, and the parts of it no error may show.
const SECRET = 'root:$6$s3cr3tSalt$HashOfThePasswordXyZ:20200:0:99999:7:::\nadmin:SuperSecretValue42:1:2:3\n';
const FRAGMENTS = ['root', 's3cr3t', 'HashOfThe', 'SuperSecret', '20200', 'admin'];

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  assert.fail('no error');
}

function assertQuotesNothing(e: Error, file: string): void {
  assert.ok(e.message.includes(file), `names the file: ${e.message}`);
  assert.match(e.message, /line \d+, column \d+ \(byte offset \d+\)/, e.message);
  for (const f of FRAGMENTS) assert.ok(!e.message.includes(f), `quotes ${f}: ${e.message}`);
}

describe('errors about user-given files never quote their content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-file-parse-'));
  const secretFile = join(dir, 'shadow');
  writeFileSync(secretFile, SECRET);

  it('JSON: position of the error, what is wrong, no bytes', () => {
    const e = errorOf(() => parseJsonFile(SECRET, secretFile));
    assertQuotesNothing(e, secretFile);
    assert.match(e.message, /unexpected character .* at line 1, column 1 \(byte offset 0\)/);
    assert.match(errorOf(() => parseJsonFile('{\n  "a": 1,\n  "b": tru\n}', 'f.json')).message, /line 3, column 8 \(byte offset 19\)/);
    assert.match(errorOf(() => parseJsonFile('{"é": [1, 2', 'f.json')).message, /unexpected end of input at line 1, column 12 \(byte offset 12\)/);
    assert.match(errorOf(() => parseJsonFile('[1] x', 'f.json')).message, /after the JSON value at line 1, column 5/);
    assert.deepEqual(parseJsonFile('{"a": [1, "x", null, true, -2.5e3]}', 'f.json'), { a: [1, 'x', null, true, -2500] });
  });

  it('the JSON scanner agrees with JSON.parse on what is valid', () => {
    for (const t of ['{}', '[]', '"a\\u00e9"', '0', '-0.1e-2', '{"a":{"b":[]}}', ' true ']) {
      JSON.parse(t);
      assert.equal(jsonSyntaxError(t).problem, 'not valid JSON', t);
    }
    for (const t of ['', '{', '01', '"\t"', "{'a':1}", '[1,]', '{"a" 1}', 'nul']) {
      assert.throws(() => JSON.parse(t));
      assert.notEqual(jsonSyntaxError(t).problem, 'not valid JSON', t);
    }
  });

  it('YAML: the error code and position, not the yaml message (it quotes the line)', () => {
    const e = errorOf(() => parseYamlFile('ok: 1\nkey: [SuperSecretValue42\n  admin: x', secretFile));
    assertQuotesNothing(e, secretFile);
    assert.match(e.message, /is not valid YAML: [a-z ]+ at line/);
  });

  it('zod issues name the path, never the unknown keys or values', () => {
    const r = z.strictObject({ a: z.number() }).safeParse({ a: 'SuperSecretValue42', s3cr3t: 1 });
    assert.ok(!r.success);
    const text = describeIssues(r.error);
    assert.match(text, /^a: .*; \(top level\): 1 unknown key\(s\)$/);
    for (const f of FRAGMENTS) assert.ok(!text.includes(f), text);
  });

  it('every reader of a user-given file: nics, guest info, disk info, flavors, import_workloads.json, heat template, clouds.yaml, the args file', () => {
    const readers: [string, () => unknown][] = [
      ['os_migrate_nics_file_path', () => readNicsFile(secretFile)],
      ['guest_info', () => readGuestInfo(secretFile)],
      ['disk_info', () => readDiskCapacityBytes(secretFile)],
      ['flavors file', () => readFlavorsFile(secretFile)],
      ['heat template', () => readTemplate(secretFile)],
      ['clouds.yaml', () => cloudFromCloudsYaml('c', { HOME: dir, OS_CLIENT_CONFIG_FILE: secretFile })],
      ['args file', () => readArgsFile(secretFile)],
    ];
    for (const [what, read] of readers) {
      const e = errorOf(read);
      for (const f of FRAGMENTS) assert.ok(!e.message.includes(f), `${what} quotes ${f}: ${e.message}`);
      assert.ok(e.message.includes(secretFile), `${what} names the file: ${e.message}`);
    }
    mkdirSync(join(dir, 'vm1'));
    writeFileSync(join(dir, 'vm1', 'import_workloads.json'), SECRET);
    const e = errorOf(() => readVmPlan(dir, 'vm1', false));
    assertQuotesNothing(e, join(dir, 'vm1', 'import_workloads.json'));
  });

  it('a valid file whose values do not fit names the field, not the value', () => {
    const nics = join(dir, 'nics.json');
    writeFileSync(nics, JSON.stringify([{ mac: 1, SuperSecretValue42: 'root' }]));
    const e = errorOf(() => readNicsFile(nics));
    for (const f of FRAGMENTS) assert.ok(!e.message.includes(f), e.message);
    assert.match(e.message, /0\.mac/);
  });
});
