import { broadcastPlan, innerLength, innerStride, planOffset, type StridedPlan } from './strides';
import type { ElementArray } from './types';

/**
 * Plan `where`: `cond`, `a` and `b` broadcast to `outShape`. Inputs are numbered 0 (cond), 1 (a), 2 (b).
 *
 * @example
 * ```ts
 * const plan = wherePlan([3], [2, 3], [], [2, 3]);
 * ```
 */
export function wherePlan(condShape: readonly number[], aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): StridedPlan {
  return broadcastPlan(outShape, [condShape, aShape, bShape]);
}

/**
 * `out[o] = cond[·] ? a[·] : b[·]` for output elements `o` in `[start, end)` (row-major over
 * `outShape`). `out` has `a`'s dtype.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * whereRange(new Uint8Array([1, 0]), new Float32Array([1, 2]), new Float32Array([9]), out, wherePlan([2], [2], [1], [2]), 0, 2);
 * // out = [1, 9]
 * ```
 */
export function whereRange(cond: ElementArray, a: ElementArray, b: ElementArray, out: ElementArray, plan: StridedPlan, start: number, end: number): void {
  const inner = innerLength(plan);
  const sc = innerStride(plan, 0);
  const sa = innerStride(plan, 1);
  const sb = innerStride(plan, 2);
  let o = start;
  while (o < end) {
    const n = Math.min(inner - (o % inner), end - o);
    let ic = planOffset(plan, 0, o);
    let ia = planOffset(plan, 1, o);
    let ib = planOffset(plan, 2, o);
    for (let e = o + n; o < e; o++, ic += sc, ia += sa, ib += sb) out[o] = cond[ic] !== 0 ? a[ia]! : b[ib]!;
  }
}
