/** Losses for classification: cross-entropy and negative log-likelihood over classes, and binary cross-entropy. */
import { isGradEnabled } from '../autograd';
import { arange } from '../creation';
import { where } from '../ops/compare';
import { launch, launchMany, record } from '../op';
import { fmt, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { logOnePlusExp } from './activation';
import { hostValues } from './host';
import { checkSameShape, type LossOptions, type Reduction, reduce, reductionOf } from './reduction';
import { logSoftmax, softmax } from './softmax';
import { checkTensor, optionalTensor } from '../ops/operand';
import { checkArity, checkNumber, checkOptions } from '../validate';

/** Options of {@link nllLoss} and {@link crossEntropy}. */
export interface NllLossOptions extends LossOptions {
  /** Targets equal to this contribute nothing (nor count towards the mean). Default -100, as PyTorch's. */
  ignoreIndex?: number;
  /** A rescaling weight for each class, of shape `[C]`; the mean is then weighted. */
  weight?: Tensor | null;
}

/** Options of {@link crossEntropy}: those of {@link nllLoss}, and label smoothing. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution over classes by this amount (0 to 1), as PyTorch's `label_smoothing`. Default 0. */
  labelSmoothing?: number;
}

interface ClassTargets {
  readonly classDim: number;
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly weight: Tensor | null;
  readonly mayIgnore: boolean; // some target equals ignoreIndex (or we could not look)
}

// checks class-index targets before any op runs, so a bad target leaves no half-built graph
function checkClassTargets(op: string, input: Tensor, target: Tensor, options: NllLossOptions): ClassTargets {
  const reduction = reductionOf(op, options);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const weight = options.weight ?? null;
  if (input.ndim === 0) throw new Error(`${op}: input must have a class dim ([N, C], [C] or [N, C, d1, ...]), got a scalar`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim]!;
  const expected = input.shape.filter((_, i) => i !== classDim);
  if (target.dtype !== 'int32') {
    throw new Error(`${op}: target must hold int32 class indices of shape ${fmt(expected)}, got ${target.dtype} of shape ${fmt(target.shape)}; convert with .int()`);
  }
  if (!sameShape(target.shape, expected)) {
    throw new Error(`${op}: target of shape ${fmt(target.shape)} does not match input of shape ${fmt(input.shape)}: expected target of shape ${fmt(expected)} (one class index per row)`);
  }
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new Error(`${op}: weight of shape ${fmt(weight.shape)} must have one entry per class, [${classes}]`);
  }
  const values = hostValues(target);
  let mayIgnore = values === null;
  if (values) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === ignoreIndex) mayIgnore = true;
      else if (v < 0 || v >= classes) throw new Error(`${op}: target ${v} is out of bounds for ${classes} classes (valid targets are 0 to ${classes - 1})`);
    }
  }
  return { classDim, reduction, ignoreIndex, weight, mayIgnore };
}

// −logp[target] per element, weighted, reduced; the mean divides by the total weight, as PyTorch
function nll(logp: Tensor, target: Tensor, t: ClassTargets): Tensor {
  const safe = t.mayIgnore ? where(target.eq(t.ignoreIndex), 0, target) : target;
  const loss = logp.gather(t.classDim, safe.unsqueeze(t.classDim)).squeeze(t.classDim).neg();
  if (!t.weight && !t.mayIgnore) return reduce(loss, t.reduction);
  let w = t.weight ? t.weight.indexSelect(0, safe.reshape([-1])).reshape(target.shape as number[]) : null;
  if (t.mayIgnore) {
    const kept = target.ne(t.ignoreIndex).float();
    w = w ? w.mul(kept) : kept;
  }
  const weighted = loss.mul(w!);
  if (t.reduction === 'none') return weighted;
  return t.reduction === 'sum' ? weighted.sum() : weighted.sum().div(w!.sum());
}

