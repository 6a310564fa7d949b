import { connect, type Socket } from 'node:net';
import type { Extent } from '../types.js';
import { SocketReader } from './socket-reader.js';

/**
 * A minimal NBD client (fixed newstyle handshake, NBD_OPT_GO, structured replies, NBD_CMD_READ and
 * NBD_CMD_BLOCK_STATUS with `base:allocation`) over a Unix socket, enough to read disks served by nbdkit or qemu-nbd.
 * Requests are pipelined on one connection.
 */

const NBDMAGIC = Buffer.from('NBDMAGIC');
const IHAVEOPT = 0x49484156454f5054n;
const OPT_REPLY_MAGIC = 0x3e889045565a9n;
const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;
const STRUCTURED_REPLY_MAGIC = 0x668e33ef;

const FLAG_FIXED_NEWSTYLE = 1;
const FLAG_CAN_MULTI_CONN = 1 << 8;
const FLAG_NO_ZEROES = 2;

const OPT_GO = 7;
const OPT_STRUCTURED_REPLY = 8;
const OPT_SET_META_CONTEXT = 10;

const REP_ACK = 1;
const REP_INFO = 3;
const REP_META_CONTEXT = 4;
const REP_FLAG_ERROR = 0x80000000;

const INFO_EXPORT = 0;
const INFO_BLOCK_SIZE = 3;

const CMD_READ = 0;
const CMD_DISC = 2;
const CMD_BLOCK_STATUS = 7;

const REPLY_FLAG_DONE = 1;
const REPLY_TYPE_NONE = 0;
const REPLY_TYPE_OFFSET_DATA = 1;
const REPLY_TYPE_OFFSET_HOLE = 2;
const REPLY_TYPE_BLOCK_STATUS = 5;
const REPLY_TYPE_ERROR_BIT = 0x8000;

const STATE_HOLE = 1;
const STATE_ZERO = 2;

/** Largest read we ask for in one request (nbdkit and qemu-nbd accept 32 MiB). */
const MAX_REQUEST = 32 * 1024 * 1024;

export interface NbdExtent extends Extent {
  /** base:allocation flags: 1 = hole, 2 = reads as zeros. */
  flags: number;
}

interface Pending {
  kind: 'read' | 'status';
  offset: number;
  buf?: Buffer;
  extents?: NbdExtent[];
  error?: Error;
  resolve: () => void;
  reject: (e: Error) => void;
}

export interface NbdConnectOptions {
  socketPath: string;
  exportName?: string;
  /** Connection timeout in milliseconds (default 10 s). */
  timeoutMs?: number;
}

