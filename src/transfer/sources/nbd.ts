import { NbdClient } from '../nbd/client.js';
import type { NbdServer } from '../nbd/server-process.js';
import type { DiskSource, Extent, SourceKind, SourceStats } from '../types.js';

/**
 * A disk read over NBD from a Unix socket, optionally owning the server process that serves it
 * (nbdkit for vddk, qemu-nbd for sparse VMDKs); `close` disconnects and stops that process.
 */
export class NbdSource implements DiskSource {
  readonly size: number;
  readonly parallelism = 8;
  readonly maxReadSize: number;
  private closed: Promise<void> | undefined;

  private constructor(
    readonly kind: SourceKind,
    private readonly client: NbdClient,
    private readonly server: NbdServer | undefined,
    private readonly requests: { n: number },
  ) {
    this.size = client.size;
    this.maxReadSize = 64 * 1024 * 1024;
  }

  /** Connect to `socketPath`; when `server` is given the source owns it and stops it on close (also on a failed connect). */
  static async open(kind: SourceKind, socketPath: string, server?: NbdServer): Promise<NbdSource> {
    try {
      const client = await NbdClient.connect({ socketPath });
      return new NbdSource(kind, client, server, { n: 0 });
    } catch (e) {
      await server?.stop();
      throw e;
    }
  }

  get stats(): SourceStats {
    return { bytesRead: this.client.bytesReceived, requests: this.requests.n };
  }

  /** The NBD URI of the server, for external tools such as nbdcopy. */
  get uri(): string | undefined {
    return this.server?.uri;
  }

  async read(buf: Buffer, offset: number): Promise<void> {
    this.requests.n++;
    await this.client.read(buf, offset);
  }

  async allocatedExtents(): Promise<Extent[] | undefined> {
    return this.client.canBlockStatus ? this.client.allocatedExtents() : undefined;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      try {
        await this.client.close();
      } finally {
        await this.server?.stop();
      }
    })();
    return this.closed;
  }
}
