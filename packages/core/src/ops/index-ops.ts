/**
 * `x[...]` as `x.index(...)`, and `x[...] = v` as `indexPut`: numbers, `null` (`:`), `slice`,
 * `'...'`, bool masks and int32 index tensors, with PyTorch's (NumPy's) rules.
 *
 * Index values are read on the host (a mask's true positions decide the output shape, and every
 * index is range-checked there; see hostcache.ts). Basic indices alone run as narrow/indexSelect
 * and a reshape; with an advanced index, the flat position in `x` of every output element is
 * computed on the host and one indexSelect on the flattened `x` reads them (its gradient is a
 * scatterAdd). `indexPut` selects between `x` and the value, gathered to every written position,
 * with a where on a written-positions mask.
 */
import type { Backend, DType } from '../backend';
import { noGrad } from '../autograd';
import { readHost } from '../hostcache';
import { commonBackend, launch, record, wrap } from '../op';
import { fmt } from '../shape';
import { Tensor } from '../tensor';
import { describe } from '../validate';
import { cast } from './cast';
import { where } from './compare';
import { scatterAddUnchecked } from './indexing';
import { expand, narrow, reshape } from './shape';
import { unbroadcast } from './unbroadcast';

/** Python's `slice(start, end, step)`: any part may be omitted (null/undefined), `step > 0`. */
export interface Slice {
  /** Marks this object as a slice. */
  readonly kind: 'slice';
  /** First index (negatives count from the end); omitted: 0. */
  readonly start: number | null;
  /** One past the last index (clamped, negatives count from the end); omitted: the dim's size. */
  readonly end: number | null;
  /** Step, a positive integer; omitted: 1. */
  readonly step: number | null;
}

/** One entry of an index list: a number, `null` (a whole dim), a {@link Slice}, `'...'`, or a bool/int32 tensor. */
export type IndexItem = number | null | Slice | '...' | Tensor;

function checkSlicePart(op: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new Error(`${op}: slice ${name} must be an integer or null (omitted), got ${describe(v)}`);
  }
  return v;
}

function checkStep(op: string, step: number | null): void {
  if (step !== null && step <= 0) {
    throw new Error(`${op}: slice step must be a positive integer, got ${step} (negative or zero steps are not supported, as in PyTorch; use flip for a reversed order)`);
  }
}

/**
 * Python's slice, for {@link index}: `slice(1, 3)` is `1:3`, `slice(null, null, 2)` is `::2`.
 *
 * @example
 * ```ts
 * x.index(null, slice(1, 3)); // x[:, 1:3]
 * ```
 */
export function slice(start?: number | null, end?: number | null, step?: number | null): Slice {
  const s = checkSlicePart('slice', 'start', start);
  const e = checkSlicePart('slice', 'end', end);
  const st = checkSlicePart('slice', 'step', step);
  checkStep('slice', st);
  return Object.freeze({ kind: 'slice', start: s, end: e, step: st });
}

// ---- planning: what each dim of x gets, computed from shapes and host index values

/** A dim of the result that comes from one dim of `x`: `start + i * step` for `i < length`. */
interface BasicUnit {
  readonly kind: 'basic';
  readonly dim: number;
  readonly start: number;
  readonly step: number;
  readonly length: number;
}

/** An advanced index (int values, already wrapped and range-checked) on dim `dim` of `x`, or on a new dim (`dim: -1`, a 0-d bool). */
interface AdvancedUnit {
  readonly kind: 'advanced';
  readonly dim: number;
  readonly values: Int32Array;
  readonly shape: readonly number[];
}

interface Plan {
  /** The dims a number selects (and drops), with the index. */
  readonly picks: readonly (readonly [number, number])[];
  /** The dims of `x` left after the picks, and new dims of 0-d bool masks, in order. */
  readonly units: readonly (BasicUnit | AdvancedUnit)[];
  readonly hasAdvanced: boolean;
}

