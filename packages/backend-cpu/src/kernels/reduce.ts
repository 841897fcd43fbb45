import type { DType, ReduceOp } from '@tensorgrad/core';
import { contiguousStrides } from './strides';
import type { ElementArray } from './types';

/**
 * A planned reduction, plain data. `x` is viewed with size-1 dims dropped and adjacent dims of
 * one kind (kept or reduced) merged:
 * - `inner`: `[outer, size]` reducing the trailing contiguous block;
 * - `middle`: `[outer, size, inner]` reducing one block of dims with kept dims on both sides;
 * - `general`: several separate reduced blocks, walked as lines of the innermost one (`lineLength`
 *   elements `lineStride` apart) starting at `lineOffsets`.
 * Output element `o` decomposes over `keptShape` (row-major) with strides `keptStrides` in `x`.
 *
 * @example
 * ```ts
 * reducePlan([4, 5, 6], [1]); // { kind: 'middle', size: 5, inner: 6, ... }
 * ```
 */
export interface ReducePlan {
  /** Which of the three walks above {@link reduceRange} takes. */
  readonly kind: 'inner' | 'middle' | 'general';
  /** Elements combined into each output element. */
  readonly size: number;
  /** `middle`: the product of the kept dims after the reduced block (the stride of the reduced block). */
  readonly inner: number;
  /** Kept dims (collapsed): output element `o` decomposes row-major over these. */
  readonly keptShape: number[];
  /** Stride in `x` of each of `keptShape`'s dims: the base offset of output element `o` is `Σ idx(o)·keptStrides`. */
  readonly keptStrides: number[];
  /** `general`: offset in `x`, relative to the output element's base, of each line of reduced elements (row-major). */
  readonly lineOffsets: number[];
  /** `general`: elements per line (the innermost reduced block's length). */
  readonly lineLength: number;
  /** `general`: stride in `x` between a line's elements. */
  readonly lineStride: number;
}

/**
 * Output dtype of a reduction: `sum` of int32/bool gives int32, `argmax`/`argmin` int32, `max`/`min` keep it.
 *
 * @example
 * ```ts
 * reduceOutDType('sum', 'bool'); // 'int32'
 * ```
 */
export function reduceOutDType(op: ReduceOp, dtype: DType): DType {
  if (op === 'argmax' || op === 'argmin') return 'int32';
  if (op === 'sum') return dtype === 'float32' ? 'float32' : 'int32';
  return dtype;
}

/**
 * Plan a reduction of `shape` over `axes` (sorted, non-negative). The output has `shape` with
 * those axes removed.
 *
 * @example
 * ```ts
 * const plan = reducePlan([8, 10], [1]); // row sums: kind 'inner', size 10
 * ```
 */
export function reducePlan(shape: readonly number[], axes: readonly number[]): ReducePlan {
  const strides = contiguousStrides(shape);
  const reduced = new Set(axes);
  // groups of adjacent dims of one kind; size-1 dims are dropped as they never move an offset
  const groups: { reduced: boolean; len: number; stride: number }[] = [];
  let size = 1;
  for (let d = 0; d < shape.length; d++) {
    const len = shape[d]!;
    const isReduced = reduced.has(d);
    if (isReduced) size *= len;
    if (len === 1) continue;
    const last = groups[groups.length - 1];
    if (last !== undefined && last.reduced === isReduced) {
      last.len *= len;
      last.stride = strides[d]!;
    } else groups.push({ reduced: isReduced, len, stride: strides[d]! });
  }
  const kept = groups.filter((g) => !g.reduced);
  const keptShape = kept.map((g) => g.len);
  const keptStrides = kept.map((g) => g.stride);
  const reducedGroups = groups.filter((g) => g.reduced);
  if (size === 0 || reducedGroups.length === 0) return { kind: 'inner', size, inner: 1, keptShape, keptStrides, lineOffsets: [], lineLength: 0, lineStride: 0 };
  if (reducedGroups.length === 1) {
    const g = reducedGroups[0]!;
    if (g.stride === 1) return { kind: 'inner', size, inner: 1, keptShape, keptStrides, lineOffsets: [], lineLength: 0, lineStride: 0 };
    return { kind: 'middle', size, inner: g.stride, keptShape, keptStrides, lineOffsets: [], lineLength: 0, lineStride: 0 };
  }
  // every reduced block but the innermost enumerated (few: the innermost is usually the long one)
  const last = reducedGroups[reducedGroups.length - 1]!;
  const lineOffsets = [0];
  for (let gi = reducedGroups.length - 2; gi >= 0; gi--) {
    const g = reducedGroups[gi]!;
    const prev = lineOffsets.length;
    for (let i = 1; i < g.len; i++) for (let j = 0; j < prev; j++) lineOffsets.push(i * g.stride + lineOffsets[j]!);
  }
  // built innermost group fastest, so lines are row-major over the reduced dims: argmax ties pick the first
  return { kind: 'general', size, inner: 1, keptShape, keptStrides, lineOffsets, lineLength: last.len, lineStride: last.stride };
}

// Reusable float64 accumulators for the `middle` sum: more accurate than summing into float32 rows.
let scratch = new Float64Array(1024);

function keptOffset(plan: ReducePlan, o: number): number {
  const shape = plan.keptShape;
  const strides = plan.keptStrides;
  let off = 0;
  let q = o;
  for (let d = shape.length - 1; d >= 0 && q > 0; d--) {
    const len = shape[d]!;
    const i = q % len;
    q = (q - i) / len;
    off += i * strides[d]!;
  }
  return off;
}

