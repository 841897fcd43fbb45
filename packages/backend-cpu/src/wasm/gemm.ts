/**
 * The WebAssembly SIMD GEMM (gemm.wat, compiled at build time into gemm.generated.ts): the same
 * contract as the TypeScript `gemm`, about 8× faster on one thread (≈ 28 vs 3.3 GFLOP/s at
 * n = 1024 on the 2-core dev machine). Blocks of A, B and C are copied into the module's
 * fixed-size memory (TypedArray.set), packed into panels there, and multiplied by a 4×8 f32x4
 * micro-kernel that accumulates in float32 over blocks of at most 256 steps of k. Each thread
 * that imports this module gets its own instance and memory (4.6 MiB, never grown, so no
 * ArrayBuffer is ever detached), made synchronously on first use; where WebAssembly SIMD is
 * missing or compiling fails, `wasmGemm` returns false and callers run the TypeScript kernel.
 *
 * Two builds of gemm.wat exist: plain SIMD, and relaxed SIMD, whose micro-kernel does each
 * multiply-add as one `f32x4.relaxed_madd` (a fused multiply-add on hardware with FMA; results
 * then differ from the plain build's in the last bits, within float32 rounding). A thread runs the
 * relaxed build where the engine has relaxed SIMD (Node 22+, current browsers; Node 20, whose V8
 * has it behind `--experimental-wasm-relaxed-simd`: `instantiateSimd` turns the flag on for the
 * module's compile and leaves it on), else the plain one; inside {@link withoutRelaxedSimd} always
 * the plain one (`cpuBackend({ relaxedSimd: false })`).
 */
import { checkBool } from '@tensorgrad/core';
import type { CpuBackendOptions } from '../backend';
import { WASM_BYTES, WASM_SHARED_BYTES } from './gemm.generated';
import { instantiateSimd, sharedMemory } from './instantiate';

/**
 * The relaxed-SIMD build of a gemm module, from the plain one's literal (one character per byte,
 * shifted by 47: 'O' is local.get, ',' the SIMD prefix): each of the micro-kernel's multiply-adds,
 * `local.get acc, x, y; f32x4.mul; f32x4.add`, becomes `local.get x, y, acc; f32x4.relaxed_madd;
 * nop ×3`, the same 12 bytes, so no size or offset in the module moves and the bundle carries one
 * module, not two. The tests check that this gives what wabt compiles from scripts/build-wasm.mjs's
 * @relaxed-madd rewrite (which pads each fused multiply-add with the same three nops).
 *
 * @example
 * ```ts
 * instantiateSimd(relaxedBuild(WASM_BYTES)); // null where the engine lacks relaxed SIMD
 * ```
 */
export const relaxedBuild = (plain: string): string => plain.replace(/O([^])O([^])O([^]),\x150,\x130/g, 'O$2O$3O$1,\xb41000');

/** The functions of gemm.wat (both variants). */
interface GemmFunctions {
  packA(src: number, si: number, sp: number, mc: number, kc: number, kcp: number, dst: number): void;
  packB(src: number, sp: number, sj: number, kc: number, nc: number, kcp: number, dst: number): void;
  kernel(pa: number, pb: number, c: number, ldc: number, kcp: number, mp: number, np: number, flags: number): void;
  im2col(src: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, ow: number, r0: number, nr: number, p0: number, np: number, dst: number, ld: number): void;
  col2im(dst: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, ow: number, r0: number, nr: number, c0: number, p0: number, np: number, src: number, ld: number): void;
}