/**
 * Negative log-likelihood of int32 class `target`s under log-probabilities `input`, as
 * `torch.nn.functional.nll_loss`: input `[N, C]` with target `[N]`, `[C]` with a scalar target, or
 * `[N, C, d1, ...]` with `[N, d1, ...]`. A target outside `[0, C)` (other than `ignoreIndex`) throws.
 *
 * @example
 * ```ts
 * F.nllLoss(F.logSoftmax(logits, 1), tensor([2, 0], { dtype: 'int32' }));
 * ```
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  checkArity('nllLoss', arguments.length, 3, 'input, target, { reduction, ignoreIndex, weight }');
  checkTensor('nllLoss', 'input', input);
  checkTensor('nllLoss', 'target', target);
  checkOptions('nllLoss', options, ['reduction', 'ignoreIndex', 'weight']);
  optionalTensor('nllLoss', 'weight', options.weight);
  const t = checkClassTargets('nllLoss', input, target, options);
  return nll(input, target, t);
}

/**
 * Cross-entropy between `logits` and int32 class `target`s, `nllLoss(logSoftmax(logits, 1), target)`,
 * as `torch.nn.functional.cross_entropy`; shapes as {@link nllLoss}. A float32 `target` of the
 * logits' shape is read as class probabilities instead. A target outside `[0, C)` throws, e.g.
 * `crossEntropy: target 7 is out of bounds for 5 classes`.
 *
 * @example
 * ```ts
 * const loss = F.crossEntropy(logits, tensor([1, 0, 4], { dtype: 'int32' })); // logits [3, 5]
 * ```
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkArity('crossEntropy', arguments.length, 3, 'logits, target, { reduction, ignoreIndex, weight, labelSmoothing }');
  checkTensor('crossEntropy', 'input', logits);
  checkTensor('crossEntropy', 'target', target);
  checkOptions('crossEntropy', options, ['reduction', 'ignoreIndex', 'weight', 'labelSmoothing']);
  const smoothing = checkNumber('crossEntropy', 'labelSmoothing', options.labelSmoothing ?? 0);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new Error(`crossEntropy: labelSmoothing must be between 0 and 1, got ${smoothing}`);
  optionalTensor('crossEntropy', 'weight', options.weight);
  if (logits.dtype !== 'float32') {
    throw new Error(`crossEntropy: logits must be floating point (float32), got ${logits.dtype} of shape ${fmt(logits.shape)} (as PyTorch refuses); convert with .float()`);
  }
  if (target.dtype === 'float32' && logits.ndim > 0 && sameShape(target.shape, logits.shape)) {
    const reduction = reductionOf('crossEntropy', options);
    const classDim = logits.ndim === 1 ? 0 : 1;
    let logp = logSoftmax(logits, classDim);
    if (options.weight) {
      const shape = logits.shape.map((d, i) => (i === classDim ? d : 1));
      logp = logp.mul(options.weight.reshape(shape));
    }
    const probs = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / logits.shape[classDim]!) : target;
    return reduce(probs.mul(logp).sum(classDim).neg(), reduction); // mean over rows, as PyTorch for probabilities
  }
  const t = checkClassTargets('crossEntropy', logits, target, options);
  const k = logits._backend().kernels;
  if (k.crossEntropy && k.crossEntropyBackward && smoothing === 0 && !t.weight && !t.mayIgnore && logits.ndim === 2 && logits.numel() > 0) {
    return reduce(fusedCrossEntropy(logits, target), t.reduction);
  }
  const logp = logSoftmax(logits, t.classDim);
  const loss = nll(logp, target, t);
  if (smoothing === 0) return loss;
  // PyTorch's label smoothing: (1 − ε)·nll + ε/C · Σ_c −w_c·logp_c, the second term zero where ignored
  // and, for the mean, divided by the same total weight as nll's
  const classes = logits.shape[t.classDim]!;
  const perClass = t.weight ? logp.mul(t.weight.reshape(logits.shape.map((d, i) => (i === t.classDim ? d : 1)))) : logp;
  let smooth = perClass.sum(t.classDim).neg();
  let divisor: Tensor | number = smooth.numel();
  if (t.mayIgnore || t.weight) {
    const kept = t.mayIgnore ? target.ne(t.ignoreIndex).float() : null;
    if (kept) smooth = smooth.mul(kept);
    const safe = t.mayIgnore ? where(target.eq(t.ignoreIndex), 0, target) : target;
    const w = t.weight ? t.weight.indexSelect(0, safe.reshape([-1])).reshape(target.shape as number[]) : null;
    divisor = w ? (kept ? w.mul(kept) : w).sum() : kept!.sum();
  }
  const reduced = t.reduction === 'none' ? smooth : t.reduction === 'sum' ? smooth.sum() : smooth.sum().div(divisor);
  return loss.mul(1 - smoothing).add(reduced.mul(smoothing / classes));
}

// the per-row loss of logits [n, c] and checked int32 targets [n] from the fused kernel; its gradient
// is the fused backward, or (createGraph) (softmax − one-hot)·dy as tensor ops, differentiable again
function fusedCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  const b = logits._backend();
  const [n, c] = logits.shape as [number, number];
  const [loss, probs] = launchMany('crossEntropy', b, [n], 'float32', (k) => k.crossEntropy!(logits._info(), target._info()), [[n], [n, c]], 1) as [Tensor, Tensor];
  return record('crossEntropy', loss, [logits], (g) => [
    isGradEnabled()
      ? softmax(logits, 1).sub(target.unsqueeze(1).eq(arange(c, { dtype: 'int32' })).float()).mul(g.unsqueeze(1))
      : launch('crossEntropyBackward', b, logits.shape, 'float32', (k) => k.crossEntropyBackward!(probs._info(), target._info(), g._info())),
  ]);
}

/**
 * Binary cross-entropy `−(t·log p + (1 − t)·log(1 − p))` between probabilities `p` and targets
 * of the same shape, as `torch.nn.functional.binary_cross_entropy`: each log is clamped to ≥ −100,
 * and the gradient is PyTorch's `(p − t) / max(p(1 − p), 1e-12)`, finite even where `p` is exactly
 * 0 or 1. Inputs outside [0, 1] throw (checked where the backend reads synchronously).
 *
 * @example
 * ```ts
 * F.binaryCrossEntropy(logits.sigmoid(), labels);
 * ```
 */
