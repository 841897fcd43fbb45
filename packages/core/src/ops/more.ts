/**
 * The ops real PyTorch programs use beyond Part 1: triangles, masks, cumulative sums, flips,
 * tiling, splitting, std and norms, and sorting. Each composes existing ops (gradients come from
 * the composition) but for `cumsum` and `sort`, which run their own kernels, and the square roots
 * and powers whose gradient PyTorch defines as 0 where the result is 0.
 */
import type { Backend, DataId, DType, Shape, TensorInfo } from '../backend';
import { onBackend } from '../memory';
import { commonBackend, launch, record, releaseOwned, wrap, type TensorLike } from '../op';
import { broadcastShapes, fmt, normalizeDim, normalizeDims, reducedShape, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkBool, checkInt, checkNumber, checkOptions, describe } from '../validate';
import { cast } from './cast';
import { where } from './compare';
import { indexSelect, scatterAddUnchecked } from './indexing';
import { checkTensor } from './operand';
import { requireFloat, variance } from './reduce';
import { narrow } from './shape';

/** Values and int32 indices, as `sort` and `topk` return them. */
export interface ValuesIndices {
  /** The values, differentiable. */
  readonly values: Tensor;
  /** Where each value came from along the dim (int32). */
  readonly indices: Tensor;
}

// ---- helpers

/** @internal `[from, from + step, ...]` (n values, int32) written on backend `b`. */
export function iota(b: Backend, n: number, from = 0, step = 1): Tensor {
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) values[i] = from + i * step;
  return wrap(b, b.write(values, [n], 'int32'), [n], 'int32');
}

// what a kernel sees: a 0-d tensor is a vector of one element, so every kernel has an axis 0
function kernelInfo(t: Tensor): TensorInfo {
  return t.ndim === 0 ? { ...t._info(), shape: [1] } : t._info();
}

// a dim of a tensor that may be 0-d (PyTorch lets dim 0 and -1 name the single element)
function dimOf(op: string, dim: unknown, ndim: number): number {
  checkInt(op, 'dim', dim);
  return normalizeDim(op, dim as number, Math.max(ndim, 1));
}

// reduction axes as the reductions read them: omitted or [] is every dim; none for a 0-d tensor
function axesOf(op: string, x: Tensor, dim: number | readonly number[] | undefined): number[] {
  if (dim !== undefined && typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new Error(`${op}: dim must be an integer, a list of integers or omitted, got ${describe(dim)}`);
  }
  const every = dim === undefined || (typeof dim === 'object' && dim.length === 0);
  const axes = normalizeDims(op, every ? undefined : dim, x.ndim);
  return x.ndim === 0 ? [] : axes;
}

/**
 * `sqrt(v)` whose gradient is 0 where the result is 0 (PyTorch's for `std` and the 2-norm), not
 * the infinity (times 0: NaN) of `d sqrt / dv` there.
 */
function safeSqrt(v: Tensor): Tensor {
  const out = v.detach().sqrt();
  return record('sqrt', out, [v], (g) => [where(out.eq(0), 0, g.div(out.mul(2)))]);
}

// ---- triangles and masks

function triangle(op: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  checkTensor(op, 'input', x);
  checkInt(op, 'diagonal', diagonal);
  if (x.ndim < 2) throw new Error(`${op}: input tensor must have at least 2 dimensions, got shape ${fmt(x.shape)}`);
  const b = x._backend();
  const n = x.shape[x.ndim - 2]!;
  const m = x.shape[x.ndim - 1]!;
  // column - row, compared with the diagonal: an [n, m] bool mask broadcast over the batch dims
  const offset = iota(b, m).reshape([1, m]).sub(iota(b, n).reshape([n, 1]));
  const keep = op === 'tril' ? offset.le(diagonal) : offset.ge(diagonal);
  return where(keep, x, x._constant(0, [], x.dtype));
}

