/**
 * Strided views: how an output element's row-major index maps to offsets in its inputs.
 * Every layout and broadcasting kernel plans one of these once, then walks it per range.
 */

/**
 * A walk over an output of `shape` (row-major) that reads, for each input `j`, offset
 * `offsets[j] + Σ idx[d] * strides[j][d]`. Dims are already collapsed: adjacent dims that
 * are contiguous for every input are merged and size-1 dims dropped, so the rank is small.
 *
 * @example
 * ```ts
 * const plan = broadcastPlan([2, 3], [[2, 3], [3]]); // row broadcast
 * // plan.shape = [2, 3], plan.strides = [[3, 1], [0, 1]]
 * ```
 */
export interface StridedPlan {
  /** Collapsed output shape; `[]` means a single element. */
  readonly shape: number[];
  /** Per input, the stride of each collapsed dim (0 where broadcast). */
  readonly strides: number[][];
  /** Per input, the offset of output element 0. */
  readonly offsets: number[];
}

/**
 * Merge adjacent dims that every input walks contiguously and drop size-1 dims.
 *
 * @example
 * ```ts
 * collapseDims([2, 3, 4], [[12, 4, 1]], [0]); // { shape: [24], strides: [[1]], offsets: [0] }
 * ```
 */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]): StridedPlan {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const len = shape[d]!;
    if (len === 1) continue; // a size-1 dim never moves the offset
    const last = outShape.length - 1;
    // dim d merges into the previous kept dim when, for every input, stepping the previous
    // dim equals stepping d across its whole length
    const mergeable = last >= 0 && strides.every((s, j) => outStrides[j]![last] === s[d]! * len);
    if (mergeable) {
      outShape[last] = outShape[last]! * len;
      for (let j = 0; j < strides.length; j++) outStrides[j]![last] = strides[j]![d]!;
    } else {
      outShape.push(len);
      for (let j = 0; j < strides.length; j++) outStrides[j]!.push(strides[j]![d]!);
    }
  }
  if (shape.some((d) => d === 0)) return { shape: [0], strides: strides.map(() => [0]), offsets: [...offsets] };
  return { shape: outShape, strides: outStrides, offsets: [...offsets] };
}

/**
 * Row-major strides of a contiguous shape.
 *
 * @example
 * ```ts
 * contiguousStrides([2, 3, 4]); // [12, 4, 1]
 * ```
 */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * Strides that read an input of `inShape` broadcast (NumPy rules, aligned right) to `outShape`:
 * 0 along broadcast dims.
 *
 * @example
 * ```ts
 * broadcastStrides([3], [2, 3]); // [0, 1]
 * ```
 */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const shift = rank - inShape.length;
  if (shift < 0) throw new Error(`broadcast: [${inShape.join(',')}] has more dims than [${outShape.join(',')}]`);
  const inStrides = contiguousStrides(inShape);
  const out = new Array<number>(rank).fill(0);
  for (let d = 0; d < inShape.length; d++) {
    const len = inShape[d]!;
    const target = outShape[d + shift]!;
    if (len !== target && len !== 1) {
      throw new Error(`broadcast: [${inShape.join(',')}] cannot broadcast to [${outShape.join(',')}]: dim ${d} is ${len}, not 1 or ${target}`);
    }
    out[d + shift] = len === 1 ? 0 : inStrides[d]!;
  }
  return out;
}

/**
 * Plan a broadcasting elementwise kernel: each of `inShapes` broadcast to `outShape`.
 *
 * @example
 * ```ts
 * const plan = broadcastPlan([4, 5], [[4, 5], [4, 1]]); // column broadcast of the second input
 * ```
 */
export function broadcastPlan(outShape: readonly number[], inShapes: readonly (readonly number[])[]): StridedPlan {
  return collapseDims(
    outShape,
    inShapes.map((s) => broadcastStrides(s, outShape)),
    inShapes.map(() => 0),
  );
}

/**
 * Product of a shape's lengths (1 for a scalar).
 *
 * @example
 * ```ts
 * sizeOf([2, 3]); // 6
 * ```
 */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Offset in input `j` of output element `o` under `plan` (decomposes `o` row-major).
 *
 * @example
 * ```ts
 * planOffset(broadcastPlan([2, 3], [[3]]), 0, 4); // 1: element [1, 1] reads b[1]
 * ```
 */
export function planOffset(plan: StridedPlan, j: number, o: number): number {
  const shape = plan.shape;
  const strides = plan.strides[j]!;
  let off = plan.offsets[j]!;
  let q = o;
  for (let d = shape.length - 1; d >= 0 && q > 0; d--) {
    const len = shape[d]!;
    const i = q % len;
    q = (q - i) / len;
    off += i * strides[d]!;
  }
  return off;
}

/** Length of the innermost collapsed dim (1 for a scalar plan). */
export function innerLength(plan: StridedPlan): number {
  return plan.shape.length === 0 ? 1 : plan.shape[plan.shape.length - 1]!;
}

/** Stride of input `j` along the innermost collapsed dim (0 for a scalar plan). */
export function innerStride(plan: StridedPlan, j: number): number {
  const s = plan.strides[j]!;
  return s.length === 0 ? 0 : s[s.length - 1]!;
}
