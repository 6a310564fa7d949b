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
  const stride = Math.ceil(size / PAGE) * PAGE;
  const pages = Math.max(1, Math.ceil((count * stride) / WASM_PAGE));
  let memory: ArrayBuffer | undefined;
  try {
    memory = wasm && new wasm.Memory({ initial: pages, maximum: pages }).buffer;
  } catch {
    memory = undefined;
  }
  if (memory) alignedMemories.add(memory);
  return Array.from({ length: count }, (_, i) => (memory ? Buffer.from(memory, i * stride, size) : Buffer.allocUnsafeSlow(size)));
}

/** `buf` starts on a page boundary (it lies in a memory from `pageAlignedBuffers`). */
export function isPageAligned(buf: Buffer): boolean {
  return alignedMemories.has(buf.buffer) && buf.byteOffset % PAGE === 0;
}
