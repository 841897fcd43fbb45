/** Adagrad, as `torch.optim.Adagrad`. */
import type { Tensor } from '../tensor';
import { type BaseOptions, Optimizer, optimizerOptions, type ParamGroup, type ParamState, type ParamUpdate, type Params } from './optimizer';

/** Options of {@link Adagrad}. */
export interface AdagradOptions extends Partial<BaseOptions> {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning-rate decay per step (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for stability (default 1e-10). */
  eps?: number;
  /** Maximise the objective instead (default false). */
  maximize?: boolean;
}

/**
 * Every option of {@link Adagrad} filled in: what `defaults` and each parameter group hold.
 *
 * @example
 * ```ts
 * new optim.Adagrad(model.parameters()).defaults.eps; // 1e-10
 * ```
 */
export type AdagradResolvedOptions = Required<AdagradOptions> & BaseOptions;

/**
 * Adagrad, step for step as PyTorch 1.13's `torch.optim.Adagrad`: `sum += g²`,
 * `p -= clr · g / (√sum + eps)` with `clr = lr / (1 + (step - 1)·lrDecay)`.
 *
 * @example
 * ```ts
 * const optimizer = new optim.Adagrad(model.parameters(), { lr: 0.1 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradResolvedOptions> {
  constructor(params: Params<AdagradResolvedOptions>, options?: AdagradOptions);
  constructor(params: Params<AdagradResolvedOptions>, lr: number, lrDecay?: number, weightDecay?: number, initialAccumulatorValue?: number, eps?: number, options?: AdagradOptions);
  constructor(params: Params<AdagradResolvedOptions>, ...rest: unknown[]) {
    super(
      params,
      optimizerOptions('Adagrad', rest, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'], {
        lr: 1e-2,
        lrDecay: 0,
        weightDecay: 0,
        initialAccumulatorValue: 0,
        eps: 1e-10,
        maximize: false,
      }),
    );
  }

  protected override validate(g: ParamGroup<AdagradResolvedOptions>): void {
    super.validate(g);
    if (!(g.lrDecay >= 0)) throw new Error(`Adagrad: invalid lrDecay value: ${g.lrDecay}; it must be >= 0`);
    if (!(g.weightDecay >= 0)) throw new Error(`Adagrad: invalid weightDecay value: ${g.weightDecay}; it must be >= 0`);
    if (!(g.initialAccumulatorValue >= 0)) {
      throw new Error(`Adagrad: invalid initialAccumulatorValue value: ${g.initialAccumulatorValue}; it must be >= 0`);
    }
    if (!(g.eps >= 0)) throw new Error(`Adagrad: invalid epsilon value: ${g.eps}; it must be >= 0`);
  }

  protected update(p: Tensor, grad: Tensor, state: Readonly<ParamState>, g: ParamGroup<AdagradResolvedOptions>): ParamUpdate {
    const fresh = state.step === undefined;
    const step = (fresh ? 0 : (state.step as number)) + 1;
    const prevSum = fresh ? p._constant(g.initialAccumulatorValue, p.shape) : (state.sum as Tensor);
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum = prevSum.add(d.mul(d));
    const std = sum.sqrt().add(g.eps);
    return { param: p.add(d.div(std).mul(-clr)), state: { step, sum } };
  }
}
