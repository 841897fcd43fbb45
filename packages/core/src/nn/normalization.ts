/** Normalisation layers with state: batch norm (running statistics), group norm, RMS norm. */
import { noGrad } from '../autograd';
import { ones, zeros } from '../creation';
import * as F from '../functional/index';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { checkBool, checkInt, checkNumber, describe, positionalOptions } from '../validate';
import { checkSize } from './linear';
import { Module } from './module';
import { Buffer, Parameter } from './parameter';

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}, PyTorch's arguments after `numFeatures`. */
export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running statistics; null for a cumulative average (default 0.1). */
  momentum?: number | null;
  /** Learn a per-channel scale (init 1) and shift (init 0) (default true). */
  affine?: boolean;
  /** Keep running statistics and use them in eval mode (default true). */
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  /** Channels (`C` of `[N, C, ...]`). */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of each batch in the running statistics; null: cumulative average. */
  momentum: number | null;
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean;
  /** Per-channel scale `[C]`, or null without `affine`. */
  weight: Tensor | null;
  /** Per-channel shift `[C]`, or null without `affine`. */
  bias: Tensor | null;
  /** The running mean `[C]` (a buffer; PyTorch's key `running_mean`), or null. */
  running_mean: Tensor | null;
  /** The running (unbiased) variance `[C]` (a buffer), or null. */
  running_var: Tensor | null;
  /** Training batches seen (int32 buffer, `num_batches_tracked`), or null. */
  num_batches_tracked: Tensor | null;

  protected constructor(private readonly kind: string, numFeatures: number, rest: unknown[]) {
    super();
    checkSize(kind, 'numFeatures', numFeatures);
    this.numFeatures = numFeatures;
    const o = positionalOptions(kind, rest, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.eps = checkNumber(kind, 'eps', o.eps ?? 1e-5);
    this.momentum = o.momentum === null ? null : checkNumber(kind, 'momentum', o.momentum ?? 0.1);
    const affine = checkBool(kind, 'affine', o.affine ?? true);
    this.trackRunningStats = checkBool(kind, 'trackRunningStats', o.trackRunningStats ?? true);
    this.weight = affine ? Parameter(ones([numFeatures])) : null;
    this.bias = affine ? Parameter(zeros([numFeatures])) : null;
    const track = this.trackRunningStats;
    this.running_mean = track ? Buffer(zeros([numFeatures])) : null;
    this.running_var = track ? Buffer(ones([numFeatures])) : null;
    this.num_batches_tracked = track ? Buffer(zeros([], { dtype: 'int32' })) : null;
  }

  /** Throws unless `x` has the rank this layer takes. */
  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(`${this.kind}: expected ${this.numFeatures} channels (dim 1) but got input of shape ${fmt(x.shape)}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked) {
      const counter = this.num_batches_tracked;
      noGrad(() => counter.add_(1));
      if (this.momentum === null) factor = 1 / counter.item(); // cumulative moving average, as PyTorch
    }
    // batch statistics in training, or whenever there are no running ones (as PyTorch's bn_training)
    const useBatch = this.training || this.running_mean === null;
    const update = this.training && this.running_mean !== null;
    return F.batchNorm(x, update || !useBatch ? this.running_mean : null, update || !useBatch ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalization over `[N, C]` or `[N, C, L]`, as `torch.nn.BatchNorm1d`: batch statistics
 * in training mode (updating the running ones), the running statistics after `eval()`. State-dict
 * keys are PyTorch's: `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`.
 *
 * @example
 * ```ts
 * const bn = new nn.BatchNorm1d(16);
 * bn.forward(randn([32, 16]));        // training: updates running_mean / running_var
 * bn.eval().forward(randn([4, 16]));  // uses them
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, eps: number, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, options?: BatchNormOptions);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super('BatchNorm1d', numFeatures, rest);
  }

  /** Throws unless `x` is `[N, C]` or `[N, C, L]`. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`BatchNorm1d: expected 2D or 3D input ([N, C] or [N, C, L]), got ${x.ndim}D input of shape ${fmt(x.shape)}`);
  }
}

/**
 * Batch normalization over `[N, C, H, W]`, as `torch.nn.BatchNorm2d` (see {@link BatchNorm1d}).
 *
 * @example
 * ```ts
 * const bn = new nn.BatchNorm2d(8);
 * bn.forward(randn([4, 8, 14, 14])).shape; // [4, 8, 14, 14]
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, eps: number, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, options?: BatchNormOptions);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super('BatchNorm2d', numFeatures, rest);
  }

  /** Throws unless `x` is `[N, C, H, W]`. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new Error(`BatchNorm2d: expected 4D input ([N, C, H, W]), got ${x.ndim}D input of shape ${fmt(x.shape)}`);
  }
}

/** Options of {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
}

/**
 * Group normalization, as `torch.nn.GroupNorm(numGroups, numChannels, eps = 1e-5, affine = true)`.
 *
 * @example
 * ```ts
 * new nn.GroupNorm(2, 8).forward(randn([4, 8, 5, 5])).shape; // [4, 8, 5, 5]
 * ```
 */