function isSlice(v: unknown): v is Slice {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && (v as { kind?: unknown }).kind === 'slice';
}

// dims of x an item covers
function width(item: IndexItem): number {
  if (item instanceof Tensor) return item.dtype === 'bool' ? item.ndim : 1;
  return item === '...' ? 0 : 1;
}

function coveredBy(items: readonly IndexItem[]): number {
  let n = 0;
  for (const item of items) n += width(item);
  return n;
}

function checkItems(op: string, x: Tensor, items: readonly IndexItem[]): void {
  let ellipses = 0;
  items.forEach((item, pos) => {
    if (item === null || item === '...') {
      if (item === '...' && ++ellipses > 1) throw new Error(`${op}: an index can only have a single ellipsis ('...'), got ${ellipses} (at position ${pos})`);
      return;
    }
    if (typeof item === 'number') {
      if (!Number.isInteger(item)) {
        throw new Error(`${op}: a number index must be an integer, got ${item} (at position ${pos}); use slice(start, end) for a range, or an int32 tensor`);
      }
      return;
    }
    if (item instanceof Tensor) {
      if (item.dtype !== 'int32' && item.dtype !== 'bool') {
        throw new Error(`${op}: an index tensor must be int32 or bool, got ${item.dtype} of shape ${fmt(item.shape)} (at position ${pos}); convert it with .int() or .bool()`);
      }
      return;
    }
    if (isSlice(item)) {
      checkSlicePart(op, 'start', item.start);
      checkSlicePart(op, 'end', item.end);
      checkStep(op, checkSlicePart(op, 'step', item.step));
      return;
    }
    const hint = Array.isArray(item) ? "; for a list of indices use tensor([...], { dtype: 'int32' })" : '';
    throw new Error(`${op}: unsupported index ${describe(item)} at position ${pos}: an index is a number, null (':'), slice(...), '...', or an int32 or bool tensor${hint}`);
  });
  const covered = coveredBy(items);
  if (covered > x.ndim) {
    throw new Error(`${op}: too many indices for tensor of dimension ${x.ndim} (shape ${fmt(x.shape)}): the index covers ${covered} dimensions`);
  }
}

function outOfBounds(op: string, v: number, dim: number, size: number): Error {
  return new Error(`${op}: index ${v} is out of bounds for dimension ${dim} with size ${size}`);
}

