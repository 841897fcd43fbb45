/** Stochastic gradient descent with momentum, as `torch.optim.SGD`. */
import { launchMany } from '../op';
import type { Tensor } from '../tensor';
import { type BaseOptions, fusable, Optimizer, optimizerOptions, type ParamGroup, type ParamState, type ParamUpdate, type Params } from './optimizer';

/** Options of {@link SGD}; `lr` is required. */
export interface SGDOptions extends BaseOptions {
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** Use Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximise the objective instead (default false). */
  maximize?: boolean;
}

type Resolved = Required<SGDOptions>;

/**
 * Stochastic gradient descent, step for step as PyTorch 1.13's `torch.optim.SGD`:
 * `d = g + weightDecay·p`; with momentum `buf = momentum·buf + (1 - dampening)·d` (the first
 * buffer is `d` itself) and `d = nesterov ? d + momentum·buf : buf`; then `p -= lr·d`.
 *
 * @example
 * ```ts
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * new optim.SGD(model.parameters(), 0.01, 0.9); // PyTorch's positional (lr, momentum, ...)
 * optimizer.zeroGrad(); loss.backward(); optimizer.step();
 * ```
 */
export class SGD extends Optimizer<Resolved> {
  constructor(params: Params<Resolved>, options: SGDOptions);
  constructor(params: Params<Resolved>, lr: number, momentum?: number, dampening?: number, weightDecay?: number, nesterov?: boolean, options?: Partial<SGDOptions>);
  constructor(params: Params<Resolved>, ...rest: unknown[]) {
    const o = optimizerOptions('SGD', rest, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'], {
      lr: undefined as unknown as number, // required: no default
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
    });
    if (o.lr === undefined) {
      throw new Error('SGD: options.lr is required, e.g. new optim.SGD(model.parameters(), { lr: 0.01 }) or new optim.SGD(model.parameters(), 0.01)');
    }
    super(params, o);
  }

  protected override validate(g: ParamGroup<Resolved>): void {
    super.validate(g);
    if (!(g.momentum >= 0)) throw new Error(`SGD: invalid momentum value: ${g.momentum}; it must be >= 0`);
    if (!(g.weightDecay >= 0)) throw new Error(`SGD: invalid weightDecay value: ${g.weightDecay}; it must be >= 0`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error(`SGD: Nesterov momentum requires a momentum and zero dampening (got momentum ${g.momentum}, dampening ${g.dampening})`);
    }
  }

  protected update(p: Tensor, grad: Tensor, state: Readonly<ParamState>, g: ParamGroup<Resolved>): ParamUpdate {
    const prev = state.momentumBuffer as Tensor | undefined;
    if (fusable(p, grad, prev) && p._backend().kernels.sgdStep) {
      // the backend's one-pass update, where it has one
      const attrs = { lr: g.lr, momentum: g.momentum, dampening: g.dampening, weightDecay: g.weightDecay, nesterov: g.nesterov, maximize: g.maximize };
      const [param, buf] = launchMany('sgdStep', p._backend(), p.shape, 'float32', (k) =>
        k.sgdStep!(p._info(), grad._info(), g.momentum !== 0 && prev ? prev._info() : null, attrs),
      );
      return { param: param!, state: g.momentum !== 0 ? { momentumBuffer: buf! } : {} };
    }
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
    const next: ParamState = {};
    if (g.momentum !== 0) {
      const buf = prev === undefined ? d : prev.mul(g.momentum).add(g.dampening === 0 ? d : d.mul(1 - g.dampening));
      next.momentumBuffer = buf;
      d = g.nesterov ? d.add(buf.mul(g.momentum)) : buf;
    }
    return { param: p.add(d.mul(-g.lr)), state: next };
  }
}

/** `o` without its undefined entries, so that they fall back on defaults. */
export function defined<T extends object>(o: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
