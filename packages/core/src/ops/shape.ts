/**
 * Shape ops: views (reshape, squeeze, ...) that share storage, and the ops that move data
 * (permute, expand, narrow, cat). Each gradient is the inverse shape change of its op.
 */
import type { SlicePart } from '../autograd';
import { numel } from '../backend';
import { commonBackend, launch, record } from '../op';
import { fmt, inferShape, normalizeDim, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { describe, shapeArgs } from '../validate';
import { checkTensor, checkTensorList } from './operand';
import { unbroadcast } from './unbroadcast';

/** The sizes given as one array or as arguments (`reshape(x, [2, 3])` or `reshape(x, 2, 3)`), checked. */
function sizes(op: string, x: unknown, args: readonly unknown[], what = 'shape'): number[] {
  checkTensor(op, 'input', x);
  return shapeArgs(op, args, what);
}

// A zero-copy view of `x` under `shape` (same numel), whose gradient is reshaped back.
function viewAs(op: string, x: Tensor, shape: readonly number[]): Tensor {
  const out = x._view(shape);
  return record(op, out, [x], (g) => [g.reshape(x.shape)]);
}

// Axes reordered by `perm` (output dim i is input dim perm[i]); a view when only size-1 dims move.
function permuteAs(op: string, x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]!);
  const moved = perm.filter((p) => x.shape[p] !== 1);
  if (moved.every((p, i) => i === 0 || moved[i - 1]! < p)) return viewAs(op, x, shape); // same row-major order
  const out = launch(op, x._backend(), shape, x.dtype, (k) => k.permute(x._info(), perm));
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return record(op, out, [x], (g) => [permuteAs(op, g, inverse)]);
}

// The block of `x` at `begin` with lengths `size` (the slice kernel); its gradient is zero-padded back.
function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  if (sameShape(size, x.shape)) return viewAs('narrow', x, size);
  const out = launch('narrow', x._backend(), size, x.dtype, (k) => k.slice(x._info(), begin, size));
  record('narrow', out, [x], (g) => [padBack(x, g, begin, size)]);
  // the engine gathers the gradients of all the blocks of x it sees and calls combineBlocks once
  if (out._node) out._node.slice = { begin, size, combine: combineBlocks };
  return out;
}

/** @internal The gradient of a block, zero-padded to the whole. */
export function padBack(x: Tensor, g: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  return pad(g, begin.map((b, i) => [b, x.shape[i]! - b - size[i]!] as const));
}

// The gradient of x from its blocks' gradients. Blocks that are whole but along one dim and do
// not overlap there (split, chunk, unbind-like narrows) become one concat, with zeros in the gaps;
// any other mix is padded block by block and summed.
/** @internal */
export function combineBlocks(x: Tensor, parts: readonly SlicePart[]): Tensor {
  const dim = parts[0]!.size.findIndex((n, i) => n !== x.shape[i]);
  const alongDim = dim >= 0 && parts.every((p) => p.size.every((n, i) => i === dim || (n === x.shape[i] && p.begin[i] === 0)));
  if (alongDim) {
    const sorted = parts.slice().sort((a, b) => a.begin[dim]! - b.begin[dim]!);
    const pieces: Tensor[] = [];
    let at = 0;
    let disjoint = true;
    for (const p of sorted) {
      const start = p.begin[dim]!;
      if (start < at) {
        disjoint = false; // overlapping blocks: summed below
        break;
      }
      if (start > at) pieces.push(x._constant(0, x.shape.map((n, i) => (i === dim ? start - at : n)), 'float32'));
      pieces.push(p.g);
      at = start + p.size[dim]!;
    }
    if (disjoint) {
      if (at < x.shape[dim]!) pieces.push(x._constant(0, x.shape.map((n, i) => (i === dim ? x.shape[dim]! - at : n)), 'float32'));
      return cat(pieces, dim);
    }
  }
  let total = padBack(x, parts[0]!.g, parts[0]!.begin, parts[0]!.size);
  for (const p of parts.slice(1)) total = total.add(padBack(x, p.g, p.begin, p.size));
  return total;
}

// `x` surrounded by zeros (the pad kernel); its gradient is the slice it came from.
function pad(x: Tensor, padding: readonly (readonly [number, number])[]): Tensor {
  const shape = x.shape.map((d, i) => d + padding[i]![0] + padding[i]![1]);
  if (sameShape(shape, x.shape)) return viewAs('pad', x, shape);
  const out = launch('pad', x._backend(), shape, x.dtype, (k) => k.pad(x._info(), padding, 0));
  return record('pad', out, [x], (g) => [slice(g, padding.map((p) => p[0]), x.shape)]);
}

/**
 * The same data under a new shape, as `torch.reshape`; one dim may be `-1` (inferred).
 * Zero-copy: the result shares storage with `x`.
 *
 * @example
 * ```ts
 * reshape(arange(6), [2, -1]); // shape [2, 3]
 * reshape(arange(6), 3, 2);     // shape [3, 2]
 * ```
 */
