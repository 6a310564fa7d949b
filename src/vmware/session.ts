import type { Client } from 'soap';
import { type Agent, type Dispatcher, request } from 'undici';
import { registerSecret } from '../util/secrets.js';
import { ConnectionError, NotAuthenticatedError, VSphereError, errorFromFault } from './faults.js';
import { type TlsOptions, createDispatcher } from './http.js';
import { type MoRef, moRefOf, soapMoRef } from './moref.js';
import { VIM25_WSDL } from './vim25-wsdl.js';
import { type XmlNode, XmlReader, child, parseXml, textAt } from './xml.js';

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

let soapModule: Promise<typeof import('soap')> | undefined;

/** `soap` is loaded on first use, so modules that never talk to vSphere do not pay for it. */
function loadSoap(): Promise<typeof import('soap')> {
  soapModule ??= import('soap');
  return soapModule;
}

/**
 * A logged-in vim25 session. Requests are serialised by `soap` from our WSDL (or, for the property collector,
 * written by hand) and every answer is read with xml.ts. The session cookie is captured and sent by us.
 */
export class VSphereSession {
  private cookie: string | undefined;
  private closed = false;
  private constructor(
    readonly server: string,
    readonly url: string,
    readonly dispatcher: Agent,
    private readonly soap: Client,
    private readonly credentials: { username: string; password: string },
    readonly serviceContent: ServiceContent,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Connect, read the service content and log in. TLS is verified unless `insecure` or a thumbprint is given. */
  static async open(opts: SessionOptions): Promise<VSphereSession> {
    registerSecret(opts.password);
    const { server, url } = sdkEndpoint(opts.host);
    const dispatcher = createDispatcher(server, opts);
    let session: VSphereSession | undefined;
    try {
      const soap = await loadSoap();
      const holder: { session?: VSphereSession } = {};
      const requestFn = (o: { headers: Record<string, unknown>; data: string }) => holder.session!.http(o.data, o.headers.SOAPAction);
      const soapOptions = { request: requestFn as never, disableCache: true, endpoint: url };
      const wsdl = new soap.WSDL(VIM25_WSDL, 'urn:vim25', soapOptions);
      await new Promise<void>((resolve, reject) => wsdl.onReady((err) => (err ? reject(err) : resolve())));
      const client = new soap.Client(wsdl, url, soapOptions);
      const bootstrap = new VSphereSession(server, url, dispatcher, client, opts, placeholderContent(), opts.signal);
      holder.session = bootstrap;
      const sc = await bootstrap.call(
        'RetrieveServiceContent',
        { _this: soapMoRef({ type: 'ServiceInstance', value: 'ServiceInstance' }) },
        { idempotent: false },
      );
      session = new VSphereSession(server, url, dispatcher, client, opts, readServiceContent(sc), opts.signal);
      holder.session = session;
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
    await this.call(
      'Login',
      { _this: soapMoRef(this.serviceContent.sessionManager), userName: this.credentials.username, password: this.credentials.password },
      { idempotent: false },
    );
    if (!this.cookie) throw new ConnectionError(`${this.server} accepted the login but set no ${COOKIE} cookie`, undefined);
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
      const method = (this.soap as unknown as Record<string, (a: unknown) => Promise<unknown[]>>)[`${op}Async`];
      if (!method) throw new Error(`operation ${op} is not in the vim25 WSDL subset`);
      let raw: string;
      try {
        raw = (await method.call(this.soap, args))[1] as string;
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
        await this.post('Logout', `<Logout xmlns="urn:vim25"><_this type="SessionManager">${this.serviceContent.sessionManager.value}</_this></Logout>`, {
          idempotent: false,
        });
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