/**
 * The lower triangle of the last two dims (`j ≤ i + diagonal`), zero elsewhere, as `torch.tril`;
 * any rank ≥ 2 (the leading dims are a batch).
 *
 * @example
 * ```ts
 * tril(ones([3, 3]));     // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 * tril(ones([3, 3]), -1); // without the diagonal
 * ```
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal);
}

/**
 * The upper triangle of the last two dims (`j ≥ i + diagonal`), zero elsewhere, as `torch.triu`;
 * any rank ≥ 2 (the leading dims are a batch).
 *
 * @example
 * ```ts
 * triu(ones([3, 3]), 1); // [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
 * ```
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal);
}

/**
 * `value` where the bool `mask` is true, `x` elsewhere, as `torch.Tensor.masked_fill`. The mask
 * broadcasts to `x`'s shape (it cannot make the result bigger than `x`); `value` is a number
 * (`-Infinity` for attention masks) or a 0-d tensor, converted to `x`'s dtype. The gradient is
 * zero where filled (and flows to a 0-d `value` tensor from there).
 *
 * @example
 * ```ts
 * maskedFill(att, causal.eq(0), -Infinity);
 * ```
 */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkTensor('maskedFill', 'input', x);
  checkTensor('maskedFill', 'mask', mask);
  if (mask.dtype !== 'bool') {
    throw new Error(`maskedFill: mask must be a bool tensor, got a ${mask.dtype} tensor of shape ${fmt(mask.shape)}; build it with a comparison such as x.gt(0), or convert it with .bool()`);
  }
  let shape: number[];
  try {
    shape = broadcastShapes('maskedFill', mask.shape, x.shape);
  } catch {
    throw new Error(`maskedFill: mask of shape ${fmt(mask.shape)} cannot be broadcast to the input's shape ${fmt(x.shape)}`);
  }
  if (!sameShape(shape, x.shape)) {
    throw new Error(`maskedFill: mask of shape ${fmt(mask.shape)} would broadcast the input of shape ${fmt(x.shape)} to ${fmt(shape)}; the mask must broadcast to the input's shape`);
  }
  let fill: Tensor;
  if (typeof value === 'number') {
    if (x.dtype === 'int32' && !(Math.trunc(value) >= -2147483648 && Math.trunc(value) < 2147483648)) {
      throw new Error(`maskedFill: value ${value} is not an int32, the input's dtype; use a float32 input`);
    }
    fill = x._constant(x.dtype === 'int32' ? Math.trunc(value) : x.dtype === 'bool' ? Number(value !== 0) : value, [], x.dtype);
  } else if (value !== null && typeof value === 'object' && (value as { constructor?: { name?: string } }).constructor?.name === 'Tensor') {
    if (value.ndim !== 0) {
      throw new Error(`maskedFill: the value must be a number or a 0-d tensor, got shape ${fmt(value.shape)}; pass value.reshape([]) for one element`);
    }
    commonBackend('maskedFill', [x, mask, value]);
    fill = value.dtype === x.dtype ? value : cast(value, x.dtype);
  } else {
    throw new Error(`maskedFill: value must be a number or a 0-d tensor, got ${describe(value)}`);
  }
  commonBackend('maskedFill', [x, mask]);
  return where(mask, fill, x);
}

// ---- cumulative sums

// the cumsum kernel along `axis` (from the end when `reverse`); its gradient runs the other way
function cumsumAlong(x: Tensor, axis: number, reverse: boolean): Tensor {
  if (x.numel() === 0) {
    const out = x._constant(0, x.shape, x.dtype);
    return record('cumsum', out, [x], (g) => [g]);
  }
  const out = launch('cumsum', x._backend(), x.shape, x.dtype, (k) => k.cumsum(kernelInfo(x), axis, reverse));
  return record('cumsum', out, [x], (g) => [cumsumAlong(g, axis, !reverse)]);
}

