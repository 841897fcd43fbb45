/**
 * Learning-rate schedules, as `torch.optim.lr_scheduler`: each sets `lr` on the optimizer's
 * parameter groups when `step()` is called once per epoch, with PyTorch 1.13's formulas.
 */
import { checkBool, checkChoice, checkInt, checkNumber, checkOptions, describe, positionalOptions } from '../validate';
import { Optimizer, type BaseOptions } from './optimizer';

/** What a scheduler saves: its counters and learning rates. */
export interface LRSchedulerState {
  /** The epoch count. */
  lastEpoch: number;
  /** Each group's starting learning rate. */
  baseLrs: number[];
  /** The learning rates the last `step()` set. */
  lastLr: number[];
}

/**
 * The scheduler base, as `torch.optim.lr_scheduler.LRScheduler`. Construction records each group's
 * `initialLr` and takes the first step (epoch 0); call `step()` after each epoch's `optimizer.step()`.
 *
 * @example
 * ```ts
 * class Halving extends optim.lrScheduler.LRScheduler {
 *   protected getLr() { return this.baseLrs.map((lr) => lr / 2 ** this.lastEpoch); }
 * }
 * ```
 */
export abstract class LRScheduler {
  /** The epoch count: 0 after construction, +1 per `step()`. */
  lastEpoch = -1;
  /** Each group's learning rate when the first scheduler was attached. */
  readonly baseLrs: number[];
  private lastLr: number[] = [];

  constructor(
    /** The optimizer whose groups' `lr` this sets. */
    readonly optimizer: Optimizer<BaseOptions>,
  ) {
    if (!(optimizer instanceof Optimizer)) throw new Error(`${this.constructor.name}: expected an optimizer (e.g. new optim.SGD(...)) as the first argument, got ${describe(optimizer)}`);
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** This epoch's learning rate for each group (the schedule's formula). */
  protected abstract getLr(): number[];

  /** The learning rates at `lastEpoch` from the initial ones directly, where the schedule has such a form. */
  protected closedForm(): number[] | null {
    return null;
  }

  /** @internal Restart at epoch 0, as PyTorch's `step(0)` (how SequentialLR hands over at a milestone). */
  _restart(): void {
    this.lastEpoch = 0;
    const lrs = this.closedForm() ?? this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = lrs.slice();
  }

  /** Take the construction step; subclasses call it once their fields are set. */
  protected initialStep(): void {
    this.step();
  }

  /**
   * Advance one epoch and set each group's `lr`.
   *
   * @example
   * ```ts
   * for (let epoch = 0; epoch < 10; epoch++) { train(); scheduler.step(); }
   * ```
   */
  step(): void {
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = lrs.slice();
  }

