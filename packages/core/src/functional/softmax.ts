/**
 * Softmax and log-softmax over one dim: the backend's fused kernel where it has one (over the
 * last axis, with transposes around it for other dims), else a stable composition of ops.
 */
import { isGradEnabled } from '../autograd';
import { launch, record } from '../op';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';

type Kind = 'softmax' | 'logSoftmax';

// fused kernel on the last axis, its backward written with tensor ops so higher orders work
function fusedLastDim(kind: Kind, x: Tensor): Tensor {
  const y = launch(kind, x._backend(), x.shape, 'float32', (k) => k[kind]!(x._info()));
  return record(kind, y, [x], (g) =>
    kind === 'softmax'
      ? [softmaxGradient(y, g, 1)]
      : [g.sub(y.exp().mul(g.sum(-1, true)))], // g − softmax ⊙ Σ g
  );
}

/**
 * @internal The gradient of `y = softmax(scale · x)` over the last axis: `scale · y ⊙ (g − Σ g⊙y)`,
 * the backend's fused `softmaxBackward` where it has one and the backward is not itself recorded
 * (`createGraph`), else tensor ops.
 */
export function softmaxGradient(y: Tensor, g: Tensor, scale: number): Tensor {
  const b = y._backend();
  if (b.kernels.softmaxBackward && !isGradEnabled() && g.dtype === 'float32' && y.numel() > 0) {
    return launch('softmaxBackward', b, y.shape, 'float32', (k) => k.softmaxBackward!(y._info(), g._info(), scale));
  }
  const d = y.mul(g.sub(g.mul(y).sum(-1, true)));
  return scale === 1 ? d : d.mul(scale);
}

function run(kind: Kind, input: Tensor, dim: number): Tensor {
  // a 0-d tensor takes dim 0 or -1, as in PyTorch
  const d = normalizeDim(kind, dim, input.ndim);
  const x = input.dtype === 'float32' ? input : input.float();
  if (x.ndim === 0) return run(kind, x.reshape([1]), 0).reshape([]);
  // no elements: an empty result of the same shape (as PyTorch), still connected to the graph
  if (x.numel() === 0) return x.mul(0);
  const last = x.ndim - 1;
  if (x._backend().kernels[kind]) {
    if (d === last) return fusedLastDim(kind, x);
    return fusedLastDim(kind, x.transpose(d, last)).transpose(d, last);
  }
  // shifting by the (constant) max keeps exp from overflowing and leaves the result unchanged
  const z = x.sub(x.max(d, true).detach());
  const e = z.exp();
  return kind === 'softmax' ? e.div(e.sum(d, true)) : z.sub(e.sum(d, true).log());
}

/**
 * Softmax over `dim`: `exp(x) / sum(exp(x), dim)`, computed stably, as `torch.softmax`.
 *
 * @example
 * ```ts
 * F.softmax(tensor([[1, 2, 3]]), -1); // [[0.090, 0.245, 0.665]]
 * ```
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return run('softmax', x, dim);
}

/**
 * Log of the softmax over `dim`: `x - logsumexp(x, dim)`, computed stably, as `torch.log_softmax`.
 *
 * @example
 * ```ts
 * F.logSoftmax(logits, 1); // feed to F.nllLoss
 * ```
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return run('logSoftmax', x, dim);
}
