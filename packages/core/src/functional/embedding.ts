/** Embedding lookup: rows of a weight matrix picked by integer indices. */
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { hostValues } from './host';
import { arange } from '../creation';
import { checkTensor } from '../ops/operand';
import { checkArity, checkInt } from '../validate';

/**
 * Rows of `w` (`[numEmbeddings, dim]`) picked by the int32 indices `idx` of any shape, giving
 * `[...idx.shape, dim]`, as `torch.nn.functional.embedding`. The gradient sums into the picked rows.
 *
 * @example
 * ```ts
 * F.embedding(tensor([[0, 2], [1, 1]], { dtype: 'int32' }), randn([5, 3])); // shape [2, 2, 3]
 * ```
 */
export function embedding(idx: Tensor, w: Tensor): Tensor {
  if (idx.dtype !== 'int32') {
    throw new Error(`embedding: indices must be an int32 tensor, got ${idx.dtype} of shape ${fmt(idx.shape)}; convert with .int()`);
  }
  if (w.ndim !== 2) throw new Error(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got shape ${fmt(w.shape)}`);
  const n = w.shape[0]!;
  const values = hostValues(idx);
  if (values) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v >= n) {
        throw new Error(`embedding: index ${v} is out of range for ${n} embeddings (valid indices are 0 to ${n - 1})`);
      }
    }
  }
  return w.indexSelect(0, idx.reshape([-1])).reshape([...idx.shape, w.shape[1]!]);
}

/**
 * One-hot encoding of int32 class indices, as `torch.nn.functional.one_hot`: `[...idx.shape, numClasses]`
 * (int32, as tensorgrad's integer dtype), 1 at each index. `numClasses` defaults to one more than
 * the largest index (read from the tensor, so give it on a backend that only reads asynchronously).
 *
 * @example
 * ```ts
 * F.oneHot(tensor([0, 2, 1], { dtype: 'int32' }), 4); // [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
 * ```
 */
export function oneHot(idx: Tensor, numClasses = -1): Tensor {
  checkArity('oneHot', arguments.length, 2, 'idx, numClasses?');
  checkTensor('oneHot', 'input', idx);
  if (idx.dtype !== 'int32') {
    throw new Error(`oneHot: expects an int32 tensor of class indices, got ${idx.dtype} of shape ${fmt(idx.shape)}; convert with .int()`);
  }
  let n = checkInt('oneHot', 'numClasses', numClasses, -1);
  const values = hostValues(idx);
  if (values) {
    let max = -1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0) throw new Error(`oneHot: class values must be non-negative, got ${v}`);
      if (n !== -1 && v >= n) throw new Error(`oneHot: class value ${v} is out of range for numClasses ${n} (valid 0 to ${n - 1})`);
      max = Math.max(max, v);
    }
    if (n === -1) n = max + 1;
  } else if (n === -1) {
    throw new Error('oneHot: numClasses must be given on a backend that reads asynchronously (it cannot look for the largest index without waiting)');
  }
  return idx.unsqueeze(-1).eq(arange(n, { dtype: 'int32' })).int();
}
