/** Layers with weights beyond Linear: embeddings, normalisation, convolution, and shape/regularisation layers. */
import { ones, zeros } from '../creation';
import * as F from '../functional/index';
import type { Tensor } from '../tensor';
import { kaimingBound, normal, uniform } from './init';
import { checkSize } from './linear';
import { Module } from './module';
import { Parameter } from './parameter';

/**
 * Flatten dims `startDim..endDim` into one, as `torch.nn.Flatten` (by default all but the batch dim).
 *
 * @example
 * ```ts
 * new nn.Flatten().forward(zeros([32, 1, 28, 28])).shape; // [32, 784]
 * ```
 */
export class Flatten extends Module {
  constructor(
    /** First dim to flatten. */
    readonly startDim = 1,
    /** Last dim to flatten (inclusive). */
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/**
 * Zero elements with probability `p` in training mode and scale the rest by `1/(1-p)`; the
 * identity after `eval()`, as `torch.nn.Dropout`.
 *
 * @example
 * ```ts
 * const drop = new nn.Dropout(0.2);
 * drop.forward(x);            // training
 * drop.eval().forward(x);     // x unchanged
 * ```
 */
export class Dropout extends Module {
  constructor(
    /** Probability of zeroing an element. */
    readonly p = 0.5,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability has to be between 0 and 1, but got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1), as
 * `torch.nn.Embedding`; `forward` takes int32 indices of any shape.
 *
 * @example
 * ```ts
 * const emb = new nn.Embedding(1000, 64);
 * emb.forward(tensor([[1, 2], [3, 4]], { dtype: 'int32' })).shape; // [2, 2, 64]
 * ```
 */
export class Embedding extends Module {
  /** The table, `[numEmbeddings, embeddingDim]`. */
  weight: Tensor;

  constructor(
    /** Number of rows in the table. */
    readonly numEmbeddings: number,
    /** Size of each vector. */
    readonly embeddingDim: number,
  ) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    this.weight = Parameter(normal([numEmbeddings, embeddingDim]));
  }

  forward(indices: Tensor): Tensor {
    return F.embedding(indices, this.weight);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale (init 1) and shift (init 0) (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Normalise over the trailing `normalizedShape` dims, then scale and shift, as `torch.nn.LayerNorm`.
 *
 * @example
 * ```ts
 * const norm = new nn.LayerNorm(64);   // or new nn.LayerNorm([8, 64])
 * norm.forward(randn([32, 64]));
 * ```
 */
export class LayerNorm extends Module {
  /** The trailing dims normalised over. */
  readonly normalizedShape: number[];
  /** Added to the variance for stability. */
  readonly eps: number;
  /** Per-element scale, `normalizedShape`; null without `elementwiseAffine`. */
  weight: Tensor | null;
  /** Per-element shift, `normalizedShape`; null without `elementwiseAffine`. */
  bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    for (const d of this.normalizedShape) checkSize('LayerNorm', 'normalizedShape', d);
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine ? Parameter(zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** Step of the sliding window (default 1). */
  stride?: number;
  /** Zeros added on every side of the input (default 0). */
  padding?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution over NCHW input with a square `kernelSize` kernel, as `torch.nn.Conv2d`. Weight
 * `[out, in, k, k]` and bias `[out]` start uniform in `±1/√(in·k·k)`, PyTorch's default.
 *
 * @example
 * ```ts
 * const conv = new nn.Conv2d(1, 8, 3, { padding: 1 });
 * conv.forward(randn([16, 1, 28, 28])).shape; // [16, 8, 28, 28]
 * ```
 */
export class Conv2d extends Module {
  /** Step of the sliding window. */
  readonly stride: number;
  /** Zeros added on every side of the input. */
  readonly padding: number;
  /** The kernels, `[outChannels, inChannels, kernelSize, kernelSize]`. */
  weight: Tensor;
  /** One per output channel, `[outChannels]`; null with `bias: false`. */
  bias: Tensor | null;

  constructor(
    /** Channels of the input. */
    readonly inChannels: number,
    /** Channels of the output (number of kernels). */
    readonly outChannels: number,
    /** Height and width of the square kernel. */
    readonly kernelSize: number,
    options: Conv2dOptions = {},
  ) {
    super();
    checkSize('Conv2d', 'inChannels', inChannels);
    checkSize('Conv2d', 'outChannels', outChannels);
    checkSize('Conv2d', 'kernelSize', kernelSize);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    if (!Number.isInteger(this.stride) || this.stride < 1) throw new Error(`Conv2d: stride must be a positive integer, got ${this.stride}`);
    if (!Number.isInteger(this.padding) || this.padding < 0) throw new Error(`Conv2d: padding must be a non-negative integer, got ${this.padding}`);
    const bound = kaimingBound(inChannels * kernelSize * kernelSize);
    this.weight = Parameter(uniform([outChannels, inChannels, kernelSize, kernelSize], bound));
    this.bias = (options.bias ?? true) ? Parameter(uniform([outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, bias=${this.bias !== null}`;
  }
}

/**
 * 2-D max pooling over NCHW input with a square window, as `torch.nn.MaxPool2d` (`stride` defaults
 * to `kernelSize`).
 *
 * @example
 * ```ts
 * new nn.MaxPool2d(2).forward(randn([16, 8, 28, 28])).shape; // [16, 8, 14, 14]
 * ```
 */
export class MaxPool2d extends Module {
  /** Step of the window. */
  readonly stride: number;

  constructor(
    /** Height and width of the square window. */
    readonly kernelSize: number,
    stride?: number,
  ) {
    super();
    this.stride = stride ?? kernelSize;
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.stride);
  }

  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}`;
  }
}