function plan(op: string, x: Tensor, items: readonly IndexItem[]): Plan {
  checkItems(op, x, items);
  const tensors = items.filter((t): t is Tensor => t instanceof Tensor);
  commonBackend(op, [x, ...tensors]);
  const covered = coveredBy(items);
  const all: IndexItem[] = [];
  for (const item of items) {
    if (item === '...') for (let i = covered; i < x.ndim; i++) all.push(null);
    else all.push(item);
  }
  while (coveredBy(all) < x.ndim) all.push(null); // trailing dims: whole

  const picks: [number, number][] = [];
  const units: (BasicUnit | AdvancedUnit)[] = [];
  let hasAdvanced = false;
  let d = 0;
  for (const item of all) {
    if (typeof item === 'number') {
      const size = x.shape[d]!;
      if (item < -size || item >= size) throw outOfBounds(op, item, d, size);
      picks.push([d, item < 0 ? item + size : item]);
      d++;
    } else if (item === null) {
      units.push({ kind: 'basic', dim: d, start: 0, step: 1, length: x.shape[d]! });
      d++;
    } else if (isSlice(item)) {
      const size = x.shape[d]!;
      const step = item.step ?? 1;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
      const start = clamp(item.start ?? 0);
      const end = clamp(item.end ?? size);
      units.push({ kind: 'basic', dim: d, start, step, length: Math.max(0, Math.ceil((end - start) / step)) });
      d++;
    } else if (item instanceof Tensor && item.dtype === 'int32') {
      hasAdvanced = true;
      const size = x.shape[d]!;
      const host = readHost(op, item, 'index tensor');
      const values = new Int32Array(host.length);
      for (let i = 0; i < host.length; i++) {
        const v = host[i]!;
        if (v < -size || v >= size) throw outOfBounds(op, v, d, size);
        values[i] = v < 0 ? v + size : v;
      }
      units.push({ kind: 'advanced', dim: d, values, shape: item.shape });
      d++;
    } else if (item instanceof Tensor) {
      // a bool mask over `k` dims: its true positions (nonzero), one int index per dim
      hasAdvanced = true;
      const k = item.ndim;
      for (let i = 0; i < k; i++) {
        if (item.shape[i] !== x.shape[d + i]) {
          throw new Error(`${op}: the shape of the mask ${fmt(item.shape)} at index ${i} does not match the shape of the indexed tensor ${fmt(x.shape)} at index ${d + i}`);
        }
      }
      const host = readHost(op, item, 'mask');
      let n = 0;
      for (let i = 0; i < host.length; i++) if (host[i]) n++;
      const cols = Array.from({ length: Math.max(k, 1) }, () => new Int32Array(n));
      let j = 0;
      for (let i = 0; i < host.length; i++) {
        if (!host[i]) continue;
        let rest = i;
        for (let a = k - 1; a >= 0; a--) {
          const s = item.shape[a]!;
          cols[a]![j] = rest % s;
          rest = Math.floor(rest / s);
        }
        j++;
      }
      if (k === 0) units.push({ kind: 'advanced', dim: -1, values: cols[0]!, shape: [n] }); // a new dim of size n (1 or 0)
      for (let a = 0; a < k; a++) units.push({ kind: 'advanced', dim: d + a, values: cols[a]!, shape: [n] });
      d += k;
    }
  }
  return { picks, units, hasAdvanced };
}

interface Located {
  /** The shape of `x[indices]`. */
  readonly shape: number[];
  /** The flat (row-major) position in `x` of each of its elements, row-major. */
  readonly positions: Int32Array;
}

function broadcastAll(op: string, shapes: readonly (readonly number[])[]): number[] {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(n).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = n - s.length + i;
      const v = s[i]!;
      if (v !== out[o] && v !== 1 && out[o] !== 1) {
        throw new Error(`${op}: shape mismatch: indexing tensors could not be broadcast together with shapes ${shapes.map(fmt).join(', ')}`);
      }
      if (v !== 1) out[o] = v;
    }
  }
  return out;
}

// `values` of `shape`, broadcast to `target` (row-major)
function broadcastValues(values: Int32Array, shape: readonly number[], target: readonly number[]): Int32Array {
  const n = target.reduce((a, b) => a * b, 1);
  if (values.length === n) return values; // same numel after broadcasting: only 1s were added
  const strides = new Array<number>(target.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = target.length - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  const out = new Int32Array(n);
  const idx = new Array<number>(target.length).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    out[i] = values[src]!;
    for (let a = target.length - 1; a >= 0; a--) {
      idx[a]!++;
      src += strides[a]!;
      if (idx[a]! < target[a]!) break;
      src -= strides[a]! * idx[a]!;
      idx[a] = 0;
    }
  }
  return out;
}

