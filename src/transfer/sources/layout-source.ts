import type { DiskSource, Extent, SourceKind, SourceStats, TargetWrites } from '../types.js';
import { readLayout, type FileReader, type FlatLayout } from '../vmdk.js';

export interface LayoutSourceParts {
  kind: SourceKind;
  layout: FlatLayout;
  /** Reads part of one extent file; must count what it fetches in `stats`. */
  readFile: FileReader;
  stats: SourceStats;
  parallelism: number;
  maxReadSize: number;
  chunkSize: number;
  targetWrites: TargetWrites;
  allocatedExtents?: () => Promise<Extent[] | undefined>;
  close: () => Promise<void>;
}

/** A disk made of flat extent files (a VMDK descriptor's layout) read through some file transport. */
export class LayoutSource implements DiskSource {
  readonly kind: SourceKind;
  readonly size: number;
  readonly parallelism: number;
  readonly maxReadSize: number;
  readonly chunkSize: number;
  readonly targetWrites: TargetWrites;
  readonly stats: SourceStats;
  private closing: Promise<void> | undefined;

  constructor(private readonly parts: LayoutSourceParts) {
    this.kind = parts.kind;
    this.size = parts.layout.size;
    this.parallelism = parts.parallelism;
    this.maxReadSize = parts.maxReadSize;
    this.chunkSize = parts.chunkSize;
    this.targetWrites = parts.targetWrites;
    this.stats = parts.stats;
  }

  read(buf: Buffer, offset: number): Promise<void> {
    return readLayout(this.parts.layout, this.parts.readFile, buf, offset);
  }

  async allocatedExtents(): Promise<Extent[] | undefined> {
    return this.parts.allocatedExtents ? this.parts.allocatedExtents() : undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.parts.close();
    return this.closing;
  }
}
