/** Instantiating this package's WebAssembly SIMD modules, synchronously, in whatever thread asks. */
import { withV8Flag } from '@tensorgrad/core';

/** The part of the WebAssembly JS API used here (the repo's TypeScript libs do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBufferLike };
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/**
 * A generated module's bytes from its literal: one character each, shifted up by 47
 * (scripts/build-wasm.mjs's BYTE_SHIFT).
 *
 * @example
 * ```ts
 * decodeBytes(WASM_BYTES); // Uint8Array [0, 97, 115, 109, ...]: "\0asm"
 * ```
 */
export function decodeBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = (text.charCodeAt(i) - 47) & 255;
  return bytes;
}

/**
 * The exports of a new instance of the module whose bytes are the characters of `binary` (with `imports`, none by default), or
 * null where the engine lacks WebAssembly or SIMD (the module does not validate) or instantiation
 * fails. Synchronous, so it works at first use in any thread; the modules are small enough (a few
 * KiB) for browsers' main thread too. With `relaxed` (a relaxed-SIMD module) that the engine does
 * not validate as it is, it is compiled once more with V8's `--experimental-wasm-relaxed-simd`
 * turned on (and left on, so that threads compiling at once never see it off: see `withV8Flag`):
 * Node 20's V8 (11.3) has relaxed SIMD complete behind that flag; Node 22 and current browsers
 * have it on.
 *
 * @example
 * ```ts
 * const fn = instantiateSimd<{ memory: { buffer: ArrayBuffer } }>(WASM_BYTES);
 * ```
 */
export function instantiateSimd<T>(binary: string, imports: object = {}, relaxed = false): T | null {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return null;
    const bytes = decodeBytes(binary);
    // null: no SIMD (or, for a shared memory, no threads; for a relaxed module, no relaxed SIMD) in this engine
    const make = () => (wasm.validate(bytes) ? (new wasm.Instance(new wasm.Module(bytes), imports).exports as T) : null);
    return make() ?? (relaxed ? withV8Flag('experimental-wasm-relaxed-simd', make) : null);
  } catch {
    return null;
  }
}

/**
 * A new shared `WebAssembly.Memory` of exactly `pages` pages of 64 KiB (it never grows), or null
 * where the engine lacks WebAssembly threads or `SharedArrayBuffer` (a browser page that is not
 * cross-origin isolated) or cannot reserve it.
 *
 * @example
 * ```ts
 * const memory = sharedMemory(100); // postMessage it to a worker: both threads see one memory
 * ```
 */
export function sharedMemory(pages: number): { readonly buffer: ArrayBufferLike } | null {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    return wasm === undefined ? null : new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}
