import type { OnReadOpts } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { PinnedTls } from '../../util/tls-pinning.js';

/**
 * The https source's data path: keep-alive TLS connections whose socket decrypts a ranged GET's body straight into
 * the caller's buffer (`onread` with a buffer per read: no allocation, no stream, one copy per TLS record).
 * That halves the client's CPU per GiB against an HTTP client library. Only the plain answer is handled here:
 * `206` with `Content-Length` equal to the range and `Content-Range` starting at its offset. Anything else
 * (an error status, a whole file, chunked framing) is reported as `other` after dropping the connection, and the
 * caller asks its general HTTP client instead.
 */
const HEAD_LIMIT = 64 * 1024;

export class RangeConnection {
  private readonly scratch = Buffer.allocUnsafe(HEAD_LIMIT);
  private readonly socket: TLSSocket;
  private head: Buffer[] = [];
  private headBytes = 0;
  private body: Buffer | undefined;
  private offset = 0;
  /** Body bytes received, -1 while the response header is still arriving. */
  private got = -1;
  private done: ((r: 'ok' | 'other') => void) | undefined;
  private fail: ((e: Error) => void) | undefined;
  private reusable = true;

  private constructor(host: string, port: number, tls: PinnedTls, timeoutMs: number) {
    // tls.connect documents `onread` (as net.connect); @types/node lacks it.
    const onread: OnReadOpts = { buffer: () => this.nextBuffer(), callback: (n, buf) => (this.onRead(n, buf as Buffer), true) };
    this.socket = connect({ ...tls.options, host, port, ...(isIp(host) ? {} : { servername: host }), onread } as ConnectionOptions);
    this.socket.setNoDelay(true);
    this.socket.setTimeout(timeoutMs, () => this.socket.destroy(new Error(`no data from ${host}:${port} for ${timeoutMs / 1000} s`)));
    this.socket.on('error', (e) => this.finish(e));
    this.socket.on('close', () => this.finish(new Error('the server closed the connection')));
  }

  /** Connect and run `tls.check` (the pin) before returning, so a refused server never sees a request. */
  static open(host: string, port: number, tls: PinnedTls, timeoutMs: number): Promise<RangeConnection> {
    const conn = new RangeConnection(host, port, tls, timeoutMs);
    return new Promise((resolve, reject) => {
      conn.socket.once('error', reject);
      conn.socket.once('secureConnect', () => {
        conn.socket.off('error', reject);
        try {
          tls.check(conn.socket, `${host}:${port}`);
        } catch (e) {
          conn.close();
          return reject(e as Error);
        }
        resolve(conn);
      });
    });
  }

  /** Can take another request. */
  get usable(): boolean {
    return this.reusable && !this.socket.destroyed && this.done === undefined;
  }

  /**
   * GET `into.length` bytes at `offset` of `path` into `into`. Resolves `ok` when they arrived, `other` when the server
   * answered anything but the plain 206 (the connection is then closed); rejects on network failures.
   */
  get(path: string, headers: Record<string, string>, hostHeader: string, offset: number, into: Buffer): Promise<'ok' | 'other'> {
    if (!this.usable) throw new Error('connection busy or closed');
    this.offset = offset;
    this.body = into;
    this.got = -1;
    this.head = [];
    this.headBytes = 0;
    const lines = [`GET ${path} HTTP/1.1`, `host: ${hostHeader}`, `range: bytes=${offset}-${offset + into.length - 1}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    return new Promise((resolve, reject) => {
      this.done = resolve;
      this.fail = reject;
      this.socket.write(lines.join('\r\n') + '\r\n\r\n', 'latin1');
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private nextBuffer(): Buffer {
    return this.body && this.got >= 0 && this.got < this.body.length ? this.body.subarray(this.got) : this.scratch;
  }

  private onRead(n: number, buf: Buffer): void {
    if (!this.done || !this.body) return this.finish(new Error('unexpected data from the server'));
    if (this.got >= 0) {
      if (buf === this.scratch) return this.finish(new Error('the server sent more than the requested range'));
      this.got += n;
    } else {
      this.head.push(Buffer.from(buf.subarray(0, n)));
      this.headBytes += n;
      const all = Buffer.concat(this.head);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.headBytes > HEAD_LIMIT) this.finish(new Error('response header too large'));
        return;
      }
      if (!this.plainRange(all.subarray(0, end).toString('latin1'))) return this.finish('other');
      const rest = all.subarray(end + 4);
      if (rest.length > this.body.length) return this.finish(new Error('the server sent more than the requested range'));
      rest.copy(this.body);
      this.got = rest.length;
    }
    if (this.got === this.body.length) this.finish('ok');
  }

  /** The answer is `206`, its body exactly the requested range. */
  private plainRange(head: string): boolean {
    const [status, ...fields] = head.split('\r\n');
    if (!/^HTTP\/1\.[01] 206 /.test(status ?? '')) return false;
    const h = new Map(fields.map((f) => [f.slice(0, f.indexOf(':')).trim().toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]));
    if (h.has('transfer-encoding') || Number(h.get('content-length')) !== this.body!.length) return false;
    if (Number(/^bytes (\d+)-/.exec(h.get('content-range') ?? '')?.[1]) !== this.offset) return false;
    if (/close/i.test(h.get('connection') ?? '') || /^HTTP\/1\.0/.test(status!)) this.reusable = false;
    return true;
  }

  private finish(r: 'ok' | 'other' | Error): void {
    const done = this.done;
    const fail = this.fail;
    this.done = undefined;
    this.fail = undefined;
    this.body = undefined;
    if (r !== 'ok') {
      this.reusable = false;
      this.socket.destroy();
    }
    if (r instanceof Error) fail?.(r);
    else done?.(r);
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** At most `max` RangeConnections to one origin; a read waits for a free one. */
export class RangeReader {
  private readonly idle: RangeConnection[] = [];
  private readonly waiting: (() => void)[] = [];
  private busy = 0;
  private readonly all = new Set<RangeConnection>();
  private closed = false;

  constructor(
    private readonly origin: URL,
    private readonly tls: PinnedTls,
    private readonly max: number,
    private readonly timeoutMs: number,
  ) {}

  /** See RangeConnection.get. */
  async read(path: string, headers: Record<string, string>, offset: number, into: Buffer): Promise<'ok' | 'other'> {
    if (this.busy >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.busy++;
    let conn: RangeConnection | undefined;
    try {
      if (this.closed) throw new Error('https source closed');
      while (!conn) {
        const c = this.idle.pop();
        if (!c) conn = await this.connect();
        else if (c.usable) conn = c;
        else this.forget(c);
      }
      return await conn.get(path, headers, this.origin.host, offset, into);
    } finally {
      if (conn?.usable && !this.closed) this.idle.push(conn);
      else if (conn) this.forget(conn);
      this.busy--;
      this.waiting.shift()?.();
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.close();
    this.all.clear();
    this.idle.length = 0;
  }

  private async connect(): Promise<RangeConnection> {
    const host = this.origin.hostname.replace(/^\[(.*)\]$/, '$1');
    const c = await RangeConnection.open(host, Number(this.origin.port || 443), this.tls, this.timeoutMs);
    if (this.closed) c.close();
    else this.all.add(c);
    return c;
  }

  private forget(c: RangeConnection): void {
    c.close();
    this.all.delete(c);
  }
}
