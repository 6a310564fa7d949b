import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { DiskSource } from './types.js';

/**
 * SHA-256 of whole disks, for `verify: true` after a delta sync (a full copy hashes its source in-line, see
 * copyDisk's `hashSource`). Reads in order with a few reads ahead.
 */
export async function sha256OfSource(source: DiskSource, opts: { chunkSize?: number; signal?: AbortSignal } = {}): Promise<string> {
  const chunk = Math.min(opts.chunkSize ?? source.chunkSize, source.maxReadSize);
  const hash = createHash('sha256');
  const ahead = Math.max(1, Math.min(source.parallelism, 8));
  const inflight: { buf: Buffer; p: Promise<void> }[] = [];
  let pos = 0;
  const issue = (): void => {
    const len = Math.min(chunk, source.size - pos);
    const buf = Buffer.allocUnsafe(len);
    inflight.push({ buf, p: source.read(buf, pos) });
    pos += len;
  };
  try {
    while (pos < source.size && inflight.length < ahead) issue();
    while (inflight.length > 0) {
      opts.signal?.throwIfAborted();
      const head = inflight.shift()!;
      await head.p;
      hash.update(head.buf);
      if (pos < source.size) issue();
    }
  } finally {
    await Promise.allSettled(inflight.map((x) => x.p));
  }
  return hash.digest('hex');
}

/** SHA-256 of the first `size` bytes of a written volume (block device or file). */
export async function sha256OfPath(path: string, size: number, signal?: AbortSignal): Promise<string> {
  const fh = await open(path, 'r');
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  try {
    let pos = 0;
    while (pos < size) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) throw new Error(`${path} ended at ${pos} bytes, expected ${size}`);
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}
