/**
 * Initialisation, as `torch.nn.init`: PyTorch's defaults for the layers, and the in-place
 * initialisers (`xavierUniform_`, `kaimingNormal_`, `truncNormal_`, ...), all drawn from core's
 * seeded generator so `manualSeed` repeats them.
 *
 * @example
 * ```ts
 * nn.init.normal_(linear.weight, 0, 0.02);
 * nn.init.zeros_(linear.bias);
 * ```
 * @packageDocumentation
 */
import { noGrad } from '../autograd';
import { rand, randn } from '../creation';
import { tidy } from '../memory';
import { where } from '../ops/compare';
import { fmt } from '../shape';
import { Tensor } from '../tensor';
import { checkChoice, checkOptions, describe } from '../validate';

/**
 * Uniform values in `[-bound, bound)` of `shape`, as `torch.nn.init.uniform_(t, -bound, bound)`.
 *
 * @example
 * ```ts
 * uniform([4, 3], 1 / Math.sqrt(3));
 * ```
 */
export function uniform(shape: readonly number[], bound: number): Tensor {
  return tidy(() => rand(shape).mul(2 * bound).add(-bound));
}

/**
 * The bound PyTorch's Linear and Conv2d use for both weight and bias: `kaiming_uniform_(a=√5)`
 * works out to `1 / √fanIn` (0 when `fanIn` is 0).
 *
 * @example
 * ```ts
 * kaimingBound(784); // 1 / 28
 * ```
 */
export function kaimingBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/**
 * Standard normal values of `shape`, as `torch.nn.init.normal_` (Embedding's default).
 *
 * @example
 * ```ts
 * normal([10, 4]);
 * ```
 */
export function normal(shape: readonly number[]): Tensor {
  return randn(shape);
}

// ---- torch.nn.init: in-place initialisers (under noGrad, so they work on parameters)

/** A tensor to initialise in place (a parameter, usually). */
function target(op: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`init.${op}: expected a Tensor to fill in place, got ${describe(t)}`);
  if (t.dtype !== 'float32') throw new Error(`init.${op}: expected a float32 tensor, got ${t.dtype}`);
  return t;
}

/**
 * `fanIn` and `fanOut` of a weight, as PyTorch computes them: `shape[1]` and `shape[0]` times the
 * receptive field (the product of the dims after the first two).
 *
 * @example
 * ```ts
 * calculateFanInAndFanOut(zeros([8, 4, 3, 3])); // [36, 72]
 * ```
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new Error(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape ${fmt(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, d) => a * d, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** Nonlinearities {@link calculateGain} knows. */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain` (`leaky_relu` takes its slope, default 0.01).
 *
 * @example
 * ```ts
 * calculateGain('relu'); // √2
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`init.calculateGain: unsupported nonlinearity ${describe(nonlinearity)}`);
  }
}

/** Fill `t` with U(a, b), as `torch.nn.init.uniform_`. @example `nn.init.uniform_(w, -0.1, 0.1)` */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return noGrad(() => target('uniform_', t).uniform_(a, b));
}

/** Fill `t` with N(mean, std²), as `torch.nn.init.normal_`. @example `nn.init.normal_(w, 0, 0.02)` */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => target('normal_', t).normal_(mean, std));
}

/** Fill `t` with `value`, as `torch.nn.init.constant_`. @example `nn.init.constant_(b, 0.1)` */
export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => target('constant_', t).fill_(value));
}

/** Fill `t` with zeros, as `torch.nn.init.zeros_`. @example `nn.init.zeros_(linear.bias)` */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fill `t` with ones, as `torch.nn.init.ones_`. @example `nn.init.ones_(norm.weight)` */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * Glorot uniform: U(−a, a) with `a = gain·√(6 / (fanIn + fanOut))`, as `torch.nn.init.xavier_uniform_`.
 *
 * @example
 * ```ts
 * nn.init.xavierUniform_(attn.in_proj_weight);
 * ```
 */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(target('xavierUniform_', t));
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** Glorot normal: N(0, std²) with `std = gain·√(2 / (fanIn + fanOut))`, as `torch.nn.init.xavier_normal_`. @example `nn.init.xavierNormal_(w)` */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(target('xavierNormal_', t));
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of {@link kaimingUniform_} and {@link kaimingNormal_}. */
export interface KaimingOptions {
  /** The negative slope of the rectifier after this layer (`leaky_relu`; default 0). */
  a?: number;
  /** `'fanIn'` keeps the forward pass's variance, `'fanOut'` the backward's (default `'fanIn'`). */
  mode?: 'fanIn' | 'fanOut';
  /** Default `'leaky_relu'`. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, options: KaimingOptions): number {
  checkOptions(`init.${op}`, options, ['a', 'mode', 'nonlinearity']);
  const [fanIn, fanOut] = calculateFanInAndFanOut(target(op, t));
  const mode = checkChoice(`init.${op}`, 'mode', options.mode ?? 'fanIn', ['fanIn', 'fanOut']);
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  return gain / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut);
}

/**
 * He uniform: U(−b, b) with `b = gain·√(3 / fan)`, as `torch.nn.init.kaiming_uniform_`.
 *
 * @example
 * ```ts
 * nn.init.kaimingUniform_(conv.weight, { nonlinearity: 'relu' });
 * ```
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, options);
  return uniform_(t, -bound, bound);
}

/** He normal: N(0, (gain / √fan)²), as `torch.nn.init.kaiming_normal_`. @example `nn.init.kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' })` */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, options));
}

/**
 * N(mean, std²) truncated to `[a, b]`, as `torch.nn.init.trunc_normal_` (PyTorch's method: a
 * uniform draw mapped through the inverse normal CDF, so every value lands inside).
 *
 * @example
 * ```ts
 * nn.init.truncNormal_(w, 0, 0.02, -0.04, 0.04);
 * ```
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  target('truncNormal_', t);
  if (!(a < b)) throw new Error(`init.truncNormal_: the bounds must satisfy a < b, got a = ${a}, b = ${b}`);
  const cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const lo = cdf((a - mean) / std);
  const hi = cdf((b - mean) / std);
  return noGrad(() => {
    const u = tidy(() => {
      const v = rand(t.shape as number[]).mul(2 * hi - 2 * lo).add(2 * lo - 1); // U(2l − 1, 2u − 1)
      return erfinv(v).mul(std * Math.SQRT2).add(mean).clamp(a, b);
    });
    t.copy_(u);
    u.dispose();
    return t;
  });
}

// erf to ~1e-7 (Abramowitz & Stegun 7.1.26 is too coarse; this is the series / continued fraction split)
function erf(x: number): number {
  const s = Math.sign(x);
  const z = Math.abs(x);
  if (z < 2.5) {
    // Taylor series
    let sum = z;
    let term = z;
    for (let n = 1; n < 60; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return (s * 2 * sum) / Math.sqrt(Math.PI);
  }
  // continued fraction for erfc
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (z + f);
  return s * (1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f));
}

// the inverse error function on a tensor in (−1, 1): Giles' single-precision approximation
function erfinv(x: Tensor): Tensor {
  const w = x.neg().add(1).mul(x.add(1)).log().neg();
  const small = w.sub(2.5);
  const large = w.sqrt().sub(3);
  const poly = (z: Tensor, c: number[]) => c.slice(1).reduce((p, k) => p.mul(z).add(k), z.mul(0).add(c[0]!));
  const p1 = poly(small, [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]);
  const p2 = poly(large, [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]);
  return where(w.lt(5), p1, p2).mul(x);
}
