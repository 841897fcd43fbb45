/** Loss layers: modules around the loss functions in `functional`, called as `loss.forward(pred, target)`. */
import * as F from '../functional/index';
import type { LossOptions, Reduction } from '../functional/reduction';
import { Tensor } from '../tensor';
import { checkNumber, checkInt, describe, positionalOptions } from '../validate';
import { Buffer } from './parameter';
import { Module } from './module';

// a loss's options: positional ones (PyTorch's that still mean something) then an options object
function lossOptions(op: string, args: readonly unknown[], positional: readonly string[], keys: readonly string[]): Record<string, unknown> {
  return positionalOptions(op, args, positional, ['reduction', ...keys.filter((k) => !positional.includes(k))]);
}

// an optional tensor option (weight, posWeight): a Tensor, null or absent
function tensorOption(op: string, name: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor or null, got ${describe(v)}`);
  return v;
}

abstract class Loss extends Module {
  /** `'mean'`, `'sum'` or `'none'` (one loss per element), as PyTorch's `reduction`. */
  readonly reduction: Reduction;

  constructor(options: LossOptions = {}) {
    super();
    const r = options.reduction ?? 'mean';
    if (r !== 'mean' && r !== 'sum' && r !== 'none') {
      throw new Error(`${this.constructor.name}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
    }
    this.reduction = r;
  }

  /** The loss of `input` (predictions) against `target`, reduced by `reduction`. */
  abstract override forward(input: Tensor, target: Tensor): Tensor;

  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction='${this.reduction}'`;
  }
}

/**
 * Mean squared error `(input - target)²`, as `torch.nn.MSELoss`.
 *
 * @example
 * ```ts
 * const criterion = new nn.MSELoss();
 * const loss = criterion.forward(model.forward(x), y);
 * ```
 */
export class MSELoss extends Loss {
  constructor(options?: LossOptions);
  constructor(...args: unknown[]) {
    super(lossOptions('MSELoss', args, [], []));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error `|input - target|`, as `torch.nn.L1Loss`.
 *
 * @example
 * ```ts
 * new nn.L1Loss({ reduction: 'sum' }).forward(pred, target);
 * ```
 */
export class L1Loss extends Loss {
  constructor(options?: LossOptions);
  constructor(...args: unknown[]) {
    super(lossOptions('L1Loss', args, [], []));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * Quadratic for errors below `delta`, linear above, as `torch.nn.HuberLoss`.
 *
 * @example
 * ```ts
 * new nn.HuberLoss({ delta: 0.5 }).forward(pred, target);
 * new nn.HuberLoss('sum', 0.5).forward(pred, target); // PyTorch's positional (reduction, delta)
 * ```
 */
export class HuberLoss extends Loss {
  /** Where the loss turns from quadratic to linear. */
  readonly delta: number;

  constructor(options?: F.HuberLossOptions);
  constructor(reduction: Reduction, delta?: number, options?: F.HuberLossOptions);
  constructor(...args: unknown[]) {
    const o = lossOptions('HuberLoss', args, ['reduction', 'delta'], []);
    super(o);
    this.delta = checkNumber('HuberLoss', 'delta', o.delta ?? 1);
    if (!(this.delta > 0)) throw new Error(`HuberLoss: delta must be positive, got ${this.delta}`);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { delta: this.delta, reduction: this.reduction });
  }
}

/**
 * Cross entropy of logits `[batch, classes]` against int32 class indices `[batch]`
 * (log-softmax then negative log-likelihood), as `torch.nn.CrossEntropyLoss`.
 *
 * @example
 * ```ts
 * const criterion = new nn.CrossEntropyLoss();
 * criterion.forward(logits, tensor([3, 1], { dtype: 'int32' }));
 * new nn.CrossEntropyLoss(classWeights, { labelSmoothing: 0.1 });
 * ```
 */
export class CrossEntropyLoss extends Loss {
  /** Targets equal to this contribute nothing (nor count towards the mean). */
  readonly ignoreIndex: number;
  /** How much of each target's probability is spread evenly over all classes (0: none). */
  readonly labelSmoothing: number;
  /** Per-class weights `[C]` (a buffer), or null. */
  weight: Tensor | null;

  constructor(options?: CrossEntropyLossOptions);
  constructor(weight: Tensor | null, options?: CrossEntropyLossOptions);
  constructor(...args: unknown[]) {
    const o = lossOptions('CrossEntropyLoss', args, ['weight'], ['ignoreIndex', 'labelSmoothing']);
    super(o);
    this.ignoreIndex = checkInt('CrossEntropyLoss', 'ignoreIndex', o.ignoreIndex ?? -100);
    this.labelSmoothing = checkNumber('CrossEntropyLoss', 'labelSmoothing', o.labelSmoothing ?? 0);
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) throw new Error(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`);
    const w = tensorOption('CrossEntropyLoss', 'weight', o.weight);
    this.weight = w ? Buffer(w) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const options: F.CrossEntropyOptions & { labelSmoothing?: number } = { reduction: this.reduction, ignoreIndex: this.ignoreIndex, weight: this.weight };
    if (this.labelSmoothing !== 0) options.labelSmoothing = this.labelSmoothing;
    return F.crossEntropy(input, target, options);
  }
}