export function binaryCrossEntropy(p: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = reductionOf('binaryCrossEntropy', options);
  checkSameShape('binaryCrossEntropy', p, target);
  const values = hostValues(p);
  if (values) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new Error(`binaryCrossEntropy: all elements of input should be between 0 and 1, got ${v}; apply sigmoid first, or use binaryCrossEntropyWithLogits on the logits`);
      }
    }
  }
  const x = p.float();
  const y = target.float();
  const clampedLogs = (q: Tensor): [Tensor, Tensor] => [q.log().maximum(-100), q.neg().add(1).log().maximum(-100)];
  // forward on detached values; the backward below is PyTorch's formula, written with tensor ops
  const [logP, log1mP] = clampedLogs(x.detach());
  const yd = y.detach();
  const loss = yd.mul(logP).add(yd.neg().add(1).mul(log1mP)).neg();
  record('binaryCrossEntropy', loss, [x, y], (g) => {
    const [lp, l1p] = y.requiresGrad ? clampedLogs(x) : [null, null];
    return [
      x.requiresGrad ? g.mul(x.sub(y)).div(x.mul(x.neg().add(1)).maximum(1e-12)) : null,
      y.requiresGrad ? g.mul(l1p!.sub(lp!)) : null, // d/dt = log(1 − p) − log p
    ];
  });
  return reduce(loss, reduction);
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyWithLogitsOptions extends LossOptions {
  /** Weight of positive examples (broadcast over the last dim, one per class), as PyTorch's `pos_weight`. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits, `max(x, 0) − x·t + log(1 + exp(−|x|))`, as
 * `torch.nn.functional.binary_cross_entropy_with_logits`: stable for any logit, and more accurate
 * than `binaryCrossEntropy(sigmoid(x), t)`.
 *
 * @example
 * ```ts
 * F.binaryCrossEntropyWithLogits(logits, labels);
 * F.binaryCrossEntropyWithLogits(logits, labels, { posWeight: tensor([3]) });
 * ```
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  const reduction = reductionOf('binaryCrossEntropyWithLogits', options);
  checkSameShape('binaryCrossEntropyWithLogits', logits, target);
  const x = logits.float();
  const y = target.float();
  const negPart = logOnePlusExp(x.neg()); // −log σ(x) = softplus(−x)
  const posWeight = options.posWeight;
  // (1 − t)·x + (1 + (posWeight − 1)·t)·softplus(−x); without posWeight: max(x,0) − x·t + log1p(exp(−|x|))
  const scale = posWeight ? posWeight.sub(1).mul(y).add(1) : null;
  const loss = y.neg().add(1).mul(x).add(scale ? scale.mul(negPart) : negPart);
  return reduce(loss, reduction);
}
