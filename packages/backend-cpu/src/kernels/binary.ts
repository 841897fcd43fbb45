import type { BinaryOp, DType } from '@tensorgrad/core';
import { broadcastPlan, innerLength, innerStride, planOffset, sizeOf, type StridedPlan } from './strides';
import { wasmBinary, type RowsLayout } from '../wasm/elementwise';
import type { ElementArray } from './types';

/** One row of a binary op: `n` elements, each input read from its offset with its stride. */
type BinaryLoop = (a: ElementArray, ia: number, sa: number, b: ElementArray, ib: number, sb: number, out: ElementArray, io: number, n: number) => void;

// One loop per op, written out, so that nothing is called per element. Float32 rows long enough to pay
// for staging, arithmetic and comparisons (relu's and dropout's masks), run on WebAssembly SIMD instead (see `rows`).
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
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) {
      const x = a[ia]!;
      const y = b[ib]!;
      let r = Math.pow(x, y);
      // C's pow (and PyTorch's) where Math.pow differs: 1^y = 1 for every y (NaN too), (-1)^±inf = 1
      if (r !== r && (x === 1 || (x === -1 && (y === Infinity || y === -Infinity)))) r = 1;
      out[io] = r;
    }
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
  // the common cases, planned without the general walk: equal shapes, and a scalar on either side
  const n = sizeOf(outShape);
  if (n > 0 && sameDims(aShape, bShape) && sameDims(aShape, outShape)) {
    return { shape: [n], strides: [[1], [1]], offsets: [0, 0] };
  }
  if (n > 0 && bShape.length === 0 && sameDims(aShape, outShape)) return { shape: [n], strides: [[1], [0]], offsets: [0, 0] };
  if (n > 0 && aShape.length === 0 && sameDims(bShape, outShape)) return { shape: [n], strides: [[0], [1]], offsets: [0, 0] };
  return broadcastPlan(outShape, [aShape, bShape]);
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
  // float32 operands: long rows of the arithmetic and the comparisons go to WebAssembly SIMD
  const wasm = a instanceof Float32Array && b instanceof Float32Array && !(out instanceof Int32Array);
  rows(loop, a, b, out, plan, start, end, wasm ? op : undefined);
}

/** Elements of a float32 op from which a call goes to WebAssembly SIMD (about 5× a loop; staging costs a few hundred ns). */
const WASM_MIN = 1024;

/** An operand's layout over a collapsed `[rows, cols]` plan as {@link wasmBinary} takes it, or null for another. */
function rowsLayout(plan: StridedPlan, j: number): RowsLayout | null {
  const [rs, cs] = plan.strides[j]!;
  if (cs === 1) return rs === plan.shape[1] ? 0 : rs === 0 ? 1 : null;
  return cs === 0 ? (rs === 1 ? 2 : rs === 0 ? 3 : null) : null;
}

// one row of the innermost collapsed dim (or its part inside the range) per call of `loop`; with
// `wasmOp` (float32 arrays) long rows, and the whole rows of a 2-D plan together, go to the
// WebAssembly kernel instead
function rows<T extends ElementArray>(
  loop: (a: T, ia: number, sa: number, b: T, ib: number, sb: number, out: T, io: number, n: number) => void,
  a: T,
  b: T,
  out: T,
  plan: StridedPlan,
  start: number,
  end: number,
  wasmOp?: BinaryOp,
): void {
  const inner = innerLength(plan);
  const sa = innerStride(plan, 0);
  const sb = innerStride(plan, 1);
  const f32 = (t: T) => t as unknown as Float32Array;
  // outputs [o, e), row by row
  const walk = (o: number, e: number): void => {
    while (o < e) {
      const n = Math.min(inner - (o % inner), e - o);
      const ia = planOffset(plan, 0, o);
      const ib = planOffset(plan, 1, o);
      const flat = (sa === 0 || sa === 1) && (sb === 0 || sb === 1) && wasmOp !== undefined && n >= WASM_MIN;
      if (!flat || !wasmBinary(wasmOp, f32(a), ia, sa === 1 ? 0 : 3, f32(b), ib, sb === 1 ? 0 : 3, out as Float32Array | Uint8Array, o, 1, n)) loop(a, ia, sa, b, ib, sb, out, o, n);
      o += n;
    }
  };
  if (wasmOp !== undefined && plan.shape.length === 2 && end - start >= WASM_MIN) {
    const r0 = Math.ceil(start / inner);
    const r1 = Math.floor(end / inner);
    const ka = rowsLayout(plan, 0);
    const kb = rowsLayout(plan, 1);
    // a value per row is filled row by row: worth it on rows of 32 and more
    if (r1 > r0 && ka !== null && kb !== null && (inner >= 32 || (ka !== 2 && kb !== 2))) {
      const o = r0 * inner;
      if (wasmBinary(wasmOp, f32(a), planOffset(plan, 0, o), ka, f32(b), planOffset(plan, 1, o), kb, out as Float32Array | Uint8Array, o, r1 - r0, inner)) {
        walk(start, o);
        walk(r1 * inner, end);
        return;
      }
    }
  }
  walk(start, end);
}