/** The exports of the variant with its own memory. */
interface GemmExports extends GemmFunctions {
  readonly memory: { readonly buffer: ArrayBuffer };
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

// memory layout of a thread's own instance, in floats: packed B | B staging, then C staging |
// packed A | A staging | one image
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

// a shared memory (the worker backend's): one common region of packed B blocks that every thread
// reads, then one region per thread (its slot) with that thread's staging and packed A
/** Floats of packed B the common region holds: a right-hand operand of up to about 4M elements (16 MiB). */
const COMMON_FLOATS = 4 * 1024 * 1024;
/** Floats of one thread's region: B or C staging, packed A, A staging (the same sizes as above). */
const SLOT_FLOATS = SCRATCH_SIZE + MC * KC + STAGED_A_SIZE;
/** Pages gemm.wat's shared variant may import at most (scripts/build-wasm.mjs). */
const SHARED_MAX_PAGES = 16384;

/**
 * Where the areas every product uses lie in an instance's memory, in floats. (The packed-B and image
 * areas exist only in a thread's own memory, at PACKED_B and IMAGE; a shared memory's common region
 * holds packed B there.)
 */
interface Layout {
  readonly scratch: number;
  readonly packedA: number;
  readonly stagedA: number;
}

const OWN_LAYOUT: Layout = { scratch: SCRATCH, packedA: PACKED_A, stagedA: STAGED_A };

interface Instance {
  readonly fn: GemmFunctions;
  /** A view of the whole memory: it never grows, so this view never detaches. */
  readonly mem: Float32Array;
  readonly layout: Layout;
}

/** This thread's own instances of each build. undefined: not tried yet; null: unavailable here. */
let relaxedInstance: Instance | null | undefined;
let simdInstance: Instance | null | undefined;
/** False inside {@link withoutRelaxedSimd}: products run on the plain SIMD build. */
let relaxedAllowed = true;

function instantiate(relaxed: boolean): Instance | null {
  const fn = instantiateSimd<GemmExports>(relaxed ? relaxedBuild(WASM_BYTES) : WASM_BYTES, {}, relaxed);
  if (fn === null) return null;
  const mem = new Float32Array(fn.memory.buffer);
  return mem.length < FLOATS ? null : { fn, mem, layout: OWN_LAYOUT };
}

/** The instance products run on here and now: relaxed SIMD where it validates and is allowed, else plain SIMD, else null. */
function getInstance(): Instance | null {
  if (relaxedAllowed) {
    if (relaxedInstance === undefined) relaxedInstance = instantiate(true);
    if (relaxedInstance !== null) return relaxedInstance;
  }
  if (simdInstance === undefined) simdInstance = instantiate(false);
  return simdInstance;
}

/**
 * This thread's own gemm instance, opened up for measuring where a product's time goes (apps/bench's
 * staging tool): its functions, its memory as floats, and the float addresses of its packed-A,
 * packed-B and scratch (C) areas. Null where WebAssembly SIMD is missing.
 *
 * @example
 * ```ts
 * const g = gemmProbe(); // time g.fn.kernel on blocks already packed in g.mem
 * ```
 * @internal
 */
export function gemmProbe(): { readonly fn: GemmFunctions; readonly mem: Float32Array; readonly packedA: number; readonly packedB: number; readonly scratch: number } | null {
  const inst = getInstance();
  return inst && { fn: inst.fn, mem: inst.mem, packedA: inst.layout.packedA, packedB: PACKED_B, scratch: inst.layout.scratch };
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

/**
 * The kernel behind matrix products (matmul, and conv2d through im2col) on the CPU:
 * `'relaxed-simd'`, the WebAssembly build whose micro-kernel uses fused multiply-adds
 * (`f32x4.relaxed_madd`); `'simd'`, the plain WebAssembly SIMD build (multiply, then add); or
 * `'typescript'`, the pure TypeScript kernel.
 *
 * @example
 * ```ts
 * const v: GemmVariant = gemmVariant(); // 'relaxed-simd' in Node (20 too) and current browsers
 * ```
 */
export type GemmVariant = 'relaxed-simd' | 'simd' | 'typescript';

/**
 * Which kernel a `cpuBackend(options)` runs its matrix products on in this thread (each thread
 * detects it for itself, instantiating the WebAssembly module on first call): relaxed SIMD where
 * the engine has relaxed SIMD (Node 22+, current Chromium, Firefox and Safari; Node 20, whose V8 has
 * it behind `--experimental-wasm-relaxed-simd`, turned on for the compile) unless `relaxedSimd: false`, else plain WebAssembly SIMD,
 * else (no SIMD, or `wasm: false`) TypeScript. Only `wasm` and `relaxedSimd` of `options` count.
 *
 * @example
 * ```ts
 * import { gemmVariant } from '@tensorgrad/backend-cpu';
 * gemmVariant(); // 'relaxed-simd' (Node 20 and later) or 'simd' (an engine without relaxed SIMD)
 * gemmVariant({ relaxedSimd: false }); // 'simd': what cpuBackend({ relaxedSimd: false }) uses
 * gemmVariant({ wasm: false }); // 'typescript'
 * ```
 */
export function gemmVariant(options: Pick<CpuBackendOptions, 'wasm' | 'relaxedSimd'> = {}): GemmVariant {
  const wasm = checkBool('gemmVariant', 'wasm', options.wasm ?? true);
  const relaxed = checkBool('gemmVariant', 'relaxedSimd', options.relaxedSimd ?? true);
  if (!wasm) return 'typescript';
  const inst = relaxed ? getInstance() : withoutRelaxedSimd(getInstance);
  return inst === null ? 'typescript' : inst === relaxedInstance ? 'relaxed-simd' : 'simd';
}

/**
 * Run `fn` with every WebAssembly product in this thread on the plain SIMD build, even where the
 * relaxed-SIMD one validates (what `cpuBackend({ relaxedSimd: false })` wraps its kernels in);
 * returns what `fn` returns. Scopes nest; the previous choice comes back when `fn` returns or throws.
 *
 * @example
 * ```ts
 * const plain = withoutRelaxedSimd(() => gemmVariant()); // 'simd' (or 'typescript' without SIMD)
 * ```
 */
export function withoutRelaxedSimd<T>(fn: () => T): T {
  const was = relaxedAllowed;
  relaxedAllowed = false;
  try {
    return fn();
  } finally {
    relaxedAllowed = was;
  }
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
  copyRows(mem, dst, len, src, off, ld, runs, len);
  return len;
}

/**
 * Copy `rows` rows of `len` floats, row `r` at `src[sAt + r·ldS ...]`, to `dst[dAt + r·ldD ...]`.
 * Also how a block of C (mc rows of nc columns, row stride n) goes into the scratch area and back:
 * there its row stride is ldc (≥ nc: the padded tiles' columns land in the gap).
 */
function copyRows(dst: Float32Array, dAt: number, ldD: number, src: Float32Array, sAt: number, ldS: number, rows: number, len: number): void {
  if (ldD === len && ldS === len) dst.set(src.subarray(sAt, sAt + rows * len), dAt);
  else if (len < 32) for (let r = 0; r < rows; r++) for (let t = 0, s = sAt + r * ldS, d = dAt + r * ldD; t < len; t++) dst[d + t] = src[s + t]!;
  else for (let r = 0; r < rows; r++) dst.set(src.subarray(sAt + r * ldS, sAt + r * ldS + len), dAt + r * ldD);
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
  // the image area is free outside convolutions: a transposed B stages its rows there, else a transposed A its depth slabs
  const rows: RowsArea = { at: IMAGE, size: IMAGE_SIZE, key: -1 };
  const packB = (pc: number, kc: number, jc: number, nc: number) => {
    packBBlock(inst, b, bOff, transB, k, n, pc, kc, jc, nc, PACKED_B, rows);
    return PACKED_B * 4;
  };
  blocked(inst, a, aOff, transA, packB, c, cOff, m, n, k, rowStart, rowEnd, accumulate, undefined, transA && !transB ? { at: IMAGE, size: IMAGE_SIZE, key: -1 } : undefined);
  return true;
}

/**
 * Whole batches `[t0, t1)` of a batched product of small matrices on the WebAssembly kernel:
 * `C_t = A_t · B_t` with `A_t` at `a[aOffsets[t] ...]` (`m × k`, stored `[k, m]` with `transA`),
 * `B_t` at `b[bOffsets[t] ...]` (`k × n`, likewise with `transB`), `C_t` at `c[t·m·n ...]`. Stages
 * many batches' operands with one copy each way (consecutive matrices are one run) instead of
 * four copies and a blocked loop per product: attention's `[48 × 64 × 32]` products are mostly
 * that overhead. The numbers are {@link wasmGemm}'s, bit for bit (one depth block, the same panels
 * and kernel). Returns false, doing nothing, unless every product is one block of the kernel
 * (`m` a multiple of 4 up to 128, `k` up to 256, `n` a multiple of 8 up to 2,048, `m·n·k` ≥ 512)
 * and WebAssembly SIMD runs. With `tri` 2 (4) and `m = k`, every `A_t` is zero above (below) its
 * diagonal and the kernel skips those zeros: the same numbers wherever B is finite (an infinity or
 * NaN facing a skipped zero would have made a NaN).
 *
 * @example
 * ```ts
 * const a = new Float32Array(2 * 4 * 4).fill(1), b = new Float32Array(2 * 4 * 8).fill(1), c = new Float32Array(2 * 4 * 8);
 * wasmGemmBatch(a, [0, 16], false, b, [0, 32], false, c, 4, 8, 4, 0, 2); // false: 4·8·4 < 512, too small to gain
 * ```
 */
export function wasmGemmBatch(
  a: Float32Array,
  aOffsets: readonly number[],
  transA: boolean,
  b: Float32Array,
  bOffsets: readonly number[],
  transB: boolean,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  t0: number,
  t1: number,
  tri = 0,
): boolean {
  if (t1 - t0 < 2 || m === 0 || m % MR !== 0 || m > MC || k === 0 || k > KC || n === 0 || n % NR !== 0 || n > NC || m * n * k < 512) return false;
  const perA = m * k;
  const perB = k * n;
  const perC = m * n;
  const group = Math.floor(SCRATCH_SIZE / (perA + perB + perC));
  const inst = group >= 2 ? getInstance() : null;
  if (inst === null) return false;
  const { fn, mem } = inst;
  const { scratch, packedA } = inst.layout;
  for (let g0 = t0; g0 < t1; g0 += group) {
    const g1 = Math.min(t1, g0 + group);
    const atA = scratch;
    const atB = atA + (g1 - g0) * perA;
    const atC = atB + (g1 - g0) * perB;
    stageMatrices(mem, a, aOffsets, g0, g1, perA, atA);
    stageMatrices(mem, b, bOffsets, g0, g1, perB, atB);
    for (let t = g0; t < g1; t++) {
      const sa = (atA + (t - g0) * perA) * 4;
      const sb = (atB + (t - g0) * perB) * 4;
      if (transA) fn.packA(sa, 4, m * 4, m, k, k, packedA * 4);
      else fn.packA(sa, k * 4, 4, m, k, k, packedA * 4);
      if (transB) fn.packB(sb, 4, k * 4, k, n, k, PACKED_B * 4);
      else fn.packB(sb, n * 4, 4, k, n, k, PACKED_B * 4);
      fn.kernel(packedA * 4, PACKED_B * 4, (atC + (t - g0) * perC) * 4, n * 4, k, m / MR, n / NR, m === k ? tri : 0);
    }
    c.set(mem.subarray(atC, atC + (g1 - g0) * perC), g0 * perC);
  }
  return true;
}

/** Matrices `[t0, t1)` of `size` floats at `src[offsets[t] ...]` copied end to end to `dst`; each run of consecutive ones is one copy. */
function stageMatrices(mem: Float32Array, src: Float32Array, offsets: readonly number[], t0: number, t1: number, size: number, dst: number): void {
  for (let t = t0; t < t1; ) {
    let e = t + 1;
    while (e < t1 && offsets[e] === offsets[e - 1]! + size) e++;
    mem.set(src.subarray(offsets[t]!, offsets[t]! + (e - t) * size), dst + (t - t0) * size);
    t = e;
  }
}

/**
 * Where a product stages whole storage rows of a transposed operand, so that one copy serves
 * every block cut from them: a transposed A's depth rows pc .. pc+kc (`[k, m]` storage: one run
 * of kc·m floats) for every row block, or a transposed B's rows jc .. jc+nc (`[n, k]`: nc·k floats)
 * for every depth block. `key` is the first storage row staged there, or -1.
 */
interface RowsArea {
  readonly at: number;
  readonly size: number;
  key: number;
}

/**
 * B[pc .. pc+kc, jc .. jc+nc] (B `k × n`, stored `[n, k]` with `transB`) staged through `inst`'s
 * scratch area (or, transposed and small enough, through `rows`) and packed at float `dst`.
 */
function packBBlock(inst: Instance, b: Float32Array, bOff: number, transB: boolean, k: number, n: number, pc: number, kc: number, jc: number, nc: number, dst: number, rows?: RowsArea): void {
  // the storage rows: B's columns when transposed ([n, k]), else its depth
  packBlock(inst, inst.fn.packB, b, bOff, transB, transB ? jc : pc, transB ? nc : kc, transB ? pc : jc, transB ? kc : nc, transB ? k : n, kc, nc, kc, inst.layout.scratch, SCRATCH_SIZE, dst, rows);
}

/**
 * Pack with `pack` (the module's packA or packB: its two strides are its outer index's and the
 * depth's, or with `trans` the other way round) the block of storage rows r0 .. r0+rc, columns
 * c0 .. c0+cc of `x` (rows `width` floats apart), staged through `staged` (`capacity` floats), or
 * with `trans` through `rows` where its rows fit there; `d1 × d2` (depth `kcp`) is what `pack` is told.
 */
function packBlock(
  inst: Instance,
  pack: GemmFunctions['packA'],
  x: Float32Array,
  xOff: number,
  trans: boolean,
  r0: number,
  rc: number,
  c0: number,
  cc: number,
  width: number,
  d1: number,
  d2: number,
  kcp: number,
  staged: number,
  capacity: number,
  dst: number,
  rows?: RowsArea,
): void {
  const { mem } = inst;
  let src = staged;
  let ld = width;
  if (trans && rows !== undefined && rc * width <= rows.size) {
    if (rows.key !== r0) {
      mem.set(x.subarray(xOff + r0 * width, xOff + (r0 + rc) * width), rows.at);
      rows.key = r0;
    }
    src = rows.at + c0;
  } else {
    ld = stage(mem, x, xOff + r0 * width + c0, rc, cc, width, staged, capacity);
  }
  pack(src * 4, trans ? 4 : ld * 4, trans ? ld * 4 : 4, d1, d2, kcp, dst * 4);
}

/**
 * A WebAssembly memory that the threads of a pool share for matrix products: a common region that
 * holds one product's right-hand operand packed once (by slot 0) and read by every thread, and a
 * region per thread (slot) for its staging and its packed rows of the left operand. Splitting a
 * product by rows then costs no repacking of the right operand per chunk, so chunks can be small
 * enough for a slow thread to take fewer. Plain data plus the memory: post it to the threads.
 *
 * @example
 * ```ts
 * const g = createSharedGemm(2); // null where WebAssembly threads or SIMD are missing
 * ```
 */
export interface SharedGemm {
  /** The shared `WebAssembly.Memory`: posting this object to another thread gives that thread the same memory. */
  readonly memory: object;
  /** Tells memories apart across threads (each thread keeps one instance per memory and slot). */
  readonly id: string;
  /** Threads that may run products on it: slots `0 .. threads - 1`. */
  readonly threads: number;
}

/**
 * A right-hand operand packed into a {@link SharedGemm}'s common region (by `matmulPrepack`):
 * plain data, posted with the tasks that read it. Valid until the next operand is packed on that memory.
 *
 * @example
 * ```ts
 * const packed = matmulPrepack(g, b, plan); // { k, n, blocks: [...] } or null
 * ```
 */
export interface PackedB {
  /** Rows of B (the product's depth). */
  readonly k: number;
  /** Columns of B. */
  readonly n: number;
  /** Byte address of each packed block, column blocks outer, depth blocks inner. */
  readonly blocks: readonly number[];
}

/** This thread's instances on shared memories, by `id:slot:build` (build `r`: relaxed SIMD, `s`: plain SIMD; null: it does not validate here). */
const sharedInstances = new Map<string, Instance | null>();

/**
 * This thread's instance of one build on `g`'s memory as `slot`. Both builds share the memory's
 * layout and pack alike (only the micro-kernel differs), so B packed by one is read by the other.
 */
function sharedInstance(g: SharedGemm, slot: number): Instance | null {
  if (!(Number.isInteger(slot) && slot >= 0 && slot < g.threads)) throw new Error(`gemm: thread slot ${slot} is outside 0..${g.threads - 1} of this shared memory`);
  const build = (relaxed: boolean): Instance | null => {
    const key = `${g.id}:${slot}:${relaxed ? 'r' : 's'}`;
    let inst = sharedInstances.get(key);
    if (inst === undefined) {
      const fn = instantiateSimd<GemmFunctions>(relaxed ? relaxedBuild(WASM_SHARED_BYTES) : WASM_SHARED_BYTES, { env: { memory: g.memory } }, relaxed);
      const base = COMMON_FLOATS + slot * SLOT_FLOATS;
      const layout: Layout = { scratch: base, packedA: base + SCRATCH_SIZE, stagedA: base + SCRATCH_SIZE + MC * KC };
      inst = fn === null ? null : { fn, mem: new Float32Array((g.memory as { readonly buffer: ArrayBufferLike }).buffer), layout };
      sharedInstances.set(key, inst);
    }
    return inst;
  };
  return (relaxedAllowed ? build(true) : null) ?? build(false);
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * A new {@link SharedGemm} for `threads` threads (this thread is slot 0), or null where the engine
 * lacks WebAssembly SIMD or threads or `SharedArrayBuffer`. Its memory is fixed: 16 MiB of common
 * region plus 2.6 MiB per thread, committed only as it is written.
 *
 * @example
 * ```ts
 * const g = createSharedGemm(4);
 * if (g !== null) worker.postMessage({ gemm: g, slot: 1 });
 * ```
 */
export function createSharedGemm(threads: number): SharedGemm | null {
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`createSharedGemm: threads must be a positive integer, got ${threads}`);
  const pages = Math.ceil(((COMMON_FLOATS + threads * SLOT_FLOATS) * 4) / 65536);
  if (pages > SHARED_MAX_PAGES) return null;
  const memory = sharedMemory(pages);
  if (memory === null) return null;
  const g: SharedGemm = { memory, id: randomId(), threads };
  return sharedInstance(g, 0) === null ? null : g;
}

/**
 * Drop this thread's instances on `g`'s memory (the memory itself goes when nothing refers to it).
 *
 * @example
 * ```ts
 * releaseSharedGemm(g); // when the pool that used it closes
 * ```
 */
export function releaseSharedGemm(g: SharedGemm): void {
  for (let slot = 0; slot < g.threads; slot++) for (const build of ['r', 's']) sharedInstances.delete(`${g.id}:${slot}:${build}`);
}

/**
 * Pack B (`k × n`, stored `[n, k]` with `transB`, at `b[bOff ...]`) into `g`'s common region, on
 * this thread as slot 0, block by block as {@link wasmGemmPrepacked} reads it. Returns null, doing
 * nothing, when B is empty, larger than the region (about 4M elements) or WebAssembly is missing.
 *
 * @example
 * ```ts
 * const packed = wasmPrepackB(g, b, 0, false, k, n);
 * ```
 */
export function wasmPrepackB(g: SharedGemm, b: Float32Array, bOff: number, transB: boolean, k: number, n: number): PackedB | null {
  if (k === 0 || n === 0) return null;
  const kcMax = blockSize(k, KC, 1);
  const ncMax = blockSize(n, NC, NR);
  let size = 0;
  for (let jc = 0; jc < n; jc += ncMax) size += k * Math.ceil(Math.min(ncMax, n - jc) / NR) * NR;
  if (size > COMMON_FLOATS) return null;
  const inst = sharedInstance(g, 0);
  if (inst === null) return null;
  const blocks: number[] = [];
  const rows: RowsArea = { at: inst.layout.scratch, size: SCRATCH_SIZE, key: -1 }; // nothing else uses the scratch area while packing
  let at = 0;
  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = Math.min(ncMax, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      packBBlock(inst, b, bOff, transB, k, n, pc, kc, jc, nc, at, rows);
      blocks.push(at * 4);
      at += kc * Math.ceil(nc / NR) * NR;
    }
  }
  return { k, n, blocks };
}

/**
 * {@link wasmGemm}'s contract with B already packed by {@link wasmPrepackB}: rows `[rowStart, rowEnd)`
 * of `C (+)= A·B`, A `m × packed.k` (stored transposed with `transA`), run in any thread of `g`
 * as its `slot` (distinct threads, distinct slots). Returns false, doing nothing, where this thread
 * cannot instantiate the shared module. Like B, a transposed A is read once per product: a thread's
 * first call for `packed` copies the whole of it (where it fits, about 400K floats) and its later
 * calls for the same `packed`, `a` and `aOff` reuse that copy, so A must not change while the
 * product's rows are being computed.
 *
 * @example
 * ```ts
 * wasmGemmPrepacked(g, 1, a, 0, false, packed, c, 0, m, 0, m / 2, false); // the first half of the rows, as slot 1
 * ```
 */
export function wasmGemmPrepacked(
  g: SharedGemm,
  slot: number,
  a: Float32Array,
  aOff: number,
  transA: boolean,
  packed: PackedB,
  c: Float32Array,
  cOff: number,
  m: number,
  rowStart: number,
  rowEnd: number,
  accumulate: boolean,
): boolean {
  const inst = sharedInstance(g, slot);
  if (inst === null) return false;
  if (rowEnd <= rowStart) return true;
  const { k, n, blocks } = packed;
  blockedPrepacked(inst, a, aOff, transA, blocks, c, cOff, m, n, k, rowStart, rowEnd, accumulate, transA ? wholeA(inst, a, aOff, packed, m) : undefined);
  return true;
}

/**
 * Whether {@link wasmGemmColumns} takes a product of depth `k` and `n` columns: every thread's
 * columns of its B together fit the common region (about 4M floats).
 *
 * @example
 * ```ts
 * wasmColumnsFit(768, 512); // true
 * ```
 */
export function wasmColumnsFit(k: number, n: number): boolean {
  return k * Math.ceil(n / NR) * NR <= COMMON_FLOATS;
}

/**
 * Columns `[j0, j1)` of `C = A·B` (A `m × k`, stored `[k, m]` with `transA`; B `k × n`, likewise
 * with `transB`), every row, run in any thread of `g` as its `slot`: this thread packs its columns
 * of B into the common region, where they lie apart from any other thread's (columns `[j0, j1)`
 * of B take floats from `k · j0` on), and multiplies all of A by them. The threads of a product
 * split by columns so pack B together, and none waits for another's packing. `j0` must be a
 * multiple of 8 (the kernel's panel width). The same numbers as {@link wasmGemm}. Returns false,
 * doing nothing, where this thread cannot instantiate the shared module or B does not fit.
 *
 * @example
 * ```ts
 * wasmGemmColumns(g, 1, a, 0, false, b, 0, false, c, 0, m, n, k, 256, 512); // columns 256 .. 512, as slot 1
 * ```
 */
export function wasmGemmColumns(
  g: SharedGemm,
  slot: number,
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
  j0: number,
  j1: number,
): boolean {
  if (!(j0 % NR === 0 && j0 >= 0 && j1 <= n)) throw new Error(`gemm: a column window starts at a multiple of ${NR} and ends by column ${n}, got [${j0}, ${j1})`);
  const inst = sharedInstance(g, slot);
  if (inst === null || !wasmColumnsFit(k, n)) return false;
  if (j1 <= j0 || m === 0) return true;
  if (k === 0) {
    for (let i = 0; i < m; i++) c.fill(0, cOff + i * n + j0, cOff + i * n + j1); // an empty sum
    return true;
  }
  const w = j1 - j0;
  const kcMax = blockSize(k, KC, 1);
  const ncMax = blockSize(w, NC, NR);
  const blocks: number[] = [];
  const rows: RowsArea = { at: inst.layout.scratch, size: SCRATCH_SIZE, key: -1 }; // free until the product below
  let at = k * j0;
  for (let jc = 0; jc < w; jc += ncMax) {
    const nc = Math.min(ncMax, w - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      packBBlock(inst, b, bOff, transB, k, n, pc, kc, j0 + jc, nc, at, rows);
      blocks.push(at * 4);
      at += kc * Math.ceil(nc / NR) * NR;
    }
  }
  const packed: PackedB = { k, n: w, blocks };
  blockedPrepacked(inst, a, aOff, transA, blocks, c, cOff + j0, m, w, k, 0, m, false, transA ? wholeA(inst, a, aOff, packed, m) : undefined, n);
  return true;
}

/**
 * The product whose transposed A a thread's shared instance holds whole (see {@link wholeA}), by
 * instance. It refers to that A strongly, one array per thread until the thread's next such
 * product: a WeakRef would keep its target alive until the current job ends, and a pool's worker
 * threads never end theirs, so every A would be kept.
 */
const heldA = new WeakMap<Instance, { readonly packed: PackedB; readonly a: Float32Array; readonly aOff: number }>();

/**
 * Where a transposed A (`[k, m]` storage) of the product of `packed` lies whole in `inst`'s scratch
 * area, past the room of a block of C, copied there in one run by this thread's first chunk of that
 * product (the chunks that follow reuse it); undefined when it does not fit. A chunk of rows of a
 * transposed A is a column strip of its storage: staged run by run it cost 1–4 ns a float from
 * shared memory (a run per depth step, each a call), against 0.16 for one copy of the whole.
 */
function wholeA(inst: Instance, a: Float32Array, aOff: number, packed: PackedB, m: number): number | undefined {
  const at = inst.layout.scratch + MC * blockSize(packed.n, NC, NR);
  if (at + packed.k * m > inst.layout.scratch + SCRATCH_SIZE) return undefined;
  const held = heldA.get(inst);
  if (held?.packed !== packed || held.a !== a || held.aOff !== aOff) {
    inst.mem.set(a.subarray(aOff, aOff + packed.k * m), at);
    heldA.set(inst, { packed, a, aOff });
  }
  return at;
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
    return PACKED_B * 4;
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
    return PACKED_B * 4;
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
    return PACKED_B * 4;
  };
  const fold = (ic: number, mc: number, jc: number, nc: number, ldc: number) =>
    fn.col2im(IMAGE * 4, g.h, g.w, g.kh, g.kw, g.stride, g.padding, g.ow, ic, mc, c0, jc, nc, SCRATCH * 4, ldc * 4);
  blocked(inst, weight, 0, true, packB, dx, 0, g.c * kk, ohw, o, c0 * kk, c1 * kk, false, fold);
  dx.set(mem.subarray(IMAGE, IMAGE + size), dxOff + c0 * g.h * g.w);
  return true;
}