/** Reduce `n` elements of `x` at `off`, `off + stride`, …; arg ops return the position. */
function reduceLine(op: ReduceOp, x: ElementArray, off: number, stride: number, n: number): number {
  switch (op) {
    case 'sum': {
      let s = 0;
      for (let e = off + n * stride; off !== e; off += stride) s += x[off]!;
      return s;
    }
    case 'max': {
      if (n === 0) return -Infinity;
      let m = x[off]!;
      for (let e = off + n * stride; off !== e && m === m; off += stride) {
        const v = x[off]!;
        if (!(v <= m)) m = v; // a larger value, or NaN, which then ends the loop
      }
      return m;
    }
    case 'min': {
      if (n === 0) return Infinity;
      let m = x[off]!;
      for (let e = off + n * stride; off !== e && m === m; off += stride) {
        const v = x[off]!;
        if (!(v >= m)) m = v;
      }
      return m;
    }
    case 'argmax': {
      let best = x[off]!;
      let at = 0;
      for (let r = 1; r < n && best === best; r++) {
        const v = x[off + r * stride]!;
        if (!(v <= best)) {
          best = v;
          at = r;
        }
      }
      return at;
    }
    case 'argmin': {
      let best = x[off]!;
      let at = 0;
      for (let r = 1; r < n && best === best; r++) {
        const v = x[off + r * stride]!;
        if (!(v >= best)) {
          best = v;
          at = r;
        }
      }
      return at;
    }
    default:
      throw new Error(`reduce: unknown op '${op as string}'`);
  }
}

function reduceLines(op: ReduceOp, x: ElementArray, base: number, plan: ReducePlan): number {
  const { lineOffsets, lineLength, lineStride } = plan;
  if (op === 'sum') {
    let s = 0;
    for (let l = 0; l < lineOffsets.length; l++) s += reduceLine('sum', x, base + lineOffsets[l]!, lineStride, lineLength);
    return s;
  }
  if (op === 'max' || op === 'min') {
    let best = reduceLine(op, x, base, lineStride, lineLength);
    for (let l = 1; l < lineOffsets.length && best === best; l++) {
      const v = reduceLine(op, x, base + lineOffsets[l]!, lineStride, lineLength);
      if (op === 'max' ? !(v <= best) : !(v >= best)) best = v; // NaN wins every comparison, as in torch
    }
    return best;
  }
  // argmax/argmin: the first extreme in row-major order over the reduced dims
  let best = x[base]!;
  let at = 0;
  for (let l = 0; l < lineOffsets.length && best === best; l++) {
    const r = reduceLine(op, x, base + lineOffsets[l]!, lineStride, lineLength);
    const v = x[base + lineOffsets[l]! + r * lineStride]!;
    if (op === 'argmax' ? !(v <= best) : !(v >= best)) {
      best = v;
      at = l * lineLength + r;
    }
  }
  return at;
}

/** Combine rows: `out[j] ⊕= x[off + j]` for `j` in `[0, n)`, in float64 `acc` for sums. */
function middleSegment(op: ReduceOp, x: ElementArray, out: ElementArray, o: number, n: number, off: number, size: number, inner: number): void {
  if (op === 'sum') {
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
    const acc = scratch;
    for (let j = 0; j < n; j++) acc[j] = 0;
    for (let r = 0; r < size; r++, off += inner) for (let j = 0; j < n; j++) acc[j] += x[off + j]!;
    for (let j = 0; j < n; j++) out[o + j] = acc[j]!;
    return;
  }
  if (op === 'max' || op === 'min') {
    for (let j = 0; j < n; j++) out[o + j] = x[off + j]!;
    const isMax = op === 'max';
    for (let r = 1; r < size; r++) {
      off += inner;
      for (let j = 0; j < n; j++) {
        const v = x[off + j]!;
        const m = out[o + j]!;
        if (isMax ? v > m || v !== v : v < m || v !== v) out[o + j] = v; // NaN sticks: nothing beats it
      }
    }
    return;
  }
  for (let j = 0; j < n; j++) out[o + j] = reduceLine(op, x, off + j, inner, size);
}

/**
 * Reduce into output elements `o` in `[start, end)` (row-major over the output shape, which is
 * `x`'s shape with the reduced axes removed). `out` has {@link reduceOutDType}.
 *
 * @example
 * ```ts
 * const x = new Float32Array([1, 2, 3, 4, 5, 6]), out = new Float32Array(2);
 * reduceRange('sum', x, out, reducePlan([2, 3], [1]), 0, 2); // out = [6, 15]
 * ```
 */
export function reduceRange(op: ReduceOp, x: ElementArray, out: ElementArray, plan: ReducePlan, start: number, end: number): void {
  const size = plan.size;
  if (plan.kind === 'inner') {
    for (let o = start; o < end; o++) out[o] = reduceLine(op, x, o * size, 1, size);
    return;
  }
  if (plan.kind === 'middle') {
    const inner = plan.inner;
    let o = start;
    while (o < end) {
      // the outputs sharing one outer index are contiguous in x's rows: combine row by row
      const j0 = o % inner;
      const n = Math.min(inner - j0, end - o);
      const outer = (o - j0) / inner;
      middleSegment(op, x, out, o, n, outer * size * inner + j0, size, inner);
      o += n;
    }
    return;
  }
  for (let o = start; o < end; o++) out[o] = reduceLines(op, x, keptOffset(plan, o), plan);
}
