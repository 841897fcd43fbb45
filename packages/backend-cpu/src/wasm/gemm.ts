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
import { instantiateSimd } from './instantiate';

interface GemmExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  packA(src: number, si: number, sp: number, mc: number, kc: number, kcp: number, dst: number): void;
  packB(src: number, sp: number, sj: number, kc: number, nc: number, kcp: number, dst: number): void;
  kernel(pa: number, pb: number, c: number, ldc: number, kcp: number, mp: number, np: number, add: number): void;
  im2col(src: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, ow: number, r0: number, nr: number, p0: number, np: number, dst: number, ld: number): void;
  col2im(dst: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, ow: number, r0: number, nr: number, c0: number, p0: number, np: number, src: number, ld: number): void;
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

// memory layout, in floats: packed B | B staging, then C staging | packed A | A staging | one image
const PACKED_B = 0;
const SCRATCH = PACKED_B + KC * NC;
const SCRATCH_SIZE = KC * NC; // >= MC * NC: staged B (kc × nc) and staged C (≤ MC × NC) take turns here
const PACKED_A = SCRATCH + SCRATCH_SIZE;
const STAGED_A = PACKED_A + MC * KC;
const STAGED_A_SIZE = 4 * MC * KC;
/** A convolution's input image (all its channels) while its column matrix is built from it. */
const IMAGE = STAGED_A + STAGED_A_SIZE;
const IMAGE_SIZE = 256 * 1024;
/** Floats the layout needs: gemm.wat declares exactly this much memory (90 pages of 64 KiB). */
const FLOATS = IMAGE + IMAGE_SIZE;

interface Instance {
  readonly fn: GemmExports;
  /** A view of the whole memory: it never grows, so this view never detaches. */
  readonly mem: Float32Array;
}

/** undefined: not tried yet; null: unavailable here. */
let instance: Instance | null | undefined;

function instantiate(): Instance | null {
  const fn = instantiateSimd<GemmExports>(WASM_BASE64);
  if (fn === null) return null;
  const mem = new Float32Array(fn.memory.buffer);
  return mem.length < FLOATS ? null : { fn, mem };
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
  if (rowEnd - rowStart <= 0 || n === 0 || k === 0) return false; // the TypeScript kernel's early exits handle these
  const { fn, mem } = inst;
  // B[pc .. pc+kc, jc .. jc+nc] into the scratch area, then packed
  const packB = transB
    ? (pc: number, kc: number, jc: number, nc: number) => {
        const ld = stage(mem, b, bOff + jc * k + pc, nc, kc, k, SCRATCH, SCRATCH_SIZE);
        fn.packB(SCRATCH * 4, 4, ld * 4, kc, nc, kc, PACKED_B * 4);
      }
    : (pc: number, kc: number, jc: number, nc: number) => {
        const ld = stage(mem, b, bOff + pc * n + jc, kc, nc, n, SCRATCH, SCRATCH_SIZE);
        fn.packB(SCRATCH * 4, ld * 4, 4, kc, nc, kc, PACKED_B * 4);
      };
  blocked(inst, a, aOff, transA, packB, c, cOff, m, n, k, rowStart, rowEnd, accumulate);
  return true;
}

/** What a convolution's products need to know about its input image and window. */
export interface WasmConvGeometry {
  /** Channels, height and width of the image. */
  readonly c: number;
  readonly h: number;
  readonly w: number;
  /** Window height and width. */
  readonly kh: number;
  readonly kw: number;
  /** Output height and width. */
  readonly oh: number;
  readonly ow: number;
  readonly stride: number;
  readonly padding: number;
}

/** Copy one image into the module's image area; false when it does not fit (callers fall back). */
function stageImage(mem: Float32Array, x: Float32Array, xOff: number, g: WasmConvGeometry): boolean {
  const size = g.c * g.h * g.w;
  if (size > IMAGE_SIZE || size === 0) return false;
  mem.set(x.subarray(xOff, xOff + size), IMAGE);
  return true;
}

