/**
 * Every role under roles/ documents itself the way Ansible users expect (as the openstack.cloud roles do): a
 * README.md that names, in backquotes, every variable the role defines (defaults/, vars/) or declares
 * (meta/argument_specs.yml), with at least one YAML example that uses the role by its full name. Each example must
 * pass `ansible-playbook --syntax-check` (the collection must be installed: scripts/lint-ansible links it).
 *   node build/scripts/check-role-docs.js [roles-dir]
 * Prints one line per problem and exits 1 when there is any.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

import { COLLECTION } from '../src/ansible/docs.js';

const variablesFile = z.record(z.string(), z.unknown()).nullable();
const argumentSpecs = z.looseObject({
  argument_specs: z.record(z.string(), z.looseObject({ options: z.record(z.string(), z.unknown()).optional() })),
});

export interface RoleDoc {
  name: string;
  readme: string | undefined;
  /** Variables the role defines or declares, each with the file that does. */
  variables: Map<string, string>;
}

function yamlIn(dir: string, base: string): { file: string; doc: unknown } | undefined {
  for (const ext of ['yml', 'yaml']) {
    const file = join(dir, `${base}.${ext}`);
    if (existsSync(file)) return { file, doc: parse(readFileSync(file, 'utf8')) };
  }
  return undefined;
}

export function readRole(rolesDir: string, name: string): RoleDoc {
  const dir = join(rolesDir, name);
  const variables = new Map<string, string>();
  for (const sub of ['defaults', 'vars']) {
    const found = yamlIn(join(dir, sub), 'main');
    if (!found) continue;
    for (const key of Object.keys(variablesFile.parse(found.doc) ?? {})) variables.set(key, `${name}/${sub}/main.yml`);
  }
  const specs = yamlIn(join(dir, 'meta'), 'argument_specs');
  if (specs) {
    for (const [entry, spec] of Object.entries(argumentSpecs.parse(specs.doc).argument_specs)) {
      for (const key of Object.keys(spec.options ?? {})) {
        if (!variables.has(key)) variables.set(key, `${name}/meta/argument_specs.yml (${entry})`);
      }
    }
  }
  const readmeFile = join(dir, 'README.md');
  return { name, readme: existsSync(readmeFile) ? readFileSync(readmeFile, 'utf8') : undefined, variables };
}

export function listRoles(rolesDir: string): string[] {
  return readdirSync(rolesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** The ```yaml blocks of a README. */
export function yamlExamples(readme: string): string[] {
  return [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** What a role's README lacks, one sentence per problem. */
export function roleDocProblems(role: RoleDoc): string[] {
  const where = `roles/${role.name}`;
  if (role.readme === undefined) {
    return [`${where}: no README.md (say what the role does, where it runs, every variable it reads and give an example play)`];
  }
  const problems: string[] = [];
  for (const [variable, file] of role.variables) {
    if (!role.readme.includes(`\`${variable}\``)) problems.push(`${where}/README.md does not document \`${variable}\` (defined in roles/${file})`);
  }
  const fqcn = `${COLLECTION}.${role.name}`;
  if (!yamlExamples(role.readme).some((y) => y.includes(fqcn))) {
    problems.push(`${where}/README.md has no \`\`\`yaml example that uses ${fqcn}`);
  }
  return problems;
}

/**
 * Run ansible-playbook --syntax-check on every example of every README, one problem per failing example. `env` must
 * let Ansible find the collection (ANSIBLE_COLLECTIONS_PATH).
 */
export function exampleSyntaxProblems(roles: RoleDoc[], env: NodeJS.ProcessEnv = process.env): string[] {
  const work = mkdtempSync(join(tmpdir(), 'osm-role-examples-'));
  const problems: string[] = [];
  try {
    for (const role of roles) {
      yamlExamples(role.readme ?? '').forEach((example, i) => {
        const file = join(work, `${role.name}-${i + 1}.yml`);
        writeFileSync(file, example);
        try {
          execFileSync('ansible-playbook', ['--syntax-check', '-i', 'localhost,', file], { env, stdio: 'pipe', encoding: 'utf8' });
        } catch (e) {
          const err = e as { stderr?: string; stdout?: string };
          problems.push(`roles/${role.name}/README.md example ${i + 1} fails ansible-playbook --syntax-check: ${(err.stderr || err.stdout || String(e)).trim()}`);
        }
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return problems;
}

function main(): void {
  const rolesDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'roles'));
  const roles = listRoles(rolesDir).map((name) => readRole(rolesDir, name));
  const problems = [...roles.flatMap(roleDocProblems), ...exampleSyntaxProblems(roles)];
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
  console.log(`role READMEs: ${roles.length} roles, every variable documented, every example passes --syntax-check`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
