/**
 * The single-matrix product every matrix kernel (matmul, conv2d and its gradients) runs on:
 * cache-blocked, with A and B packed into 4-wide panels and a 4×4 register-tiled micro-kernel.
 * The packing buffers live at module level and are reused: one allocation per process, not per call.
 * Where WebAssembly SIMD is available the blocked path runs on the wasm kernel (../wasm/gemm.ts)
 * instead; this TypeScript kernel is the fallback and the `wasm = false` path.
 */
import { wasmGemm } from '../wasm/gemm';

/** Rows of A / columns of B per register tile. */
const MR = 4;
const NR = 4;
/** Depth of one packed block: a 4×KC slice of A and of B stay in L1 while the tile accumulates. */
const KC = 256;
/** Rows of A packed per block (MC×KC floats, in L2). */
const MC = 64;
/** Columns of B packed per block (KC×NC floats). */
const NC = 2048;

// allocated on first use (nothing at import), then only ever grown
let packedA = new Float32Array(0);
let packedB = new Float32Array(0);

/**
 * `C[i, :] (+)= Σ_p A[i, p] · B[p, :]` for rows `i` in `[rowStart, rowEnd)` of an `m × n` result.
 *
 * Logical `A` is `m × k`: `A[i, p]` is `a[aOff + i*k + p]`, or `a[aOff + p*m + i]` with `transA`.
 * Logical `B` is `k × n`: `B[p, j]` is `b[bOff + p*n + j]`, or `b[bOff + j*k + p]` with `transB`.
 * `C[i, j]` is `c[cOff + i*n + j]`. With `accumulate` the product is added to `C`, else it replaces it.
 * With `wasm` (the default) large products run on the WebAssembly SIMD kernel where the engine has
 * it; `false` keeps them on this TypeScript kernel. Both give the same results up to rounding.
 *
 * @example
 * ```ts
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([1, 0, 0, 1]), c = new Float32Array(4);
 * gemm(a, 0, false, b, 0, false, c, 0, 2, 2, 2, 0, 2, false); // c = [1, 2, 3, 4]
 * ```
 */
export function gemm(
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
  wasm = true,
): void {
  const rows = rowEnd - rowStart;
  if (rows <= 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, cOff + rowStart * n, cOff + rowEnd * n);
    return;
  }
  // the wasm kernel beats every TypeScript path from about 8×8×8 up (its fixed cost is copying blocks in and out)
  if (wasm && rows * n * k >= 512 && wasmGemm(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, rowStart, rowEnd, accumulate)) return;
  // strides of A[i, p] and B[p, j] in their arrays
  const ai = transA ? 1 : k;
  const ap = transA ? m : 1;
  const bp = transB ? 1 : n;
  const bj = transB ? k : 1;
  if (n < NR || k < 4 || rows * n * k <= 4096) {
    dotProducts(a, aOff, ai, ap, b, bOff, bp, bj, c, cOff, n, k, rowStart, rowEnd, accumulate);
    return;
  }
  if (rows < MR && !transB) {
    rowAxpys(a, aOff, ai, ap, b, bOff, c, cOff, n, k, rowStart, rowEnd, accumulate);
    return;
  }
  if (packedA.length < MC * KC) packedA = new Float32Array(MC * KC);
  // the tiles always add: a product that replaces C starts from zeros (its sums are never -0, so 0 + s is s)
  if (!accumulate) c.fill(0, cOff + rowStart * n, cOff + rowEnd * n);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncPadded = Math.ceil(nc / NR) * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      if (packedB.length < kc * ncPadded) packedB = new Float32Array(kc * ncPadded);
      const pb = packedB;
      packPanels(b, bOff + pc * bp + jc * bj, bj, bp, pb, nc, kc);
      for (let ic = rowStart; ic < rowEnd; ic += MC) {
        const mc = Math.min(MC, rowEnd - ic);
        const pa = packedA;
        packPanels(a, aOff + ic * ai + pc * ap, ai, ap, pa, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            const cAt = cOff + (ic + ir) * n + jc + jr;
            if (mr === MR && nr === NR) microKernel4x4(pa, ir * kc, pb, jr * kc, kc, c, cAt, n);
            else microKernelEdge(pa, ir * kc, pb, jr * kc, kc, c, cAt, n, mr, nr);
          }
        }
      }
    }
  }
}

