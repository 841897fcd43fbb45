/**
 * The WebAssembly SIMD GEMM (gemm.wat, compiled at build time into gemm.generated.ts): the same
 * contract as the TypeScript `gemm`, about 8× faster on one thread (≈ 28 vs 3.3 GFLOP/s at
 * n = 1024 on the 2-core dev machine). Blocks of A, B and C are copied into the module's
 * fixed-size memory (TypedArray.set), packed into panels there, and multiplied by a 4×8 f32x4
 * micro-kernel that accumulates in float32 over blocks of at most 256 steps of k. Each thread
 * that imports this module gets its own instance and memory (4.6 MiB, never grown, so no
 * ArrayBuffer is ever detached), made synchronously on first use; where WebAssembly SIMD is
 * missing or compiling fails, `wasmGemm` returns false and callers run the TypeScript kernel.
 */
import { WASM_BASE64 } from './gemm.generated';

/** The part of the WebAssembly JS API used here (the repo's TypeScript libs do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

interface GemmExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  packA(src: number, si: number, sp: number, mc: number, kc: number, kcp: number, dst: number): void;
  packB(src: number, sp: number, sj: number, kc: number, nc: number, kcp: number, dst: number): void;
  kernel(pa: number, pb: number, c: number, ldc: number, kcp: number, mp: number, np: number, add: number): void;
}

/** Rows of A / columns of B per micro-tile (fixed by gemm.wat). */
const MR = 4;
const NR = 8;
/** Most steps of k per packed block. */
const KC = 256;
/** Most rows of A per packed block (a multiple of MR). */
const MC = 128;
/** Most columns of B per packed block (a multiple of NR). */
const NC = 2048;

// memory layout, in floats: packed B | B staging, then C staging | packed A | A staging
const PACKED_B = 0;
const SCRATCH = PACKED_B + KC * NC;
const SCRATCH_SIZE = KC * NC; // >= MC * NC: staged B (kc × nc) and staged C (≤ MC × NC) take turns here
const PACKED_A = SCRATCH + SCRATCH_SIZE;
const STAGED_A = PACKED_A + MC * KC;
const STAGED_A_SIZE = 4 * MC * KC;
/** Floats the layout needs: gemm.wat declares exactly this much memory (74 pages of 64 KiB). */
const FLOATS = STAGED_A + STAGED_A_SIZE;

interface Instance {
  readonly fn: GemmExports;
  /** A view of the whole memory: it never grows, so this view never detaches. */
  readonly mem: Float32Array;
}

/** undefined: not tried yet; null: unavailable here. */
let instance: Instance | null | undefined;

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function instantiate(): Instance | null {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return null;
    const bytes = decodeBase64(WASM_BASE64);
    if (!wasm.validate(bytes)) return null; // no SIMD in this engine
    // synchronous, so it works at first use in any thread; the module is small enough (< 4 KiB) for browsers' main thread too
    const fn = new wasm.Instance(new wasm.Module(bytes), {}).exports as GemmExports;
    const mem = new Float32Array(fn.memory.buffer);
    if (mem.length < FLOATS) return null;
    return { fn, mem };
  } catch {
    return null;
  }
}

function getInstance(): Instance | null {
  if (instance === undefined) instance = instantiate();
  return instance;
}

/**
 * Whether the WebAssembly SIMD GEMM runs in this thread (instantiating it on first call).
 *
 * @example
 * ```ts
 * if (!wasmGemmAvailable()) console.warn('no WebAssembly SIMD: matmul runs the TypeScript kernel');
 * ```
 */
export function wasmGemmAvailable(): boolean {
  return getInstance() !== null;
}

/** `n` split into ⌈n / most⌉ near-equal blocks, each rounded up to a multiple of `unit`. */
function blockSize(n: number, most: number, unit: number): number {
  const blocks = Math.ceil(n / most);
  return Math.ceil(Math.ceil(n / blocks) / unit) * unit;
}

/**
 * Copy `runs` runs of `len` floats, run `r` at `src[off + r·ld ...]`, into `mem` at `dst`; returns
 * the leading dimension of the copy there: `ld` when one span copy (gaps included) was cheaper,
 * else `len` (runs packed end to end).
 */
function stage(mem: Float32Array, src: Float32Array, off: number, runs: number, len: number, ld: number, dst: number, capacity: number): number {
  const span = (runs - 1) * ld + len;
  if (runs === 1 || ld === len || (span <= capacity && span <= 2 * runs * len)) {
    mem.set(src.subarray(off, off + span), dst);
    return ld;
  }
  if (len < 32) {
    for (let r = 0; r < runs; r++) for (let t = 0, s = off + r * ld, d = dst + r * len; t < len; t++) mem[d + t] = src[s + t]!;
  } else {
    for (let r = 0; r < runs; r++) mem.set(src.subarray(off + r * ld, off + r * ld + len), dst + r * len);
  }
  return len;
}

