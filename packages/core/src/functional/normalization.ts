/** Normalization: layer, batch, group and RMS norms, and `normalize` (unit p-norm). */
import { isGradEnabled, noGrad } from '../autograd';
import { launchMany, record } from '../op';
import { fmt, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { checkTensor, optionalTensor } from '../ops/operand';
import { checkArity, checkBool, checkInt, checkNumber, checkOptions, describe } from '../validate';

function trailingShape(op: string, x: Tensor, normalizedShape: unknown): number[] {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? normalizedShape.slice() : null;
  if (!shape || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: normalizedShape must be an integer or an array of them, got ${describe(normalizedShape)}`);
  }
  const k = shape.length;
  const trailing = [...x.shape].slice(x.ndim - k);
  if (k === 0 || x.ndim < k || trailing.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: given normalizedShape ${fmt(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of shape ${fmt(x.shape)}`);
  }
  return shape as number[];
}

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
  checkArity('layerNorm', arguments.length, 5, 'x, normalizedShape, weight?, bias?, eps?');
  checkTensor('layerNorm', 'input', x);
  const shape = trailingShape('layerNorm', x, normalizedShape);
  const k = shape.length;
  optionalTensor('layerNorm', 'weight', w);
  optionalTensor('layerNorm', 'bias', b);
  checkNumber('layerNorm', 'eps', eps);
  for (const [name, p] of [['weight', w], ['bias', b]] as const) {
    if (p && !sameShape(p.shape, shape)) {
      throw new Error(`layerNorm: ${name} of shape ${fmt(p.shape)} must have normalizedShape ${fmt(shape)}`);
    }
  }
  const kernels = x._backend().kernels;
  const cols = shape.reduce((a, d) => a * d, 1);
  if (kernels.layerNorm && kernels.layerNormBackward && x.dtype === 'float32' && x.numel() > 0 && (!w || w.dtype === 'float32') && (!b || b.dtype === 'float32')) {
    return fusedLayerNorm(x, w ?? null, b ?? null, cols, eps);
  }
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centered = x.sub(x.mean(dims, true));
  const variance = centered.square().mean(dims, true); // biased, as PyTorch normalises
  let y = centered.div(variance.add(eps).sqrt());
  if (w) y = y.mul(w);
  if (b) y = y.add(b);
  return y;
}

// the fused kernel over [rows, cols]; its backward is the fused gradient, or (createGraph) the
// composition's, differentiated again
function fusedLayerNorm(x: Tensor, w: Tensor | null, b: Tensor | null, cols: number, eps: number): Tensor {
  const be = x._backend();
  const rows = x.numel() / cols;
  const [y, mean, rstd] = launchMany('layerNorm', be, x.shape, 'float32', (k) => k.layerNorm!(x._info(), w?._info() ?? null, b?._info() ?? null, cols, eps), [x.shape, [rows], [rows]], 1) as [Tensor, Tensor, Tensor];
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  return record('layerNorm', y, inputs, (g) => {
    if (isGradEnabled()) {
      const xr = x.reshape([rows, cols]);
      const centered = xr.sub(xr.mean(1, true));
      const inv = centered.square().mean(1, true).add(eps).sqrt().reciprocal();
      const xhat = centered.mul(inv);
      const gr = g.reshape([rows, cols]);
      const gw = w ? gr.mul(w.reshape([cols])) : gr;
      const dx = gw.sub(gw.mean(1, true)).sub(xhat.mul(gw.mul(xhat).mean(1, true))).mul(inv);
      return [dx.reshape(x.shape), ...(w ? [gr.mul(xhat).sum(0).reshape(w.shape)] : []), ...(b ? [gr.sum(0).reshape(b.shape)] : [])];
    }
    const [dx, dw, db] = launchMany('layerNormBackward', be, x.shape, 'float32', (k) => k.layerNormBackward!(x._info(), w?._info() ?? null, mean._info(), rstd._info(), g._info(), cols), [x.shape, [cols], [cols]]) as [Tensor, Tensor, Tensor];
    return [dx, ...(w ? [dw.reshape(w.shape)] : []), ...(b ? [db.reshape(b.shape)] : [])];
  });
}

