import type { Agent } from 'undici';
import type { CloudConfig } from './cloud-config.js';
import {
  type HttpRequest,
  type HttpResponse,
  type RetryPolicy,
  createAgent,
  defaultRetry,
  httpRequest,
} from './http.js';
import { OpenStackApiError } from './errors.js';
import { registerSecret } from '../util/secrets.js';

/**
 * A Keystone v3 session: authenticates (password, token or application credential), keeps the token and catalog,
 * picks endpoints (region, interface, overrides) and re-authenticates once when a service answers 401.
 */

export type ServiceType = 'compute' | 'network' | 'block-storage' | 'image' | 'orchestration';

/** Catalog types that serve each service, in order of preference. */
const CATALOG_TYPES: Record<ServiceType, string[]> = {
  compute: ['compute'],
  network: ['network'],
  'block-storage': ['block-storage', 'volumev3', 'volume'],
  image: ['image'],
  orchestration: ['orchestration'],
};

/** The API version path each base URL must end with (appended when the catalog URL is version-less). */
const VERSION_SUFFIX: Partial<Record<ServiceType, RegExp>> = {
  network: /\/v2\.0\/?$/,
  image: /\/v2\/?$/,
};
const VERSION_PATH: Partial<Record<ServiceType, string>> = { network: '/v2.0', image: '/v2' };

interface CatalogEndpoint {
  interface: string;
  region_id?: string;
  region?: string;
  url: string;
}
interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface CloudSessionOptions {
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  rawBody?: Buffer | NodeJS.ReadableStream;
  headers?: Record<string, string>;
  idempotent?: boolean;
}

function identityBase(authUrl: string): string {
  const url = authUrl.replace(/\/+$/, '');
  if (/\/v3$/.test(url)) return url;
  if (/\/v2\.0$/.test(url)) return url.replace(/\/v2\.0$/, '/v3');
  return `${url}/v3`;
}

function tokenRequestBody(cloud: CloudConfig): unknown {
  const a = cloud.auth;
  const userDomain = a.userDomainId ? { id: a.userDomainId } : { name: a.userDomainName ?? 'Default' };
  const user = a.userId ? { id: a.userId } : { name: a.username, domain: userDomain };
  let identity: unknown;
  switch (cloud.authType) {
    case 'password':
      if (!a.username && !a.userId) throw new Error(`${cloud.source}: password authentication needs auth.username or auth.user_id`);
      if (!a.password) throw new Error(`${cloud.source}: password authentication needs auth.password`);
      identity = { methods: ['password'], password: { user: { ...user, password: a.password } } };
      break;
    case 'token':
      if (!a.token) throw new Error(`${cloud.source}: token authentication needs auth.token`);
      identity = { methods: ['token'], token: { id: a.token } };
      break;
    case 'v3applicationcredential': {
      if (!a.applicationCredentialSecret) {
        throw new Error(`${cloud.source}: application credential authentication needs auth.application_credential_secret`);
      }
      const cred = a.applicationCredentialId
        ? { id: a.applicationCredentialId }
        : { name: a.applicationCredentialName, user };
      if (!a.applicationCredentialId && !a.applicationCredentialName) {
        throw new Error(`${cloud.source}: give auth.application_credential_id or auth.application_credential_name`);
      }
      // An application credential carries its own scope.
      return {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { ...cred, secret: a.applicationCredentialSecret },
          },
        },
      };
    }
  }
  let scope: unknown;
  if (a.systemScope) scope = { system: { all: true } };
  else if (a.projectId) scope = { project: { id: a.projectId } };
  else if (a.projectName) {
    const domain = a.projectDomainId
      ? { id: a.projectDomainId }
      : { name: a.projectDomainName ?? a.userDomainName ?? 'Default' };
    scope = { project: { name: a.projectName, domain } };
  } else if (cloud.authType === 'password') {
    throw new Error(`${cloud.source}: give auth.project_name or auth.project_id (a project-scoped token is needed)`);
  }
  return { auth: { identity, ...(scope ? { scope } : {}) } };
}

export class Session {
  private token = '';
  private catalog: CatalogEntry[] = [];
  projectId = '';
  userId = '';
  /** Role names the token carries in its project (what policy checks are made against). */
  roles: string[] = [];
  private readonly agent: Agent;
  private readonly retry: RetryPolicy;
  readonly signal: AbortSignal | undefined;

  private constructor(
    readonly cloud: CloudConfig,
    opts: CloudSessionOptions,
  ) {
    this.agent = createAgent({ verify: cloud.verify, cacert: cloud.cacert });
    this.retry = opts.retry ?? defaultRetry;
    this.signal = opts.signal;
  }

