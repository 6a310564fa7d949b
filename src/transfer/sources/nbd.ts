import { NbdClient } from '../nbd/client.js';
import type { NbdServer } from '../nbd/server-process.js';
import { type DiskSource, type Extent, LOCAL_CHUNK_SIZE, type SourceKind, type SourceStats } from '../types.js';

/**
 * A disk read over NBD from a Unix socket, optionally owning the server process that serves it
 * (nbdkit for vddk, qemu-nbd for sparse VMDKs); `close` disconnects and stops that process.
 * When the server allows it (multi-conn), reads are spread over several connections.
 */
export class NbdSource implements DiskSource {
  readonly size: number;
  readonly parallelism = 8;
  readonly maxReadSize: number;
  readonly chunkSize = LOCAL_CHUNK_SIZE;
  readonly targetWrites = 'direct';
  private closed: Promise<void> | undefined;

  private turn = 0;

  private constructor(
    readonly kind: SourceKind,
    private readonly clients: NbdClient[],
    private readonly server: NbdServer | undefined,
    private readonly requests: { n: number },
  ) {
    this.size = clients[0]!.size;
    this.maxReadSize = 64 * 1024 * 1024;
  }

  /**
   * Connect to `socketPath` (up to `connections`, default 4, when the server allows multi-conn); when `server` is
   * given the source owns it and stops it on close (also on a failed connect).
   */
  static async open(kind: SourceKind, socketPath: string, server?: NbdServer, connections = 4): Promise<NbdSource> {
    const clients: NbdClient[] = [];
    try {
      clients.push(await NbdClient.connect({ socketPath }));
      if (clients[0]!.canMultiConn) {
        const more = await Promise.allSettled(Array.from({ length: connections - 1 }, () => NbdClient.connect({ socketPath })));
        for (const m of more) if (m.status === 'fulfilled') clients.push(m.value);
        const failed = more.find((m) => m.status === 'rejected');
        if (failed) throw failed.reason;
      }
      return new NbdSource(kind, clients, server, { n: 0 });
    } catch (e) {
      await Promise.allSettled(clients.map((c) => c.close()));
      await server?.stop();
      throw e;
    }
  }

  get stats(): SourceStats {
    return { bytesRead: this.clients.reduce((s, c) => s + c.bytesReceived, 0), requests: this.requests.n };
  }

  /** The NBD URI of the server, for external tools such as nbdcopy. */
  get uri(): string | undefined {
    return this.server?.uri;
  }

  async read(buf: Buffer, offset: number): Promise<void> {
    this.requests.n++;
    await this.clients[this.turn++ % this.clients.length]!.read(buf, offset);
  }

  async allocatedExtents(): Promise<Extent[] | undefined> {
    const c = this.clients[0]!;
    return c.canBlockStatus ? c.allocatedExtents() : undefined;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      try {
        await Promise.allSettled(this.clients.map((c) => c.close()));
      } finally {
        await this.server?.stop();
      }
    })();
    return this.closed;
  }
}
