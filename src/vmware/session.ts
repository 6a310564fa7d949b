import type { Client } from 'soap';
import { type Agent, type Dispatcher, request } from 'undici';
import { registerSecret } from '../util/secrets.js';
import { ConnectionError, NotAuthenticatedError, VSphereError, errorFromFault } from './faults.js';
import { type TlsOptions, createDispatcher } from './http.js';
import { type MoRef, moRefOf, moRefXml } from './moref.js';
import { VIM25_WSDL } from './vim25-wsdl.js';
import { type XmlNode, XmlReader, child, escapeXml, parseXml, textAt } from './xml.js';

export interface SessionOptions extends TlsOptions {
  /** vCenter or ESXi host, `host` or `host:port` (443 by default). */
  host: string;
  username: string;
  password: string;
  /** Aborts pending requests (the session is still logged out). */
  signal?: AbortSignal;
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  about: { fullName: string; apiType: string; apiVersion: string; instanceUuid: string };
}

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: string;
}

const SOAP_ACTION = 'urn:vim25/7.0';
const COOKIE = 'vmware_soap_session';

/** `host[:port]` -> the SDK URL and the `host:port` used in messages. */
export function sdkEndpoint(host: string): { server: string; url: string } {
  const trimmed = host.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!trimmed) throw new ConnectionError('vcenter_hostname is empty', undefined);
  const bracketed = trimmed.startsWith('[');
  const hasPort = bracketed ? /\]:\d+$/.test(trimmed) : /^[^:]+:\d+$/.test(trimmed);
  const server = hasPort ? trimmed : `${trimmed}:443`;
  return { server, url: `https://${server}/sdk` };
}

let wsdlReady: Promise<{ soap: typeof import('soap'); wsdl: import('soap').WSDL }> | undefined;

/**
 * `soap` and our WSDL are loaded on the first `call`: sessions that only log in and read properties (discovery)
 * never pay for them (~0.3 s of start-up).
 */
function loadWsdl(): Promise<{ soap: typeof import('soap'); wsdl: import('soap').WSDL }> {
  wsdlReady ??= (async () => {
    const soap = await import('soap');
    const wsdl = new soap.WSDL(VIM25_WSDL, 'urn:vim25', { disableCache: true });
    await new Promise<void>((resolve, reject) => wsdl.onReady((err) => (err ? reject(err) : resolve())));
    return { soap, wsdl };
  })();
  return wsdlReady;
}

/**
 * A logged-in vim25 session. Operations with typed arguments (snapshots, power, reconfiguration, CBT) are
 * serialised by `soap` from our WSDL (`call`); the session itself and the property collector, the hot path of
 * discovery, send fixed hand-written requests (`post`). Every answer is read with xml.ts. The session cookie is
 * captured and sent by us.
 */