/**
 * The blocked product behind every entry point: A staged from `a` and packed here, B packed by
 * `packB(pc, kc, jc, nc)` (block rows `pc .. pc+kc` of k, columns `jc .. jc+nc` of n), which returns
 * the byte address of the packed block (the instance's packed-B area, or a shared prepacked block).
 * Each finished C block goes to `c`, or, given `fold`, is handed to it where it lies in the module
 * (rows `ic .. ic+mc`, columns `jc .. jc+nc`, row stride `ldc`; only for a product of one depth block).
 */
function blocked(
  inst: Instance,
  a: Float32Array,
  aOff: number,
  transA: boolean,
  packB: (pc: number, kc: number, jc: number, nc: number) => number,
  c: Float32Array,
  cOff: number,
  m: number,
  n: number,
  k: number,
  rowStart: number,
  rowEnd: number,
  accumulate: boolean,
  fold?: (ic: number, mc: number, jc: number, nc: number, ldc: number) => void,
  slab?: RowsArea,
): void {
  const { fn, mem } = inst;
  const { scratch, packedA } = inst.layout;
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
      const pb = packB(pc, kc, jc, nc);
      const add = accumulate || pc > 0;
      for (let ic = rowStart; ic < rowEnd; ic += mcMax) {
        const mc = Math.min(mcMax, rowEnd - ic);
        packABlock(inst, a, aOff, transA, m, k, ic, mc, pc, kc, slab);
        if (fold) {
          fn.kernel(packedA * 4, pb, scratch * 4, ldc * 4, kcp, Math.ceil(mc / MR), np, 0);
          fold(ic, mc, jc, nc, ldc);
          continue;
        }
        if (add) copyRows(mem, scratch, ldc, c, cOff + ic * n + jc, n, mc, nc);
        fn.kernel(packedA * 4, pb, scratch * 4, ldc * 4, kcp, Math.ceil(mc / MR), np, add ? 1 : 0);
        copyRows(c, cOff + ic * n + jc, n, mem, scratch, ldc, mc, nc);
      }
    }
  }
}

