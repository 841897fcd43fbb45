import { wasmColumnsFit, wasmGemmBatch, wasmGemmColumns, wasmGemmPrepacked, wasmPrepackB, type PackedB, type SharedGemm } from '../wasm/gemm';
import { gemm } from './gemm';
import { broadcastStrides, sizeOf } from './strides';

/**
 * A planned batched matmul, plain data. Output batch `t` multiplies the `a` matrix at
 * `aOffsets[t]` by the `b` matrix at `bOffsets[t]` into `out[t*m*n ...]`.
 *
 * @example
 * ```ts
 * matmulPlan([2, 3, 4], [4, 5], false, false, [2, 3, 5]); // b broadcast: folded into one [6, 4] @ [4, 5]
 * ```
 */
export interface MatmulPlan {
  /** Rows of each output matrix (times the batch when folded): rows of `a` as the product reads it. */
  readonly m: number;
  /** Columns of each output matrix: columns of `b` as the product reads it. */
  readonly n: number;
  /** The inner dimension summed over: columns of `a` and rows of `b` as the product reads them. */
  readonly k: number;
  /** Each `a` matrix is stored `[k, m]` and read transposed. */
  readonly transposeA: boolean;
  /** Each `b` matrix is stored `[n, k]` and read transposed. */
  readonly transposeB: boolean;
  /** Output batches (after folding: a shared, untransposed `b` makes the batch part of `m`). */
  readonly batch: number;
  /** Per output batch, the element offset in `a` of the matrix it multiplies (repeats where `a` broadcasts). */
  readonly aOffsets: number[];
  /** Per output batch, the element offset in `b` of the matrix it multiplies (repeats where `b` broadcasts). */
  readonly bOffsets: number[];
  /** The kernel's `triangle` hint as gemm.wat's kernel flags: 2 each `a` matrix (as the product reads it) is zero above its diagonal, 4 below it, else 0. */
  readonly tri: number;
}

/**
 * Plan `matmul(a, b)` as the contract states it: `a` is `[...batchA, m, k]` (`[..., k, m]` with
 * `transposeA`), `b` is `[...batchB, k, n]` (`[..., n, k]` with `transposeB`), batch dims
 * broadcast to `outShape = [...batch, m, n]`. Throws when inner dimensions differ.
 *
 * @example
 * ```ts
 * const plan = matmulPlan([8, 16], [16, 4], false, false, [8, 4]);
 * ```
 */
export function matmulPlan(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean, outShape: readonly number[], triangle?: 'lower' | 'upper'): MatmulPlan {
  const ra = aShape.length;
  const rb = bShape.length;
  const ro = outShape.length;
  const m = transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = transposeA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const kb = transposeB ? bShape[rb - 1]! : bShape[rb - 2]!;
  const n = transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  if (k !== kb) throw new Error(`matmul: [${aShape.join(',')}] @ [${bShape.join(',')}]: inner dimensions ${k} and ${kb} differ`);
  if (outShape[ro - 2] !== m || outShape[ro - 1] !== n) {
    throw new Error(`matmul: output shape [${outShape.join(',')}] does not end in [${m},${n}]`);
  }
  const batchShape = outShape.slice(0, ro - 2);
  const batch = sizeOf(batchShape);
  // batch strides in units of whole matrices, 0 where broadcast
  // spread first: a tensor's shape is frozen, and V8 slices a frozen array ten times slower
  const aStrides = broadcastStrides([...aShape].slice(0, ra - 2), batchShape);
  const bStrides = broadcastStrides([...bShape].slice(0, rb - 2), batchShape);
  const aOffsets = new Array<number>(batch);
  const bOffsets = new Array<number>(batch);
  for (let t = 0; t < batch; t++) {
    let q = t;
    let ao = 0;
    let bo = 0;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const len = batchShape[d]!;
      const i = q % len;
      q = (q - i) / len;
      ao += i * aStrides[d]!;
      bo += i * bStrides[d]!;
    }
    aOffsets[t] = ao * m * k;
    bOffsets[t] = bo * k * n;
  }
  // one shared b under a row-major stack of a's is a single taller product: pack b once
  const foldable = batch > 1 && !transposeA && bOffsets.every((o) => o === bOffsets[0]) && aOffsets.every((o, t) => o === t * m * k);
  if (foldable) return { m: m * batch, n, k, transposeA, transposeB, batch: 1, aOffsets: [0], bOffsets: [bOffsets[0]!], tri: 0 };
  return { m, n, k, transposeA, transposeB, batch, aOffsets, bOffsets, tri: triangle === 'lower' ? 2 : triangle === 'upper' ? 4 : 0 };
}

/**
 * Output rows `[rowStart, rowEnd)` of a batched matmul, counting rows over all batches:
 * row `r` is row `r % m` of batch `⌊r / m⌋`, i.e. `out[r*n ... r*n + n)`. Total rows: `batch * m`
 * of the plan (equal to `numel(outShape) / n`). Any split into row ranges gives identical results.
 * `wasm = false` keeps the product on the TypeScript kernel (see {@link gemm}).
 *
 * @example
 * ```ts
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), out = new Float32Array(4);
 * matmulRange(a, b, out, matmulPlan([2, 2], [2, 2], false, false, [2, 2]), 0, 2); // [19, 22, 43, 50]
 * ```
 */
