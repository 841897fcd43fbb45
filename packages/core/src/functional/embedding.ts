/** Embedding lookup: rows of a weight matrix picked by integer indices. */
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { hostValues } from './host';

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