export class NbdClient {
  readonly size: number;
  readonly maxRequest: number;
  readonly canBlockStatus: boolean;
  /** The server allows several connections to the same export (NBD_FLAG_CAN_MULTI_CONN). */
  readonly canMultiConn: boolean;
  /** Bytes of read payload received from the server. */
  bytesReceived = 0;
  private readonly pending = new Map<bigint, Pending>();
  private nextCookie = 1n;
  private outgoing: Buffer[] = [];
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly reader: SocketReader,
    private readonly describe: string,
    info: HandshakeInfo,
  ) {
    this.size = info.size;
    this.canMultiConn = (info.flags & FLAG_CAN_MULTI_CONN) !== 0;
    this.maxRequest = info.maxRequest;
    this.metaContextId = info.metaContextId;
    this.canBlockStatus = info.metaContextId !== undefined && info.structured;
    void this.replyLoop();
  }

  private readonly metaContextId: number | undefined;

  static async connect(opts: NbdConnectOptions): Promise<NbdClient> {
    const describe = `NBD server at ${opts.socketPath}`;
    const reader = new SocketReader(describe);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ path: opts.socketPath, onread: reader.socketOptions() });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`${describe}: connection timed out`));
      }, opts.timeoutMs ?? 10_000);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`${describe}: cannot connect: ${e.message}`));
      });
    });
    reader.attach(socket);
    try {
      const info = await handshake(socket, reader, opts.exportName ?? '', describe);
      return new NbdClient(socket, reader, describe, info);
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }

  /** Fill `buf` with the export's bytes at `offset`; splits requests larger than the server's maximum. */
  async read(buf: Buffer, offset: number): Promise<void> {
    if (offset + buf.length > this.size) {
      throw new Error(`${this.describe}: read beyond the end (${offset}+${buf.length} > ${this.size})`);
    }
    const parts: Promise<void>[] = [];
    for (let pos = 0; pos < buf.length; pos += this.maxRequest) {
      const len = Math.min(this.maxRequest, buf.length - pos);
      parts.push(this.request(CMD_READ, 0, offset + pos, len, { kind: 'read', offset: offset + pos, buf: buf.subarray(pos, pos + len) }));
    }
    await Promise.all(parts);
  }

  /** base:allocation extents covering at least part of `[offset, offset + length)`. */
  async blockStatus(offset: number, length: number): Promise<NbdExtent[]> {
    if (!this.canBlockStatus) throw new Error(`${this.describe}: the server does not offer base:allocation`);
    const extents: NbdExtent[] = [];
    await this.request(CMD_BLOCK_STATUS, 0, offset, Math.min(length, 0xffffffff - 511), { kind: 'status', offset, extents });
    return extents;
  }

  /** Allocated extents of the whole export (holes and zero ranges left out), merged and sorted. */
  async allocatedExtents(): Promise<Extent[]> {
    const out: Extent[] = [];
    let pos = 0;
    while (pos < this.size) {
      const ext = await this.blockStatus(pos, Math.min(this.size - pos, 1 << 30));
      if (ext.length === 0) throw new Error(`${this.describe}: empty block status reply at offset ${pos}`);
      for (const e of ext) {
        const len = Math.min(e.length, this.size - pos);
        if (len <= 0) break;
        if ((e.flags & (STATE_HOLE | STATE_ZERO)) === 0) {
          const last = out[out.length - 1];
          if (last && last.start + last.length === pos) last.length += len;
          else out.push({ start: pos, length: len });
        }
        pos += len;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.failure && !this.socket.destroyed) {
      const req = Buffer.alloc(28);
      req.writeUInt32BE(REQUEST_MAGIC, 0);
      req.writeUInt16BE(CMD_DISC, 6);
      await new Promise<void>((resolve) => this.socket.end(req, () => resolve()));
    }
    this.socket.destroy();
  }

  private request(type: number, flags: number, offset: number, length: number, p: Omit<Pending, 'resolve' | 'reject'>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error(`${this.describe}: connection closed`));
    const cookie = this.nextCookie++;
    const req = Buffer.alloc(28);
    req.writeUInt32BE(REQUEST_MAGIC, 0);
    req.writeUInt16BE(flags, 4);
    req.writeUInt16BE(type, 6);
    req.writeBigUInt64BE(cookie, 8);
    req.writeBigUInt64BE(BigInt(offset), 16);
    req.writeUInt32BE(length, 24);
    return new Promise((resolve, reject) => {
      this.pending.set(cookie, { ...p, resolve, reject });
      this.send(req);
    });
  }

  /** Requests issued in the same tick go out in one write (one syscall for many small CBT reads). */
  private send(req: Buffer): void {
    this.outgoing.push(req);
    if (this.outgoing.length === 1) {
      queueMicrotask(() => {
        const batch = this.outgoing;
        this.outgoing = [];
        if (!this.socket.destroyed) this.socket.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
      });
    }
  }

  private async replyLoop(): Promise<void> {
    try {
      for (;;) {
        const magic = (await this.reader.read(4)).readUInt32BE(0);
        if (magic === SIMPLE_REPLY_MAGIC) await this.simpleReply();
        else if (magic === STRUCTURED_REPLY_MAGIC) await this.structuredReply();
        else throw new Error(`${this.describe}: protocol error (reply magic 0x${magic.toString(16)})`);
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.failure = this.closed ? new Error(`${this.describe}: connection closed`) : err;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    }
  }

  private take(cookie: bigint): Pending {
    const p = this.pending.get(cookie);
    if (!p) throw new Error(`${this.describe}: protocol error (reply for unknown request ${cookie})`);
    return p;
  }

  private async simpleReply(): Promise<void> {
    const h = await this.reader.read(12);
    const error = h.readUInt32BE(0);
    const cookie = h.readBigUInt64BE(4);
    const p = this.take(cookie);
    this.pending.delete(cookie);
    if (error !== 0) return p.reject(new Error(`${this.describe}: request at offset ${p.offset} failed (${errnoName(error)})`));
    if (p.kind === 'read' && p.buf) {
      await this.reader.readInto(p.buf, 0, p.buf.length);
      this.bytesReceived += p.buf.length;
    }
    p.resolve();
  }

  private async structuredReply(): Promise<void> {
    const h = await this.reader.read(16);
    const flags = h.readUInt16BE(0);
    const type = h.readUInt16BE(2);
    const cookie = h.readBigUInt64BE(4);
    const length = h.readUInt32BE(12);
    const p = this.take(cookie);
    if (type === REPLY_TYPE_OFFSET_DATA && p.buf) {
      const off = Number((await this.reader.read(8)).readBigUInt64BE(0)) - p.offset;
      const n = length - 8;
      if (off < 0 || off + n > p.buf.length) throw new Error(`${this.describe}: protocol error (data chunk outside the request)`);
      await this.reader.readInto(p.buf, off, n);
      this.bytesReceived += n;
    } else if (type === REPLY_TYPE_OFFSET_HOLE && p.buf) {
      const b = await this.reader.read(12);
      const off = Number(b.readBigUInt64BE(0)) - p.offset;
      p.buf.fill(0, off, off + b.readUInt32BE(8));
    } else if (type === REPLY_TYPE_BLOCK_STATUS && p.extents) {
      const b = await this.reader.read(length);
      const context = b.readUInt32BE(0);
      if (context === this.metaContextId) {
        let pos = p.offset + p.extents.reduce((s, e) => s + e.length, 0);
        for (let i = 4; i + 8 <= length; i += 8) {
          const len = b.readUInt32BE(i);
          p.extents.push({ start: pos, length: len, flags: b.readUInt32BE(i + 4) });
          pos += len;
        }
      }
    } else if (type & REPLY_TYPE_ERROR_BIT) {
      const b = await this.reader.read(length);
      const errno = b.readUInt32BE(0);
      const msgLen = b.readUInt16BE(4);
      const msg = b.subarray(6, 6 + msgLen).toString('utf8');
      p.error = new Error(`${this.describe}: request at offset ${p.offset} failed (${errnoName(errno)}${msg ? `: ${msg}` : ''})`);
    } else if (type !== REPLY_TYPE_NONE) {
      await this.reader.skip(length);
    }
    if (flags & REPLY_FLAG_DONE) {
      this.pending.delete(cookie);
      if (p.error) p.reject(p.error);
      else p.resolve();
    }
  }
}