/**
 * Cumulative sums along `dim`, as `torch.cumsum`: `out[i] = x[0] + … + x[i]`. Bool and int32
 * inputs sum to int32 (PyTorch gives int64). The gradient is the reversed cumulative sum of the
 * output's gradient.
 *
 * @example
 * ```ts
 * cumsum(tensor([1, 2, 3]), 0); // [1, 3, 6]
 * ```
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  checkTensor('cumsum', 'input', x);
  const d = dimOf('cumsum', dim, x.ndim);
  return cumsumAlong(x.dtype === 'bool' ? cast(x, 'int32') : x, d, false);
}

// ---- flips, tiles and pieces

/**
 * `x` with the order of the entries along each of `dims` reversed, as `torch.flip`.
 *
 * @example
 * ```ts
 * flip(tensor([[1, 2], [3, 4]]), [0]); // [[3, 4], [1, 2]]
 * flip(x, [0, -1]);
 * ```
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor('flip', 'input', x);
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list) || list.some((d) => typeof d !== 'number' || !Number.isInteger(d))) {
    throw new Error(`flip: dims must be an integer or a list of integers, got ${describe(dims)}`);
  }
  const axes = list.map((d) => normalizeDim('flip', d, Math.max(x.ndim, 1)));
  axes.forEach((a, i) => {
    if (axes.indexOf(a) !== i) throw new Error(`flip: dim ${a} appears multiple times in the list of dims ${describe(list)}`);
  });
  if (x.ndim === 0) return x.reshape([]);
  let out = x;
  for (const a of axes) {
    const n = x.shape[a]!;
    if (n > 1) out = indexSelect(out, a, iota(x._backend(), n, n - 1, -1));
  }
  return out === x ? x.reshape(x.shape) : out;
}

/**
 * `x` tiled `sizes[i]` times along each dim, as `torch.Tensor.repeat`: `sizes` has at least as many
 * entries as `x` has dims, and extra leading entries add new dims. The gradient sums the tiles.
 *
 * @example
 * ```ts
 * repeat(tensor([1, 2]), [2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  checkTensor('repeat', 'input', x);
  if (!Array.isArray(sizes) || sizes.some((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 0)) {
    throw new Error(`repeat: sizes must be a list of non-negative integers, got ${describe(sizes)}`);
  }
  if (sizes.length < x.ndim) {
    throw new Error(`repeat: ${sizes.length} sizes ${describe(sizes)} for ${x.ndim} dims (shape ${fmt(x.shape)}); give at least one per dim`);
  }
  const shape = [...new Array<number>(sizes.length - x.ndim).fill(1), ...x.shape];
  // [1, s0, 1, s1, ...] expanded to [r0, s0, r1, s1, ...], then each pair merged
  const spread = shape.flatMap((s) => [1, s]);
  const target = shape.flatMap((s, i) => [sizes[i]!, s]);
  return x.reshape(spread).expand(target).reshape(shape.map((s, i) => s * sizes[i]!));
}

/**
 * `x` cut along `dim` into pieces of `sizeOrSizes` entries (the last one smaller if need be), or
 * of the listed sizes (which must sum to the dim's size), as `torch.split`.
 *
 * @example
 * ```ts
 * split(arange(5), 2);          // [0, 1], [2, 3], [4]
 * split(x, [2, 4, 1], -1);
 * ```
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', 'input', x);
  if (x.ndim === 0) throw new Error('split: expects at least a 1-dimensional tensor, got a 0-d tensor');
  checkInt('split', 'dim', dim);
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    const s = checkInt('split', 'split size', sizeOrSizes, 0);
    if (s === 0 && n !== 0) throw new Error(`split: split size 0 cannot split dimension ${dim} of size ${n} (shape ${fmt(x.shape)}); give a positive size`);
    const count = Math.max(Math.ceil(n / Math.max(s, 1)), 1);
    sizes = Array.from({ length: count }, (_, i) => (i < count - 1 ? s : n - s * (count - 1)));
  } else if (Array.isArray(sizeOrSizes) && sizeOrSizes.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0)) {
    sizes = sizeOrSizes.slice();
    const total = sizes.reduce((a, s) => a + s, 0);
    if (total !== n) {
      throw new Error(`split: split sizes ${describe(sizeOrSizes)} sum to ${total}, but must sum exactly to the size of dimension ${dim} (${n}) of shape ${fmt(x.shape)}`);
    }
  } else {
    throw new Error(`split: sizeOrSizes must be a positive integer or a list of non-negative integers, got ${describe(sizeOrSizes)}`);
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}

/**
 * `x` cut along `dim` into `chunks` pieces of `ceil(size / chunks)` entries (the last one smaller),
 * as `torch.chunk`; there may be fewer than `chunks` pieces.
 *
 * @example
 * ```ts
 * const [q, k, v] = chunk(qkv, 3, -1);
 * chunk(arange(5), 4); // [0, 1], [2, 3], [4]
 * ```
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', 'input', x);
  if (x.ndim === 0) throw new Error('chunk: expects at least a 1-dimensional tensor, got a 0-d tensor');
  checkInt('chunk', 'chunks', chunks, 1);
  checkInt('chunk', 'dim', dim);
  const d = normalizeDim('chunk', dim, x.ndim);
  const n = x.shape[d]!;
  if (n === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, Math.ceil(n / chunks), d);
}

// ---- std and norms

/**
 * Standard deviation over `dim` (every dim when omitted), as `torch.std`: the square root of
 * the variance (`var`), with Bessel's `correction` (1 by default). Where the result is 0 the gradient
 * is 0, as in PyTorch.
 *
 * @example
 * ```ts
 * std(tensor([1, 2, 3, 4]));                          // 1.2910
 * std(x, -1, true, { correction: 0 });
 * ```
 */
