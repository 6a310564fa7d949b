import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { registerSecret } from '../util/secrets.js';
import { describeIssues, parseYamlFile } from '../util/file-parse.js';

/**
 * Where an OpenStack client's settings come from: upstream's `cloud`/`dst_cloud` dict, the name of a cloud in
 * clouds.yaml (merged with secure.yaml), or OS_* environment variables. The result is one plain structure the
 * session (auth.ts) uses; every secret found on the way is registered so it is masked everywhere.
 */

export type AuthType = 'password' | 'token' | 'v3applicationcredential';
export type Interface = 'public' | 'internal' | 'admin';

export interface AuthSettings {
  authUrl: string;
  username?: string;
  userId?: string;
  password?: string;
  token?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  projectId?: string;
  projectName?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  /** `system_scope: all` asks for a system-scoped token. */
  systemScope?: string;
}

export interface CloudConfig {
  /** Where the settings came from, for error messages ("cloud 'dst' in /root/.config/openstack/clouds.yaml"). */
  source: string;
  authType: AuthType;
  auth: AuthSettings;
  regionName: string | undefined;
  interface: Interface;
  /** service type (compute, network, block-storage, image, orchestration) -> base URL */
  endpointOverrides: Record<string, string>;
  verify: boolean;
  cacert: string | undefined;
}

const str = z.union([z.string(), z.number()]).transform((v) => String(v));
const bool = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on', 't', 'y'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', 'f', 'n', ''].includes(s)) return false;
  ctx.addIssue({ code: 'custom', message: `not a boolean: ${v}` });
  return z.NEVER;
});

/** One cloud entry, in upstream's dict form and clouds.yaml form alike; unknown keys are tolerated (as both do). */
const cloudEntrySchema = z.looseObject({
  auth: z
    .looseObject({
      auth_url: str.optional(),
      username: str.optional(),
      user_id: str.optional(),
      password: str.optional(),
      token: str.optional(),
      application_credential_id: str.optional(),
      application_credential_name: str.optional(),
      application_credential_secret: str.optional(),
      project_id: str.optional(),
      project_name: str.optional(),
      tenant_id: str.optional(),
      tenant_name: str.optional(),
      user_domain_name: str.optional(),
      user_domain_id: str.optional(),
      project_domain_name: str.optional(),
      project_domain_id: str.optional(),
      domain_name: str.optional(),
      domain_id: str.optional(),
      system_scope: str.optional(),
    })
    .optional(),
  auth_type: str.optional(),
  region_name: str.optional(),
  interface: str.optional(),
  endpoint_type: str.optional(),
  identity_api_version: str.optional(),
  openstack_insecure: bool.optional(),
  insecure: bool.optional(),
  verify: bool.optional(),
  cacert: str.optional(),
});
type CloudEntry = z.output<typeof cloudEntrySchema>;

export class CloudConfigError extends Error {
  override name = 'CloudConfigError';
}

const nonEmpty = (v: string | undefined | null): string | undefined => (v && v.trim() !== '' ? v : undefined);

const SERVICE_OVERRIDE_KEYS: Record<string, string> = {
  compute: 'compute',
  network: 'network',
  volume: 'block-storage',
  volumev3: 'block-storage',
  block_storage: 'block-storage',
  image: 'image',
  orchestration: 'orchestration',
};

function normalizeInterface(raw: string | undefined, source: string): Interface {
  const v = (raw ?? 'public').toLowerCase().replace(/url$/, '');
  if (v === 'public' || v === 'internal' || v === 'admin') return v;
  throw new CloudConfigError(`${source}: interface '${raw}' is not one of public, internal, admin`);
}

function normalizeAuthType(raw: string | undefined, auth: AuthSettings, source: string): AuthType {
  const v = (raw ?? '').toLowerCase().replace(/^v3/, '').replace(/^v2/, '');
  if (v === '' || v === 'password') {
    if (!raw && auth.applicationCredentialSecret) return 'v3applicationcredential';
    if (!raw && auth.token && !auth.password) return 'token';
    return 'password';
  }
  if (v === 'token') return 'token';
  if (v === 'applicationcredential') return 'v3applicationcredential';
  throw new CloudConfigError(
    `${source}: auth_type '${raw}' is not supported; use password, token or v3applicationcredential`,
  );
}