// the shape of x[indices] and the flat position in x of each of its elements
function locate(op: string, x: Tensor, p: Plan): Located {
  const stride = new Array<number>(x.ndim);
  let s = 1;
  for (let i = x.ndim - 1; i >= 0; i--) {
    stride[i] = s;
    s *= x.shape[i]!;
  }
  let base = 0;
  for (const [d, v] of p.picks) base += v * stride[d]!;

  // the result's dims as factors, each a list of offsets: a basic dim, or the block of advanced dims
  const factors: { shape: number[]; offsets: Int32Array }[] = [];
  const advanced = p.units.filter((u): u is AdvancedUnit => u.kind === 'advanced');
  const firstAdv = p.units.findIndex((u) => u.kind === 'advanced');
  const lastAdv = p.units.length - 1 - [...p.units].reverse().findIndex((u) => u.kind === 'advanced');
  const adjacent = advanced.length > 0 && lastAdv - firstAdv + 1 === advanced.length;
  let block: { shape: number[]; offsets: Int32Array } | null = null;
  if (advanced.length > 0) {
    const shape = broadcastAll(op, advanced.map((u) => u.shape));
    const n = shape.reduce((a, b) => a * b, 1);
    const offsets = new Int32Array(n);
    for (const u of advanced) {
      if (u.dim < 0) continue; // a 0-d mask's new dim: its index is 0
      const vals = broadcastValues(u.values, u.shape, shape);
      const st = stride[u.dim]!;
      for (let i = 0; i < n; i++) offsets[i] += vals[i]! * st;
    }
    block = { shape, offsets };
    if (!adjacent) factors.push(block);
  }
  p.units.forEach((u, i) => {
    if (u.kind === 'basic') {
      base += u.start * stride[u.dim]!;
      const offsets = new Int32Array(u.length);
      for (let j = 0; j < u.length; j++) offsets[j] = j * u.step * stride[u.dim]!;
      factors.push({ shape: [u.length], offsets });
    } else if (adjacent && i === firstAdv) {
      factors.push(block!);
    }
  });

  const shape = factors.flatMap((f) => f.shape);
  let positions = new Int32Array([base]);
  for (const f of factors) {
    const next = new Int32Array(positions.length * f.offsets.length);
    let k = 0;
    for (let a = 0; a < positions.length; a++) {
      const pa = positions[a]!;
      for (let b = 0; b < f.offsets.length; b++) next[k++] = pa + f.offsets[b]!;
    }
    positions = next;
  }
  return { shape, positions };
}

// an int32 or bool tensor from host values, on backend `b`
function onDevice(b: Backend, values: Int32Array | Uint8Array, shape: readonly number[], dtype: DType): Tensor {
  return wrap(b, b.write(values, shape, dtype), shape, dtype);
}

// the elements of `x` at flat `positions` (valid by construction), as a tensor of `shape`: one gather kernel
function take(op: string, x: Tensor, positions: Tensor, shape: readonly number[]): Tensor {
  const flat = { ...x._info(), shape: [x.numel()] };
  return launch(op, x._backend(), shape, x.dtype, (k) => k.gather(flat, 0, positions._info()));
}

/**
 * `x[...]`, as `x.index(...)`: a number selects and drops a dim (negatives count from the end),
 * `null` is `:`, {@link slice} is Python's slice, `'...'` fills the dims not named, a bool tensor
 * selects its true positions over the dims it covers, an int32 tensor picks along a dim; several
 * index tensors broadcast together (NumPy's rules, numbers applied first as in PyTorch).
 * Differentiable in `x`.
 *
 * @example
 * ```ts
 * index(x, 0, slice(1, 3)); // x[0, 1:3]
 * index(x, mask);           // x[mask]
 * ```
 */
export function index(x: Tensor, ...indices: IndexItem[]): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`index: expected a Tensor to index, got ${describe(x)}`);
  const p = plan('index', x, indices);
  if (!p.hasAdvanced && p.units.every((u) => u.kind === 'basic' && (u.step === 1 || u.length <= 1))) {
    // numbers and unit-step slices: a narrow each, then a reshape that drops the picked dims
    let y = x;
    for (const [d, v] of p.picks) y = narrow(y, d, v, 1);
    for (const u of p.units as readonly BasicUnit[]) if (u.length !== x.shape[u.dim]) y = narrow(y, u.dim, u.start, u.length);
    return reshape(y, p.units.map((u) => (u as BasicUnit).length)); // a view of x when nothing else changed
  }
  // the flat position in x of every output element, read by one gather; its gradient scatters back.
  // The positions are an input of the node, so the graph keeps them (tidy frees what no graph reads).
  const { shape, positions } = locate('index', x, p);
  return gatherFlat(x, onDevice(x._backend(), positions, [positions.length], 'int32'), shape);
}

