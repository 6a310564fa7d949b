import { type Agent, type Dispatcher, request } from 'undici';
import { registerSecret } from '../util/secrets.js';
import { ConnectionError, NotAuthenticatedError, VSphereError, errorFromFault } from './faults.js';
import { type TlsOptions, createDispatcher } from './http.js';
import { type ArgsOf, type OperationName, type ResultOf, type ServiceContent, VIM25, requestXml } from './vim25.js';
import { type XmlNode, XmlReader, child, parseXml } from './xml.js';

export interface SessionOptions extends TlsOptions {
  /** vCenter or ESXi host, `host` or `host:port` (443 by default). */
  host: string;
  username: string;
  password: string;
  /** Aborts pending requests (the session is still logged out). */
  signal?: AbortSignal;
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

/**
 * A logged-in vim25 session. Every call goes through `invoke`: the request is written from typed arguments
 * (vim25.ts), the answer is read with xml.ts as it streams in, a SOAP fault becomes its typed error (faults.ts),
 * and the operation's reader turns the answer into a typed result. The session cookie is captured and sent by us.
 */
export class VSphereSession {
  private cookie: string | undefined;
  private closed = false;
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
      const sc = await bootstrap.invoke('RetrieveServiceContent', { _this: { type: 'ServiceInstance', value: 'ServiceInstance' } });
      session = new VSphereSession(server, url, dispatcher, opts, sc, opts.signal);
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
    await this.invoke('Login', {
      _this: this.serviceContent.sessionManager,
      userName: this.credentials.username,
      password: this.credentials.password,
    });
    if (!this.cookie) throw new ConnectionError(`${this.server} accepted the login but set no ${COOKIE} cookie`, undefined);
  }

  /** The `Cookie` header value for datastore HTTP requests. */
  cookieHeader(): string | undefined {
    return this.cookie;
  }

  /**
   * Call vim25 operation `op` and return what its reader (vim25.ts) makes of the answer. Idempotent operations are
   * retried once after logging in again when the session expired (NotAuthenticated). The answer is read as it
   * arrives; `onClose` (see XmlReader) can take completed elements out of it, for large results.
   */
  async invoke<K extends OperationName>(
    op: K,
    args: ArgsOf<K>,
    onClose?: (node: XmlNode, depth: number) => boolean,
  ): Promise<ResultOf<K>> {
    const { idempotent, read } = VIM25[op];
    const body = requestXml(op, args);
    const response = await this.withRelogin(idempotent, () => this.exchange(op, body, onClose));
    const call = `${op}(${args._this.value})`;
    try {
      return read(response, call) as ResultOf<K>;
    } catch (e) {
      if (e instanceof VSphereError) throw e;
      throw new VSphereError(`${call}: ${this.server} sent an answer we cannot use: ${(e as Error).message}`, undefined);
    }
  }

  /** Log out (best effort) and release connections. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.cookie) {
        await this.invoke('Logout', { _this: this.serviceContent.sessionManager });
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

  /** POST one request element in a SOAP envelope; returns the `<Op>Response` element or throws the fault. */
  private async exchange(op: string, bodyXml: string, onClose?: (node: XmlNode, depth: number) => boolean): Promise<XmlNode> {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`;
    const res = await this.send(envelope);
    if (res.statusCode >= 400) throw this.httpError(op, res.statusCode, await res.body.text());
    const reader = new XmlReader(onClose);
    const decoder = new TextDecoder();
    for await (const chunk of res.body) reader.write(decoder.decode(chunk as Buffer, { stream: true }));
    reader.write(decoder.decode());
    return this.responseOf(op, reader.end());
  }

  private async send(body: string): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', soapaction: SOAP_ACTION };
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

  private responseOf(op: string, envelope: XmlNode): XmlNode {
    const body = child(envelope, 'Body');
    const fault = child(body, 'Fault');
    if (fault) throw errorFromFault(fault, op, this.server);
    const response = body?.children[0];
    if (!response) throw new VSphereError(`${op}: ${this.server} sent an empty SOAP body`, undefined);
    return response;
  }

  /** A vSphere fault arrives as HTTP 500 with a SOAP Fault; anything else is reported with its status. */
  private httpError(op: string, status: number, body: string): Error {
    if (body.includes('Fault')) {
      try {
        const fault = child(child(parseXml(body), 'Body'), 'Fault');
        if (fault) return errorFromFault(fault, op, this.server);
      } catch {
        // not XML: fall through to the HTTP status
      }
    }
    return new VSphereError(`${op} failed on ${this.server} (HTTP ${status}) without a SOAP fault; is ${this.url} a vSphere SDK endpoint?`, undefined);
  }
}

function placeholderContent(): ServiceContent {
  const none = { type: '', value: '' };
  return { rootFolder: none, propertyCollector: none, viewManager: none, sessionManager: none, authorizationManager: undefined, about: { fullName: '', apiType: '', apiVersion: '', instanceUuid: '' } };
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
