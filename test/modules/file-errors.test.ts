// Issue 14 point 7 through the module executables: a user-given file that is not what the option expects (here a
// file shaped like /etc/shadow) fails with its path and the position of the error, never with its content.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runModule } from '../helpers/run-module.js';

const SECRET = 'root:$6$s3cr3tSalt$HashOfThePasswordXyZ:20200:0:99999:7:::\nadmin:SuperSecretValue42:1:2:3\n';
const FRAGMENTS = ['root:', 's3cr3t', 'HashOfThe', 'SuperSecret', '20200', 'admin:'];

describe('module errors never quote a user-given file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-file-errors-'));
  const shadow = join(dir, 'shadow');
  writeFileSync(shadow, SECRET);
  // A cloud nobody answers: each module must fail on the file before it needs the cloud.
  const cloud = { auth: { auth_url: 'http://127.0.0.1:9/v3', username: 'u', password: 'p', project_name: 'p', user_domain_name: 'Default' } };
  mkdirSync(join(dir, 'vm1'));
  writeFileSync(join(dir, 'vm1', 'import_workloads.json'), SECRET);

  const cases: [string, string, Record<string, unknown>, string][] = [
    ['nics file', 'create_network_port', { cloud, vm_name: 'vm1', os_migrate_nics_file_path: shadow, security_groups: [], network_name: 'n' }, shadow],
    ['guest info', 'export_flavor', { path: join(dir, 'out.yml'), guest_info_path: shadow, disk_info_path: shadow, vm_name: 'vm1' }, shadow],
    ['flavors file', 'create_flavor', { cloud, flavors_file: shadow }, shadow],
    ['heat template', 'create_heat_stack', { cloud, template_path: shadow, stack_name: 's' }, shadow],
    ['import_workloads.json', 'import_workloads', { dst_cloud: cloud, vm_name: 'vm1', os_migrate_vmw_data_dir: dir, vcenter_hostname: 'vc', vcenter_username: 'u', vcenter_password: 'p' }, join(dir, 'vm1', 'import_workloads.json')],
  ];
  for (const [what, module, args, file] of cases) {
    it(`${what}: ${module} names the file, not its content`, () => {
      const r = runModule(module, args);
      assert.equal(r.code, 1, JSON.stringify(r.result));
      const msg = String(r.result.msg);
      assert.ok(msg.includes(file), `names ${file}: ${msg}`);
      for (const f of FRAGMENTS) assert.ok(!JSON.stringify(r.result).includes(f), `${module} result quotes ${f}: ${msg}`);
    });
  }

  it('clouds.yaml (a cloud given by name) and the args file itself', () => {
    const byName = runModule('volume_info', { cloud: 'lab', name: 'x' }, { env: { OS_CLIENT_CONFIG_FILE: shadow, HOME: dir } });
    assert.equal(byName.code, 1);
    assert.ok(String(byName.result.msg).includes(shadow), String(byName.result.msg));
    for (const f of FRAGMENTS) assert.ok(!JSON.stringify(byName.result).includes(f), String(byName.result.msg));
    const args = runModule('volume_info', SECRET);
    assert.equal(args.code, 1);
    assert.match(String(args.result.msg), /is not valid JSON: unexpected character .* at line 1, column 1 \(byte offset 0\)/);
    for (const f of FRAGMENTS) assert.ok(!JSON.stringify(args.result).includes(f), String(args.result.msg));
  });
});