/**
 * Root-mean-square normalization over the last `normalizedShape.length` dims, `x / sqrt(mean(x²) + eps)`,
 * scaled by `w` (of `normalizedShape`) when given, as `torch.nn.functional.rms_norm` (PyTorch 2.4).
 * `eps` defaults to float32's machine epsilon, as PyTorch's `None`.
 *
 * @example
 * ```ts
 * F.rmsNorm(randn([3, 5]), [5], ones([5]), 1e-6); // [3, 5]
 * ```
 */
export function rmsNorm(x: Tensor, normalizedShape: number | readonly number[], w?: Tensor | null, eps?: number | null): Tensor {
  checkArity('rmsNorm', arguments.length, 4, 'x, normalizedShape, weight?, eps?');
  checkTensor('rmsNorm', 'input', x);
  const shape = trailingShape('rmsNorm', x, normalizedShape);
  const weight = optionalTensor('rmsNorm', 'weight', w);
  if (weight && (weight.ndim !== shape.length || weight.shape.some((d, i) => d !== shape[i]))) {
    throw new Error(`rmsNorm: weight of shape ${fmt(weight.shape)} must have normalizedShape ${fmt(shape)}`);
  }
  const e = eps === undefined || eps === null ? 1.1920928955078125e-7 : checkNumber('rmsNorm', 'eps', eps);
  const dims = shape.map((_, i) => x.ndim - shape.length + i);
  const xf = x.float();
  const y = xf.div(xf.square().mean(dims, true).add(e).sqrt());
  return weight ? y.mul(weight) : y;
}

/**
 * Group normalization, as `torch.nn.functional.group_norm`: the channels of `x` (`[N, C, *]`) are
 * split into `numGroups` groups, each normalised over its channels and the spatial dims to zero
 * mean and unit (biased) variance, then scaled by `w` and shifted by `b` (both `[C]`).
 *
 * @example
 * ```ts
 * F.groupNorm(randn([2, 6, 3, 3]), 3, ones([6]), zeros([6])); // [2, 6, 3, 3]
 * ```
 */
export function groupNorm(x: Tensor, numGroups: number, w?: Tensor | null, b?: Tensor | null, eps = 1e-5): Tensor {
  checkArity('groupNorm', arguments.length, 5, 'x, numGroups, weight?, bias?, eps?');
  checkTensor('groupNorm', 'input', x);
  const groups = checkInt('groupNorm', 'numGroups', numGroups, 1);
  checkNumber('groupNorm', 'eps', eps);
  if (x.ndim < 2) throw new Error(`groupNorm: expected input of shape [N, C, *], got ${fmt(x.shape)}`);
  const [n, c] = x.shape as [number, number];
  if (c % groups !== 0) throw new Error(`groupNorm: expected the number of channels (${c}) of input ${fmt(x.shape)} to be divisible by numGroups (${groups})`);
  const weight = optionalTensor('groupNorm', 'weight', w);
  const bias = optionalTensor('groupNorm', 'bias', b);
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== c)) throw new Error(`groupNorm: ${name} of shape ${fmt(p.shape)} must be [${c}], one per channel`);
  }
  const g = x.float().reshape([n, groups, -1]);
  const centered = g.sub(g.mean(2, true));
  let y = centered.div(centered.square().mean(2, true).add(eps).sqrt()).reshape(x.shape as number[]);
  const channel = x.shape.map((d, i) => (i === 1 ? d : 1));
  if (weight) y = y.mul(weight.reshape(channel));
  if (bias) y = y.add(bias.reshape(channel));
  return y;
}

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Scale `[C]`. */
  weight?: Tensor | null;
  /** Shift `[C]`. */
  bias?: Tensor | null;
  /** Use the batch's statistics (and update the running ones); else use the running ones. Default false, as PyTorch's functional form. */
  training?: boolean;
  /** Weight of the new statistic in the running average. Default 0.1. */
  momentum?: number;
  /** Added to the variance. Default 1e-5. */
  eps?: number;
}

