import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { type TlsPolicy, pinnedTls, pinningConnector } from '../../util/tls-pinning.js';
import { type DiskSource, NETWORK_CHUNK_SIZE, type SourceStats } from '../types.js';
import { flatLayout, isBinarySparseVmdk, parseVmdkDescriptor, type FlatLayout } from '../vmdk.js';
import { RangeReader } from './https-ranges.js';
import { LayoutSource } from './layout-source.js';

/**
 * `https` source, VDDK-free: the snapshot's base disk through the datastore's HTTPS file access
 * (`/folder/<path>?dcPath=..&dsName=..`). The descriptor is fetched first (undici); the flat extents are then read
 * with ranged GETs, several in parallel over keep-alive connections that decrypt straight into the chunk buffers
 * (https-ranges.ts; undici answers whatever that fast path does not handle), with the caller's session cookie, or a
 * cookie per request (an ESXi host's one-time tickets).
 */
export interface HttpsSourceOptions {
  /** URL of the disk's descriptor, e.g. `https://vc/folder/vm-1/vm-1.vmdk?dcPath=DC0&dsName=datastore1`. */
  url: string;
  /**
   * Cookie header of each request: the vSphere session's (`vmware_soap_session="..."`), the same for every request;
   * or, for an ESXi host taking one-time tickets, a function giving a fresh one for each request.
   */
  cookie?: string | ((method: 'GET' | 'HEAD', url: URL) => Promise<string>);
  /** CA, insecure, or a SHA-1/SHA-256 pin (util/tls-pinning.ts): a refused server never sees the cookie. */
  tls?: TlsPolicy;
  /** Parallel connections, each with one ranged GET at a time (default 4). */
  connections?: number;
  /** Per-request timeout in ms without data (default 60 s). */
  timeoutMs?: number;
  /** Connect (TCP and TLS) timeout in ms (default 30 s). */
  connectTimeoutMs?: number;
}

export async function openHttpsSource(o: HttpsSourceOptions): Promise<DiskSource> {
  const descUrl = new URL(o.url);
  if (descUrl.protocol !== 'https:') throw new Error(`https source: ${describeUrl(descUrl)} is not an https URL`);
  const connections = o.connections ?? 4;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const tls = pinnedTls(o.tls ?? {});
  const pool = new Pool(descUrl.origin, {
    connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: pinningConnector(tls, undefined, o.connectTimeoutMs),
  });
  const ranges = new RangeReader(descUrl, tls, connections, timeoutMs);
  const stats: SourceStats = { bytesRead: 0, requests: 0 };
  const cookie = o.cookie;
  const headers = async (method: 'GET' | 'HEAD', url: URL): Promise<Record<string, string>> =>
    cookie === undefined ? {} : { cookie: typeof cookie === 'string' ? cookie : await cookie(method, url) };
  try {
    const head = await rangedGet(pool, descUrl, await headers('GET', descUrl), 0, 64 * 1024, true);
    if (isBinarySparseVmdk(head)) {
      throw new Error(`${describeUrl(descUrl)} is a sparse VMDK; the https source reads flat disks only (use the vddk source)`);
    }
    const layout = flatLayout(parseVmdkDescriptor(head.toString('utf8'), describeUrl(descUrl)), describeUrl(descUrl));
    const urls = new Map<string, URL>();
    for (const e of layout.extents) if (e.file !== undefined) urls.set(e.file, siblingUrl(descUrl, e.file));
    await checkExtentSizes(pool, urls, layout, headers);
    const readFile = async (file: string, buf: Buffer, fileOffset: number): Promise<void> => {
      // Transient network failures (reset, timeout) are retried; HTTP errors are not.
      for (let attempt = 1; ; attempt++) {
        stats.requests++;
        const url = urls.get(file)!;
        try {
          if ((await ranges.read(url.pathname + url.search, await headers('GET', url), fileOffset, buf)) === 'other') {
            await rangedGet(pool, url, await headers('GET', url), fileOffset, buf.length, false, buf);
          }
          stats.bytesRead += buf.length;
          return;
        } catch (e) {
          if (e instanceof HttpStatusError || attempt >= READ_ATTEMPTS || pool.destroyed) throw e;
          await sleep(500 * attempt);
        }
      }
    };
    return new LayoutSource({
      kind: 'https',
      layout,
      readFile,
      stats,
      // Twice the connections: a chunk being written to the target no longer holds its connection idle, another
      // chunk's read takes it (1 GiB, median of 9 runs: 1.47 s with 4 chunks in flight, 1.31 s with 8).
      parallelism: 2 * connections,
      maxReadSize: 64 * 1024 * 1024,
      chunkSize: NETWORK_CHUNK_SIZE,
      targetWrites: 'direct',
      // destroy, not close: an aborted copy must not wait for requests still in flight.
      close: () => (ranges.close(), pool.destroy()),
    });
  } catch (e) {
    ranges.close();
    await pool.destroy();
    throw e;
  }
}