export function reshape(x: Tensor, ...shape: [readonly number[]] | number[]): Tensor {
  return viewAs('reshape', x, inferShape('reshape', x.shape, sizes('reshape', x, shape)));
}

/**
 * The same data under a new shape, as `torch.Tensor.view` (tensors here are always contiguous,
 * so this is {@link reshape}).
 *
 * @example
 * ```ts
 * view(x, [-1]);
 * view(x, 2, 3);
 * ```
 */
export function view(x: Tensor, ...shape: [readonly number[]] | number[]): Tensor {
  return viewAs('view', x, inferShape('view', x.shape, sizes('view', x, shape)));
}

/**
 * Dims `startDim..endDim` (inclusive) merged into one, as `torch.flatten`.
 *
 * @example
 * ```ts
 * flatten(zeros([2, 3, 4]), 1); // shape [2, 12]
 * ```
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', 'input', x);
  const start = normalizeDim('flatten', startDim, x.ndim);
  const end = normalizeDim('flatten', endDim, x.ndim);
  // a 0-d tensor takes dims 0 and -1 (in either order), as in PyTorch
  if (x.ndim === 0) return viewAs('flatten', x, [1]);
  if (start > end) {
    throw new Error(`flatten: startDim (${startDim}) cannot come after endDim (${endDim}) for a tensor of shape ${fmt(x.shape)}`);
  }
  const merged = numel(x.shape.slice(start, end + 1));
  return viewAs('flatten', x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/**
 * Dims `dim0` and `dim1` swapped, as `torch.transpose`.
 *
 * @example
 * ```ts
 * transpose(zeros([2, 3, 4]), 0, 2); // shape [4, 3, 2]
 * ```
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('transpose', 'input', x);
  if (dim0 === undefined || dim1 === undefined) throw new Error(`transpose: takes two dims (dim0, dim1), got ${describe(dim0)} and ${describe(dim1)}`);
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  if (x.ndim === 0) return viewAs('transpose', x, []);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permuteAs('transpose', x, perm);
}

/**
 * Dims reordered: output dim `i` is input dim `dims[i]`, as `torch.permute`.
 *
 * @example
 * ```ts
 * permute(zeros([2, 3, 4]), [2, 0, 1]); // shape [4, 2, 3]
 * permute(zeros([2, 3]), 1, 0);          // shape [3, 2]
 * ```
 */
export function permute(x: Tensor, ...order: [readonly number[]] | number[]): Tensor {
  const dims = sizes('permute', x, order, 'dims');
  if (dims.length !== x.ndim) {
    throw new Error(`permute: dims ${fmt(dims)} has ${dims.length} entries but the tensor of shape ${fmt(x.shape)} has ${x.ndim} dimensions; give one entry per dimension`);
  }
  const perm = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(perm).size !== perm.length) {
    throw new Error(`permute: dims ${fmt(dims)} repeats a dimension; it must be a permutation of 0..${x.ndim - 1} for shape ${fmt(x.shape)}`);
  }
  return permuteAs('permute', x, perm);
}

/**
 * A dim of size 1 inserted at `dim` (in `[-ndim-1, ndim]`), as `torch.unsqueeze`.
 *
 * @example
 * ```ts
 * unsqueeze(zeros([2, 3]), -1); // shape [2, 3, 1]
 * ```
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', 'input', x);
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  return viewAs('unsqueeze', x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/**
 * Dims of size 1 removed: every one, or only `dim` (a no-op when that dim is not 1), as `torch.squeeze`.
 *
 * @example
 * ```ts
 * squeeze(zeros([3, 1, 4]), 1); // shape [3, 4]
 * ```
 */
export function squeeze(x: Tensor, dim?: number): Tensor {
  checkTensor('squeeze', 'input', x);
  if (dim === undefined) return viewAs('squeeze', x, x.shape.filter((d) => d !== 1));
  const d = normalizeDim('squeeze', dim, x.ndim);
  const shape = x.ndim > 0 && x.shape[d] === 1 ? [...x.shape.slice(0, d), ...x.shape.slice(d + 1)] : x.shape;
  return viewAs('squeeze', x, shape);
}

/**
 * `x` broadcast to `shape`, as `torch.Tensor.expand`: `-1` keeps a dim, new leading dims may be
 * added, and only dims of size 1 can grow. The gradient is summed back over the broadcast.
 *
 * @example
 * ```ts
 * expand(zeros([3, 1]), [2, -1, 4]); // shape [2, 3, 4]
 * expand(zeros([3, 1]), 3, 5);        // shape [3, 5]
 * ```
 */