/**
 * One image of conv2d on the WebAssembly kernel: output rows (channels) `[o0, o1)` of
 * `out[outOff ...]` (`[o, oh·ow]`) = `weight` (`[o, c·kh·kw]`) · im2col(image at `x[xOff ...]`).
 * The column matrix is built block by block inside the module (never in JavaScript). Returns false,
 * doing nothing, where WebAssembly SIMD is missing or the image is larger than the module's image area.
 *
 * @example
 * ```ts
 * const g = { c: 1, h: 3, w: 3, kh: 2, kw: 2, oh: 2, ow: 2, stride: 1, padding: 0 };
 * wasmConvForward(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 0, g, new Float32Array([1, 0, 0, 1]), 1, new Float32Array(4), 0, 0, 1); // [6, 8, 12, 14]
 * ```
 */
export function wasmConvForward(x: Float32Array, xOff: number, g: WasmConvGeometry, weight: Float32Array, o: number, out: Float32Array, outOff: number, o0: number, o1: number): boolean {
  const inst = getInstance();
  if (inst === null || o1 <= o0 || !stageImage(inst.mem, x, xOff, g)) return false;
  const { fn } = inst;
  const ckk = g.c * g.kh * g.kw;
  // B = the column matrix [ckk, oh·ow]: block rows are (channel, ki, kj), columns pixels
  const packB = (pc: number, kc: number, jc: number, nc: number) => {
    fn.im2col(IMAGE * 4, g.h, g.w, g.kh, g.kw, g.stride, g.padding, g.ow, pc, kc, jc, nc, SCRATCH * 4, nc * 4);
    fn.packB(SCRATCH * 4, nc * 4, 4, kc, nc, kc, PACKED_B * 4);
  };
  blocked(inst, weight, 0, false, packB, out, outOff, o, g.oh * g.ow, ckk, o0, o1, false);
  return true;
}

/**
 * One image's share of conv2d's weight gradient on the WebAssembly kernel: rows (output channels)
 * `[o0, o1)` of `dw` (`[o, c·kh·kw]`) (+)= `dy[dyOff ...]` (`[o, oh·ow]`) · im2col(image)ᵀ, adding
 * when `accumulate`. Returns false, doing nothing, where {@link wasmConvForward} would.
 *
 * @example
 * ```ts
 * const g = { c: 1, h: 3, w: 3, kh: 2, kw: 2, oh: 2, ow: 2, stride: 1, padding: 0 };
 * wasmConvWeightGrad(new Float32Array(9).fill(1), 0, g, new Float32Array(4).fill(1), 0, 1, new Float32Array(4), 0, 1, false); // dw = [4, 4, 4, 4]
 * ```
 */
export function wasmConvWeightGrad(
  x: Float32Array,
  xOff: number,
  g: WasmConvGeometry,
  dy: Float32Array,
  dyOff: number,
  o: number,
  dw: Float32Array,
  o0: number,
  o1: number,
  accumulate: boolean,
): boolean {
  const inst = getInstance();
  if (inst === null || o1 <= o0 || !stageImage(inst.mem, x, xOff, g)) return false;
  const { fn } = inst;
  const ckk = g.c * g.kh * g.kw;
  // B = the column matrix transposed [oh·ow, ckk]: block rows are pixels, columns (channel, ki, kj);
  // im2col writes it as nc rows of kc pixels, i.e. B stored transposed
  const packB = (pc: number, kc: number, jc: number, nc: number) => {
    fn.im2col(IMAGE * 4, g.h, g.w, g.kh, g.kw, g.stride, g.padding, g.ow, jc, nc, pc, kc, SCRATCH * 4, kc * 4);
    fn.packB(SCRATCH * 4, 4, kc * 4, kc, nc, kc, PACKED_B * 4);
  };
  blocked(inst, dy, dyOff, false, packB, dw, 0, o, ckk, g.oh * g.ow, o0, o1, accumulate);
  return true;
}

