import { contiguousStrides } from './strides';
import type { ElementArray } from './types';

/**
 * A planned gather / scatterAdd along `axis`. The index tensor (shape `indexShape`) addresses
 * the data tensor (shape `dataShape`, of the same rank): element `idx` of the index reads or
 * writes the data element with the same coordinates except `index[idx]` along `axis`.
 * `fast` is set when `indexShape` equals `dataShape` off the axis, so both view as `[outer, len, inner]`.
 *
 * @example
 * ```ts
 * gatherPlan([4, 10], 1, [4, 1]); // { fast: true, outer: 4, inner: 1, dataAxis: 10, indexAxis: 1, ... }
 * ```
 */
export interface GatherPlan {
  /** Index and data agree off the axis, so offsets come from `outer`/`inner` alone (no per-dim walk). */
  readonly fast: boolean;
  /** Product of the index dims before the axis. */
  readonly outer: number;
  /** Product of the index dims after the axis. */
  readonly inner: number;
  /** The data tensor's length along the axis (negative indices count back from it). */
  readonly dataAxis: number;
  /** The index tensor's length along the axis: the length of one scatterAdd line. */
  readonly indexAxis: number;
  /** General path: the index shape, decomposed row-major to find each index element's coordinates. */
  readonly indexShape: number[];
  /** General path: the data tensor's contiguous strides per dim (the axis's own stride at `axis`). */
  readonly dataStrides: number[];
  /** The dim gathered or scattered along (non-negative). */
  readonly axis: number;
}

/**
 * Plan `gather(x, axis, index)` or `scatterAdd(dataShape, axis, index, src)`.
 *
 * @example
 * ```ts
 * const plan = gatherPlan([3, 5], 1, [3, 2]);
 * ```
 */
export function gatherPlan(dataShape: readonly number[], axis: number, indexShape: readonly number[]): GatherPlan {
  const fast = dataShape.every((d, i) => i === axis || d === indexShape[i]);
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= indexShape[d]!;
  for (let d = axis + 1; d < indexShape.length; d++) inner *= indexShape[d]!;
  return {
    fast,
    outer,
    inner,
    dataAxis: dataShape[axis]!,
    indexAxis: indexShape[axis]!,
    indexShape: [...indexShape],
    dataStrides: contiguousStrides(dataShape),
    axis,
  };
}

/** Offset in the data tensor of index element `idx` with `index[idx] = at` along the axis. */
function dataOffset(plan: GatherPlan, idx: number, at: number): number {
  if (plan.fast) {
    const inner = plan.inner;
    const k = idx % inner;
    const i = Math.floor(idx / (inner * plan.indexAxis));
    return (i * plan.dataAxis + at) * inner + k;
  }
  let off = 0;
  let q = idx;
  for (let d = plan.indexShape.length - 1; d >= 0; d--) {
    const len = plan.indexShape[d]!;
    const i = q % len;
    q = (q - i) / len;
    off += (d === plan.axis ? at : i) * plan.dataStrides[d]!;
  }
  return off;
}

/**
 * `out[idx] = x[… index[idx] along axis …]` for output elements `idx` in `[start, end)`
 * (row-major over the index shape, which is the output shape). Negative indices count from the end.
 *
 * @example
 * ```ts
 * const x = new Float32Array([1, 2, 3, 4]), out = new Float32Array(2);
 * gatherRange(x, new Int32Array([1, 0]), out, gatherPlan([2, 2], 1, [2, 1]), 0, 2); // [2, 3]
 * ```
 */
export function gatherRange(x: ElementArray, index: Int32Array, out: ElementArray, plan: GatherPlan, start: number, end: number): void {
  const len = plan.dataAxis;
  const inner = plan.inner;
  if (plan.fast) {
    // the output position's outer index i and inner one k found once, then stepped: no
    // division per element (an embedding's lookup, [768] ids into [65, 128]: 0.66 ms through
    // dataOffset, 0.28 by runs of `inner`; max-pooling's values, inner 1: 8.7 ns an element by runs)
    const block = inner * plan.indexAxis;
    let i = Math.floor(start / block);
    let left = (i + 1) * block - start; // elements left of outer position i
    for (let o = start, k = start % inner; o < end; o++) {
      let at = index[o]!;
      if (at < 0) at += len;
      out[o] = x[(i * len + at) * inner + k]!;
      if (++k === inner) k = 0;
      if (--left === 0) {
        left = block;
        i++;
      }
    }
    return;
  }
  for (let o = start; o < end; o++) {
    let at = index[o]!;
    if (at < 0) at += len;
    out[o] = x[dataOffset(plan, o, at)]!;
  }
}

/**
 * Number of independent lines of a scatterAdd: index elements that differ only along the axis
 * form a line, and a line writes only to its own line of the output. Split scatterAdd by line.
 *
 * @example
 * ```ts
 * scatterLines(gatherPlan([4, 10], 1, [4, 3])); // 4
 * ```
 */
export function scatterLines(plan: GatherPlan): number {
  return plan.outer * plan.inner;
}

/**
 * `out[… index[idx] along axis …] += src[idx]` for the index elements of lines `[start, end)`
 * (line `l` is `(outer, inner) = (⌊l / inner⌋, l % inner)` and holds every index element with
 * those coordinates off the axis, see {@link scatterLines}). Lines write disjoint output
 * elements, so ranges of lines can run in parallel without races. Within a line, additions
 * happen in index order. `out` must start zero-filled (a fresh allocation is): this adds into it.
 *
 * @example
 * ```ts
 * const out = new Float32Array(3);
 * scatterAddRange(new Int32Array([2, 2]), new Float32Array([1, 5]), out, gatherPlan([3], 0, [2]), 0, 1); // [0, 0, 6]
 * ```
 */
export function scatterAddRange(index: Int32Array, src: Float32Array, out: Float32Array, plan: GatherPlan, start: number, end: number): void {
  const inner = plan.inner;
  const lineLength = plan.indexAxis;
  const len = plan.dataAxis;
  if (plan.fast) {
    // index and data agree off the axis: line l's elements sit `inner` apart in both. The lines of
    // one outer index go side by side, a step of each at a time: rows in memory order, and each
    // line's additions still in index order (an embedding's gradient: 0.50 ms line by line, 0.42 so)
    for (let l = start; l < end; ) {
      const i = Math.floor(l / inner);
      const k0 = l - i * inner;
      const k1 = Math.min(inner, k0 + end - l);
      for (let j = 0; j < lineLength; j++) {
        const from = (i * lineLength + j) * inner;
        for (let k = k0; k < k1; k++) {
          let at = index[from + k]!;
          if (at < 0) at += len;
          out[(i * len + at) * inner + k] += src[from + k]!;
        }
      }
      l += k1 - k0;
    }
    return;
  }
  for (let l = start; l < end; l++) {
    const k = l % inner;
    const i = (l - k) / inner;
    for (let j = 0; j < lineLength; j++) {
      const idx = (i * lineLength + j) * inner + k;
      let at = index[idx]!;
      if (at < 0) at += len;
      out[dataOffset(plan, idx, at)] += src[idx]!;
    }
  }
}