  /**
   * The learning rates the last `step()` set, one per group, as `get_last_lr()`.
   *
   * @example
   * ```ts
   * scheduler.getLastLr(); // [0.01]
   * ```
   */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** The scheduler's counters, as `state_dict()`. @example `const s = scheduler.stateDict();` */
  stateDict(): LRSchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }

  /** Restore counters from {@link stateDict}. @example `scheduler.loadStateDict(saved)` */
  loadStateDict(state: LRSchedulerState): void {
    this.lastEpoch = state.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.lastLr = state.lastLr.slice();
  }

  /** The current `lr` of each group. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/**
 * Multiply the learning rate by `gamma` every `stepSize` epochs, as `StepLR`.
 *
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * new optim.lrScheduler.StepLR(optimizer, 30, 0.1); // PyTorch's positional (stepSize, gamma)
 * ```
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Factor applied at each decay. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseOptions>, options: { stepSize: number; gamma?: number });
  constructor(optimizer: Optimizer<BaseOptions>, stepSize: number, gamma?: number);
  constructor(optimizer: Optimizer<BaseOptions>, ...rest: unknown[]) {
    super(optimizer);
    const o = positionalOptions('StepLR', rest, ['stepSize', 'gamma']);
    if (typeof o.stepSize !== 'number' || !Number.isInteger(o.stepSize) || o.stepSize < 1) {
      throw new Error(`StepLR: stepSize must be a positive integer, got ${describe(o.stepSize)}`);
    }
    this.stepSize = o.stepSize;
    this.gamma = checkNumber('StepLR', 'gamma', o.gamma ?? 0.1);
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/**
 * Multiply the learning rate by `gamma` every epoch, as `ExponentialLR`.
 *
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.95 });
 * new optim.lrScheduler.ExponentialLR(optimizer, 0.95);
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** Factor applied every epoch. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseOptions>, options: { gamma: number });
  constructor(optimizer: Optimizer<BaseOptions>, gamma: number);
  constructor(optimizer: Optimizer<BaseOptions>, ...rest: unknown[]) {
    super(optimizer);
    const o = positionalOptions('ExponentialLR', rest, ['gamma']);
    if (o.gamma === undefined) throw new Error('ExponentialLR: options.gamma is required, e.g. { gamma: 0.95 }');
    this.gamma = checkNumber('ExponentialLR', 'gamma', o.gamma);
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/**
 * Anneal the learning rate from its initial value to `etaMin` along a cosine over `tMax` epochs
 * (and back up over the next `tMax`), with PyTorch's recursive `CosineAnnealingLR` formula.
 *
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: 50 });
 * new optim.lrScheduler.CosineAnnealingLR(optimizer, 50, 1e-5); // (tMax, etaMin)
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs from the initial learning rate down to `etaMin`. */
  readonly tMax: number;
  /** The lowest learning rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer<BaseOptions>, options: { tMax: number; etaMin?: number });
  constructor(optimizer: Optimizer<BaseOptions>, tMax: number, etaMin?: number);
  constructor(optimizer: Optimizer<BaseOptions>, ...rest: unknown[]) {
    super(optimizer);
    const o = positionalOptions('CosineAnnealingLR', rest, ['tMax', 'etaMin']);
    if (typeof o.tMax !== 'number' || !(o.tMax > 0)) throw new Error(`CosineAnnealingLR: tMax must be a positive number of epochs, got ${describe(o.tMax)}`);
    this.tMax = o.tMax;
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', o.etaMin ?? 0);
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if ((e - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin);
  }

  protected override closedForm(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/**
 * Set the learning rate to `initialLr · lrLambda(epoch)`, as `LambdaLR`.
 *
 * @example
 * ```ts
 * const warmup = new optim.lrScheduler.LambdaLR(optimizer, { lrLambda: (epoch) => Math.min(1, (epoch + 1) / 5) });
 * new optim.lrScheduler.LambdaLR(optimizer, (epoch) => 0.95 ** epoch);
 * ```
 */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];

  constructor(optimizer: Optimizer<BaseOptions>, options: { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[] });
  constructor(optimizer: Optimizer<BaseOptions>, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]);
  constructor(optimizer: Optimizer<BaseOptions>, ...rest: unknown[]) {
    super(optimizer);
    const f = positionalOptions('LambdaLR', rest, ['lrLambda']).lrLambda as unknown;
    const n = optimizer.paramGroups.length;
    if (Array.isArray(f)) {
      if (f.length !== n) throw new Error(`LambdaLR: expected ${n} lrLambda functions, one per parameter group, but got ${f.length}`);
      f.forEach((g, i) => {
        if (typeof g !== 'function') throw new Error(`LambdaLR: lrLambda[${i}] must be a function of the epoch, got ${describe(g)}`);
      });
      this.lambdas = f.slice();
    } else if (typeof f === 'function') {
      this.lambdas = Array.from({ length: n }, () => f as (epoch: number) => number);
    } else {
      throw new Error('LambdaLR: options.lrLambda must be a function of the epoch, e.g. { lrLambda: (epoch) => 0.95 ** epoch }');
    }
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * this.lambdas[i]!(this.lastEpoch));
  }
}

