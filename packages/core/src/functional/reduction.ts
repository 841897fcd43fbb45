/** What losses share: the `reduction` option and the same-shape check. */
import { fmt, sameShape } from '../shape';
import type { Tensor } from '../tensor';

/** How a loss combines its per-element values: their mean (default), their sum, or none (all of them). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options every loss takes. */
export interface LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`, as PyTorch's `reduction`. */
  reduction?: Reduction;
}

/** The validated reduction of `options`. */
export function reductionOf(op: string, options: LossOptions): Reduction {
  const r = options.reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
  return r;
}

/** Per-element losses combined as `reduction` asks. */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? loss.mean() : reduction === 'sum' ? loss.sum() : loss;
}

/**
 * Throws unless input and target have one shape. PyTorch broadcasts some losses with only a
 * warning, which is nearly always a bug (`[N]` against `[N, 1]` gives an `[N, N]` loss); we refuse.
 */
export function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `${op}: input of shape ${fmt(input.shape)} and target of shape ${fmt(target.shape)} differ; reshape one to match (PyTorch would broadcast them with a warning, which is almost always a bug)`,
    );
  }
}
