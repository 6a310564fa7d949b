/**
 * Page-aligned buffers, for O_DIRECT I/O. `Buffer.alloc*` memory comes from malloc, whose large blocks start 16 bytes
 * into a page; a WebAssembly memory is mapped on its own and starts on a page boundary.
 */
export const PAGE = 4096;

const WASM_PAGE = 64 * 1024;
const alignedMemories = new WeakSet<ArrayBufferLike>();

/** The WebAssembly global, which this project's TypeScript libraries (no DOM) do not declare. */
const wasm = (globalThis as { WebAssembly?: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly;

/**
 * `count` buffers of `size` bytes carved from one page-aligned memory (each starts on a page boundary). When no such
 * memory can be had, plain buffers: they work everywhere, `isPageAligned` just says no.
 */
export function pageAlignedBuffers(count: number, size: number): Buffer[] {
  return carve(newMemory(count, size), count, size);
}

/** Buffers lent to one copy; `release` hands their memory to the next lease (call it only once nothing uses them). */
export interface AlignedLease {
  buffers: Buffer[];
  release(): void;
}

/** The memory of the last released lease, kept for the next one (one only, so it never adds to a copy's peak). */
let idle: ArrayBuffer | undefined;

/**
 * Like `pageAlignedBuffers`, reusing the memory of an earlier lease when it is large enough: a fresh memory per copy
 * costs a page fault per 4 KiB on first use and, a few copies on, a full garbage collection to unmap the old ones
 * (both together 10-20% of the CPU of a 64 MiB CBT delta over NBD).
 */
export function leasePageAlignedBuffers(count: number, size: number): AlignedLease {
  const need = count * stride(size);
  let memory = idle && idle.byteLength >= need ? idle : undefined;
  if (memory) idle = undefined;
  else memory = newMemory(count, size);
  return {
    buffers: carve(memory, count, size),
    release: () => {
      if (memory && (!idle || idle.byteLength < memory.byteLength)) idle = memory;
      memory = undefined;
    },
  };
}

function stride(size: number): number {
  return Math.ceil(size / PAGE) * PAGE;
}

function newMemory(count: number, size: number): ArrayBuffer | undefined {
  const pages = Math.max(1, Math.ceil((count * stride(size)) / WASM_PAGE));
  let memory: ArrayBuffer | undefined;
  try {
    memory = wasm && new wasm.Memory({ initial: pages, maximum: pages }).buffer;
  } catch {
    memory = undefined;
  }
  if (memory) alignedMemories.add(memory);
  return memory;
}

function carve(memory: ArrayBuffer | undefined, count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => (memory ? Buffer.from(memory, i * stride(size), size) : Buffer.allocUnsafeSlow(size)));
}

/** `buf` starts on a page boundary (it lies in a memory from `pageAlignedBuffers`). */
export function isPageAligned(buf: Buffer): boolean {
  return alignedMemories.has(buf.buffer) && buf.byteOffset % PAGE === 0;
}
