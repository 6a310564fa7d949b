import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from '../../../src/openstack/auth.js';
import { resolveCloud } from '../../../src/openstack/cloud-config.js';
import { moduleNode } from '../../helpers/run-module.js';

/** Helpers for tests against the lab's real OpenStack (lab/openstack/up). A missing lab fails the test. */

export const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';

export interface Credential {
  username: string;
  password: string;
  project_name: string;
  project_id: string;
  user_id: string;
}

export interface LabFacts {
  auth_url: string;
  region: string;
  osm: Credential;
  admin: Credential;
  ffp: Credential;
  flavors: Record<string, string>;
  networks: Record<string, { id: string; subnet_id: string; cidr: string }>;
  security_groups: Record<string, string>;
  keypair: { name: string };
  foreign: { project_id: string; server_name: string; server_id: string; volume_id: string; port_id: string };
}

export function labFacts(): LabFacts {
  const path = join(labDir, 'openstack.json');
  assert.ok(existsSync(path), `the lab OpenStack is not up (${path} missing): run lab/openstack/up`);
  return JSON.parse(readFileSync(path, 'utf8')) as LabFacts;
}

export function cloudDict(who: 'osm' | 'admin' | 'ffp' = 'osm', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const f = labFacts();
  const c = f[who];
  return {
    auth: { auth_url: f.auth_url, username: c.username, password: c.password, project_name: c.project_name, user_domain_name: 'Default' },
    region_name: f.region,
    ...extra,
  };
}

export async function session(who: 'osm' | 'admin' | 'ffp' = 'osm'): Promise<Session> {
  return Session.connect(resolveCloud(cloudDict(who)));
}

export interface ModuleRun {
  rc: number;
  result: Record<string, unknown> & { changed?: boolean; failed?: boolean; msg?: string };
  stderr: string;
}

/** Run a built module file exactly as Ansible runs it: `<node> <module file> <args file>`. */
export async function runModule(name: string, args: Record<string, unknown>, opts: { check?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ModuleRun> {
  const exe = join(root, 'plugins', 'modules', name);
  assert.ok(existsSync(exe), `${exe} missing: run npm run build`);
  const dir = mkdtempSync(join(tmpdir(), 'osm-test-'));
  const argsFile = join(dir, 'args');
  writeFileSync(argsFile, JSON.stringify({ ...args, _ansible_check_mode: opts.check === true, _ansible_module_name: name }));
  return new Promise((resolvePromise) => {
    execFile(moduleNode, [exe, argsFile], { env: opts.env ?? process.env, timeout: 600_000 }, (error, stdout, stderr) => {
      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1, `${name} must print exactly one JSON line on stdout, got: ${stdout}\nstderr: ${stderr}`);
      const rc = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolvePromise({ rc, result: JSON.parse(lines[0]!), stderr });
    });
  });
}

export function expectOk(r: ModuleRun, what: string): ModuleRun['result'] {
  assert.equal(r.rc, 0, `${what} failed: ${JSON.stringify(r.result)}\n${r.stderr}`);
  assert.notEqual(r.result.failed, true);
  return r.result;
}

export function expectFail(r: ModuleRun, pattern: RegExp, what: string): string {
  assert.equal(r.rc, 1, `${what} should fail: ${JSON.stringify(r.result)}`);
  assert.equal(r.result.failed, true);
  assert.match(String(r.result.msg), pattern, what);
  return String(r.result.msg);
}

/** A name unique to this test run, so reruns and parallel runs do not collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
}
