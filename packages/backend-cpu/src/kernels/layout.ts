import { broadcastStrides, collapseDims, contiguousStrides, innerLength, innerStride, planOffset, type StridedPlan } from './strides';
import type { ElementArray } from './types';

/**
 * Plan `permute`: output dim `i` is input dim `perm[i]`. Walk it with {@link stridedCopyRange}.
 *
 * @example
 * ```ts
 * const plan = permutePlan([2, 3], [1, 0]); // a transpose
 * ```
 */
export function permutePlan(shape: readonly number[], perm: readonly number[]): StridedPlan {
  const strides = contiguousStrides(shape);
  return collapseDims(
    perm.map((p) => shape[p]!),
    [perm.map((p) => strides[p]!)],
    [0],
  );
}

/**
 * Plan `expand`: `shape` broadcast (NumPy rules) to `outShape`. Walk it with {@link stridedCopyRange}.
 *
 * @example
 * ```ts
 * const plan = expandPlan([3], [4, 3]);
 * ```
 */
export function expandPlan(shape: readonly number[], outShape: readonly number[]): StridedPlan {
  return collapseDims(outShape, [broadcastStrides(shape, outShape)], [0]);
}

/**
 * Plan `slice`: the block of `shape` starting at `begin` with lengths `size`. Walk it with {@link stridedCopyRange}.
 *
 * @example
 * ```ts
 * const plan = slicePlan([4, 4], [1, 1], [2, 2]); // the middle 2×2
 * ```
 */
export function slicePlan(shape: readonly number[], begin: readonly number[], size: readonly number[]): StridedPlan {
  const strides = contiguousStrides(shape);
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset += begin[d]! * strides[d]!;
  return collapseDims(size, [strides], [offset]);
}

/**
 * `out[o] = x[offset + Σ idx(o)·strides]` for output elements `o` in `[start, end)`, where
 * `idx(o)` is `o` decomposed row-major over `plan.shape`: the copy behind permute, expand and slice.
 *
 * @example
 * ```ts
 * const x = new Float32Array([1, 2, 3, 4, 5, 6]), out = new Float32Array(6);
 * stridedCopyRange(x, out, permutePlan([2, 3], [1, 0]), 0, 6); // [1, 4, 2, 5, 3, 6]
 * ```
 */
