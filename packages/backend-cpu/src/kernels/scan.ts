/**
 * Kernels along one axis, line by line: inclusive prefix sums (`cumsum`) and a stable sort that
 * also gives each value's original position. A line is the `n` elements along the axis at one
 * (outer, inner) position; the ranges count lines, which are independent, so a pool can split them.
 */
import type { Shape } from '@tensorgrad/core';
import type { ElementArray } from './types';

/**
 * Where the lines along one axis lie: the tensor viewed as `[outer, n, inner]` holds
 * `outer × inner` lines of `n` elements, `inner` apart. Line `l` is `(o, i) = (⌊l / inner⌋, l % inner)`
 * and starts at offset `o·n·inner + i`.
 *
 * @example
 * ```ts
 * linePlan([2, 3, 4], 1); // { n: 3, inner: 4, lines: 8 }
 * ```
 */
export interface LinePlan {
  /** Elements along the axis (the length of every line). */
  readonly n: number;
  /** Product of the dims after the axis: the stride of the axis. */
  readonly inner: number;
  /** Number of lines: the product of every dim but the axis (0 when the tensor is empty). */
  readonly lines: number;
}

/**
 * The line layout of `axis` (non-negative) in `shape`; a 0-d tensor is one line of one element.
 *
 * @example
 * ```ts
 * linePlan([5, 7], 0); // { n: 5, inner: 7, lines: 7 }
 * linePlan([], 0); // { n: 1, inner: 1, lines: 1 }
 * ```
 */
export function linePlan(shape: Shape, axis: number): LinePlan {
  if (shape.length === 0) {
    if (axis !== 0 && axis !== -1) throw new Error(`linePlan: axis ${axis} is out of range for a 0-d tensor (accepts 0 or -1)`);
    return { n: 1, inner: 1, lines: 1 };
  }
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new Error(`linePlan: axis ${axis} is out of range for shape [${shape.join(',')}] (accepts 0 to ${shape.length - 1})`);
  }
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  let lines = 1;
  for (let d = 0; d < shape.length; d++) if (d !== axis) lines *= shape[d]!;
  const n = shape[axis]!;
  return { n, inner, lines: n === 0 ? 0 : lines };
}

/** Offset of the first element of line `l`. */
function lineStart(plan: LinePlan, l: number): number {
  const inner = plan.inner;
  const i = l % inner;
  return ((l - i) / inner) * plan.n * inner + i;
}

/**
 * Inclusive prefix sums of lines `[start, end)` (see {@link LinePlan}): `out[j] = x[0] + … + x[j]`
 * along the axis, or with `reverse` `x[j] + … + x[n-1]`. Float sums accumulate in float64 and
 * round each output to float32 (as PyTorch's CPU cumsum); int32 sums wrap as int32. `out` has
 * `x`'s dtype and length.
 *
 * @example
 * ```ts
 * const out = new Float32Array(6);
 * cumsumRange(new Float32Array([1, 2, 3, 4, 5, 6]), out, linePlan([2, 3], 1), false, 0, 2); // [1, 3, 6, 4, 9, 15]
 * ```
 */
export function cumsumRange(x: ElementArray, out: ElementArray, plan: LinePlan, reverse: boolean, start: number, end: number): void {
  const { n, inner } = plan;
  const isInt = out instanceof Int32Array;
  const step = reverse ? -inner : inner;
  for (let l = start; l < end; l++) {
    let p = lineStart(plan, l) + (reverse ? (n - 1) * inner : 0);
    let acc = 0;
    if (isInt) {
      for (let j = 0; j < n; j++, p += step) {
        acc = (acc + x[p]!) | 0;
        out[p] = acc;
      }
    } else {
      for (let j = 0; j < n; j++, p += step) {
        acc += x[p]!;
        out[p] = acc;
      }
    }
  }
}

// Reusable per-call scratch for one line (grown on demand): values as float64, positions.
let lineValues = new Float64Array(64);
let lineOrder: number[] = [];

/**
 * Stable sort of lines `[start, end)` (see {@link LinePlan}): `values` gets each line in
 * ascending order (descending with `descending`), `indices` the position along the axis each
 * value came from. Equal values keep their original order in both directions (so `-0` and `0`
 * stay as they were); NaN sorts above every number: last ascending, first descending, as PyTorch.
 * `values` has `x`'s dtype and length, `indices` the same length.
 *
 * @example
 * ```ts
 * const v = new Float32Array(4), i = new Int32Array(4);
 * sortRange(new Float32Array([3, NaN, 1, 3]), v, i, linePlan([4], 0), false, 0, 1); // v = [1, 3, 3, NaN], i = [2, 0, 3, 1]
 * ```
 */
export function sortRange(x: ElementArray, values: ElementArray, indices: Int32Array, plan: LinePlan, descending: boolean, start: number, end: number): void {
  const { n, inner } = plan;
  if (lineValues.length < n) lineValues = new Float64Array(Math.max(n, lineValues.length * 2));
  const line = lineValues;
  const order = lineOrder;
  order.length = n;
  // NaN is the largest; ties fall back on the position, which makes the order total (hence stable)
  const sign = descending ? -1 : 1;
  const cmp = (a: number, b: number): number => {
    const va = line[a]!;
    const vb = line[b]!;
    let c: number;
    if (va < vb) c = -1;
    else if (va > vb) c = 1;
    else if (va === vb) c = 0;
    else c = va === va ? -1 : vb === vb ? 1 : 0; // at least one NaN
    return c !== 0 ? sign * c : a - b;
  };
  for (let l = start; l < end; l++) {
    const base = lineStart(plan, l);
    let sorted = true; // an already ordered line (common: sorting sorted data) skips the sort
    for (let j = 0, p = base; j < n; j++, p += inner) {
      order[j] = j;
      line[j] = x[p]!;
      if (sorted && j > 0 && cmp(j - 1, j) > 0) sorted = false;
    }
    if (!sorted) order.sort(cmp);
    for (let j = 0, p = base; j < n; j++, p += inner) {
      const from = order[j]!;
      values[p] = line[from]!;
      indices[p] = from;
    }
  }
}
