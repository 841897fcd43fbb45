/** The affine map of a fully connected layer. */
import { commonBackend } from '../op';
import { bmm } from '../ops/matmul';
import { fmt, sameShape } from '../shape';
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
  commonBackend('linear', b ? [x, w, b] : [x, w]); // before any cast is made for it
  const inFeatures = w.shape[w.ndim - 1];
  if (w.ndim > 2 || w.ndim === 0 || x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new Error(
      `linear: input of shape ${fmt(x.shape)} does not fit weight of shape ${fmt(w.shape)}: the input's last dim must equal the weight's in_features (weight is [out, in])`,
    );
  }
  const y = w.ndim === 2 ? product(x, w) : x.matmul(w);
  if (!b) return y;
  const outShape = w.ndim === 2 ? [w.shape[0]!] : [];
  if (!sameShape(b.shape, outShape)) {
    throw new Error(`linear: bias of shape ${fmt(b.shape)} does not match weight of shape ${fmt(w.shape)}; expected bias of shape ${fmt(outShape)}`);
  }
  return y.add(b);
}

// x @ wᵀ on the matmul kernel's transpose flag (no copy of w, forward or backward): the leading
// dims of x fold into the rows of one 2-D product
function product(x: Tensor, w: Tensor): Tensor {
  const input = x.dtype === 'float32' ? x : x.float();
  const weight = w.dtype === 'float32' ? w : w.float();
  const [outFeatures, inFeatures] = w.shape as [number, number];
  const lead = [...x.shape].slice(0, -1);
  const rows = x.ndim === 2 ? input : input.reshape([lead.reduce((a, d) => a * d, 1), inFeatures]);
  const y = bmm(rows, weight, false, true);
  return x.ndim === 2 ? y : y.reshape([...lead, outFeatures]);
}