/**
 * Multiply the learning rate by `gamma` at each epoch in `milestones`, as `MultiStepLR`.
 *
 * @example
 * ```ts
 * new optim.lrScheduler.MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 * new optim.lrScheduler.MultiStepLR(optimizer, [30, 80], 0.1);
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** Epochs at which the rate decays (sorted; a repeated one decays that many times). */
  readonly milestones: number[];
  /** Factor applied at each milestone. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseOptions>, options: { milestones: readonly number[]; gamma?: number });
  constructor(optimizer: Optimizer<BaseOptions>, milestones: readonly number[], gamma?: number);
  constructor(optimizer: Optimizer<BaseOptions>, ...rest: unknown[]) {
    super(optimizer);
    const o = positionalOptions('MultiStepLR', rest, ['milestones', 'gamma']);
    if (!Array.isArray(o.milestones) || o.milestones.some((m) => typeof m !== 'number' || !Number.isInteger(m))) {
      throw new Error(`MultiStepLR: milestones must be an array of epoch numbers, got ${describe(o.milestones)}`);
    }
    this.milestones = (o.milestones as number[]).slice().sort((a, b) => a - b);
    this.gamma = checkNumber('MultiStepLR', 'gamma', o.gamma ?? 0.1);
    this.initialStep();
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.groupLrs().map((lr) => lr * this.gamma ** hits);
  }

  protected override closedForm(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }
}

/**
 * Scale the learning rate linearly from `startFactor` to `endFactor` of its initial value over
 * `totalIters` epochs, then keep it, as `LinearLR` (a warmup).
 *
 * @example
 * ```ts
 * new optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.1, totalIters: 100 });
 * ```
 */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  readonly startFactor: number;
  /** Factor from `totalIters` on. */
  readonly endFactor: number;
  /** Epochs of the ramp. */
  readonly totalIters: number;

  constructor(optimizer: Optimizer<BaseOptions>, options?: { startFactor?: number; endFactor?: number; totalIters?: number });
  constructor(optimizer: Optimizer<BaseOptions>, startFactor: number, endFactor?: number, totalIters?: number);
  constructor(optimizer: Optimizer<BaseOptions>, ...rest: unknown[]) {
    super(optimizer);
    const o = positionalOptions('LinearLR', rest, ['startFactor', 'endFactor', 'totalIters']);
    this.startFactor = checkNumber('LinearLR', 'startFactor', o.startFactor ?? 1 / 3);
    this.endFactor = checkNumber('LinearLR', 'endFactor', o.endFactor ?? 1);
    if (!(this.startFactor > 0 && this.startFactor <= 1)) throw new Error(`LinearLR: startFactor must be > 0 and <= 1, got ${this.startFactor}`);
    if (!(this.endFactor >= 0 && this.endFactor <= 1)) throw new Error(`LinearLR: endFactor must be between 0 and 1, got ${this.endFactor}`);
    this.totalIters = checkInt('LinearLR', 'totalIters', o.totalIters ?? 5, 1);
    this.initialStep();
  }

  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    if (t === 0) return this.groupLrs().map((lr) => lr * s);
    if (t > n) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedForm(): number[] {
    const f = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters;
    return this.baseLrs.map((lr) => lr * f);
  }
}

/**
 * Run `schedulers` one after another, switching at each of `milestones` (epoch numbers), as
 * `SequentialLR`: the usual warmup then decay.
 *
 * @example
 * ```ts
 * const warmup = new optim.lrScheduler.LinearLR(opt, { startFactor: 0.01, totalIters: 100 });
 * const decay = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 1900 });
 * const schedule = new optim.lrScheduler.SequentialLR(opt, { schedulers: [warmup, decay], milestones: [100] });
 * ```
 */
export class SequentialLR extends LRScheduler {
  /** The schedules, in order. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next schedule takes over. */
  readonly milestones: number[];