  /** Authenticate and check the requested region exists in the catalog. */
  static async connect(cloud: CloudConfig, opts: CloudSessionOptions = {}): Promise<Session> {
    const s = new Session(cloud, opts);
    await s.authenticate();
    s.checkRegion();
    return s;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async authenticate(): Promise<void> {
    const url = `${identityBase(this.cloud.auth.authUrl)}/auth/tokens`;
    let res: HttpResponse;
    try {
      res = await httpRequest(
        this.agent,
        {
          service: 'identity',
          call: `authenticate (${this.cloud.authType}) with ${this.cloud.source}`,
          method: 'POST',
          url,
          body: tokenRequestBody(this.cloud),
          // Asking for a token creates nothing: safe to repeat.
          idempotent: true,
          signal: this.signal,
        },
        this.retry,
      );
    } catch (e) {
      if (e instanceof OpenStackApiError && e.status === 401) {
        throw new OpenStackApiError(
          `${e.message}. Check the credentials (user, password or application credential, user and project domain) in ${this.cloud.source}`,
          e.service,
          e.call,
          e.status,
          e.faultType,
          e.fault,
        );
      }
      throw e;
    }
    const token = res.headers['x-subject-token'];
    if (typeof token !== 'string' || token === '') throw new Error(`identity: ${url} returned no X-Subject-Token`);
    registerSecret(token);
    this.token = token;
    const body = res.body as { token?: { catalog?: CatalogEntry[]; project?: { id: string }; user?: { id: string }; roles?: { name: string }[] } };
    this.catalog = body.token?.catalog ?? [];
    this.projectId = body.token?.project?.id ?? '';
    this.userId = body.token?.user?.id ?? '';
    this.roles = (body.token?.roles ?? []).map((r) => r.name);
    if (this.catalog.length === 0 && Object.keys(this.cloud.endpointOverrides).length === 0) {
      throw new Error(`identity: the token from ${this.cloud.source} has no service catalog (is it scoped to a project?)`);
    }
  }

  private regionsOf(endpoints: CatalogEndpoint[]): string[] {
    return [...new Set(endpoints.map((e) => e.region_id ?? e.region ?? '').filter((r) => r !== ''))].sort();
  }

  private checkRegion(): void {
    const region = this.cloud.regionName;
    if (!region || this.catalog.length === 0) return;
    const all = this.regionsOf(this.catalog.flatMap((c) => c.endpoints));
    if (!all.includes(region)) {
      throw new Error(
        `region '${region}' (from ${this.cloud.source}) is not in the service catalog; regions offered: ${all.join(', ') || 'none'}`,
      );
    }
  }

  /** Whether the cloud offers a service (an endpoint override or a catalog entry of one of its types). */
  hasService(service: ServiceType): boolean {
    return service in this.cloud.endpointOverrides || this.catalog.some((c) => CATALOG_TYPES[service].includes(c.type));
  }

  /** Base URL of a service, with its API version path. */
  endpoint(service: ServiceType): string {
    let url = this.cloud.endpointOverrides[service] ?? this.catalogUrl(service);
    url = url.replace(/%\(project_id\)s|\$\(project_id\)s|\{project_id\}/g, this.projectId).replace(/\/+$/, '');
    const suffix = VERSION_SUFFIX[service];
    if (suffix && !suffix.test(url)) url += VERSION_PATH[service];
    if (service === 'block-storage' && !/\/v3(\/|$)/.test(url)) url += `/v3/${this.projectId}`;
    return url;
  }

  private catalogUrl(service: ServiceType): string {
    const { interface: iface, regionName } = this.cloud;
    for (const type of CATALOG_TYPES[service]) {
      const entry = this.catalog.find((c) => c.type === type);
      if (!entry) continue;
      const byIface = entry.endpoints.filter((e) => e.interface === iface);
      const match = regionName ? byIface.filter((e) => (e.region_id ?? e.region) === regionName) : byIface;
      if (match[0]) return match[0].url;
      const offered = byIface.length ? this.regionsOf(byIface).join(', ') : 'none';
      throw new Error(
        `${service}: no ${iface} endpoint${regionName ? ` in region '${regionName}'` : ''} in the catalog (regions with a ${iface} ${type} endpoint: ${offered})`,
      );
    }
    throw new Error(
      `${service}: this cloud's catalog has no ${service} service (types offered: ${this.catalog.map((c) => c.type).join(', ')}); set ${service.replace('-', '_')}_endpoint_override if it is elsewhere`,
    );
  }

  /** Send a request to a service, re-authenticating once on 401. `path` is relative to the versioned base URL. */
  async request(service: ServiceType, call: string, method: HttpRequest['method'], path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.url(service, path, opts.query);
    const send = () =>
      httpRequest(
        this.agent,
        {
          service,
          call,
          method,
          url,
          headers: { 'x-auth-token': this.token, ...opts.headers },
          body: opts.body,
          rawBody: opts.rawBody,
          idempotent: opts.idempotent,
          signal: this.signal,
        },
        this.retry,
      );
    try {
      return await send();
    } catch (e) {
      if (!(e instanceof OpenStackApiError) || e.status !== 401 || opts.rawBody) throw e;
      await this.authenticate();
      return send();
    }
  }

  url(service: ServiceType, path: string, query?: RequestOptions['query']): string {
    const base = /^https?:\/\//.test(path) ? path : `${this.endpoint(service)}${path}`;
    if (!query) return base;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.append(k, String(v));
    const qs = q.toString();
    return qs ? `${base}${base.includes('?') ? '&' : '?'}${qs}` : base;
  }

  /** GET a collection, following `<key>_links` / `next` pagination to the end. */
  async list<T>(service: ServiceType, call: string, path: string, key: string, opts: RequestOptions = {}): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = this.url(service, path, opts.query);
    const seen = new Set<string>();
    while (next && !seen.has(next)) {
      seen.add(next);
      const res = await this.request(service, call, 'GET', next, { headers: opts.headers });
      const body = (res.body ?? {}) as Record<string, unknown>;
      const items = body[key];
      if (!Array.isArray(items)) throw new Error(`${service}: ${call}: the answer has no '${key}' list`);
      out.push(...(items as T[]));
      next = this.nextLink(service, body, key);
    }
    return out;
  }

  private nextLink(service: ServiceType, body: Record<string, unknown>, key: string): string | undefined {
    const links = body[`${key}_links`] ?? body.links;
    let href: string | undefined;
    if (Array.isArray(links)) href = (links as Array<{ rel?: string; href?: string }>).find((l) => l.rel === 'next')?.href;
    else if (typeof body.next === 'string') href = body.next;
    if (!href) return undefined;
    // Keep our endpoint (overrides, proxies): take only the path and query of the service's link.
    const base = new URL(this.endpoint(service));
    const link = new URL(href, base);
    return `${base.origin}${link.pathname}${link.search}`;
  }
}