/**
 * Batch normalization over the channel dim 1 of `[N, C, *]` (or `[N, C]`), as
 * `torch.nn.functional.batch_norm`. In training mode it normalises with the batch's mean and
 * biased variance and, when `runningMean`/`runningVar` are given, updates them in place
 * (`(1 − momentum)·running + momentum·batch`, with the unbiased variance, as PyTorch); in eval
 * mode it normalises with the running statistics.
 *
 * @example
 * ```ts
 * const rm = zeros([3]), rv = ones([3]);
 * F.batchNorm(randn([4, 3]), rm, rv, { training: true, momentum: 0.1 }); // rm and rv updated
 * F.batchNorm(randn([4, 3]), rm, rv);                                    // eval: uses them
 * ```
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  checkArity('batchNorm', arguments.length, 4, 'x, runningMean, runningVar, { weight, bias, training, momentum, eps }');
  checkTensor('batchNorm', 'input', x);
  checkOptions('batchNorm', options, ['weight', 'bias', 'training', 'momentum', 'eps']);
  const training = checkBool('batchNorm', 'training', options.training ?? false);
  const momentum = checkNumber('batchNorm', 'momentum', options.momentum ?? 0.1);
  const eps = checkNumber('batchNorm', 'eps', options.eps ?? 1e-5);
  if (x.ndim < 2) throw new Error(`batchNorm: expected input of shape [N, C] or [N, C, *], got ${fmt(x.shape)}`);
  const c = x.shape[1]!;
  const rm = optionalTensor('batchNorm', 'runningMean', runningMean);
  const rv = optionalTensor('batchNorm', 'runningVar', runningVar);
  const weight = optionalTensor('batchNorm', 'weight', options.weight);
  const bias = optionalTensor('batchNorm', 'bias', options.bias);
  for (const [name, p] of [['runningMean', rm], ['runningVar', rv], ['weight', weight], ['bias', bias]] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== c)) throw new Error(`batchNorm: ${name} of shape ${fmt(p.shape)} must be [${c}], one per channel of input ${fmt(x.shape)}`);
  }
  if ((rm === null) !== (rv === null)) throw new Error('batchNorm: give both runningMean and runningVar, or neither');
  if (!training && !rm) throw new Error('batchNorm: eval mode (training: false) normalises with runningMean and runningVar; give them, or pass { training: true }');
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const count = x.shape.reduce((a, d, i) => (i === 1 ? a : a * d), 1);
  if (training && count <= 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input of shape ${fmt(x.shape)}`);
  const channel = x.shape.map((d, i) => (i === 1 ? d : 1));
  const xf = x.float();
  let y: Tensor;
  if (training) {
    const mean = xf.mean(dims, true);
    const centered = xf.sub(mean);
    const variance = centered.square().mean(dims, true); // biased, to normalise
    y = centered.div(variance.add(eps).sqrt());
    if (rm && rv) {
      noGrad(() => {
        rm.mul_(1 - momentum).add_(mean.reshape([c]).mul(momentum));
        rv.mul_(1 - momentum).add_(variance.reshape([c]).mul((momentum * count) / (count - 1))); // unbiased
      });
    }
  } else {
    y = xf.sub(rm!.reshape(channel)).div(rv!.reshape(channel).add(eps).sqrt());
  }
  if (weight) y = y.mul(weight.reshape(channel));
  if (bias) y = y.add(bias.reshape(channel));
  return y;
}

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /** The norm's exponent. Default 2. */
  p?: number;
  /** The dim normalised. Default 1. */
  dim?: number;
  /** Lower bound of the divisor. Default 1e-12. */
  eps?: number;
}

/**
 * `x / max(‖x‖_p, eps)` along `dim`, as `torch.nn.functional.normalize` (defaults `p = 2`, `dim = 1`).
 *
 * @example
 * ```ts
 * F.normalize(randn([3, 4]));                  // rows of unit length
 * F.normalize(randn([3, 4]), { p: 1, dim: -1 });
 * ```
 */
export function normalize(x: Tensor, options: NormalizeOptions = {}): Tensor {
  checkArity('normalize', arguments.length, 2, 'x, { p, dim, eps }');
  checkTensor('normalize', 'input', x);
  checkOptions('normalize', options, ['p', 'dim', 'eps']);
  const p = checkNumber('normalize', 'p', options.p ?? 2);
  const dim = checkInt('normalize', 'dim', options.dim ?? 1);
  const eps = checkNumber('normalize', 'eps', options.eps ?? 1e-12);
  return x.div(x.norm(p, dim, true).maximum(eps));
}
