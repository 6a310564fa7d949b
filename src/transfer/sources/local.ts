import { open, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { z } from 'zod';
import { startNbdServer } from '../nbd/server-process.js';
import { runCommand } from '../../util/process.js';
import { type DiskSource, type Extent, LOCAL_CHUNK_SIZE, type SourceStats } from '../types.js';
import { flatLayout, isBinarySparseVmdk, isFlat, layoutAllocation, parseVmdkDescriptor } from '../vmdk.js';
import { LayoutSource } from './layout-source.js';
import { NbdSource } from './nbd.js';


/**
 * `local` source (upstream's `localdiskpath`): the datastore is mounted on the conversion host (e.g. NFS).
 * Flat extents are read directly from their files (holes skipped through `qemu-img map`); sparse or delta VMDKs
 * are served by `qemu-nbd --read-only` on a private Unix socket and read over NBD.
 */
export interface LocalSourceOptions {
  /** Path of the disk's `.vmdk` descriptor (or binary sparse VMDK) on the conversion host. */
  path: string;
  /** Name used for the qemu-nbd socket when one is needed, e.g. `<SafeVmName>-<runid>`. */
  name: string;
  onOutput?: (line: string) => void;
}

/** Where a VMware backing file name (`[datastore1] vm/vm.vmdk`) lives under a local mount of its datastore. */
export function localDiskPath(localdiskpath: string, backingFileName: string): string {
  const rel = backingFileName.replace(/^\s*\[[^\]]*\]\s*/, '').trim();
  if (!rel || isAbsolute(rel) || rel.split('/').includes('..')) {
    throw new Error(`unexpected backing file name ${JSON.stringify(backingFileName)}`);
  }
  return join(localdiskpath, rel);
}

export async function openLocalSource(opts: LocalSourceOptions): Promise<DiskSource> {
  const head = await readHead(opts.path);
  if (!isBinarySparseVmdk(head)) {
    const desc = parseVmdkDescriptor(head.toString('utf8'), opts.path);
    if (isFlat(desc)) return openFlat(opts.path, desc);
  }
  const server = await startNbdServer({
    command: 'qemu-nbd',
    name: opts.name,
    args: (socket) => ['--read-only', '--persistent', '--shared=8', '--format=vmdk', `--socket=${socket}`, opts.path],
    onOutput: opts.onOutput,
  });
  return NbdSource.open('local', server.socketPath, server);
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot open local disk ${path}: ${e.code ?? e.message}; check the datastore mount (localdiskpath)`);
  });
  try {
    const b = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function openFlat(path: string, desc: ReturnType<typeof parseVmdkDescriptor>): Promise<DiskSource> {
  const layout = flatLayout(desc, path);
  const dir = dirname(path);
  const handles = new Map<string, FileHandle>();
  const stats: SourceStats = { bytesRead: 0, requests: 0 };
  const close = async (): Promise<void> => {
    await Promise.all([...handles.values()].map((h) => h.close()));
    handles.clear();
  };
  try {
    for (const e of layout.extents) {
      if (e.file !== undefined && !handles.has(e.file)) {
        const p = join(dir, posix.normalize(e.file));
        handles.set(
          e.file,
          await open(p, 'r').catch((err: NodeJS.ErrnoException) => {
            throw new Error(`cannot open extent ${p} of ${path}: ${err.code ?? err.message}`);
          }),
        );
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  const readFile = async (file: string, buf: Buffer, fileOffset: number): Promise<void> => {
    const fh = handles.get(file)!;
    stats.requests++;
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await fh.read(buf, done, buf.length - done, fileOffset + done);
      if (bytesRead === 0) {
        // A flat extent shorter than the descriptor says reads as zeros (VMware pads the same way).
        buf.fill(0, done);
        break;
      }
      done += bytesRead;
      stats.bytesRead += bytesRead;
    }
  };
  const allocatedExtents = async (): Promise<Extent[]> => {
    const files = new Map<string, Extent[]>();
    for (const file of handles.keys()) files.set(file, await fileAllocation(join(dir, posix.normalize(file))));
    return layoutAllocation(layout, files);
  };
  return new LayoutSource({ kind: 'local', layout, readFile, stats, parallelism: 8, maxReadSize: 64 * 1024 * 1024, chunkSize: LOCAL_CHUNK_SIZE, targetWrites: 'cached', allocatedExtents, close });
}

const mapEntry = z.object({ start: z.number(), length: z.number(), data: z.boolean(), zero: z.boolean() });

/** Ranges of a raw file holding data, from `qemu-img map` (which asks the file system for holes). */
export async function fileAllocation(path: string): Promise<Extent[]> {
  const { stdout } = await runCommand('qemu-img', ['map', '--output=json', '-f', 'raw', path], { maxBuffer: 256 * 1024 * 1024 }).catch(
    (e: Error & { stderr?: string }) => {
      throw new Error(`qemu-img map ${path} failed: ${e.stderr?.trim() || e.message} (is qemu-utils installed?)`);
    },
  );
  const out: Extent[] = [];
  for (const m of z.array(mapEntry).parse(JSON.parse(stdout))) {
    if (!m.data || m.zero) continue;
    const last = out[out.length - 1];
    if (last && last.start + last.length === m.start) last.length += m.length;
    else out.push({ start: m.start, length: m.length });
  }
  return out;
}
