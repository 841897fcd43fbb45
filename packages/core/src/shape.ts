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
  if (sameShape(a, b)) return a.slice();
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
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Resolve a single `-1` in a target shape against a number of elements; throws naming the op. */
export function inferShape(op: string, from: Shape, target: readonly number[]): number[] {
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
