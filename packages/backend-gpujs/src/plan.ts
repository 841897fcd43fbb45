/**
 * Strided plans: how an output element's row-major index maps to an offset in each input.
 * Kernels are compiled per rank, so every plan is collapsed first (size-1 dims dropped,
 * dims that every input walks contiguously merged): most broadcasts end up rank 1 or 2.
 */
import { stridesOf, type Shape } from '@tensorgrad/core';

/** An output walk: collapsed output dims, and per input its strides (0 where broadcast) and base offset. */
export interface StridedPlan {
  readonly shape: number[];
  readonly strides: number[][];
  readonly offsets: number[];
}

/**
 * Merge adjacent dims that every input walks contiguously and drop size-1 dims.
 *
 * @example
 * ```ts
 * collapse([2, 3, 4], [[12, 4, 1]], [0]); // { shape: [24], strides: [[1]], offsets: [0] }
 * ```
 */
export function collapse(shape: Shape, strides: readonly (readonly number[])[], offsets: readonly number[]): StridedPlan {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const len = shape[d]!;
    if (len === 1) continue; // a size-1 dim never moves an offset
    const last = outShape.length - 1;
    // dim d merges into the previous kept dim when stepping that dim equals stepping d across its length
    if (last >= 0 && strides.every((s, j) => outStrides[j]![last] === s[d]! * len)) {
      outShape[last] = outShape[last]! * len;
      for (let j = 0; j < strides.length; j++) outStrides[j]![last] = strides[j]![d]!;
    } else {
      outShape.push(len);
      for (let j = 0; j < strides.length; j++) outStrides[j]!.push(strides[j]![d]!);
    }
  }
  return { shape: outShape, strides: outStrides, offsets: [...offsets] };
}

/**
 * Strides of `inShape` broadcast (NumPy rules, aligned at the right) to `outShape`: 0 on broadcast dims.
 *
 * @example
 * ```ts
 * broadcastStrides([3], [2, 3]); // [0, 1]
 * ```
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const inStrides = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, d) => {
    const k = d - lead;
    return k < 0 || inShape[k] === 1 ? 0 : inStrides[k]!;
  });
}

/**
 * The collapsed plan of an elementwise op whose inputs broadcast to `outShape`.
 *
 * @example
 * ```ts
 * broadcastPlan([2, 3], [[2, 3], [3]]); // shape [2, 3], strides [[3, 1], [0, 1]]
 * ```
 */
export function broadcastPlan(outShape: Shape, inShapes: readonly Shape[]): StridedPlan {
  return collapse(
    outShape,
    inShapes.map((s) => broadcastStrides(s, outShape)),
    inShapes.map(() => 0),
  );
}

/** Suffix products of a shape: the divisors that split a flat index into coordinates (all dims but the last). */
export function divisors(shape: readonly number[]): number[] {
  const p: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d > 0; d--) {
    acc *= shape[d]!;
    p.unshift(acc);
  }
  return p;
}