/** The URL of another file in the same datastore folder (same query: dcPath, dsName). */
function siblingUrl(base: URL, file: string): URL {
  if (file.includes('/')) throw new Error(`extent file ${JSON.stringify(file)} of ${describeUrl(base)} is not in the descriptor's folder`);
  const u = new URL(base.href);
  u.pathname = u.pathname.replace(/[^/]*$/, encodeURIComponent(file));
  return u;
}

/** URL without query secrets for messages. */
function describeUrl(u: URL): string {
  return `${u.origin}${decodeURIComponent(u.pathname)}`;
}

async function checkExtentSizes(
  pool: Pool,
  urls: Map<string, URL>,
  layout: FlatLayout,
  headers: (method: 'HEAD', url: URL) => Promise<Record<string, string>>,
): Promise<void> {
  for (const [file, url] of urls) {
    const res = await pool.request({ path: url.pathname + url.search, method: 'HEAD', headers: await headers('HEAD', url) });
    await res.body.dump();
    if (res.statusCode !== 200) throw statusError(res.statusCode, url, 'HEAD');
    const length = Number(res.headers['content-length']);
    const need = Math.max(...layout.extents.filter((e) => e.file === file).map((e) => e.fileOffset + e.length));
    if (Number.isFinite(length) && length < need) {
      throw new Error(`${describeUrl(url)} has ${length} bytes but the descriptor needs ${need}`);
    }
  }
}

const READ_ATTEMPTS = 3;

/** The server answered with an HTTP error status (not retried). */
export class HttpStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function statusError(status: number, url: URL, method: string): Error {
  const hint =
    status === 401 || status === 403
      ? ' (the session cookie or ticket was rejected: log in again)'
      : status === 404
        ? ' (no such file: check the datastore path, dcPath and dsName)'
        : '';
  return new HttpStatusError(`${method} ${describeUrl(url)} returned HTTP ${status}${hint}`, status);
}

/**
 * GET `length` bytes at `offset` into `into` (or a new buffer); `allowShort` accepts a smaller file (descriptor probe).
 * Uses undici's dispatch handler so body chunks are copied straight into the buffer (no stream in between).
 */
function rangedGet(
  pool: Pool,
  url: URL,
  headers: Record<string, string>,
  offset: number,
  length: number,
  allowShort: boolean,
  into?: Buffer,
): Promise<Buffer> {
  const buf = into ?? Buffer.allocUnsafe(length);
  return new Promise((resolve, reject) => {
    let status = 0;
    let got = 0;
    let failure: Error | undefined;
    let cutOff = false;
    const finish = (): void => {
      if (failure) return reject(failure);
      if (got < length && !allowShort) {
        return reject(new Error(`GET ${describeUrl(url)}: short read at offset ${offset} (${got} of ${length} bytes)`));
      }
      resolve(got < length ? buf.subarray(0, got) : buf);
    };
    pool.dispatch(
      { path: url.pathname + url.search, method: 'GET', headers: { ...headers, range: `bytes=${offset}-${offset + length - 1}` } },
      {
        // Required by undici; the controller each later callback receives is all this handler needs.
        onRequestStart: () => undefined,
        onResponseStart: (_controller, statusCode, responseHeaders) => {
          status = statusCode;
          if (status !== 206 && !(status === 200 && offset === 0)) {
            failure = statusError(status, url, 'GET');
            return;
          }
          if (status === 206) {
            const cr = headerValue(responseHeaders['content-range']);
            if (!cr || Number(/^bytes (\d+)-/.exec(cr)?.[1]) !== offset) {
              failure = new Error(`GET ${describeUrl(url)}: server answered range ${cr ?? 'none'} for offset ${offset}`);
            }
          }
        },
        onResponseData: (controller, chunk) => {
          if (failure) return;
          const n = Math.min(chunk.length, length - got);
          chunk.copy(buf, got, 0, n);
          got += n;
          // A 200 (whole file) is cut off once enough arrived; a 206 is read to its end so the connection is reused.
          if (status === 200 && got === length && !cutOff) {
            cutOff = true;
            controller.abort(new Error('enough data'));
          }
        },
        onResponseEnd: () => finish(),
        onResponseError: (_controller, e) => (cutOff ? finish() : reject(failure ?? e)),
      },
    );
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
