import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, request } from 'undici';
import { OpenStackApiError, parseFault } from './errors.js';

/**
 * The HTTP layer of the OpenStack client: one undici agent per cloud (TLS settings), JSON requests with bounded
 * retries for idempotent calls, and errors that say which service, which call and what OpenStack answered.
 */

export interface TlsSettings {
  verify: boolean;
  cacert: string | undefined;
}

export function createAgent(tls: TlsSettings): Agent {
  let ca: string | undefined;
  if (tls.cacert) {
    try {
      ca = readFileSync(tls.cacert, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the OpenStack CA bundle ${tls.cacert}: ${(e as Error).message}`);
    }
  }
  return new Agent({
    connect: { rejectUnauthorized: tls.verify, ...(ca ? { ca } : {}), timeout: 15_000 },
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
    keepAliveTimeout: 4_000,
  });
}

export interface HttpRequest {
  service: string;
  /** what the caller was doing, e.g. "create port osm-vm-NIC-0-VLAN-net" */
  call: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Raw body (image upload); sent as is. */
  rawBody?: Buffer | NodeJS.ReadableStream;
  /** Safe to repeat: retried on 5xx and connection failures. Defaults to true for GET/HEAD/PUT/DELETE. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 4, baseDelayMs: 500 };

const RETRY_STATUS = new Set([500, 502, 503, 504]);
const RETRY_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeTransportError(e: unknown): string {
  const code = errorCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return `TLS verification failed (${code}); give the CA bundle with cacert, or opt out with openstack_insecure: true`;
  }
  return code ? `${msg} (${code})` : msg;
}

function retryAfterMs(headers: HttpResponse['headers']): number | undefined {
  const v = headers['retry-after'];
  const n = typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.min(n, 30) * 1000 : undefined;
}

async function readBody(res: Dispatcher.ResponseData): Promise<unknown> {
  const text = await res.body.text();
  if (text === '') return undefined;
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('json') || /^[[{]/.test(text.trimStart())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Send one request. Idempotent calls are retried with exponential backoff on 5xx answers and connection failures;
 * other calls are sent once. Any non-2xx final answer throws an OpenStackApiError naming the service and the call.
 */
export async function httpRequest(
  agent: Dispatcher,
  req: HttpRequest,
  retry: RetryPolicy = defaultRetry,
): Promise<HttpResponse> {
  const idempotent = req.idempotent ?? ['GET', 'HEAD', 'PUT', 'DELETE'].includes(req.method);
  const attempts = idempotent && !req.rawBody ? Math.max(1, retry.attempts) : 1;
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let payload: string | Buffer | NodeJS.ReadableStream | undefined = req.rawBody;
  if (req.body !== undefined) {
    payload = JSON.stringify(req.body);
    headers['content-type'] = 'application/json';
  }
  const what = `${req.service}: ${req.call} (${req.method} ${stripQuery(req.url)})`;
  for (let attempt = 1; ; attempt++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(req.url, {
        method: req.method,
        headers,
        body: payload as string | Buffer | undefined,
        dispatcher: agent,
        signal: req.signal,
      });
    } catch (e) {
      if (req.signal?.aborted) throw e;
      const code = errorCode(e);
      if (attempt < attempts && code && RETRY_CODES.has(code)) {
        await sleep(backoff(retry, attempt), undefined, { signal: req.signal });
        continue;
      }
      throw new OpenStackApiError(
        `${what} failed: ${describeTransportError(e)}${attempts > 1 ? ` after ${attempt} attempt(s)` : ''}`,
        req.service,
        req.call,
        0,
        code,
        undefined,
      );
    }
    const body = await readBody(res);
    const respHeaders = res.headers as HttpResponse['headers'];
    if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, headers: respHeaders, body };
    if (attempt < attempts && (RETRY_STATUS.has(res.statusCode) || res.statusCode === 429)) {
      await sleep(retryAfterMs(respHeaders) ?? backoff(retry, attempt), undefined, { signal: req.signal });
      continue;
    }
    const fault = parseFault(body);
    const requestId = respHeaders['x-openstack-request-id'] ?? respHeaders['x-compute-request-id'];
    throw new OpenStackApiError(
      `${what} failed: HTTP ${res.statusCode}${fault.type ? ` ${fault.type}` : ''}: ${fault.message ?? 'no fault message'}${
        requestId ? ` [request ${String(requestId)}]` : ''
      }`,
      req.service,
      req.call,
      res.statusCode,
      fault.type || undefined,
      fault.message,
    );
  }
}

function backoff(retry: RetryPolicy, attempt: number): number {
  const base = retry.baseDelayMs * 2 ** (attempt - 1);
  return base + Math.floor(Math.random() * (base / 2));
}

function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}