function fromEntry(entry: CloudEntry, source: string): CloudConfig {
  const a = entry.auth ?? {};
  const auth: AuthSettings = {
    authUrl: nonEmpty(a.auth_url) ?? '',
    username: nonEmpty(a.username),
    userId: nonEmpty(a.user_id),
    password: nonEmpty(a.password),
    token: nonEmpty(a.token),
    applicationCredentialId: nonEmpty(a.application_credential_id),
    applicationCredentialName: nonEmpty(a.application_credential_name),
    applicationCredentialSecret: nonEmpty(a.application_credential_secret),
    projectId: nonEmpty(a.project_id) ?? nonEmpty(a.tenant_id),
    projectName: nonEmpty(a.project_name) ?? nonEmpty(a.tenant_name),
    userDomainName: nonEmpty(a.user_domain_name) ?? nonEmpty(a.domain_name),
    userDomainId: nonEmpty(a.user_domain_id) ?? nonEmpty(a.domain_id),
    projectDomainName: nonEmpty(a.project_domain_name) ?? nonEmpty(a.domain_name),
    projectDomainId: nonEmpty(a.project_domain_id) ?? nonEmpty(a.domain_id),
    systemScope: nonEmpty(a.system_scope),
  };
  const overrides: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    const m = /^(.+)_endpoint_override$/.exec(key);
    if (!m || typeof value !== 'string' || value === '') continue;
    const service = SERVICE_OVERRIDE_KEYS[m[1]!.replace(/-/g, '_')];
    if (!service) throw new CloudConfigError(`${source}: unknown service in '${key}'`);
    overrides[service] = value;
  }
  const insecure = entry.openstack_insecure === true || entry.insecure === true || entry.verify === false;
  const cfg: CloudConfig = {
    source,
    authType: normalizeAuthType(entry.auth_type, auth, source),
    auth,
    regionName: nonEmpty(entry.region_name),
    interface: normalizeInterface(entry.interface ?? entry.endpoint_type, source),
    endpointOverrides: overrides,
    verify: !insecure,
    cacert: nonEmpty(entry.cacert),
  };
  for (const secret of [auth.password, auth.token, auth.applicationCredentialSecret]) registerSecret(secret);
  return cfg;
}

function env(name: string, environ: NodeJS.ProcessEnv): string | undefined {
  return nonEmpty(environ[name]);
}

/** The cloud described by OS_* variables (openstackclient's names). */
export function cloudFromEnvironment(environ: NodeJS.ProcessEnv = process.env): CloudConfig {
  const e = (n: string) => env(n, environ);
  const entry: Record<string, unknown> = {
    auth: {
      auth_url: e('OS_AUTH_URL'),
      username: e('OS_USERNAME'),
      user_id: e('OS_USER_ID') ?? e('OS_USERID'),
      password: e('OS_PASSWORD'),
      token: e('OS_TOKEN'),
      application_credential_id: e('OS_APPLICATION_CREDENTIAL_ID'),
      application_credential_name: e('OS_APPLICATION_CREDENTIAL_NAME'),
      application_credential_secret: e('OS_APPLICATION_CREDENTIAL_SECRET'),
      project_id: e('OS_PROJECT_ID') ?? e('OS_TENANT_ID'),
      project_name: e('OS_PROJECT_NAME') ?? e('OS_TENANT_NAME'),
      user_domain_name: e('OS_USER_DOMAIN_NAME'),
      user_domain_id: e('OS_USER_DOMAIN_ID'),
      project_domain_name: e('OS_PROJECT_DOMAIN_NAME'),
      project_domain_id: e('OS_PROJECT_DOMAIN_ID'),
      domain_name: e('OS_DOMAIN_NAME'),
      domain_id: e('OS_DOMAIN_ID'),
      system_scope: e('OS_SYSTEM_SCOPE'),
    },
    auth_type: e('OS_AUTH_TYPE'),
    region_name: e('OS_REGION_NAME'),
    interface: e('OS_INTERFACE') ?? e('OS_ENDPOINT_TYPE'),
    cacert: e('OS_CACERT'),
    insecure: e('OS_INSECURE'),
  };
  const parsed = parseEntry(entry, 'OS_* environment variables');
  if (!parsed.auth.authUrl) {
    throw new CloudConfigError(
      'no OpenStack cloud given: pass `cloud` (a dict, or the name of a cloud in clouds.yaml), or set OS_CLOUD or OS_AUTH_URL and the other OS_* variables',
    );
  }
  return parsed;
}

function parseEntry(entry: unknown, source: string): CloudConfig {
  const r = cloudEntrySchema.safeParse(entry);
  if (!r.success) {
    const what = describeIssues(r.error);
    throw new CloudConfigError(`${source} is not a valid cloud definition: ${what}`);
  }
  return fromEntry(r.data, source);
}

function firstExisting(paths: Array<string | undefined>): string | undefined {
  return paths.find((p): p is string => !!p && existsSync(p));
}

/** openstacksdk's search order for clouds.yaml and secure.yaml. */
export function configSearchPaths(kind: 'clouds' | 'secure', environ: NodeJS.ProcessEnv = process.env): string[] {
  const envVar = kind === 'clouds' ? 'OS_CLIENT_CONFIG_FILE' : 'OS_CLIENT_SECURE_FILE';
  const home = environ.HOME ?? homedir();
  const dirs = [process.cwd(), join(home, '.config', 'openstack'), '/etc/openstack'];
  const files = dirs.flatMap((d) => [join(d, `${kind}.yaml`), join(d, `${kind}.yml`)]);
  const fromEnv = nonEmpty(environ[envVar]);
  return fromEnv ? [fromEnv, ...files] : files;
}