// `take` with its gradient (a scatterAdd of g to the positions). The positions are an input of the
// node, so the graph keeps them (tidy frees what no graph reads).
function gatherFlat(x: Tensor, at: Tensor, shape: readonly number[]): Tensor {
  const out = take('index', x, at, shape);
  return record('index', out, [x, at], (g) => [reshape(scatterAddUnchecked([x.numel()], 0, at, reshape(g, [at.numel()])), x.shape), null]);
}

/**
 * `y = x.clone(); y[indices] = value` out of place (the indices as in {@link index}), differentiable
 * in `x` (zero where written) and `value` (each written position's gradient, summed where it was
 * broadcast). `value` is a number or a tensor broadcastable to `x[indices]`'s shape, cast to
 * `x`'s dtype; where a position is written more than once, the last write wins.
 *
 * @example
 * ```ts
 * indexPut(x, [null, slice(0, 2)], 0); // a copy of x with x[:, 0:2] = 0
 * ```
 */
export function indexPut(x: Tensor, indices: readonly IndexItem[], value: Tensor | number): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`indexPut: expected a Tensor to write into, got ${describe(x)}`);
  if (!Array.isArray(indices)) {
    throw new Error(`indexPut: indices must be an array of index items, as [null, slice(0, 2)] or [mask], got ${describe(indices)}`);
  }
  if (!(value instanceof Tensor) && typeof value !== 'number') {
    throw new Error(`indexPut: value must be a number or a Tensor, got ${describe(value)}`);
  }
  const b = commonBackend('indexPut', [x, value]);
  const p = plan('indexPut', x, indices);
  const { shape, positions } = locate('indexPut', x, p);
  let v: Tensor;
  if (value instanceof Tensor) {
    const ok = value.ndim <= shape.length && value.shape.every((n, i) => n === 1 || n === shape[shape.length - value.ndim + i]);
    if (!ok) {
      throw new Error(`indexPut: shape mismatch: value tensor of shape ${fmt(value.shape)} cannot be broadcast to indexing result of shape ${fmt(shape)}`);
    }
    v = value.dtype === x.dtype ? value : cast(value, x.dtype);
  } else {
    // as PyTorch, the number takes x's dtype (truncated for int32, `!= 0` for bool)
    v = x._constant(x.dtype === 'int32' ? Math.trunc(value) : x.dtype === 'bool' ? Number(value !== 0) : value, [], x.dtype);
  }
  const n = positions.length;
  const total = x.numel();
  // the written positions, and which element of the (broadcast) value each gets: the last one written there
  const mask = new Uint8Array(total);
  const source = new Int32Array(total);
  for (let i = 0; i < n; i++) {
    mask[positions[i]!] = 1;
    source[positions[i]!] = i;
  }
  const written = onDevice(b, mask, x.shape, 'bool');
  const at = onDevice(b, positions, [n], 'int32');
  const out = noGrad(() => {
    if (n === 0) return x.clone();
    const picked = take('indexPut', reshape(expand(v, shape), [n]), onDevice(b, source, [total], 'int32'), x.shape);
    return where(written, picked, x);
  });
  // PyTorch's gradients: to x, zero where written; to value, the gradient at each position it was
  // written to (every repeat of a position gets it), summed over the broadcast. The mask and the
  // positions are inputs of the node, so the graph keeps them.
  return record('indexPut', out, [x, v, written, at], (g) => [
    x.requiresGrad ? where(written, 0, g) : null,
    v.requiresGrad ? unbroadcast(n === 0 ? zerosOf(g, shape) : gatherFlat(g, at, shape), v.shape) : null,
    null,
    null,
  ]);
}

// a float32 zero tensor of `shape` on g's backend (the gradient of a value written nowhere)
function zerosOf(g: Tensor, shape: readonly number[]): Tensor {
  return g._constant(0, shape, 'float32');
}
