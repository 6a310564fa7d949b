import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A recorded-response OpenStack for unit tests: Keystone v3 answers with a token and a catalog pointing back at this
 * server; every other call is answered by the handler registered for "METHOD /path" (first match wins), in order.
 * Unmatched calls get 404 so a test sees what it forgot.
 */

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** destroy the connection without answering (simulates a reset) */
  reset?: boolean;
}

type Handler = (req: Recorded) => Reply | undefined;

export const PROJECT_ID = 'p0000000000000000000000000000001';

export class FakeCloud {
  readonly requests: Recorded[] = [];
  private routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  private server: Server | undefined;
  url = '';
  tokens = 0;
  /** 'ok' | 'unauthorized' for the next token requests */
  keystone: 'ok' | 'unauthorized' = 'ok';
  regions = ['RegionOne'];

  on(method: string, path: string | RegExp, handler: Handler | Reply): this {
    const pattern = typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path;
    this.routes.push({ method, pattern, handler: typeof handler === 'function' ? handler : () => handler });
    return this;
  }

  /** Answer the next N matching calls with `replies`, in order, ahead of every other route; then fall through. */
  sequence(method: string, path: string | RegExp, replies: Reply[]): this {
    const queue = [...replies];
    const pattern = typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path;
    this.routes.unshift({ method, pattern, handler: () => queue.shift() });
    return this;
  }

  calls(method: string, path: string | RegExp): Recorded[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  cloud(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      auth: { auth_url: `${this.url}/identity/v3`, username: 'u', password: 'secret-pw-123', project_name: 'p', user_domain_name: 'Default' },
      ...extra,
    };
  }

  private catalog() {
    const services: Array<[string, string]> = [
      ['compute', '/compute/v2.1'],
      ['network', '/network'],
      ['volumev3', `/volume/v3/${PROJECT_ID}`],
      ['image', '/image'],
      ['orchestration', `/heat/v1/${PROJECT_ID}`],
    ];
    return services.map(([type, path]) => ({
      type,
      endpoints: this.regions.flatMap((region) =>
        ['public', 'internal', 'admin'].map((iface) => ({
          interface: iface,
          region_id: region,
          region,
          url: `${this.url}${iface === 'public' ? '' : `/${iface}`}${region === 'RegionOne' ? '' : `/${region}`}${path}`,
        })),
      ),
    }));
  }

  private handle(rec: Recorded, res: ServerResponse): void {
    if (rec.method === 'POST' && rec.path === '/identity/v3/auth/tokens') {
      this.tokens++;
      if (this.keystone === 'unauthorized') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': `tok-${this.tokens}-abcdef` });
      res.end(JSON.stringify({ token: { project: { id: PROJECT_ID }, user: { id: 'user1' }, catalog: this.catalog() } }));
      return;
    }
    for (const r of this.routes) {
      if (r.method !== rec.method || !r.pattern.test(rec.path)) continue;
      const reply = r.handler(rec);
      if (!reply) continue;
      if (reply.reset) {
        res.socket?.destroy();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ itemNotFound: { message: `no recorded response for ${rec.method} ${rec.path}`, code: 404 } }));
  }

  /** Listen on 127.0.0.1; with `tls` (PEM key and certificate) over HTTPS. */
  async start(tls?: { key: string; cert: string }): Promise<this> {
    const listener: RequestListener = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          /* raw body */
        }
        const rec = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body };
        this.requests.push(rec);
        this.handle(rec, res);
      });
    };
    this.server = tls ? createTlsServer(tls, listener) : createServer(listener);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