  constructor(optimizer: Optimizer<BaseOptions>, options: { schedulers: LRScheduler[]; milestones: readonly number[] });
  constructor(optimizer: Optimizer<BaseOptions>, schedulers: LRScheduler[], milestones: readonly number[]);
  constructor(optimizer: Optimizer<BaseOptions>, ...rest: unknown[]) {
    super(optimizer);
    const o = positionalOptions('SequentialLR', rest, ['schedulers', 'milestones']);
    const schedulers = o.schedulers as unknown;
    if (!Array.isArray(schedulers) || schedulers.length === 0 || schedulers.some((x) => !(x instanceof LRScheduler))) {
      throw new Error(`SequentialLR: schedulers must be a non-empty array of schedulers, got ${describe(schedulers)}`);
    }
    for (const [i, x] of schedulers.entries()) {
      if ((x as LRScheduler).optimizer !== optimizer) throw new Error(`SequentialLR: scheduler ${i} is attached to another optimizer than the one given`);
    }
    const milestones = o.milestones as unknown;
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1 || milestones.some((m) => typeof m !== 'number' || !Number.isInteger(m))) {
      throw new Error(`SequentialLR: expected ${schedulers.length - 1} milestone(s) (one fewer than schedulers), got ${describe(milestones)}`);
    }
    this.schedulers = schedulers as LRScheduler[];
    this.milestones = (milestones as number[]).slice();
    // as PyTorch: back to the initial rates, undo the schedulers' own first steps, start the first one
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    for (const x of this.schedulers) x.lastEpoch -= 1;
    this.lastEpoch = 0;
    this.schedulers[0]!.step();
  }

  protected getLr(): number[] {
    return this.groupLrs();
  }

  override step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const current = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) current._restart();
    else current.step();
  }

  override getLastLr(): number[] {
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.schedulers[idx]!.getLastLr();
  }
}

/** Options of {@link OneCycleLR}. */
export interface OneCycleLROptions {
  /** The peak learning rate (one number, or one per group). */
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** With `stepsPerEpoch`, the cycle's length in epochs. */
  epochs?: number;
  /** With `epochs`, steps per epoch. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent rising (default 0.3). */
  pctStart?: number;
  /** `'cos'` or `'linear'` (default `'cos'`). */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD's `momentum`, Adam's first beta) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** Momentum at the peak rate (default 0.85). */
  baseMomentum?: number;
  /** Momentum at the start and end (default 0.95). */
  maxMomentum?: number;
  /** The starting rate is `maxLr / divFactor` (default 25). */
  divFactor?: number;
  /** The final rate is the starting one / `finalDivFactor` (default 1e4). */
  finalDivFactor?: number;
  /** A third phase back down to the start before the final anneal (default false). */
  threePhase?: boolean;
}

