/**
 * Shape arithmetic: broadcasting, dim normalisation, and the checks that give ops
 * their error messages. Pure functions on number arrays; no tensors here.
 */
import type { Shape } from './backend';

/** `[3,4]` as written in error messages. */
export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Whether two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The NumPy broadcast of two shapes; throws naming the op and both shapes where a
 * dimension pair is neither equal nor 1.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  if (sameShape(a, b)) return [...a]; // a tensor's frozen shape: its slice() is V8's slow path
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  const shiftA = n - a.length;
  const shiftB = n - b.length;
  for (let i = 0; i < n; i++) {
    // leading dims a shape lacks count as 1 (no negative indices: V8 looks those up as named properties)
    const da = i < shiftA ? 1 : a[i - shiftA]!;
    const db = i < shiftB ? 1 : b[i - shiftB]!;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast: dimension ${i - n} is ${da} in one and ${db} in the other (each pair must be equal or 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A dim in `[-ndim, ndim)` as a non-negative index; throws naming the op otherwise. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new Error(`${op}: dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Several dims normalised, sorted and de-duplicated; `undefined` means every dim. */
export function normalizeDims(op: string, dim: number | readonly number[] | undefined, ndim: number): number[] {
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = list.map((d) => normalizeDim(op, d, ndim));
  const set = new Set(out);
  if (set.size !== out.length) throw new Error(`${op}: dim ${JSON.stringify(dim)} names a dimension twice`);
  return [...set].sort((x, y) => x - y);
}

/** The shape left after a reduction over `axes`, with or without the reduced dims kept as 1. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  const reduced = new Set(axes); // linear in the rank
  for (let i = 0; i < shape.length; i++) {
    if (reduced.has(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Resolve a single `-1` in a target shape against a number of elements; throws naming the op. */
export function inferShape(op: string, from: Shape, target: readonly number[]): number[] {
  checkRank(op, target);
  let size = 1;
  for (const d of from) size *= d;
  let infer = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i]!;
    if (d === -1) {
      if (infer >= 0) throw new Error(`${op}: only one dimension can be inferred (-1), got ${fmt(target)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid shape dimension ${d} in ${fmt(target)}`);
    } else known *= d;
  }
  const out = target.slice();
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new Error(`${op}: shape ${fmt(target)} is invalid for input of size ${size} (shape ${fmt(from)})`);
    }
    out[infer] = size / known;
  } else if (known !== size) {
    throw new Error(`${op}: shape ${fmt(target)} is invalid for input of size ${size} (shape ${fmt(from)})`);
  }
  return out;
}

/**
 * The axes along which a gradient of `gradShape` must be summed to reach `shape`
 * (the broadcast that made it), and whether leading dims must then be dropped.
 */
export function unbroadcastAxes(gradShape: Shape, shape: Shape): number[] {
  const lead = gradShape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < gradShape.length; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && gradShape[i] !== 1) axes.push(i);
  }
  return axes;
}

/**
 * The most elements one tensor may have: 2^31 - 1, the largest count a 32-bit index reaches
 * (8 GiB of float32), which is also past what most JavaScript engines allocate in one array.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Bytes per element of each dtype, for error messages. */
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Throws naming the op, the shape, its number of elements and bytes where a tensor of `shape`
 * would be too large to allocate ({@link MAX_ELEMENTS}); checked before anything is allocated.
 */
export function checkSize(op: string, shape: Shape, dtype = 'float32'): void {
  if (!Object.hasOwn(BYTES, dtype)) throw new Error(`${op}: dtype ${JSON.stringify(dtype)} is not supported: use 'float32', 'int32' or 'bool'`);
  checkRank(op, shape);
  let n = 1;
  for (const d of shape) n *= d;
  if (n > MAX_ELEMENTS) {
    const bytes = n * (BYTES[dtype] ?? 4);
    throw new Error(
      `${op}: shape ${fmt(shape)} is too large: ${n} elements (${bytes} bytes of ${dtype}) exceed the limit of ${MAX_ELEMENTS} elements per tensor; use a smaller shape`,
    );
  }
}

/** The most dims a tensor may have, as PyTorch. */
export const MAX_RANK = 64;

/** Throws naming the op where `shape` has more than {@link MAX_RANK} dims. */
export function checkRank(op: string, shape: readonly number[]): void {
  if (shape.length > MAX_RANK) throw new Error(`${op}: a tensor may have at most ${MAX_RANK} dimensions, got ${shape.length}`);
}

/** An allocation failure (`RangeError` from the engine) rethrown naming the op, the shape and its size. */
export function allocationError(op: string, shape: Shape, dtype: string, e: unknown): unknown {
  if (!(e instanceof RangeError)) return e;
  let n = 1;
  for (const d of shape) n *= d;
  return new Error(
    `${op}: could not allocate shape ${fmt(shape)}: ${n} elements (${n * (BYTES[dtype] ?? 4)} bytes of ${dtype}) are too large for this machine (${e.message}); use a smaller shape`,
    { cause: e },
  );
}