function readYamlFile(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYamlFile(readFileSync(path, 'utf8'), path);
  } catch (e) {
    throw new CloudConfigError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new CloudConfigError(`${path} must hold a YAML mapping`);
  return doc as Record<string, unknown>;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return over === undefined ? base : over;
}

/** A named cloud from the first clouds.yaml found, with the same cloud of the first secure.yaml merged over it. */
export function cloudFromCloudsYaml(name: string, environ: NodeJS.ProcessEnv = process.env): CloudConfig {
  const searched = configSearchPaths('clouds', environ);
  const path = firstExisting(searched);
  if (!path) {
    throw new CloudConfigError(
      `cloud '${name}' requested but no clouds.yaml found (searched ${searched.join(', ')}); set OS_CLIENT_CONFIG_FILE or pass the cloud as a dict`,
    );
  }
  const clouds = (readYamlFile(path).clouds ?? {}) as Record<string, unknown>;
  const entry = clouds[name];
  if (entry === undefined) {
    const known = Object.keys(clouds).sort();
    throw new CloudConfigError(
      `cloud '${name}' is not defined in ${path} (clouds defined there: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  const securePath = firstExisting(configSearchPaths('secure', environ));
  const secureEntry = securePath
    ? ((readYamlFile(securePath).clouds ?? {}) as Record<string, unknown>)[name]
    : undefined;
  const merged = deepMerge(entry, secureEntry);
  const source = `cloud '${name}' in ${path}${secureEntry ? ` (+ ${securePath})` : ''}`;
  const cfg = parseEntry(merged, source);
  if (!cfg.auth.authUrl) throw new CloudConfigError(`${source} has no auth.auth_url`);
  return cfg;
}

/**
 * Resolve the `cloud`/`dst_cloud` module argument:
 * - a dict: upstream's form (auth.*, region_name, interface, openstack_insecure, ...); when it has no auth_url and
 *   OS_AUTH_URL is set, the OS_* variables are used, as upstream does;
 * - a string: the name of a cloud in clouds.yaml;
 * - absent: OS_CLOUD names a cloud in clouds.yaml, else the OS_* variables.
 */
export function resolveCloud(arg: unknown, environ: NodeJS.ProcessEnv = process.env): CloudConfig {
  if (arg === undefined || arg === null || arg === '') {
    const named = env('OS_CLOUD', environ);
    return named ? cloudFromCloudsYaml(named, environ) : cloudFromEnvironment(environ);
  }
  if (typeof arg === 'string') return cloudFromCloudsYaml(arg, environ);
  if (typeof arg !== 'object' || Array.isArray(arg)) {
    throw new CloudConfigError('the cloud argument must be a dict or the name of a cloud in clouds.yaml');
  }
  const parsed = parseEntry(arg, 'the cloud argument');
  // Upstream takes the region from OS_REGION_NAME when the dict has none.
  const cfg = { ...parsed, regionName: parsed.regionName ?? env('OS_REGION_NAME', environ) };
  if (cfg.auth.authUrl) return cfg;
  if (env('OS_AUTH_URL', environ)) {
    const fromEnv = cloudFromEnvironment(environ);
    return { ...fromEnv, verify: fromEnv.verify && cfg.verify, regionName: cfg.regionName ?? fromEnv.regionName };
  }
  throw new CloudConfigError('the cloud argument has no auth.auth_url and OS_AUTH_URL is not set');
}

const SERVICE_KEYS: Record<string, string> = {
  compute: 'compute',
  network: 'network',
  'block-storage': 'block_storage',
  image: 'image',
  orchestration: 'orchestration',
};

/** A clouds.yaml holding `cfg` as the cloud `name` (the format python-openstackclient reads): resolveCloud's inverse. */
export function cloudsYaml(cfg: CloudConfig, name: string): string {
  const a = cfg.auth;
  const auth = Object.fromEntries(
    Object.entries({
      auth_url: a.authUrl,
      username: a.username,
      user_id: a.userId,
      password: a.password,
      token: a.token,
      application_credential_id: a.applicationCredentialId,
      application_credential_name: a.applicationCredentialName,
      application_credential_secret: a.applicationCredentialSecret,
      project_id: a.projectId,
      project_name: a.projectName,
      user_domain_name: a.userDomainName,
      user_domain_id: a.userDomainId,
      project_domain_name: a.projectDomainName,
      project_domain_id: a.projectDomainId,
      system_scope: a.systemScope,
    }).filter(([, v]) => v !== undefined && v !== ''),
  );
  const entry: Record<string, unknown> = {
    auth_type: cfg.authType === 'password' ? 'password' : cfg.authType === 'token' ? 'v3token' : 'v3applicationcredential',
    auth,
    interface: cfg.interface,
    identity_api_version: 3,
    verify: cfg.verify,
    ...(cfg.regionName ? { region_name: cfg.regionName } : {}),
    ...(cfg.cacert ? { cacert: cfg.cacert } : {}),
  };
  for (const [service, url] of Object.entries(cfg.endpointOverrides)) entry[`${SERVICE_KEYS[service] ?? service}_endpoint_override`] = url;
  return toYaml({ clouds: { [name]: entry } });
}
