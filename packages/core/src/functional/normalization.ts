/** Layer normalization over the trailing dims. */
import { fmt } from '../shape';
import type { Tensor } from '../tensor';

/**
 * Normalise over the last `normalizedShape.length` dims to zero mean and unit (biased) variance,
 * then scale by `w` and shift by `b` (both of `normalizedShape`), as `torch.nn.functional.layer_norm`.
 *
 * @example
 * ```ts
 * F.layerNorm(x, [6]);                 // x of shape [4, 6]
 * F.layerNorm(x, [6], gamma, beta, 1e-5);
 * ```
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  w?: Tensor | null,
  b?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
  const k = shape.length;
  const trailing = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || trailing.some((d, i) => d !== shape[i])) {
    throw new Error(
      `layerNorm: given normalizedShape ${fmt(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of shape ${fmt(x.shape)}`,
    );
  }
  for (const [name, p] of [['weight', w], ['bias', b]] as const) {
    if (p && (p.ndim !== k || p.shape.some((d, i) => d !== shape[i]))) {
      throw new Error(`layerNorm: ${name} of shape ${fmt(p.shape)} must have normalizedShape ${fmt(shape)}`);
    }
  }
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centered = x.sub(x.mean(dims, true));
  const variance = centered.square().mean(dims, true); // biased, as PyTorch normalises
  let y = centered.div(variance.add(eps).sqrt());
  if (w) y = y.mul(w);
  if (b) y = y.add(b);
  return y;
}
