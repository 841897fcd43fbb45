/**
 * Learning-rate schedules, as `torch.optim.lr_scheduler`: each sets `lr` on the optimizer's
 * parameter groups when `step()` is called once per epoch, with PyTorch 1.13's formulas.
 */
import { checkNumber, describe, positionalOptions } from '../validate';
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
