/**
 * Indexing by int32 index tensors: `gather` and `indexSelect` read, `scatterAdd` (their adjoint)
 * writes; the gradient of each is the other.
 */
import type { Shape, TensorInfo } from '../backend';
import { commonBackend, launch, record } from '../op';
import { fmt, normalizeDim, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { cast } from './cast';

// what the kernel sees: a 0-d tensor is a vector of one element, so every kernel has an axis 0
function info(t: Tensor): TensorInfo {
  return t.ndim === 0 ? { ...t._info(), shape: [1] } : t._info();
}

function requireIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') {
    throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype} of shape ${fmt(index.shape)}; convert it with .int() or create it with { dtype: 'int32' }`);
  }
}

// Index values are checked on the host (index tensors are small); a backend that cannot read
// synchronously skips the check and leaves out-of-range behaviour to its kernel.
function checkRange(op: string, index: Tensor, dim: number, shape: Shape): void {
  const b = index._backend();
  if (!b.readSync || !b.supports.syncRead) return;
  const size = shape.length === 0 ? 1 : shape[dim]!;
  const values = index.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= size) {
      throw new Error(`${op}: index ${v} is out of bounds for dimension ${dim} with size ${size} (shape ${fmt(shape)}); indices must be in [0, ${size})`);
    }
  }
}

// gather and scatterAdd share the torch rule: index has the rank of the data, and is no larger in any other dim
function checkIndexShape(op: string, index: Tensor, dim: number, shape: Shape, what: string): void {
  if (index.ndim !== shape.length) {
    throw new Error(`${op}: index ${fmt(index.shape)} must have as many dimensions as the ${what} ${fmt(shape)}`);
  }
  index.shape.forEach((n, i) => {
    if (i !== dim && n > shape[i]!) {
      throw new Error(`${op}: index ${fmt(index.shape)} is larger than the ${what} ${fmt(shape)} at dimension ${i}; only dimension ${dim} may be larger`);
    }
  });
}

/** @internal {@link gather} without the checks, for callers whose index is valid by construction. */
export function gatherUnchecked(x: Tensor, dim: number, index: Tensor): Tensor {
  const out = launch('gather', x._backend(), index.shape, x.dtype, (k) => k.gather(info(x), dim, info(index)));
  return record('gather', out, [x], (g) => [scatterAddUnchecked(x.shape, dim, index, g)]);
}

/** @internal {@link scatterAdd} without the checks, for callers whose index is valid by construction. */
export function scatterAddUnchecked(shape: Shape, dim: number, index: Tensor, src: Tensor): Tensor {
  const kernelShape = shape.length === 0 ? [1] : shape;
  const out = launch('scatterAdd', src._backend(), shape, 'float32', (k) => k.scatterAdd(kernelShape, dim, info(index), info(src)));
  return record('scatterAdd', out, [src], (g) => [gatherUnchecked(g, dim, index)]);
}

/**
 * Values picked along `dim` by an int32 `index` of the same rank, as `torch.gather`:
 * `out[i][j] = x[i][index[i][j]]` for `dim = 1`. The result has `index`'s shape.
 *
 * @example
 * ```ts
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]], { dtype: 'int32' })); // [[1, 1], [4, 3]]
 * ```
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  commonBackend('gather', [x, index]);
  requireIndex('gather', index);
  const d = normalizeDim('gather', dim, x.ndim);
  checkIndexShape('gather', index, d, x.shape, 'input');
  checkRange('gather', index, d, x.shape);
  return gatherUnchecked(x, d, index);
}

/**
 * Entries of `dim` picked by an int32 index vector, as `torch.index_select`; the result has
 * `x`'s shape with `dim` replaced by the number of indices.
 *
 * @example
 * ```ts
 * indexSelect(embeddings, 0, tensor([2, 0, 2], { dtype: 'int32' })); // rows 2, 0, 2
 * ```
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  commonBackend('indexSelect', [x, index]);
  requireIndex('indexSelect', index);
  if (index.ndim > 1) throw new Error(`indexSelect: index must be a vector (0-D or 1-D), got shape ${fmt(index.shape)}; flatten it first`);
  const d = normalizeDim('indexSelect', dim, x.ndim);
  checkRange('indexSelect', index, d, x.shape);
  if (x.ndim === 0) {
    if (index.numel() !== 1) throw new Error(`indexSelect: index to a 0-d tensor must have 1 value, got ${index.numel()}`);
    return gatherUnchecked(x, 0, index.reshape([]));
  }
  const shape = x.shape.map((n, i) => (i === d ? index.numel() : n));
  // index spread along every other dim, so one gather kernel does the selection; the backward
  // scatters by the same spread index (kept with the graph: one int per output element)
  const expanded = index.reshape(x.shape.map((_, i) => (i === d ? -1 : 1))).expand(shape);
  const out = launch('indexSelect', x._backend(), shape, x.dtype, (k) => k.gather(x._info(), d, expanded._info()));
  return record('indexSelect', out, [x], (g) => [scatterAddUnchecked(x.shape, d, expanded, g)]);
}

/**
 * @internal A float32 tensor of `shape`, zero but for `out[i][index[i][j]] += src[i][j]` (for `dim = 1`),
 * as `torch.zeros(shape).scatter_add_(dim, index, src)`; `index` and `src` share a shape.
 * Differentiable in `src` (its gradient is {@link gather}).
 *
 * @example
 * ```ts
 * scatterAdd([3], 0, tensor([0, 2, 0], { dtype: 'int32' }), tensor([1, 2, 3])); // [4, 0, 2]
 * ```
 */
export function scatterAdd(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor {
  commonBackend('scatterAdd', [index, src]);
  requireIndex('scatterAdd', index);
  const d = normalizeDim('scatterAdd', dim, shape.length);
  if (!sameShape(index.shape, src.shape)) {
    throw new Error(`scatterAdd: index ${fmt(index.shape)} and src ${fmt(src.shape)} must have the same shape`);
  }
  checkIndexShape('scatterAdd', index, d, shape, 'output');
  checkRange('scatterAdd', index, d, shape);
  return scatterAddUnchecked(shape, d, index, src.dtype === 'float32' ? src : cast(src, 'float32'));
}