/**
 * `gemm`'s contract (see kernels/gemm.ts) on the WebAssembly kernel: `C[i, :] (+)= Σ_p A[i, p]·B[p, :]`
 * for rows `[rowStart, rowEnd)`, A `m × k` (stored transposed with `transA`), B `k × n` (likewise).
 * Returns false, doing nothing, when WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([1, 0, 0, 1]), c = new Float32Array(4);
 * wasmGemm(a, 0, false, b, 0, false, c, 0, 2, 2, 2, 0, 2, false); // true; c = [1, 2, 3, 4]
 * ```
 */
export function wasmGemm(
  a: Float32Array,
  aOff: number,
  transA: boolean,
  b: Float32Array,
  bOff: number,
  transB: boolean,
  c: Float32Array,
  cOff: number,
  m: number,
  n: number,
  k: number,
  rowStart: number,
  rowEnd: number,
  accumulate: boolean,
): boolean {
  const inst = getInstance();
  if (inst === null) return false;
  const rows = rowEnd - rowStart;
  if (rows <= 0 || n === 0 || k === 0) return false; // the TypeScript kernel's early exits handle these
  const { fn, mem } = inst;
  const kcMax = blockSize(k, KC, 1);
  const mcMax = blockSize(rows, MC, MR);
  const ncMax = blockSize(n, NC, NR);
  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = Math.min(ncMax, n - jc);
    const np = Math.ceil(nc / NR);
    const ldc = np * NR;
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      const kcp = kc;
      // B[pc .. pc+kc, jc .. jc+nc] into the scratch area, then packed
      if (transB) {
        const ld = stage(mem, b, bOff + jc * k + pc, nc, kc, k, SCRATCH, SCRATCH_SIZE);
        fn.packB(SCRATCH * 4, 4, ld * 4, kc, nc, kcp, PACKED_B * 4);
      } else {
        const ld = stage(mem, b, bOff + pc * n + jc, kc, nc, n, SCRATCH, SCRATCH_SIZE);
        fn.packB(SCRATCH * 4, ld * 4, 4, kc, nc, kcp, PACKED_B * 4);
      }
      const add = accumulate || pc > 0;
      for (let ic = rowStart; ic < rowEnd; ic += mcMax) {
        const mc = Math.min(mcMax, rowEnd - ic);
        if (transA) {
          const ld = stage(mem, a, aOff + pc * m + ic, kc, mc, m, STAGED_A, STAGED_A_SIZE);
          fn.packA(STAGED_A * 4, 4, ld * 4, mc, kc, kcp, PACKED_A * 4);
        } else {
          const ld = stage(mem, a, aOff + ic * k + pc, mc, kc, k, STAGED_A, STAGED_A_SIZE);
          fn.packA(STAGED_A * 4, ld * 4, 4, mc, kc, kcp, PACKED_A * 4);
        }
        // C block rows ic .. ic+mc, columns jc .. jc+nc, staged with row stride ldc (≥ nc: padded tiles land in the gap)
        const cAt = cOff + ic * n + jc;
        const whole = nc === n && ldc === n;
        if (add) {
          if (whole) mem.set(c.subarray(cAt, cAt + mc * n), SCRATCH);
          else if (nc < 32) for (let i = 0; i < mc; i++) for (let j = 0, s = cAt + i * n, d = SCRATCH + i * ldc; j < nc; j++) mem[d + j] = c[s + j]!;
          else for (let i = 0; i < mc; i++) mem.set(c.subarray(cAt + i * n, cAt + i * n + nc), SCRATCH + i * ldc);
        }
        fn.kernel(PACKED_A * 4, PACKED_B * 4, SCRATCH * 4, ldc * 4, kcp, Math.ceil(mc / MR), np, add ? 1 : 0);
        if (whole) c.set(mem.subarray(SCRATCH, SCRATCH + mc * n), cAt);
        else if (nc < 32) for (let i = 0; i < mc; i++) for (let j = 0, s = SCRATCH + i * ldc, d = cAt + i * n; j < nc; j++) c[d + j] = mem[s + j]!;
        else for (let i = 0; i < mc; i++) c.set(mem.subarray(SCRATCH + i * ldc, SCRATCH + i * ldc + nc), cAt + i * n);
      }
    }
  }
  return true;
}
