import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exampleSyntaxProblems, listRoles, readRole, roleDocProblems } from '../../scripts/check-role-docs.js';
import { repoRoot } from '../helpers/run-module.js';

const rolesDir = join(repoRoot, 'roles');
const temporary: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
};
after(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const example = (role: string) => `\`\`\`yaml
- name: Use the role
  hosts: all
  roles:
    - role: os_migrate.vmware_migration_kit.${role}
\`\`\`
`;

/** A roles directory with one role `demo`: defaults, vars and argument specs as given, and a README when given. */
function fakeRole(files: { defaults?: string; vars?: string; specs?: string; readme?: string }): string {
  const dir = tempDir('osm-role-docs-');
  const role = join(dir, 'demo');
  for (const sub of ['defaults', 'vars', 'meta']) mkdirSync(join(role, sub), { recursive: true });
  if (files.defaults) writeFileSync(join(role, 'defaults', 'main.yml'), files.defaults);
  if (files.vars) writeFileSync(join(role, 'vars', 'main.yml'), files.vars);
  if (files.specs) writeFileSync(join(role, 'meta', 'argument_specs.yml'), files.specs);
  if (files.readme !== undefined) writeFileSync(join(role, 'README.md'), files.readme);
  return dir;
}

describe('role README check (scripts/check-role-docs)', () => {
  it('finds no problem in the collection\'s roles', () => {
    const roles = listRoles(rolesDir);
    assert.deepEqual(roles, ['conversion_host', 'convert_metadata', 'export_metadata', 'import_workloads', 'prelude']);
    assert.deepEqual(roles.flatMap((r) => roleDocProblems(readRole(rolesDir, r))), []);
  });

  it('reports a role without README', () => {
    const dir = fakeRole({ defaults: 'demo_a: 1\n' });
    assert.deepEqual(roleDocProblems(readRole(dir, 'demo')), [
      'roles/demo: no README.md (say what the role does, where it runs, every variable it reads and give an example play)',
    ]);
  });

  it('reports each variable of defaults, vars and every argument_specs entry point the README does not name', () => {
    const dir = fakeRole({
      defaults: '---\ndemo_a: 1\ndemo_b: "{{ b | default(2) }}"\n',
      vars: 'demo_packages: [x]\n',
      specs: 'argument_specs:\n  main:\n    options:\n      demo_a: {type: int}\n      vcenter_hostname: {type: str}\n  other:\n    options:\n      demo_c: {type: str}\n',
      // demo_b only in prose, not as `demo_b`: not documented
      readme: `# demo\n\n| \`demo_a\` | 1 |\n\ndemo_b is mentioned in passing.\n\n${example('demo')}`,
    });
    assert.deepEqual(roleDocProblems(readRole(dir, 'demo')), [
      'roles/demo/README.md does not document `demo_b` (defined in roles/demo/defaults/main.yml)',
      'roles/demo/README.md does not document `demo_packages` (defined in roles/demo/vars/main.yml)',
      'roles/demo/README.md does not document `vcenter_hostname` (defined in roles/demo/meta/argument_specs.yml (main))',
      'roles/demo/README.md does not document `demo_c` (defined in roles/demo/meta/argument_specs.yml (other))',
    ]);
  });

  it('reports a README without a YAML example that uses the role by its full name', () => {
    const dir = fakeRole({ defaults: 'demo_a: 1\n', readme: `\`demo_a\`\n\n${example('prelude')}` });
    assert.deepEqual(roleDocProblems(readRole(dir, 'demo')), [
      'roles/demo/README.md has no ```yaml example that uses os_migrate.vmware_migration_kit.demo',
    ]);
  });

  describe('with the collection linked into a collections path', () => {
    let env: NodeJS.ProcessEnv;
    before(() => {
      const path = tempDir('osm-role-docs-collections-');
      mkdirSync(join(path, 'ansible_collections', 'os_migrate'), { recursive: true });
      symlinkSync(repoRoot, join(path, 'ansible_collections', 'os_migrate', 'vmware_migration_kit'));
      env = { ...process.env, ANSIBLE_COLLECTIONS_PATH: path };
    });

    it('every example of the collection\'s READMEs passes ansible-playbook --syntax-check', () => {
      assert.deepEqual(exampleSyntaxProblems(listRoles(rolesDir).map((r) => readRole(rolesDir, r)), env), []);
    });

    it('an example naming a role that does not exist, or with an invalid play key, fails the check', () => {
      const dir = fakeRole({ readme: `${example('no_such_role')}\n\`\`\`yaml\n- name: Bad\n  hosts: all\n  colour: red\n\`\`\`\n` });
      const problems = exampleSyntaxProblems([readRole(dir, 'demo')], env);
      assert.equal(problems.length, 2);
      assert.match(problems[0]!, /^roles\/demo\/README.md example 1 fails .*the role 'os_migrate.vmware_migration_kit.no_such_role' was not found/s);
      assert.match(problems[1]!, /^roles\/demo\/README.md example 2 fails .*'colour' is not a valid attribute for a Play/s);
    });
  });
});