export function std(x: Tensor, dim?: number | number[], keepdim = false, options: { correction?: number } = {}): Tensor {
  checkTensor('std', 'input', x);
  checkOptions('std', options, ['correction']);
  checkBool('std', 'keepdim', keepdim);
  const correction = options?.correction === undefined ? 1 : checkNumber('std', 'correction', options.correction);
  requireFloat('std', x);
  const axes = axesOf('std', x, dim);
  return safeSqrt(variance(x, axes, keepdim, { correction }));
}

/**
 * The vector `p`-norm over `dim` (every element when omitted), as `torch.norm`: `p = 2` (and
 * `'fro'`) is `sqrt(Σ x²)`, `1` is `Σ |x|`, `Infinity` is `max |x|` (`-Infinity`: min), `0` counts
 * the non-zeros, and any other `p` is `(Σ |x|^p)^(1/p)`. The gradient is PyTorch's: 0 where the
 * norm is 0, and shared evenly among tied maxima for `Infinity`.
 *
 * @example
 * ```ts
 * norm(tensor([3, 4]));       // 5
 * norm(x, 1, -1, true);
 * norm(x, Infinity, [0, 1]);
 * ```
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: number | number[], keepdim = false): Tensor {
  checkTensor('norm', 'input', x);
  if (p !== 'fro' && (typeof p !== 'number' || Number.isNaN(p))) {
    throw new Error(`norm: p must be a number (Infinity for the max norm) or 'fro', got ${describe(p)}${(p as unknown) === 'nuc' ? '; the nuclear norm is not supported' : ''}`);
  }
  checkBool('norm', 'keepdim', keepdim);
  requireFloat('norm', x);
  const axes = axesOf('norm', x, dim);
  const order = p === 'fro' ? 2 : p;
  if (order === 2) return safeSqrt(x.square().sum(axes, keepdim));
  if (order === 1) return x.abs().sum(axes, keepdim);
  if (order === Infinity) return x.abs().max(axes, keepdim);
  if (order === -Infinity) return x.abs().min(axes, keepdim);
  if (order === 0) {
    const out = x.detach().ne(0).float().sum(axes, keepdim);
    return record('norm', out, [x], () => [null]); // piecewise constant: no gradient, as PyTorch
  }
  const out = x.detach().abs().pow(order).sum(axes, keepdim).pow(1 / order);
  return record('pow', out, [x], (g) => {
    const kept = reducedShape(x.shape, axes, true);
    const n = out.reshape(kept);
    // d‖x‖/dx = sign(x)·|x|^(p-1) / ‖x‖^(p-1), taken as 0 where x or the norm is 0
    const scaled = where(x.eq(0), 0, x.sign().mul(x.abs().pow(order - 1)));
    const scale = where(n.eq(0), 0, g.reshape(kept).div(n.pow(order - 1)));
    return [scaled.mul(scale)];
  });
}

/**
 * The outer product of two vectors, as `torch.outer`: `out[i][j] = a[i] * b[j]`.
 *
 * @example
 * ```ts
 * outer(tensor([1, 2]), tensor([1, 10, 100])); // [[1, 10, 100], [2, 20, 200]]
 * ```
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor('outer', 'input', a);
  checkTensor('outer', 'vec2', b);
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new Error(`outer: expects two 1-D vectors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}; flatten them first`);
  }
  return a.reshape([-1, 1]).mul(b.reshape([1, -1]));
}

// ---- sorting

function sortOptions(op: string, options: unknown): boolean {
  checkOptions(op, options, ['descending', 'stable']);
  const o = (options ?? {}) as { descending?: unknown; stable?: unknown };
  if (o.stable !== undefined) checkBool(op, 'stable', o.stable); // every sort here is stable
  return o.descending === undefined ? false : checkBool(op, 'descending', o.descending);
}

// the sort kernel along `axis`: values (x's dtype) and int32 indices, no graph
function sortKernel(op: string, x: Tensor, axis: number, descending: boolean): [Tensor, Tensor] {
  if (x.numel() === 0) return [x._constant(0, x.shape, x.dtype), x._constant(0, x.shape, 'int32')];
  const input = x.dtype === 'bool' ? cast(x.detach(), 'int32') : x;
  const b = input._backend();
  let ids: DataId[];
  try {
    ids = onBackend(b, () => b.kernels.sort(kernelInfo(input), axis, descending));
  } catch (e) {
    releaseOwned(null);
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(msg.startsWith(`${op}:`) ? msg : `${op}: ${msg}`, { cause: e });
  }
  const shape: Shape = x.shape;
  const values = wrap(b, ids[0]!, shape, input.dtype);
  const indices = wrap(b, ids[1]!, shape, 'int32');
  if (input !== x) {
    input.dispose();
    const asBool = cast(values, 'bool' as DType);
    values.dispose();
    return [asBool, indices];
  }
  return [values, indices];
}

function sorted(op: string, x: Tensor, dim: number, descending: boolean): ValuesIndices {
  const d = dimOf(op, dim, x.ndim);
  const [values, indices] = sortKernel(op, x, d, descending);
  // each value goes back to where it came from
  return { values: record('sort', values, [x], (g) => [scatterAddUnchecked(x.shape, d, indices, g)]), indices };
}

/**
 * The values of `x` sorted along `dim` (ascending, or descending with `{ descending: true }`) and
 * the int32 indices they came from, as `torch.sort`. The sort is stable (equal values keep their
 * order) and NaN sorts above every number. The gradient flows through `values`.
 *
 * @example
 * ```ts
 * const { values, indices } = sort(tensor([3, 1, 2])); // [1, 2, 3], [1, 2, 0]
 * sort(x, 0, { descending: true });
 * ```
 */