/**
 * One image's share of conv2d's input gradient on the WebAssembly kernel: channels `[c0, c1)` of
 * the image at `dx[dxOff ...]` (`[c, h, w]`) = col2im(`weight`ᵀ · `dy[dyOff ...]`), the column
 * matrix folded back inside the module block by block. Returns false, doing nothing, where
 * {@link wasmConvForward} would, or when the output channels exceed one block of the product's depth.
 *
 * @example
 * ```ts
 * const g = { c: 1, h: 3, w: 3, kh: 2, kw: 2, oh: 2, ow: 2, stride: 1, padding: 0 };
 * wasmConvInputGrad(new Float32Array([1, 1, 1, 1]), 0, g, new Float32Array([1, 0, 0, 1]), 1, new Float32Array(9), 0, 0, 1); // dx = [1, 1, 0, 1, 2, 1, 0, 1, 1]
 * ```
 */
export function wasmConvInputGrad(
  dy: Float32Array,
  dyOff: number,
  g: WasmConvGeometry,
  weight: Float32Array,
  o: number,
  dx: Float32Array,
  dxOff: number,
  c0: number,
  c1: number,
): boolean {
  const inst = getInstance();
  const size = (c1 - c0) * g.h * g.w;
  if (inst === null || c1 <= c0 || size > IMAGE_SIZE || o > KC) return false;
  const { fn, mem } = inst;
  const kk = g.kh * g.kw;
  const ohw = g.oh * g.ow;
  mem.fill(0, IMAGE, IMAGE + size);
  // B = dy [o, oh·ow], staged as any matrix; each block of Wᵀ·dy is folded into the image as it comes
  const packB = (pc: number, kc: number, jc: number, nc: number) => {
    const ld = stage(mem, dy, dyOff + pc * ohw + jc, kc, nc, ohw, SCRATCH, SCRATCH_SIZE);
    fn.packB(SCRATCH * 4, ld * 4, 4, kc, nc, kc, PACKED_B * 4);
  };
  const fold = (ic: number, mc: number, jc: number, nc: number, ldc: number) =>
    fn.col2im(IMAGE * 4, g.h, g.w, g.kh, g.kw, g.stride, g.padding, g.ow, ic, mc, c0, jc, nc, SCRATCH * 4, ldc * 4);
  blocked(inst, weight, 0, true, packB, dx, 0, g.c * kk, ohw, o, c0 * kk, c1 * kk, false, fold);
  dx.set(mem.subarray(IMAGE, IMAGE + size), dxOff + c0 * g.h * g.w);
  return true;
}

/**
 * The blocked product behind every entry point: A staged from `a` and packed here, B packed by
 * `packB(pc, kc, jc, nc)` (block rows `pc .. pc+kc` of k, columns `jc .. jc+nc` of n) into PACKED_B.
 * Each finished C block goes to `c`, or, given `fold`, is handed to it where it lies in the module
 * (rows `ic .. ic+mc`, columns `jc .. jc+nc`, row stride `ldc`; only for a product of one depth block).
 */
function blocked(
  inst: Instance,
  a: Float32Array,
  aOff: number,
  transA: boolean,
  packB: (pc: number, kc: number, jc: number, nc: number) => void,
  c: Float32Array,
  cOff: number,
  m: number,
  n: number,
  k: number,
  rowStart: number,
  rowEnd: number,
  accumulate: boolean,
  fold?: (ic: number, mc: number, jc: number, nc: number, ldc: number) => void,
): void {
  const { fn, mem } = inst;
  const rows = rowEnd - rowStart;
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
      packB(pc, kc, jc, nc);
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
        if (fold) {
          fn.kernel(PACKED_A * 4, PACKED_B * 4, SCRATCH * 4, ldc * 4, kcp, Math.ceil(mc / MR), np, 0);
          fold(ic, mc, jc, nc, ldc);
          continue;
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
}
