/** Losses between a prediction and a target of the same shape: squared, absolute and Huber. */
import { where } from '../ops/compare';
import type { Tensor } from '../tensor';
import { checkSameShape, type LossOptions, reduce, reductionOf } from './reduction';

/**
 * Squared error `(input − target)²`, averaged by default, as `torch.nn.functional.mse_loss`.
 * Unlike PyTorch (which broadcasts with a warning), shapes that differ throw.
 *
 * @example
 * ```ts
 * F.mseLoss(pred, target);                      // scalar
 * F.mseLoss(pred, target, { reduction: 'none' }); // per element
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = reductionOf('mseLoss', options);
  checkSameShape('mseLoss', input, target);
  return reduce(input.sub(target).square(), reduction);
}

/**
 * Absolute error `|input − target|`, averaged by default, as `torch.nn.functional.l1_loss`.
 * Shapes that differ throw (PyTorch broadcasts with a warning).
 *
 * @example
 * ```ts
 * F.l1Loss(pred, target, { reduction: 'sum' });
 * ```
 */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = reductionOf('l1Loss', options);
  checkSameShape('l1Loss', input, target);
  return reduce(input.sub(target).abs(), reduction);
}

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/**
 * Huber loss: `0.5·d²` where `|d| < delta`, else `delta·(|d| − 0.5·delta)`, with `d = input − target`,
 * as `torch.nn.functional.huber_loss`. Shapes that differ throw (PyTorch broadcasts with a warning).
 *
 * @example
 * ```ts
 * F.huberLoss(pred, target, { delta: 0.5 });
 * ```
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const reduction = reductionOf('huberLoss', options);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be positive, got ${delta}`);
  checkSameShape('huberLoss', input, target);
  const d = input.sub(target);
  const size = d.abs();
  const loss = where(size.lt(delta), d.square().mul(0.5), size.sub(0.5 * delta).mul(delta));
  return reduce(loss, reduction);
}
