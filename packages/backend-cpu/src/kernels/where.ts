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
  if (cond instanceof Uint8Array && a.BYTES_PER_ELEMENT === 4 && b.BYTES_PER_ELEMENT === 4 && out.BYTES_PER_ELEMENT === 4) {
    // 4-byte values (float32, int32) picked by bit masks: no branch to mispredict on a random mask,
    // and every value (NaN, infinities, -0) passes through exactly
    const ai = bits(a);
    const bi = bits(b);
    const oi = bits(out);
    for (let o = start; o < end; ) {
      const n = Math.min(inner - (o % inner), end - o);
      selectBits(cond, planOffset(plan, 0, o), sc, ai, planOffset(plan, 1, o), sa, bi, planOffset(plan, 2, o), sb, oi, o, n);
      o += n;
    }
    return;
  }
  let o = start;
  while (o < end) {
    const n = Math.min(inner - (o % inner), end - o);
    let ic = planOffset(plan, 0, o);
    let ia = planOffset(plan, 1, o);
    let ib = planOffset(plan, 2, o);
    for (let e = o + n; o < e; o++, ic += sc, ia += sa, ib += sb) out[o] = cond[ic] !== 0 ? a[ia]! : b[ib]!;
  }
}

/** The same memory as an `Int32Array` (a float32 array's bits). */
function bits(x: ElementArray): Int32Array {
  return x instanceof Int32Array ? x : new Int32Array(x.buffer, x.byteOffset, x.length);
}

/** One row of `out = cond ? a : b` on bit patterns: `-cond` is all ones for true, zero for false. */
function selectBits(c: Uint8Array, ic: number, sc: number, a: Int32Array, ia: number, sa: number, b: Int32Array, ib: number, sb: number, out: Int32Array, io: number, n: number): void {
  const e = io + n;
  if (sc === 1 && sa === 1 && sb === 0) {
    // the gradient of relu and of a clamp: where(mask, g, 0)
    const v = b[ib]!;
    for (const e4 = e - 3; io < e4; io += 4, ic += 4, ia += 4) {
      let m = -c[ic]!;
      out[io] = (a[ia]! & m) | (v & ~m);
      m = -c[ic + 1]!;
      out[io + 1] = (a[ia + 1]! & m) | (v & ~m);
      m = -c[ic + 2]!;
      out[io + 2] = (a[ia + 2]! & m) | (v & ~m);
      m = -c[ic + 3]!;
      out[io + 3] = (a[ia + 3]! & m) | (v & ~m);
    }
  }
  for (; io < e; io++, ic += sc, ia += sa, ib += sb) {
    const m = -c[ic]!;
    out[io] = (a[ia]! & m) | (b[ib]! & ~m);
  }
}