/**
 * Negative log-likelihood of log-probabilities `[batch, classes]` at int32 class indices, as
 * `torch.nn.NLLLoss`.
 *
 * @example
 * ```ts
 * new nn.NLLLoss().forward(logits.logSoftmax(1), target);
 * ```
 */
export class NLLLoss extends Loss {
  /** Targets equal to this contribute nothing (nor count towards the mean). */
  readonly ignoreIndex: number;
  /** Per-class weights `[C]` (a buffer), or null. */
  weight: Tensor | null;

  constructor(options?: F.NllLossOptions);
  constructor(weight: Tensor | null, options?: F.NllLossOptions);
  constructor(...args: unknown[]) {
    const o = lossOptions('NLLLoss', args, ['weight'], ['ignoreIndex']);
    super(o);
    this.ignoreIndex = checkInt('NLLLoss', 'ignoreIndex', o.ignoreIndex ?? -100);
    const w = tensorOption('NLLLoss', 'weight', o.weight);
    this.weight = w ? Buffer(w) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { reduction: this.reduction, ignoreIndex: this.ignoreIndex, weight: this.weight });
  }
}

/**
 * Binary cross entropy of logits against targets in [0, 1], computed stably from the logits, as
 * `torch.nn.BCEWithLogitsLoss`.
 *
 * @example
 * ```ts
 * new nn.BCEWithLogitsLoss().forward(logits, labels);
 * new nn.BCEWithLogitsLoss({ posWeight: tensor([3]) }).forward(logits, labels);
 * ```
 */
export class BCEWithLogitsLoss extends Loss {
  /** A rescaling weight of each element's loss, broadcast against the input (a buffer), or null. */
  weight: Tensor | null;
  /** Weight of positive examples per class (a buffer), or null. */
  posWeight: Tensor | null;

  constructor(options?: BCEWithLogitsLossOptions);
  constructor(weight: Tensor | null, options?: BCEWithLogitsLossOptions);
  constructor(...args: unknown[]) {
    const o = lossOptions('BCEWithLogitsLoss', args, ['weight'], ['posWeight']);
    super(o);
    const w = tensorOption('BCEWithLogitsLoss', 'weight', o.weight);
    const pw = tensorOption('BCEWithLogitsLoss', 'posWeight', o.posWeight);
    this.weight = w ? Buffer(w) : null;
    this.posWeight = pw ? Buffer(pw) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    if (!this.weight) return F.binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction, posWeight: this.posWeight });
    const loss = F.binaryCrossEntropyWithLogits(input, target, { reduction: 'none', posWeight: this.posWeight }).mul(this.weight);
    return this.reduction === 'mean' ? loss.mean() : this.reduction === 'sum' ? loss.sum() : loss;
  }
}

/** Options of {@link CrossEntropyLoss}, PyTorch's keyword arguments. */
export interface CrossEntropyLossOptions extends F.CrossEntropyOptions {
  /** Spread this much of each target's probability evenly over the classes (default 0). */
  labelSmoothing?: number;
}

/** Options of {@link BCEWithLogitsLoss}, PyTorch's keyword arguments. */
export interface BCEWithLogitsLossOptions extends F.BinaryCrossEntropyWithLogitsOptions {
  /** A rescaling weight of each element's loss, broadcast against the input. */
  weight?: Tensor | null;
}
