/** RMSprop, as `torch.optim.RMSprop`. */
import type { Tensor } from '../tensor';
import { type BaseOptions, Optimizer, optimizerOptions, type ParamGroup, type ParamState, type ParamUpdate, type Params } from './optimizer';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions extends Partial<BaseOptions> {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the variance of the gradient instead of its second moment (default false). */
  centered?: boolean;
  /** Maximise the objective instead (default false). */
  maximize?: boolean;
}

/**
 * Every option of {@link RMSprop} filled in: what `defaults` and each parameter group hold.
 *
 * @example
 * ```ts
 * new optim.RMSprop(model.parameters()).defaults.alpha; // 0.99
 * ```
 */
export type RMSpropResolvedOptions = Required<RMSpropOptions> & BaseOptions;

/**
 * RMSprop, step for step as PyTorch 1.13's `torch.optim.RMSprop`: `v = αv + (1-α)g²`,
 * `avg = √v + eps` (centered: `√(v - ḡ²) + eps` with `ḡ = αḡ + (1-α)g`); then `p -= lr·g/avg`, or
 * with momentum `buf = momentum·buf + g/avg`, `p -= lr·buf`.
 *
 * @example
 * ```ts
 * const optimizer = new optim.RMSprop(model.parameters(), { lr: 1e-2, momentum: 0.5 });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropResolvedOptions> {
  constructor(params: Params<RMSpropResolvedOptions>, options?: RMSpropOptions);
  constructor(params: Params<RMSpropResolvedOptions>, lr: number, alpha?: number, eps?: number, weightDecay?: number, momentum?: number, centered?: boolean, options?: RMSpropOptions);
  constructor(params: Params<RMSpropResolvedOptions>, ...rest: unknown[]) {
    super(
      params,
      optimizerOptions('RMSprop', rest, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'], {
        lr: 1e-2,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
      }),
    );
  }

  protected override validate(g: ParamGroup<RMSpropResolvedOptions>): void {
    super.validate(g);
    if (!(g.eps >= 0)) throw new Error(`RMSprop: invalid epsilon value: ${g.eps}; it must be >= 0`);
    if (!(g.momentum >= 0)) throw new Error(`RMSprop: invalid momentum value: ${g.momentum}; it must be >= 0`);
    if (!(g.weightDecay >= 0)) throw new Error(`RMSprop: invalid weightDecay value: ${g.weightDecay}; it must be >= 0`);
    if (!(g.alpha >= 0)) throw new Error(`RMSprop: invalid alpha value: ${g.alpha}; it must be >= 0`);
  }

  protected update(p: Tensor, grad: Tensor, state: Readonly<ParamState>, g: ParamGroup<RMSpropResolvedOptions>): ParamUpdate {
    const fresh = state.step === undefined;
    const zero = (): Tensor => p._constant(0, p.shape);
    const next: ParamState = { step: (fresh ? 0 : (state.step as number)) + 1 };
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
    const squareAvg = (fresh ? zero() : (state.squareAvg as Tensor)).mul(g.alpha).add(d.mul(d).mul(1 - g.alpha));
    next.squareAvg = squareAvg;
    let avg: Tensor;
    if (g.centered) {
      const prevGradAvg = fresh ? undefined : (state.gradAvg as Tensor | undefined);
      const gradAvg = (prevGradAvg ?? zero()).mul(g.alpha).add(d.mul(1 - g.alpha));
      next.gradAvg = gradAvg;
      avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add(g.eps);
    if (g.momentum > 0) {
      const prev = (fresh ? undefined : (state.momentumBuffer as Tensor | undefined)) ?? zero();
      const buf = prev.mul(g.momentum).add(d.div(avg));
      next.momentumBuffer = buf;
      return { param: p.add(buf.mul(-g.lr)), state: next };
    }
    return { param: p.add(d.div(avg).mul(-g.lr)), state: next };
  }
}