export class VSphereSession {
  private cookie: string | undefined;
  private closed = false;
  private soap: Promise<Client> | undefined;
  private constructor(
    readonly server: string,
    readonly url: string,
    readonly dispatcher: Agent,
    private readonly credentials: { username: string; password: string },
    readonly serviceContent: ServiceContent,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Connect, read the service content and log in. TLS is verified unless `insecure` or a thumbprint is given. */
  static async open(opts: SessionOptions): Promise<VSphereSession> {
    registerSecret(opts.password);
    const { server, url } = sdkEndpoint(opts.host);
    const dispatcher = createDispatcher(opts);
    let session: VSphereSession | undefined;
    try {
      const bootstrap = new VSphereSession(server, url, dispatcher, opts, placeholderContent(), opts.signal);
      const sc = await bootstrap.post(
        'RetrieveServiceContent',
        '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>',
        { idempotent: false },
      );
      session = new VSphereSession(server, url, dispatcher, opts, readServiceContent(sc), opts.signal);
      await session.login();
      return session;
    } catch (e) {
      if (session) await session.close();
      else await dispatcher.close();
      throw e;
    }
  }

  private async login(): Promise<void> {
    this.cookie = undefined;
    await this.post(
      'Login',
      `<Login xmlns="urn:vim25">${moRefXml('_this', this.serviceContent.sessionManager)}` +
        `<userName>${escapeXml(this.credentials.username)}</userName><password>${escapeXml(this.credentials.password)}</password></Login>`,
      { idempotent: false },
    );
    if (!this.cookie) throw new ConnectionError(`${this.server} accepted the login but set no ${COOKIE} cookie`, undefined);
  }

  private soapClient(): Promise<Client> {
    this.soap ??= loadWsdl().then(({ soap, wsdl }) => {
      const request = (o: { headers: Record<string, unknown>; data: string }) => this.http(o.data, o.headers.SOAPAction);
      return new soap.Client(wsdl, this.url, { request: request as never, endpoint: this.url });
    });
    return this.soap;
  }

  /** The `Cookie` header value for datastore HTTP requests. */
  cookieHeader(): string | undefined {
    return this.cookie;
  }

  /**
   * Call a vim25 operation through `soap`. Returns the `<Op>Response` element. Idempotent calls are retried once
   * after logging in again when the session expired (NotAuthenticated).
   */
  async call(op: string, args: Record<string, unknown>, opts: { idempotent: boolean }): Promise<XmlNode> {
    return this.withRelogin(opts.idempotent, async () => {
      const client = await this.soapClient();
      const method = (client as unknown as Record<string, (a: unknown) => Promise<unknown[]>>)[`${op}Async`];
      if (!method) throw new Error(`operation ${op} is not in the vim25 WSDL subset`);
      let raw: string;
      try {
        raw = (await method.call(client, args))[1] as string;
      } catch (e) {
        throw this.replyError(op, e);
      }
      return this.responseOf(op, parseXml(raw));
    });
  }

  /**
   * Post a hand-written request body (one element in urn:vim25); returns the `<Op>Response` element. The answer
   * is read as it arrives; `onClose` (see XmlReader) can take completed elements out of it, for large results.
   */
  async post(
    op: string,
    bodyXml: string,
    opts: { idempotent: boolean },
    onClose?: (node: XmlNode, depth: number) => boolean,
  ): Promise<XmlNode> {
    return this.withRelogin(opts.idempotent, async () => {
      const envelope =
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
        `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`;
      const res = await this.send(envelope, SOAP_ACTION);
      if (res.statusCode >= 400) throw this.replyError(op, { body: await res.body.text(), response: { status: res.statusCode } });
      const reader = new XmlReader(onClose);
      const decoder = new TextDecoder();
      for await (const chunk of res.body) reader.write(decoder.decode(chunk as Buffer, { stream: true }));
      reader.write(decoder.decode());
      return this.responseOf(op, reader.end());
    });
  }

  /** Log out (best effort) and release connections. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.cookie) {
        await this.post('Logout', `<Logout xmlns="urn:vim25">${moRefXml('_this', this.serviceContent.sessionManager)}</Logout>`, { idempotent: false });
      }
    } catch {
      // the session may already be gone; nothing else to release on the server
    } finally {
      this.cookie = undefined;
      await this.dispatcher.close();
    }
  }

  private async withRelogin(idempotent: boolean, fn: () => Promise<XmlNode>): Promise<XmlNode> {
    try {
      return await fn();
    } catch (e) {
      if (!(idempotent && e instanceof NotAuthenticatedError && !this.closed)) throw e;
      await this.login();
      return fn();
    }
  }

  private async send(body: string, soapAction: unknown): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: typeof soapAction === 'string' ? soapAction : SOAP_ACTION,
    };
    if (this.cookie) headers.cookie = this.cookie;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.url, {
        dispatcher: this.dispatcher,
        method: 'POST',
        headers,
        body,
        signal: this.closed ? undefined : this.signal,
      });
    } catch (e) {
      if (e instanceof VSphereError) throw e;
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof VSphereError) throw cause;
      throw new ConnectionError(`cannot reach ${this.url}: ${(e as Error).message}`, undefined);
    }
    const setCookie = res.headers['set-cookie'];
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const first = c.split(';')[0] ?? '';
      if (first.startsWith(`${COOKIE}=`)) this.cookie = first;
    }
    return res;
  }

  /** The HTTP exchange `soap` asks for (its `request` option). */
  private async http(body: string, soapAction: unknown): Promise<HttpReply> {
    const res = await this.send(body, soapAction);
    return { status: res.statusCode, headers: res.headers, data: await res.body.text() };
  }

  private responseOf(op: string, envelope: XmlNode): XmlNode {
    const body = child(envelope, 'Body');
    const fault = child(body, 'Fault');
    if (fault) throw errorFromFault(fault, op, this.server);
    const response = body?.children[0];
    if (!response) throw new VSphereError(`${op}: ${this.server} sent an empty SOAP body`, undefined);
    return response;
  }

  private replyError(op: string, e: unknown): Error {
    if (e instanceof VSphereError) return e;
    const { body, response } = e as { body?: unknown; response?: { status?: number } };
    if (typeof body === 'string' && body.includes('Fault')) {
      try {
        const fault = child(child(parseXml(body), 'Body'), 'Fault');
        if (fault) return errorFromFault(fault, op, this.server);
      } catch {
        // not XML: fall through to the HTTP status
      }
    }
    const status = response?.status ? ` (HTTP ${response.status})` : '';
    return new VSphereError(`${op} failed on ${this.server}${status}: ${(e as Error).message ?? String(e)}`, undefined);
  }
}

function placeholderContent(): ServiceContent {
  const none = { type: '', value: '' };
  return { rootFolder: none, propertyCollector: none, viewManager: none, sessionManager: none, about: { fullName: '', apiType: '', apiVersion: '', instanceUuid: '' } };
}

function readServiceContent(response: XmlNode): ServiceContent {
  const rv = child(response, 'returnval');
  const ref = (name: string): MoRef => {
    const node = child(rv, name);
    if (!node) throw new VSphereError(`RetrieveServiceContent: no ${name} in the answer; is this a vSphere SDK endpoint?`, undefined);
    return moRefOf(node);
  };
  return {
    rootFolder: ref('rootFolder'),
    propertyCollector: ref('propertyCollector'),
    viewManager: ref('viewManager'),
    sessionManager: ref('sessionManager'),
    about: {
      fullName: textAt(rv, 'about.fullName') ?? '',
      apiType: textAt(rv, 'about.apiType') ?? '',
      apiVersion: textAt(rv, 'about.apiVersion') ?? '',
      instanceUuid: textAt(rv, 'about.instanceUuid') ?? '',
    },
  };
}

/** Open a session, run `fn`, and log out whatever happens. */
export async function withSession<T>(opts: SessionOptions, fn: (session: VSphereSession) => Promise<T>): Promise<T> {
  const session = await VSphereSession.open(opts);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
