/** Activation functions, each a one-line composition of elementwise ops (gradients come from those ops). */
import { isGradEnabled } from '../autograd';
import { launch, launchMany, record } from '../op';
import { erf } from '../ops/unary';
import { where } from '../ops/compare';
import type { Tensor } from '../tensor';
import { checkOptions } from '../validate';

/**
 * `max(x, 0)`, as `torch.nn.functional.relu` (gradient 0 at 0).
 *
 * @example
 * ```ts
 * F.relu(tensor([-1, 0, 2])); // [0, 0, 2]
 * ```
 */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/**
 * `x` where `x > 0`, else `negativeSlope * x`, as `torch.nn.functional.leaky_relu`.
 *
 * @example
 * ```ts
 * F.leakyRelu(tensor([-2, 3]), 0.1); // [-0.2, 3]
 * ```
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(negativeSlope)); // at 0 the gradient is negativeSlope, as PyTorch's
}

/** Options of {@link gelu}. */
export interface GeluOptions {
  /** `'none'` (default) uses the exact erf form; `'tanh'` the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/**
 * Gaussian error linear unit, `x·Φ(x)`, as `torch.nn.functional.gelu`.
 *
 * @example
 * ```ts
 * F.gelu(x);
 * F.gelu(x, { approximate: 'tanh' });
 * ```
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  checkOptions('gelu', options, ['approximate']);
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  const k = x._backend().kernels;
  if (k.gelu && k.geluBackward && x.dtype === 'float32' && x.numel() > 0) return fusedGelu(x, approximate);
  return composedGelu(x, approximate);
}

// the fused kernel; its backward is the fused gradient, or (createGraph) the derivative as tensor ops
function fusedGelu(x: Tensor, approximate: 'none' | 'tanh'): Tensor {
  const b = x._backend();
  const [y, saved] = launchMany('gelu', b, x.shape, 'float32', (k) => k.gelu!(x._info(), approximate), undefined, 1) as [Tensor, Tensor];
  return record('gelu', y, [x], (g) => [
    isGradEnabled() ? g.mul(geluSlope(x, approximate)) : launch('geluBackward', b, x.shape, 'float32', (k) => k.geluBackward!(x._info(), saved._info(), g._info(), approximate)),
  ]);
}

// d gelu / dx as tensor ops (differentiable again)
function geluSlope(x: Tensor, approximate: 'none' | 'tanh'): Tensor {
  if (approximate === 'tanh') {
    const c = Math.sqrt(2 / Math.PI);
    const t = x.add(x.square().mul(x).mul(0.044715)).mul(c).tanh();
    // 0.5·(1 + t) + 0.5·x·(1 − t²)·c·(1 + 3·0.044715·x²)
    return t.add(1).mul(0.5).add(x.mul(0.5).mul(t.square().neg().add(1)).mul(x.square().mul(3 * 0.044715).add(1).mul(c)));
  }
  // Φ(x) + x·φ(x)
  return erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5).add(x.mul(x.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI))));
}

function composedGelu(x: Tensor, approximate: 'none' | 'tanh'): Tensor {
  if (approximate === 'tanh') {
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const inner = x.add(x.square().mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(inner.tanh().add(1));
  }
  return x.mul(0.5).mul(erf(x.mul(Math.SQRT1_2)).add(1)); // 0.5·x·(1 + erf(x/√2))
}

/**
 * `x·sigmoid(x)` (swish), as `torch.nn.functional.silu`.
 *
 * @example
 * ```ts
 * F.silu(x);
 * ```
 */
export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/** Options of {@link softplus}. */
export interface SoftplusOptions {
  /** Sharpness: `log(1 + exp(beta·x)) / beta`. Default 1. */
  beta?: number;
  /** Above `beta·x > threshold` the result is `x` itself. Default 20. */
  threshold?: number;
}

/**
 * `log(1 + exp(beta·x)) / beta`, and `x` where `beta·x > threshold`, as `torch.nn.functional.softplus`.
 *
 * @example
 * ```ts
 * F.softplus(x);
 * F.softplus(x, { beta: 2, threshold: 10 });
 * ```
 */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const beta = options.beta ?? 1;
  const threshold = options.threshold ?? 20;
  const z = x.mul(beta);
  const smooth = logOnePlusExp(z).div(beta);
  return where(z.gt(threshold), x, smooth);
}

/** `log(1 + exp(z))` without overflow: `max(z, 0) + log(1 + exp(-|z|))`; its gradient is sigmoid(z), 0.5 at 0. */
export function logOnePlusExp(z: Tensor): Tensor {
  return z.maximum(0).add(z.abs().neg().exp().add(1).log());
}

/**
 * Logistic sigmoid `1 / (1 + exp(-x))`, as `torch.sigmoid`.
 *
 * @example
 * ```ts
 * F.sigmoid(tensor([0])); // [0.5]
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

/**
 * Hyperbolic tangent, as `torch.tanh`.
 *
 * @example
 * ```ts
 * F.tanh(tensor([0])); // [0]
 * ```
 */
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}
