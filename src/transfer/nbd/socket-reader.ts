import type { Socket } from 'node:net';

interface Waiter {
  dst: Buffer;
  off: number;
  need: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * Exact-length reads from a stream socket: `readInto` copies incoming bytes straight into the caller's buffer,
 * so large NBD payloads are copied once.
 */
export class SocketReader {
  private queue: Buffer[] = [];
  private queued = 0;
  private waiter: Waiter | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket, describe: string) {
    socket.on('data', (d: Buffer) => this.push(d));
    socket.on('error', (e) => this.fail(new Error(`${describe}: ${e.message}`)));
    socket.on('close', () => this.fail(new Error(`${describe}: connection closed by the server`)));
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
    // Serve from the queue first.
    while (n > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      const take = Math.min(n, head.length);
      head.copy(dst, off, 0, take);
      off += take;
      n -= take;
      this.queued -= take;
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

  private push(d: Buffer): void {
    const w = this.waiter;
    if (w) {
      const take = Math.min(w.need, d.length);
      d.copy(w.dst, w.off, 0, take);
      w.off += take;
      w.need -= take;
      if (take < d.length) {
        this.queue.push(d.subarray(take));
        this.queued += d.length - take;
      }
      if (w.need === 0) {
        this.waiter = undefined;
        w.resolve();
      }
      return;
    }
    this.queue.push(d);
    this.queued += d.length;
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }
}