export class GroupNorm extends Module {
  /** Groups the channels are split into. */
  readonly numGroups: number;
  /** Channels. */
  readonly numChannels: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Per-channel scale `[C]`, or null. */
  weight: Tensor | null;
  /** Per-channel shift `[C]`, or null. */
  bias: Tensor | null;

  constructor(numGroups: number, numChannels: number, options?: GroupNormOptions);
  constructor(numGroups: number, numChannels: number, eps: number, affine?: boolean, options?: GroupNormOptions);
  constructor(numGroups: number, numChannels: number, ...rest: unknown[]) {
    super();
    this.numGroups = checkInt('GroupNorm', 'numGroups', numGroups, 1);
    checkSize('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.numChannels = numChannels;
    const o = positionalOptions('GroupNorm', rest, ['eps', 'affine']);
    this.eps = checkNumber('GroupNorm', 'eps', o.eps ?? 1e-5);
    const affine = checkBool('GroupNorm', 'affine', o.affine ?? true);
    this.weight = affine ? Parameter(ones([numChannels])) : null;
    this.bias = affine ? Parameter(zeros([numChannels])) : null;
  }

  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}

/** Options of {@link RMSNorm}. */
export interface RMSNormOptions {
  /** Added to the mean square; null: float32's machine epsilon (default null). */
  eps?: number | null;
  /** Learn a per-element scale (init 1) (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Root-mean-square normalization over the trailing `normalizedShape` dims, as `torch.nn.RMSNorm`
 * (PyTorch 2.4): `weight` only, no bias.
 *
 * @example
 * ```ts
 * new nn.RMSNorm(64).forward(randn([8, 64])).shape; // [8, 64]
 * ```
 */
export class RMSNorm extends Module {
  /** The trailing dims normalised over. */
  readonly normalizedShape: number[];
  /** Added to the mean square, or null for float32's epsilon. */
  readonly eps: number | null;
  /** Per-element scale, or null. */
  weight: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options?: RMSNormOptions);
  constructor(normalizedShape: number | readonly number[], eps: number | null, elementwiseAffine?: boolean, options?: RMSNormOptions);
  constructor(normalizedShape: number | readonly number[], ...rest: unknown[]) {
    super();
    if (typeof normalizedShape !== 'number' && !Array.isArray(normalizedShape)) {
      throw new Error(`RMSNorm: normalizedShape must be a size or an array of sizes, got ${describe(normalizedShape)}`);
    }
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    for (const d of this.normalizedShape) checkSize('RMSNorm', 'normalizedShape', d);
    const o = positionalOptions('RMSNorm', rest, ['eps', 'elementwiseAffine']);
    this.eps = o.eps === undefined || o.eps === null ? null : checkNumber('RMSNorm', 'eps', o.eps);
    this.weight = checkBool('RMSNorm', 'elementwiseAffine', o.elementwiseAffine ?? true) ? Parameter(ones(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