/**
 * The 1cycle policy, as `OneCycleLR`: the rate rises from `maxLr / divFactor` to `maxLr`, then
 * anneals to a far lower one; call `step()` after every batch.
 *
 * @example
 * ```ts
 * const schedule = new optim.lrScheduler.OneCycleLR(optimizer, { maxLr: 0.01, totalSteps: 1000 });
 * ```
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  readonly totalSteps: number;
  private readonly phases: { end: number; from: 'initial' | 'max' | 'min'; to: 'initial' | 'max' | 'min'; mFrom: 'max' | 'base'; mTo: 'max' | 'base' }[];
  private readonly rates: { initial: number; max: number; min: number }[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly momentum: { base: number; max: number } | null;

  constructor(optimizer: Optimizer<BaseOptions>, options: OneCycleLROptions) {
    super(optimizer);
    if (arguments.length > 2) throw new Error(`OneCycleLR: takes (optimizer, { maxLr, totalSteps, ... }), got ${arguments.length} arguments`);
    checkOptions('OneCycleLR', options, ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase']);
    const o = options ?? ({} as OneCycleLROptions);
    if (o.totalSteps !== undefined) this.totalSteps = checkInt('OneCycleLR', 'totalSteps', o.totalSteps, 1);
    else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      this.totalSteps = checkInt('OneCycleLR', 'epochs', o.epochs, 1) * checkInt('OneCycleLR', 'stepsPerEpoch', o.stepsPerEpoch, 1);
    } else throw new Error('OneCycleLR: you must define either totalSteps or both epochs and stepsPerEpoch');
    const pct = checkNumber('OneCycleLR', 'pctStart', o.pctStart ?? 0.3);
    if (!(pct >= 0 && pct <= 1)) throw new Error(`OneCycleLR: expected pctStart between 0 and 1, got ${pct}`);
    const strategy = checkChoice('OneCycleLR', 'annealStrategy', o.annealStrategy ?? 'cos', ['cos', 'linear']);
    this.anneal = strategy === 'cos' ? (a, b, t) => b + ((a - b) / 2) * (Math.cos(Math.PI * t) + 1) : (a, b, t) => (b - a) * t + a;
    const n = this.totalSteps;
    this.phases = checkBool('OneCycleLR', 'threePhase', o.threePhase ?? false)
      ? [
          { end: pct * n - 1, from: 'initial', to: 'max', mFrom: 'max', mTo: 'base' },
          { end: 2 * pct * n - 2, from: 'max', to: 'initial', mFrom: 'base', mTo: 'max' },
          { end: n - 1, from: 'initial', to: 'min', mFrom: 'max', mTo: 'max' },
        ]
      : [
          { end: pct * n - 1, from: 'initial', to: 'max', mFrom: 'max', mTo: 'base' },
          { end: n - 1, from: 'max', to: 'min', mFrom: 'base', mTo: 'max' },
        ];
    const groups = optimizer.paramGroups;
    const maxLrs = Array.isArray(o.maxLr) ? (o.maxLr as number[]) : groups.map(() => o.maxLr as number);
    if (maxLrs.length !== groups.length) throw new Error(`OneCycleLR: expected ${groups.length} maxLr values, one per parameter group, got ${maxLrs.length}`);
    const div = checkNumber('OneCycleLR', 'divFactor', o.divFactor ?? 25);
    const finalDiv = checkNumber('OneCycleLR', 'finalDivFactor', o.finalDivFactor ?? 1e4);
    this.rates = maxLrs.map((m) => {
      const max = checkNumber('OneCycleLR', 'maxLr', m);
      return { initial: max / div, max, min: max / div / finalDiv };
    });
    groups.forEach((g, i) => (g.initialLr = this.rates[i]!.initial));
    this.baseLrs.splice(0, this.baseLrs.length, ...this.rates.map((r) => r.initial));
    if (checkBool('OneCycleLR', 'cycleMomentum', o.cycleMomentum ?? true)) {
      for (const g of groups) {
        if (!('momentum' in g) && !('betas' in g)) throw new Error('OneCycleLR: the optimizer has no momentum (nor betas); pass { cycleMomentum: false }');
      }
      this.momentum = { base: checkNumber('OneCycleLR', 'baseMomentum', o.baseMomentum ?? 0.85), max: checkNumber('OneCycleLR', 'maxMomentum', o.maxMomentum ?? 0.95) };
    } else this.momentum = null;
    this.initialStep();
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`OneCycleLR: tried to step ${step} times; the total number of steps is ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((g, i) => {
      const r = this.rates[i]!;
      let start = 0;
      for (const [k, phase] of this.phases.entries()) {
        if (step <= phase.end || k === this.phases.length - 1) {
          const t = (step - start) / (phase.end - start);
          if (this.momentum) {
            const m = this.anneal(this.momentum[phase.mFrom], this.momentum[phase.mTo], t);
            const group = g as unknown as { momentum?: number; betas?: [number, number] };
            if (group.betas) group.betas = [m, group.betas[1]];
            else group.momentum = m;
          }
          return this.anneal(r[phase.from], r[phase.to], t);
        }
        start = phase.end;
      }
      return r.min;
    });
  }
}

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** `'min'`: the metric should fall (a loss); `'max'`: rise (default `'min'`). */
  mode?: 'min' | 'max';
  /** Factor applied at each reduction (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'`: relative to the best; `'abs'`: absolute (default `'rel'`). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction (default 0). */
  cooldown?: number;
  /** Lower bound of the rate (one number, or one per group) (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduce the learning rate by `factor` when a metric has stopped improving for `patience`
 * epochs, as `ReduceLROnPlateau`; `step(metric)` takes the epoch's metric.
 *
 * @example
 * ```ts
 * const plateau = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { patience: 5 });
 * plateau.step(valLoss);
 * ```
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' `lr` this sets. */
  readonly optimizer: Optimizer<BaseOptions>;
  /** Epochs seen. */
  lastEpoch = 0;
  /** The best metric so far. */
  best: number;
  /** Epochs since the best. */
  numBadEpochs = 0;
  private cooldownCounter = 0;
  private readonly o: Required<Omit<ReduceLROnPlateauOptions, 'minLr'>>;
  private readonly minLrs: number[];
  private lastLr: number[];

  constructor(optimizer: Optimizer<BaseOptions>, options: ReduceLROnPlateauOptions = {}) {
    if (!(optimizer instanceof Optimizer)) throw new Error(`ReduceLROnPlateau: expected an optimizer as the first argument, got ${describe(optimizer)}`);
    if (arguments.length > 2) throw new Error(`ReduceLROnPlateau: takes (optimizer, { mode, factor, patience, ... }), got ${arguments.length} arguments`);
    checkOptions('ReduceLROnPlateau', options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.optimizer = optimizer;
    const factor = checkNumber('ReduceLROnPlateau', 'factor', options.factor ?? 0.1);
    if (!(factor < 1)) throw new Error(`ReduceLROnPlateau: factor should be < 1.0, got ${factor}`);
    this.o = {
      mode: checkChoice('ReduceLROnPlateau', 'mode', options.mode ?? 'min', ['min', 'max']),
      factor,
      patience: checkInt('ReduceLROnPlateau', 'patience', options.patience ?? 10, 0),
      threshold: checkNumber('ReduceLROnPlateau', 'threshold', options.threshold ?? 1e-4),
      thresholdMode: checkChoice('ReduceLROnPlateau', 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs']),
      cooldown: checkInt('ReduceLROnPlateau', 'cooldown', options.cooldown ?? 0, 0),
      eps: checkNumber('ReduceLROnPlateau', 'eps', options.eps ?? 1e-8),
    };
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    this.minLrs = Array.isArray(minLr) ? (minLr as number[]).slice() : Array.from({ length: n }, () => checkNumber('ReduceLROnPlateau', 'minLr', minLr));
    if (this.minLrs.length !== n) throw new Error(`ReduceLROnPlateau: expected ${n} minLr values, one per parameter group, got ${this.minLrs.length}`);
    this.best = this.o.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Record this epoch's `metric` and reduce the rate if it has plateaued.
   *
   * @example
   * ```ts
   * plateau.step(valLoss);
   * ```
   */
  step(metric: number): void {
    const current = checkNumber('ReduceLROnPlateau.step', 'metric', typeof metric === 'object' && metric !== null && 'item' in metric ? (metric as { item(): number }).item() : metric);
    this.lastEpoch++;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.o.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.o.factor, this.minLrs[i]!);
        if (g.lr - next > this.o.eps) g.lr = next;
      });
      this.cooldownCounter = this.o.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates after the last `step()`, one per group. @example `plateau.getLastLr()` */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  private isBetter(a: number): boolean {
    const { mode, threshold, thresholdMode } = this.o;
    const best = this.best;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }
}