/**
 * {@link blocked} for a B packed in advance (every block at once, at the byte addresses `blocks`),
 * C's rows `ldC` floats apart: each block of C stays in the module across the depth blocks, so it
 * is copied in (when accumulating) and out once, not once per depth block. Given `whole`, the
 * float address of the whole transposed A in the module ({@link wholeA}), A's blocks are packed
 * from there.
 */
function blockedPrepacked(
  inst: Instance,
  a: Float32Array,
  aOff: number,
  transA: boolean,
  blocks: readonly number[],
  c: Float32Array,
  cOff: number,
  m: number,
  n: number,
  k: number,
  rowStart: number,
  rowEnd: number,
  accumulate: boolean,
  whole?: number,
  ldC = n,
): void {
  const { fn, mem } = inst;
  const { scratch, packedA } = inst.layout;
  const kcMax = blockSize(k, KC, 1);
  const mcMax = blockSize(rowEnd - rowStart, MC, MR);
  const ncMax = blockSize(n, NC, NR);
  const depthBlocks = Math.ceil(k / kcMax);
  for (let jc = 0, jb = 0; jc < n; jc += ncMax, jb++) {
    const nc = Math.min(ncMax, n - jc);
    const np = Math.ceil(nc / NR);
    const ldc = np * NR;
    for (let ic = rowStart; ic < rowEnd; ic += mcMax) {
      const mc = Math.min(mcMax, rowEnd - ic);
      if (accumulate) copyRows(mem, scratch, ldc, c, cOff + ic * ldC + jc, ldC, mc, nc);
      for (let pc = 0, pb = 0; pc < k; pc += kcMax, pb++) {
        const kc = Math.min(kcMax, k - pc);
        if (whole !== undefined) fn.packA((whole + pc * m + ic) * 4, 4, m * 4, mc, kc, kc, packedA * 4);
        else packABlock(inst, a, aOff, transA, m, k, ic, mc, pc, kc);
        fn.kernel(packedA * 4, blocks[jb * depthBlocks + pb]!, scratch * 4, ldc * 4, kc, Math.ceil(mc / MR), np, accumulate || pc > 0 ? 1 : 0);
      }
      copyRows(c, cOff + ic * ldC + jc, ldC, mem, scratch, ldc, mc, nc);
    }
  }
}

/**
 * Stage rows `ic .. ic+mc`, depth `pc .. pc+kc` of A (`m × k`, stored `[k, m]` with `transA`) and
 * pack them into the packed-A area; a transposed A goes through `slab` when given and its depth slab fits.
 */
function packABlock(inst: Instance, a: Float32Array, aOff: number, transA: boolean, m: number, k: number, ic: number, mc: number, pc: number, kc: number, slab?: RowsArea): void {
  // the storage rows: A's depth when transposed ([k, m]), else its rows
  packBlock(inst, inst.fn.packA, a, aOff, transA, transA ? pc : ic, transA ? kc : mc, transA ? ic : pc, transA ? mc : kc, transA ? m : k, mc, kc, kc, inst.layout.stagedA, STAGED_A_SIZE, inst.layout.packedA, slab);
}
