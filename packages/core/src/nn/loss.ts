/** Loss layers: modules around the loss functions in `functional`, called as `loss.forward(pred, target)`. */
import * as F from '../functional/index';
import type { LossOptions, Reduction } from '../functional/reduction';
import type { Tensor } from '../tensor';
import { Buffer } from './parameter';
import { Module } from './module';

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
 * ```
 */
export class HuberLoss extends Loss {
  /** Where the loss turns from quadratic to linear. */
  readonly delta: number;

  constructor(options: F.HuberLossOptions = {}) {
    super(options);
    this.delta = options.delta ?? 1;
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
 * ```
 */
export class CrossEntropyLoss extends Loss {
  /** Targets equal to this contribute nothing (nor count towards the mean). */
  readonly ignoreIndex: number;
  /** Per-class weights `[C]` (a buffer), or null. */
  weight: Tensor | null;

  constructor(options: F.CrossEntropyOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.weight = options.weight ? Buffer(options.weight) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { reduction: this.reduction, ignoreIndex: this.ignoreIndex, weight: this.weight });
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

  constructor(options: F.NllLossOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.weight = options.weight ? Buffer(options.weight) : null;
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
 * ```
 */
export class BCEWithLogitsLoss extends Loss {
  /** Weight of positive examples per class (a buffer), or null. */
  posWeight: Tensor | null;

  constructor(options: F.BinaryCrossEntropyWithLogitsOptions = {}) {
    super(options);
    this.posWeight = options.posWeight ? Buffer(options.posWeight) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction, posWeight: this.posWeight });
  }
}