export function stridedCopyRange(x: ElementArray, out: ElementArray, plan: StridedPlan, start: number, end: number): void {
  if (start >= end) return;
  const inner = innerLength(plan);
  const s = innerStride(plan, 0);
  const shape = plan.shape;
  const strides = plan.strides[0]!;
  const outer = shape.length - 1; // the dims above the inner one, walked like an odometer
  const at = new Array<number>(Math.max(outer, 0)).fill(0);
  let o = start;
  let row = Math.floor(start / inner);
  for (let d = outer - 1; d >= 0 && row > 0; d--) {
    at[d] = row % shape[d]!;
    row = Math.floor(row / shape[d]!);
  }
  let base = planOffset(plan, 0, start - (start % inner)); // where the current row starts in x
  let col = start % inner;
  while (o < end) {
    const n = Math.min(inner - col, end - o);
    let i = base + col * s;
    if (s === 1 && n >= 64) {
      out.set(x.subarray(i, i + n), o); // long contiguous rows: memcpy
      o += n;
    } else if (s === 1) {
      const e = o + n;
      for (; o + 4 <= e; o += 4, i += 4) {
        out[o] = x[i]!;
        out[o + 1] = x[i + 1]!;
        out[o + 2] = x[i + 2]!;
        out[o + 3] = x[i + 3]!;
      }
      for (; o < e; o++, i++) out[o] = x[i]!;
    } else for (let e = o + n; o < e; o++, i += s) out[o] = x[i]!;
    col = 0;
    for (let d = outer - 1; d >= 0; d--) {
      base += strides[d]!;
      if (++at[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      at[d] = 0;
    }
  }
}

/**
 * A planned `pad`: the output is viewed as rows of its last dim, `outShape` of the input `shape`
 * padded by `before`/`after` per dim.
 *
 * @example
 * ```ts
 * padPlan([2, 2], [[1, 1], [0, 2]]); // output [4, 4]
 * ```
 */
export interface PadPlan {
  /** The input's shape. */
  readonly shape: number[];
  /** The output's shape: `shape[i] + before[i] + after[i]` per dim. */
  readonly outShape: number[];
  /** Padding before the input along each dim, i.e. where the input starts in the output. */
  readonly before: number[];
}

/**
 * Plan `pad`: dim `i` of `shape` gets `padding[i][0]` before and `padding[i][1]` after.
 *
 * @example
 * ```ts
 * const plan = padPlan([3], [[1, 2]]); // output [6]
 * ```
 */
export function padPlan(shape: readonly number[], padding: readonly (readonly [number, number])[]): PadPlan {
  return {
    shape: [...shape],
    outShape: shape.map((d, i) => d + padding[i]![0] + padding[i]![1]),
    before: padding.map((p) => p[0]),
  };
}

/**
 * Output elements `[start, end)` (row-major over `plan.outShape`) of `pad`: the input where it
 * lands, `value` elsewhere.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * padRange(new Float32Array([7, 8]), out, padPlan([2], [[1, 1]]), 0, 0, 4); // [0, 7, 8, 0]
 * ```
 */
export function padRange(x: ElementArray, out: ElementArray, plan: PadPlan, value: number, start: number, end: number): void {
  const rank = plan.outShape.length;
  if (rank === 0) {
    if (start < end) out[0] = x[0]!;
    return;
  }
  const width = plan.outShape[rank - 1]!;
  const inWidth = plan.shape[rank - 1]!;
  const left = plan.before[rank - 1]!;
  const inStrides = contiguousStrides(plan.shape);
  let o = start;
  while (o < end) {
    const col0 = o % width;
    const n = Math.min(width - col0, end - o);
    // locate this output row in the input; -1 when it lies in padding
    let q = (o - col0) / width;
    let base = 0;
    for (let d = rank - 2; d >= 0; d--) {
      const len = plan.outShape[d]!;
      const i = (q % len) - plan.before[d]!;
      q = Math.floor(q / len);
      if (base >= 0 && i >= 0 && i < plan.shape[d]!) base += i * inStrides[d]!;
      else base = -1;
    }
    for (let col = col0, e = col0 + n; col < e; col++, o++) {
      const c = col - left;
      out[o] = base >= 0 && c >= 0 && c < inWidth ? x[base + c]! : value;
    }
  }
}

/**
 * A planned `concat` along one axis: every tensor is viewed as `[outer, sizes[j] * inner]` and
 * the output as `[outer, total * inner]`.
 *
 * @example
 * ```ts
 * concatPlan([[2, 3], [2, 5]], 1); // { outer: 2, inner: 1, sizes: [3, 5] }
 * ```
 */
export interface ConcatPlan {
  /** Product of the dims before the axis: the number of rows every input contributes to. */
  readonly outer: number;
  /** Product of the dims after the axis: elements per step along the axis. */
  readonly inner: number;
  /** Each input's length along the axis. */
  readonly sizes: number[];
}

/**
 * Plan `concat` of tensors with `shapes` along `axis`.
 *
 * @example
 * ```ts
 * const plan = concatPlan([[2, 3], [4, 3]], 0);
 * ```
 */
export function concatPlan(shapes: readonly (readonly number[])[], axis: number): ConcatPlan {
  const first = shapes[0]!;
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= first[d]!;
  for (let d = axis + 1; d < first.length; d++) inner *= first[d]!;
  return { outer, inner, sizes: shapes.map((s) => s[axis]!) };
}

/**
 * Output elements `[start, end)` (row-major over the concatenated shape) of `concat(xs)`.
 *
 * @example
 * ```ts
 * const out = new Float32Array(3);
 * concatRange([new Float32Array([1]), new Float32Array([2, 3])], out, concatPlan([[1], [2]], 0), 0, 3); // [1, 2, 3]
 * ```
 */
export function concatRange(xs: readonly ElementArray[], out: ElementArray, plan: ConcatPlan, start: number, end: number): void {
  const inner = plan.inner;
  let rowLength = 0;
  for (const s of plan.sizes) rowLength += s * inner;
  if (rowLength === 0) return;
  // find the input holding the first column once; after it, every run starts the next input's
  // part of the row (or the next row's first), so the walk is linear in runs, not runs × inputs
  let row = Math.floor(start / rowLength);
  let skip = start - row * rowLength;
  let j = 0;
  for (; skip >= plan.sizes[j]! * inner; j++) skip -= plan.sizes[j]! * inner;
  for (let o = start; o < end; ) {
    const width = plan.sizes[j]! * inner;
    const from = row * width + skip;
    const n = Math.min(width - skip, end - o);
    const x = xs[j]!;
    if (n >= 64) out.set(x.subarray(from, from + n), o);
    else for (let t = 0; t < n; t++) out[o + t] = x[from + t]!;
    o += n;
    skip = 0;
    if (++j === xs.length) {
      j = 0;
      row++;
    }
  }
}