interface HandshakeInfo {
  size: number;
  /** Transmission flags. */
  flags: number;
  maxRequest: number;
  metaContextId: number | undefined;
  structured: boolean;
}

async function handshake(
  socket: Socket,
  reader: SocketReader,
  exportName: string,
  describe: string,
): Promise<HandshakeInfo> {
  const hello = await reader.read(18);
  if (!hello.subarray(0, 8).equals(NBDMAGIC) || hello.readBigUInt64BE(8) !== IHAVEOPT) {
    throw new Error(`${describe}: not a newstyle NBD server`);
  }
  const serverFlags = hello.readUInt16BE(16);
  if (!(serverFlags & FLAG_FIXED_NEWSTYLE)) throw new Error(`${describe}: server does not support fixed newstyle`);
  const clientFlags = Buffer.alloc(4);
  clientFlags.writeUInt32BE(FLAG_FIXED_NEWSTYLE | (serverFlags & FLAG_NO_ZEROES));
  socket.write(clientFlags);

  const sendOption = (opt: number, data: Buffer): void => {
    const h = Buffer.alloc(16);
    h.writeBigUInt64BE(IHAVEOPT, 0);
    h.writeUInt32BE(opt, 8);
    h.writeUInt32BE(data.length, 12);
    socket.write(Buffer.concat([h, data]));
  };
  const readReply = async (): Promise<{ type: number; data: Buffer }> => {
    const h = await reader.read(20);
    if (h.readBigUInt64BE(0) !== OPT_REPLY_MAGIC) throw new Error(`${describe}: protocol error (option reply magic)`);
    const type = h.readUInt32BE(12);
    const data = await reader.read(h.readUInt32BE(16));
    return { type, data };
  };

  sendOption(OPT_STRUCTURED_REPLY, Buffer.alloc(0));
  const sr = await readReply();
  const structured = sr.type === REP_ACK;

  let metaContextId: number | undefined;
  if (structured) {
    const name = Buffer.from(exportName);
    const query = Buffer.from('base:allocation');
    const data = Buffer.alloc(4 + name.length + 4 + 4 + query.length);
    let p = data.writeUInt32BE(name.length, 0);
    p += name.copy(data, p);
    p = data.writeUInt32BE(1, p);
    p = data.writeUInt32BE(query.length, p);
    query.copy(data, p);
    sendOption(OPT_SET_META_CONTEXT, data);
    for (;;) {
      const r = await readReply();
      if (r.type === REP_META_CONTEXT && r.data.subarray(4).toString() === 'base:allocation') metaContextId = r.data.readUInt32BE(0);
      if (r.type === REP_ACK || r.type & REP_FLAG_ERROR) break;
    }
  }

  const name = Buffer.from(exportName);
  const go = Buffer.alloc(4 + name.length + 2 + 2);
  let p = go.writeUInt32BE(name.length, 0);
  p += name.copy(go, p);
  p = go.writeUInt16BE(1, p);
  go.writeUInt16BE(INFO_BLOCK_SIZE, p);
  sendOption(OPT_GO, go);
  let size: number | undefined;
  let flags = 0;
  let maxRequest = MAX_REQUEST;
  for (;;) {
    const r = await readReply();
    if (r.type & REP_FLAG_ERROR) {
      const msg = r.data.toString('utf8');
      throw new Error(`${describe}: export ${JSON.stringify(exportName)} refused (NBD_OPT_GO error ${r.type & 0x7fffffff}${msg ? `: ${msg}` : ''})`);
    }
    if (r.type === REP_INFO) {
      const info = r.data.readUInt16BE(0);
      if (info === INFO_EXPORT) {
        size = Number(r.data.readBigUInt64BE(2));
        flags = r.data.readUInt16BE(10);
      }
      if (info === INFO_BLOCK_SIZE) maxRequest = Math.min(MAX_REQUEST, r.data.readUInt32BE(10));
    }
    if (r.type === REP_ACK) break;
  }
  if (size === undefined) throw new Error(`${describe}: server sent no export size`);
  return { size, flags, maxRequest, metaContextId, structured };
}

const errnos: Record<number, string> = { 1: 'EPERM', 5: 'EIO', 12: 'ENOMEM', 22: 'EINVAL', 28: 'ENOSPC', 75: 'EOVERFLOW', 95: 'ENOTSUP', 108: 'ESHUTDOWN' };

function errnoName(n: number): string {
  return errnos[n] ?? `error ${n}`;
}