export function expand(x: Tensor, ...sizesGiven: [readonly number[]] | number[]): Tensor {
  const shape = sizes('expand', x, sizesGiven, 'sizes');
  const lead = shape.length - x.ndim;
  if (lead < 0) {
    throw new Error(`expand: ${shape.length} sizes ${fmt(shape)} for ${x.ndim} dims (shape ${fmt(x.shape)}); give at least one per dim`);
  }
  const target = shape.map((t, i) => {
    if (i < lead) {
      if (!Number.isInteger(t) || t < 0) {
        throw new Error(`expand: size ${t} cannot start the new leading dim ${i} (target ${fmt(shape)}, shape ${fmt(x.shape)}); give a non-negative size`);
      }
      return t;
    }
    const s = x.shape[i - lead]!;
    if (t === -1) return s;
    if (t !== s && s !== 1) {
      throw new Error(`expand: dim ${i} of ${fmt(x.shape)} is ${s}, not 1, so it cannot become ${t} (target ${fmt(shape)})`);
    }
    if (!Number.isInteger(t) || t < 0) throw new Error(`expand: invalid size ${t} at dimension ${i} in target ${fmt(shape)}`);
    return t;
  });
  if (numel(target) === x.numel()) return viewAs('expand', x, target); // only 1s added: no copy
  const out = launch('expand', x._backend(), target, x.dtype, (k) => k.expand(x._info(), target));
  return record('expand', out, [x], (g) => [unbroadcast(g, x.shape)]);
}

/**
 * `length` entries of `dim` starting at `start` (negative counts from the end), as `torch.narrow`.
 *
 * @example
 * ```ts
 * narrow(arange(10), 0, 2, 3); // [2, 3, 4]
 * ```
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', 'input', x);
  if (x.ndim === 0) throw new Error('narrow: cannot be applied to a 0-dim tensor; reshape it first');
  const d = normalizeDim('narrow', dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(start) || start < -size || start > size) {
    throw new Error(`narrow: start (${start}) is out of range for dimension ${dim} of size ${size} (shape ${fmt(x.shape)}); expected it in [${-size}, ${size}]`);
  }
  const from = start < 0 ? start + size : start;
  if (!Number.isInteger(length) || length < 0 || from + length > size) {
    throw new Error(`narrow: start (${start}) + length (${length}) exceeds dimension size (${size}) of dimension ${dim} of shape ${fmt(x.shape)}`);
  }
  const begin = x.shape.map((_, i) => (i === d ? from : 0));
  const lengths = x.shape.map((n, i) => (i === d ? length : n));
  return slice(x, begin, lengths);
}

/**
 * Tensors joined along an existing dim, as `torch.cat`; every other dim must match, and so must dtypes.
 *
 * @example
 * ```ts
 * cat([zeros([2, 3]), ones([4, 3])], 0); // shape [6, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList('cat', tensors, arguments.length);
  if (tensors.length === 0) throw new Error('cat: expected a non-empty list of tensors');
  const b = commonBackend('cat', tensors);
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new Error(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated; unsqueeze it or use stack`);
  });
  const d = normalizeDim('cat', dim, first.ndim);
  tensors.forEach((t, i) => {
    if (t.dtype !== first.dtype) {
      throw new Error(`cat: expected all tensors to have the same dtype, but tensor 0 is ${first.dtype} and tensor ${i} is ${t.dtype}; convert with .to('${first.dtype}')`);
    }
    const ok = t.ndim === first.ndim && [...t.shape].every((n, j) => j === d || n === first.shape[j]);
    if (!ok) {
      throw new Error(`cat: sizes of tensors must match except in dimension ${dim}: tensor 0 has shape ${fmt(first.shape)} but tensor ${i} has shape ${fmt(t.shape)}`);
    }
  });
  const shape = [...first.shape];
  shape[d] = tensors.reduce((acc, t) => acc + t.shape[d]!, 0);
  const out = launch('cat', b, shape, first.dtype, (k) => k.concat(tensors.map((t) => t._info()), d));
  return record('cat', out, tensors, (g) => {
    let offset = 0;
    return tensors.map((t) => {
      const start = offset;
      offset += t.shape[d]!;
      return t.requiresGrad ? narrow(g, d, start, t.shape[d]!) : null;
    });
  });
}

/**
 * Tensors of one shape joined along a new dim, as `torch.stack`.
 *
 * @example
 * ```ts
 * stack([zeros([2, 3]), ones([2, 3])], 1); // shape [2, 2, 3]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList('stack', tensors, arguments.length);
  if (tensors.length === 0) throw new Error('stack: expected a non-empty list of tensors');
  commonBackend('stack', tensors);
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.dtype !== first.dtype) {
      throw new Error(`stack: expected all tensors to have the same dtype, but tensor 0 is ${first.dtype} and tensor ${i} is ${t.dtype}; convert with .to('${first.dtype}')`);
    }
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(`stack: expects each tensor to be equal size, but got ${fmt(first.shape)} at entry 0 and ${fmt(t.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim('stack', dim, first.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}
