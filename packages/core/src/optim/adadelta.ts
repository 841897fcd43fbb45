/** Adadelta, as `torch.optim.Adadelta`. */
import type { Tensor } from '../tensor';
import { type BaseOptions, Optimizer, optimizerOptions, type ParamGroup, type ParamState, type ParamUpdate, type Params } from './optimizer';

/** Options of {@link Adadelta}. */
export interface AdadeltaOptions extends Partial<BaseOptions> {
  /** Scales the update (default 1.0). */
  lr?: number;
  /** Smoothing constant of both running averages (default 0.9). */
  rho?: number;
  /** Added inside both square roots (default 1e-6). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximise the objective instead (default false). */
  maximize?: boolean;
}

/**
 * Every option of {@link Adadelta} filled in.
 *
 * @example
 * ```ts
 * new optim.Adadelta(model.parameters()).defaults.rho; // 0.9
 * ```
 */
export type AdadeltaResolvedOptions = Required<AdadeltaOptions> & BaseOptions;

/**
 * Adadelta, step for step as PyTorch 1.13's `torch.optim.Adadelta`: `v = ρv + (1-ρ)g²`,
 * `Δ = √(u + eps) / √(v + eps) · g`, `u = ρu + (1-ρ)Δ²`, `p -= lr·Δ`.
 *
 * @example
 * ```ts
 * const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0, rho: 0.9 });
 * ```
 */
export class Adadelta extends Optimizer<AdadeltaResolvedOptions> {
  constructor(params: Params<AdadeltaResolvedOptions>, options?: AdadeltaOptions);
  constructor(params: Params<AdadeltaResolvedOptions>, lr: number, rho?: number, eps?: number, weightDecay?: number, options?: AdadeltaOptions);
  constructor(params: Params<AdadeltaResolvedOptions>, ...rest: unknown[]) {
    super(params, optimizerOptions('Adadelta', rest, ['lr', 'rho', 'eps', 'weightDecay'], { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }));
  }

  protected override validate(g: ParamGroup<AdadeltaResolvedOptions>): void {
    super.validate(g);
    if (!(g.rho >= 0 && g.rho <= 1)) throw new Error(`Adadelta: invalid rho value: ${g.rho}; it must be in [0, 1]`);
    if (!(g.eps >= 0)) throw new Error(`Adadelta: invalid epsilon value: ${g.eps}; it must be >= 0`);
    if (!(g.weightDecay >= 0)) throw new Error(`Adadelta: invalid weightDecay value: ${g.weightDecay}; it must be >= 0`);
  }

  protected update(p: Tensor, grad: Tensor, state: Readonly<ParamState>, g: ParamGroup<AdadeltaResolvedOptions>): ParamUpdate {
    const fresh = state.step === undefined;
    const zero = (): Tensor => p._constant(0, p.shape);
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
    const squareAvg = (fresh ? zero() : (state.squareAvg as Tensor)).mul(g.rho).add(d.mul(d).mul(1 - g.rho));
    const prevDelta = fresh ? zero() : (state.accDelta as Tensor);
    const delta = prevDelta.add(g.eps).sqrt().div(squareAvg.add(g.eps).sqrt()).mul(d);
    const accDelta = prevDelta.mul(g.rho).add(delta.mul(delta).mul(1 - g.rho));
    return { param: p.add(delta.mul(-g.lr)), state: { step: (fresh ? 0 : (state.step as number)) + 1, squareAvg, accDelta } };
  }
}
