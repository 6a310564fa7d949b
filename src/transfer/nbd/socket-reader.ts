import type { OnReadOpts, Socket } from 'node:net';

interface Waiter {
  dst: Buffer;
  off: number;
  need: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Payloads at least this large are read by the kernel straight into the caller's buffer. */
const DIRECT_MIN = 64 * 1024;

/**
 * Bytes asked from the kernel for a small read (a reply header): a few headers at once, and little of the payload
 * that follows, since that part is copied twice (into the queue, then into the caller's buffer) and allocated.
 * 256 KiB here copied and allocated a quarter of every 1 MiB payload, and the garbage collector then took 10% of the
 * copy's CPU.
 */
const SMALL_READ = 4096;

/**
 * Exact-length reads from a stream socket. Used through `onread` (see `socketOptions`): when a large payload is
 * awaited, the socket reads straight into the caller's buffer (one syscall for up to the whole payload, no copy);
 * small reads (headers) go through a scratch buffer and a queue.
 */
export class SocketReader {
  private queue: Buffer[] = [];
  private waiter: Waiter | undefined;
  private failure: Error | undefined;
  private readonly scratch = Buffer.allocUnsafe(SMALL_READ);
  private direct = false;

  constructor(private readonly describe: string) {}

  /** Options for `net.connect` that route the socket's reads through this reader. */
  socketOptions(): OnReadOpts {
    return {
      buffer: () => this.nextBuffer(),
      callback: (n: number, buf: Uint8Array) => {
        this.onRead(n, buf);
        return true;
      },
    };
  }

  /** Watch the connected socket for errors and close. */
  attach(socket: Socket): void {
    socket.on('error', (e) => this.fail(new Error(`${this.describe}: ${e.message}`)));
    socket.on('close', () => this.fail(new Error(`${this.describe}: connection closed by the server`)));
  }

  /** Read exactly `n` bytes into a new buffer. */
  async read(n: number): Promise<Buffer> {
    const b = Buffer.allocUnsafe(n);
    await this.readInto(b, 0, n);
    return b;
  }

  /** Read exactly `n` bytes into `dst` at `off`. Only one read may be pending at a time. */
  readInto(dst: Buffer, off: number, n: number): Promise<void> {
    if (n === 0) return Promise.resolve();
    while (n > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      const take = Math.min(n, head.length);
      head.copy(dst, off, 0, take);
      off += take;
      n -= take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    if (n === 0) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { dst, off, need: n, resolve, reject };
    });
  }

  /** Discard exactly `n` bytes. */
  async skip(n: number): Promise<void> {
    if (n > 0) await this.read(n);
  }

  private nextBuffer(): Buffer {
    const w = this.waiter;
    this.direct = w !== undefined && w.need >= DIRECT_MIN && this.queue.length === 0;
    return this.direct ? w!.dst.subarray(w!.off, w!.off + w!.need) : this.scratch;
  }

  private onRead(n: number, buf: Uint8Array): void {
    if (n <= 0) return;
    if (this.direct && this.waiter && buf !== this.scratch) {
      const w = this.waiter;
      w.off += n;
      w.need -= n;
      if (w.need === 0) {
        this.waiter = undefined;
        w.resolve();
      }
      return;
    }
    // The scratch buffer is reused by the next read: keep a copy of what is not consumed right away.
    let d = Buffer.from(buf.buffer, buf.byteOffset, n);
    const w = this.waiter;
    if (w) {
      const take = Math.min(w.need, n);
      d.copy(w.dst, w.off, 0, take);
      w.off += take;
      w.need -= take;
      d = d.subarray(take);
      if (w.need === 0) {
        this.waiter = undefined;
        w.resolve();
      }
    }
    if (d.length > 0) this.queue.push(Buffer.from(d));
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }
}
