/** Adam and AdamW, as `torch.optim.Adam` and `torch.optim.AdamW`. */
import { launchMany } from '../op';
import type { Tensor } from '../tensor';
import { type BaseOptions, fusable, Optimizer, optimizerOptions, type ParamGroup, type ParamState, type ParamUpdate, type Params } from './optimizer';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions extends Partial<BaseOptions> {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay of the weights (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments, as AMSGrad (default false). */
  amsgrad?: boolean;
  /** Maximise the objective instead (default false). */
  maximize?: boolean;
}

/**
 * Every option of {@link Adam} and {@link AdamW} filled in: what `defaults` and each parameter group hold.
 *
 * @example
 * ```ts
 * new optim.Adam(model.parameters()).defaults.betas; // [0.9, 0.999]
 * ```
 */
export type AdamResolvedOptions = Required<AdamOptions> & BaseOptions;

abstract class AdamBase extends Optimizer<AdamResolvedOptions> {
  /** Decay the weights directly (AdamW) rather than through the gradient (Adam). */
  protected abstract readonly decoupled: boolean;

  protected override validate(g: ParamGroup<AdamResolvedOptions>): void {
    super.validate(g);
    const name = this.constructor.name;
    if (!(g.eps >= 0)) throw new Error(`${name}: invalid epsilon value: ${g.eps}; it must be >= 0`);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new Error(`${name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(g.betas)}`);
    g.betas.forEach((b, i) => {
      if (!(b >= 0 && b < 1)) throw new Error(`${name}: invalid beta parameter at index ${i}: ${b}; it must be in [0, 1)`);
    });
    if (!(g.weightDecay >= 0)) throw new Error(`${name}: invalid weightDecay value: ${g.weightDecay}; it must be >= 0`);
  }

  protected update(p: Tensor, grad: Tensor, state: Readonly<ParamState>, g: ParamGroup<AdamResolvedOptions>): ParamUpdate {
    const [beta1, beta2] = g.betas;
    const fresh = state.step === undefined;
    const step = (fresh ? 0 : (state.step as number)) + 1;
    const m = fresh ? p._constant(0, p.shape) : (state.expAvg as Tensor);
    const v = fresh ? p._constant(0, p.shape) : (state.expAvgSq as Tensor);
    const maxState = g.amsgrad ? (fresh ? undefined : (state.maxExpAvgSq as Tensor | undefined)) ?? p._constant(0, p.shape) : undefined;
    if (fusable(p, grad, m, v, maxState) && p._backend().kernels.adamStep) {
      // the backend's one-pass update, where it has one
      const attrs = { lr: g.lr, beta1, beta2, eps: g.eps, weightDecay: g.weightDecay, decoupled: this.decoupled, amsgrad: g.amsgrad, maximize: g.maximize, step };
      const [param, expAvg, expAvgSq, maxExpAvgSq] = launchMany('adamStep', p._backend(), p.shape, 'float32', (k) =>
        k.adamStep!(p._info(), grad._info(), m._info(), v._info(), maxState ? maxState._info() : null, attrs),
      );
      const next: ParamState = { step, expAvg: expAvg!, expAvgSq: expAvgSq! };
      if (maxState) next.maxExpAvgSq = maxExpAvgSq!;
      return { param: param!, state: next };
    }
    let d = g.maximize ? grad.neg() : grad;
    let q = p;
    if (g.weightDecay !== 0) {
      if (this.decoupled) q = p.mul(1 - g.lr * g.weightDecay);
      else d = d.add(p.mul(g.weightDecay));
    }
    const expAvg = m.mul(beta1).add(d.mul(1 - beta1));
    const expAvgSq = v.mul(beta2).add(d.mul(d).mul(1 - beta2));
    const next: ParamState = { step, expAvg, expAvgSq };
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    const stepSize = g.lr / biasCorrection1;
    let second = expAvgSq;
    if (g.amsgrad) {
      second = maxState!.maximum(expAvgSq);
      next.maxExpAvgSq = second;
    }
    const denom = second.sqrt().div(biasCorrection2Sqrt).add(g.eps);
    return { param: q.add(expAvg.div(denom).mul(-stepSize)), state: next };
  }
}

/**
 * Adam, step for step as PyTorch 1.13's `torch.optim.Adam`: moment averages
 * `m = β₁m + (1-β₁)g`, `v = β₂v + (1-β₂)g²` with bias corrections by the step count,
 * `p -= lr/(1-β₁ᵗ) · m / (√v/√(1-β₂ᵗ) + eps)`. `weightDecay` adds `weightDecay·p` to the gradient.
 *
 * @example
 * ```ts
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * new optim.Adam(model.parameters(), 1e-3, [0.9, 0.99]); // PyTorch's positional (lr, betas, eps, weightDecay, amsgrad)
 * ```
 */
export class Adam extends AdamBase {
  /** False: `weightDecay` is an L2 penalty added to the gradient. */
  protected readonly decoupled = false;

  constructor(params: Params<AdamResolvedOptions>, options?: AdamOptions);
  constructor(params: Params<AdamResolvedOptions>, lr: number, betas?: [number, number], eps?: number, weightDecay?: number, amsgrad?: boolean, options?: AdamOptions);
  constructor(params: Params<AdamResolvedOptions>, ...rest: unknown[]) {
    super(
      params,
      optimizerOptions('Adam', rest, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }),
    );
  }
}

/**
 * AdamW, step for step as PyTorch 1.13's `torch.optim.AdamW`: Adam with decoupled weight decay,
 * `p *= 1 - lr·weightDecay` before the Adam update (`weightDecay` defaults to 1e-2).
 *
 * @example
 * ```ts
 * const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * ```
 */
export class AdamW extends AdamBase {
  /** True: `weightDecay` shrinks the weights before the update. */
  protected readonly decoupled = true;

  constructor(params: Params<AdamResolvedOptions>, options?: AdamOptions);
  constructor(params: Params<AdamResolvedOptions>, lr: number, betas?: [number, number], eps?: number, weightDecay?: number, amsgrad?: boolean, options?: AdamOptions);
  constructor(params: Params<AdamResolvedOptions>, ...rest: unknown[]) {
    super(
      params,
      optimizerOptions('AdamW', rest, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }),
    );
  }
}
