import type { BinaryOp, DType } from '@tensorgrad/core';
import { broadcastPlan, innerLength, innerStride, planOffset, type StridedPlan } from './strides';
import type { ElementArray } from './types';

/** One row of a binary op: `n` elements, each input read from its offset with its stride. */
type BinaryLoop = (a: ElementArray, ia: number, sa: number, b: ElementArray, ib: number, sb: number, out: ElementArray, io: number, n: number) => void;

// One loop per op, written out, so each loop's loads stay monomorphic and nothing is called per element.
const loops: Record<BinaryOp, BinaryLoop> = {
  add(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! + b[ib]!;
  },
  sub(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! - b[ib]!;
  },
  mul(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! * b[ib]!;
  },
  div(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! / b[ib]!;
  },
  pow(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = Math.pow(a[ia]!, b[ib]!);
  },
  maximum(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = Math.max(a[ia]!, b[ib]!); // NaN propagates, as torch
  },
  minimum(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = Math.min(a[ia]!, b[ib]!);
  },
  eq(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia] === b[ib]);
  },
  ne(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia] !== b[ib]);
  },
  lt(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! < b[ib]!);
  },
  le(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! <= b[ib]!);
  },
  gt(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! > b[ib]!);
  },
  ge(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! >= b[ib]!);
  },
};

const comparisons: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/**
 * Output dtype of a binary op: comparisons give `bool`, arithmetic keeps the input dtype.
 *
 * @example
 * ```ts
 * binaryOutDType('lt', 'float32'); // 'bool'
 * ```
 */
export function binaryOutDType(op: BinaryOp, dtype: DType): DType {
  return comparisons.has(op) ? 'bool' : dtype;
}

/**
 * Plan a binary op: inputs of `aShape` and `bShape` broadcast (NumPy rules) to `outShape`.
 * The plan is plain data (arrays of numbers), so it can be sent to a worker.
 *
 * @example
 * ```ts
 * const plan = binaryPlan([4, 3], [3], [4, 3]);
 * ```
 */
export function binaryPlan(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): StridedPlan {
  return broadcastPlan(outShape, [aShape, bShape]);
}

/**
 * `out[o] = a[·] op b[·]` for output elements `o` in `[start, end)` (row-major over `outShape`).
 * Any split of `[0, numel(outShape))` into ranges gives the same result as one call.
 * `out` must have the op's output dtype ({@link binaryOutDType}); int32 results wrap like `Int32Array` stores.
 *
 * @example
 * ```ts
 * const a = new Float32Array([1, 2, 3, 4, 5, 6]), b = new Float32Array([10, 20, 30]);
 * const out = new Float32Array(6);
 * binaryRange('add', a, b, out, binaryPlan([2, 3], [3], [2, 3]), 0, 6); // [11, 22, 33, 14, 25, 36]
 * ```
 */
export function binaryRange(op: BinaryOp, a: ElementArray, b: ElementArray, out: ElementArray, plan: StridedPlan, start: number, end: number): void {
  const loop = loops[op];
  if (loop === undefined) throw new Error(`binary: unknown op '${op}'`);
  const inner = innerLength(plan);
  const sa = innerStride(plan, 0);
  const sb = innerStride(plan, 1);
  let o = start;
  while (o < end) {
    // one row of the innermost collapsed dim (or its part inside the range) per call
    const col = o % inner;
    const n = Math.min(inner - col, end - o);
    loop(a, planOffset(plan, 0, o), sa, b, planOffset(plan, 1, o), sb, out, o, n);
    o += n;
  }
}