/**
 * Pack `count × kc` of a matrix into 4-wide panels: panel `r` holds element `(4r + t, p)`, at
 * `src[off + (4r + t)·si + p·sp]`, at `dst[r·4·kc + p·4 + t]`, zero-padded to whole panels. A's
 * rows (MR of them per panel) and B's columns (NR) both pack this way, MR and NR being 4.
 */
function packPanels(src: Float32Array, off: number, si: number, sp: number, dst: Float32Array, count: number, kc: number): void {
  const padded = Math.ceil(count / 4) * 4;
  if (sp === 1) {
    // each row (A) or column (transposed B) contiguous along p: walk it
    for (let i = 0; i < padded; i++) {
      let d = (i - (i % 4)) * kc + (i % 4);
      if (i < count) for (let p = 0, at = off + i * si; p < kc; p++, d += 4, at++) dst[d] = src[at]!;
      else for (let p = 0; p < kc; p++, d += 4) dst[d] = 0;
    }
  } else {
    // contiguous across rows (transposed A) or columns (B): walk each step p across all of them
    // (a large stride per p would thrash the cache)
    for (let p = 0; p < kc; p++) {
      const at = off + p * sp;
      for (let i = 0; i < padded; i++) dst[(i - (i % 4)) * kc + p * 4 + (i % 4)] = i < count ? src[at + i * si]! : 0;
    }
  }
}

/** A full 4×4 tile added into C: sixteen accumulators in registers over `kc` packed steps. */
function microKernel4x4(pa: Float32Array, ia: number, pb: Float32Array, ib: number, kc: number, c: Float32Array, ci: number, n: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++, ia += 4, ib += 4) {
    const a0 = pa[ia]!, a1 = pa[ia + 1]!, a2 = pa[ia + 2]!, a3 = pa[ia + 3]!;
    const b0 = pb[ib]!, b1 = pb[ib + 1]!, b2 = pb[ib + 2]!, b3 = pb[ib + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02; c[ci + 3] += c03; ci += n;
  c[ci] += c10; c[ci + 1] += c11; c[ci + 2] += c12; c[ci + 3] += c13; ci += n;
  c[ci] += c20; c[ci + 1] += c21; c[ci + 2] += c22; c[ci + 3] += c23; ci += n;
  c[ci] += c30; c[ci + 1] += c31; c[ci + 2] += c32; c[ci + 3] += c33;
}

/** A partial tile at the right or bottom edge: only `mr × nr` of the 4×4 product is added into C. */
function microKernelEdge(pa: Float32Array, ia: number, pb: Float32Array, ib: number, kc: number, c: Float32Array, ci: number, n: number, mr: number, nr: number): void {
  for (let t = 0; t < mr; t++) {
    for (let u = 0; u < nr; u++) {
      let s = 0;
      for (let p = 0; p < kc; p++) s += pa[ia + p * MR + t]! * pb[ib + p * NR + u]!;
      c[ci + t * n + u] += s;
    }
  }
}

/** Small or thin products: one strided dot product per output element, no packing. */
function dotProducts(a: Float32Array, aOff: number, ai: number, ap: number, b: Float32Array, bOff: number, bp: number, bj: number, c: Float32Array, cOff: number, n: number, k: number, rowStart: number, rowEnd: number, accumulate: boolean): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const aRow = aOff + i * ai;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0, ia = aRow, ib = bOff + j * bj; p < k; p++, ia += ap, ib += bp) s += a[ia]! * b[ib]!;
      const at = cOff + i * n + j;
      c[at] = accumulate ? c[at]! + s : s;
    }
  }
}

// float64 accumulators for rowAxpys: k float32 roundings per element would lose digits
let rowScratch = new Float64Array(1024);

/** A few rows against a row-major B: each row of C accumulates scaled rows of B (no packing to amortise). */
function rowAxpys(a: Float32Array, aOff: number, ai: number, ap: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, n: number, k: number, rowStart: number, rowEnd: number, accumulate: boolean): void {
  if (rowScratch.length < n) rowScratch = new Float64Array(n);
  const acc = rowScratch;
  for (let i = rowStart; i < rowEnd; i++) {
    const row = cOff + i * n;
    for (let j = 0; j < n; j++) acc[j] = accumulate ? c[row + j]! : 0;
    for (let p = 0; p < k; p++) {
      const s = a[aOff + i * ai + p * ap]!;
      for (let j = 0, ib = bOff + p * n; j < n; j++, ib++) acc[j] += s * b[ib]!;
    }
    for (let j = 0; j < n; j++) c[row + j] = acc[j]!;
  }
}