export function sort(x: Tensor, dim = -1, options: { descending?: boolean; stable?: boolean } = {}): ValuesIndices {
  checkTensor('sort', 'input', x);
  return sorted('sort', x, dim, sortOptions('sort', options));
}

/**
 * The int32 indices that sort `x` along `dim`, as `torch.argsort` (stable; `{ descending }`).
 *
 * @example
 * ```ts
 * argsort(tensor([3, 1, 2])); // [1, 2, 0]
 * ```
 */
export function argsort(x: Tensor, dim = -1, options: { descending?: boolean; stable?: boolean } = {}): Tensor {
  checkTensor('argsort', 'input', x);
  const descending = sortOptions('argsort', options);
  const [values, indices] = sortKernel('argsort', x, dimOf('argsort', dim, x.ndim), descending);
  values.dispose();
  return indices;
}

/**
 * The `k` largest values along `dim` (the `k` smallest with `{ largest: false }`) and their int32
 * indices, as `torch.topk`; they come sorted (largest first, or smallest first). Ties keep the
 * lower index first. The gradient flows through `values`.
 *
 * @example
 * ```ts
 * const { values, indices } = topk(logits, 5);
 * topk(x, 2, 0, { largest: false });
 * ```
 */
export function topk(x: Tensor, k: number, dim = -1, options: { largest?: boolean; sorted?: boolean } = {}): ValuesIndices {
  checkTensor('topk', 'input', x);
  checkOptions('topk', options, ['largest', 'sorted']);
  const o = (options ?? {}) as { largest?: unknown; sorted?: unknown };
  const largest = o.largest === undefined ? true : checkBool('topk', 'largest', o.largest);
  if (o.sorted !== undefined) checkBool('topk', 'sorted', o.sorted); // always sorted, which sorted: false allows
  checkInt('topk', 'k', k);
  const d = dimOf('topk', dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (k < 0 || k > size) {
    throw new Error(`topk: k (${k}) is out of range: dimension ${dim} of shape ${fmt(x.shape)} has size ${size}; k must be in [0, ${size}]`);
  }
  const all = sorted('topk', x, d, largest);
  if (x.ndim === 0 || k === size) return all; // a 0-d input comes back whole, as PyTorch's
  // (the full indices stay: the gradient of the sorted values scatters through them)
  return { values: narrow(all.values, d, 0, k), indices: narrow(all.indices, d, 0, k) };
}
