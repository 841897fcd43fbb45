/** The affine map of a fully connected layer. */
import { fmt } from '../shape';
import type { Tensor } from '../tensor';

/**
 * `x @ wᵀ + b` with `x` of shape `[*, in]`, `w` of shape `[out, in]` and `b` of shape `[out]`,
 * as `torch.nn.functional.linear`.
 *
 * @example
 * ```ts
 * F.linear(randn([8, 3]), randn([4, 3]), zeros([4])); // shape [8, 4]
 * ```
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  const inFeatures = w.shape[w.ndim - 1];
  if (w.ndim > 2 || w.ndim === 0 || x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new Error(
      `linear: input of shape ${fmt(x.shape)} does not fit weight of shape ${fmt(w.shape)}: the input's last dim must equal the weight's in_features (weight is [out, in])`,
    );
  }
  const y = x.matmul(w.t());
  if (!b) return y;
  const outShape = w.ndim === 2 ? [w.shape[0]!] : [];
  if (b.ndim !== outShape.length || b.shape.some((d, i) => d !== outShape[i])) {
    throw new Error(`linear: bias of shape ${fmt(b.shape)} does not match weight of shape ${fmt(w.shape)}; expected bias of shape ${fmt(outShape)}`);
  }
  return y.add(b);
}