export function matmulRange(a: Float32Array, b: Float32Array, out: Float32Array, plan: MatmulPlan, rowStart: number, rowEnd: number, wasm = true): void {
  const { m, n, k, transposeA, transposeB } = plan;
  if (m === 0) return;
  let r = rowStart;
  while (r < rowEnd) {
    const t = Math.floor(r / m);
    const i0 = r - t * m;
    // whole batches of small matrices: staged together (the same numbers as one at a time)
    const whole = Math.floor(rowEnd / m);
    if (wasm && i0 === 0 && whole - t >= 2 && wasmGemmBatch(a, plan.aOffsets, transposeA, b, plan.bOffsets, transposeB, out, m, n, k, t, whole, plan.tri)) {
      r = whole * m;
      continue;
    }
    const i1 = Math.min(m, i0 + (rowEnd - r));
    gemm(a, plan.aOffsets[t]!, transposeA, b, plan.bOffsets[t]!, transposeB, out, t * m * n, m, n, k, i0, i1, false, wasm);
    r += i1 - i0;
  }
}

/**
 * Pack the right-hand operand of an unbatched matmul (`plan.batch === 1`) into `g`'s common region,
 * on this thread as slot 0, for {@link matmulPrepackedRange}. Returns null, doing nothing, for a
 * batched or empty product, a `b` larger than the region, or where WebAssembly threads are missing:
 * the caller then runs {@link matmulRange}.
 *
 * @example
 * ```ts
 * const packed = matmulPrepack(g, b, plan); // then matmulPrepackedRange on every thread
 * ```
 */
export function matmulPrepack(g: SharedGemm, b: Float32Array, plan: MatmulPlan): PackedB | null {
  if (plan.batch !== 1 || plan.m === 0) return null;
  return wasmPrepackB(g, b, plan.bOffsets[0]!, plan.transposeB, plan.k, plan.n);
}

/**
 * Rows `[rowStart, rowEnd)` of an unbatched matmul whose `b` was packed by {@link matmulPrepack},
 * in any thread of `g` as its own `slot`: the same result as {@link matmulRange} over those rows.
 * Throws where this thread cannot instantiate the shared WebAssembly module. A transposed `a` is
 * read once per thread and packed product (see `wasmGemmPrepacked`): it must not change between
 * the calls of one product.
 *
 * @example
 * ```ts
 * matmulPrepackedRange(g, 1, a, packed, out, plan, 0, plan.m / 2); // half the rows, on the thread of slot 1
 * ```
 */
export function matmulPrepackedRange(g: SharedGemm, slot: number, a: Float32Array, packed: PackedB, out: Float32Array, plan: MatmulPlan, rowStart: number, rowEnd: number): void {
  if (!wasmGemmPrepacked(g, slot, a, plan.aOffsets[0]!, plan.transposeA, packed, out, 0, plan.m, rowStart, rowEnd, false)) {
    throw new Error('matmul: this thread cannot run the shared-memory WebAssembly gemm (no WebAssembly threads or SIMD here)');
  }
}

/**
 * Columns `[colStart, colEnd)` (`colStart` a multiple of 8) of every row of an unbatched matmul,
 * in any thread of `g` as its own `slot`: each thread of a product split by columns packs its
 * columns of `b` (into its own part of the shared memory, so nobody waits for a packing thread)
 * and multiplies all of `op(a)` by them. The split for `m` well below `n`: a [768, 128]ᵀ @
 * [768, 512] weight gradient, a linear layer at a small batch. The same numbers as
 * {@link matmulRange}. Throws where this thread cannot run the shared-memory WebAssembly gemm.
 *
 * @example
 * ```ts
 * matmulColumnsRange(g, 0, a, b, out, plan, 0, 256); // the first 256 columns, on the calling thread
 * ```
 */
export function matmulColumnsRange(g: SharedGemm, slot: number, a: Float32Array, b: Float32Array, out: Float32Array, plan: MatmulPlan, colStart: number, colEnd: number): void {
  if (plan.batch !== 1) throw new Error(`matmul: a product split by columns must be unbatched, got a batch of ${plan.batch}`);
  if (!wasmGemmColumns(g, slot, a, plan.aOffsets[0]!, plan.transposeA, b, plan.bOffsets[0]!, plan.transposeB, out, 0, plan.m, plan.n, plan.k, colStart, colEnd)) {
    throw new Error('matmul: this thread cannot run the shared-memory WebAssembly gemm (no WebAssembly threads or SIMD here), or b is larger than its region');
  }
}

/**
 * Whether {@link matmulColumnsRange} takes `plan`: unbatched, with `b` small enough for the shared
 * memory's common region (about 4M floats).
 *
 * @example
 * ```ts
 * matmulColumnsFit(matmulPlan([128, 768], [768, 512], false, false, [128, 512])); // true
 * ```
 */
export function matmulColumnsFit(plan: MatmulPlan): boolean {
  return plan.batch === 1 && wasmColumnsFit(plan.k, plan.n);
}
