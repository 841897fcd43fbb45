/** Layers with weights beyond Linear: embeddings, normalisation, convolution, and shape/regularisation layers. */
import { arange, ones, zeros } from '../creation';
import { tidy } from '../memory';
import * as F from '../functional/index';
import { where } from '../ops/compare';
import type { Tensor } from '../tensor';
import { checkBool, checkChoice, checkInt, checkNumber, checkPair, describe, positionalOptions } from '../validate';
import { kaimingBound, normal, uniform } from './init';
import { checkSize } from './linear';
import { Module } from './module';
import { Parameter } from './parameter';

/**
 * Flatten dims `startDim..endDim` into one, as `torch.nn.Flatten` (by default all but the batch dim).
 *
 * @example
 * ```ts
 * new nn.Flatten().forward(zeros([32, 1, 28, 28])).shape;     // [32, 784]
 * new nn.Flatten(0, 1).forward(zeros([32, 1, 28, 28])).shape; // [32, 28, 28]
 * ```
 */
export class Flatten extends Module {
  /** First dim to flatten. */
  readonly startDim: number;
  /** Last dim to flatten (inclusive). */
  readonly endDim: number;

  constructor(startDim?: number, endDim?: number);
  constructor(options: { startDim?: number; endDim?: number });
  constructor(...args: unknown[]) {
    super();
    const o = positionalOptions('Flatten', args, ['startDim', 'endDim']);
    this.startDim = checkInt('Flatten', 'startDim', o.startDim ?? 1);
    this.endDim = checkInt('Flatten', 'endDim', o.endDim ?? -1);
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
  /** Probability of zeroing an element. */
  readonly p: number;
  /** Zero the input's own elements (`x` itself changes), as PyTorch's `inplace`. */
  readonly inplace: boolean;

  constructor(p?: number, inplace?: boolean);
  constructor(options: DropoutOptions);
  constructor(...args: unknown[]) {
    super();
    const o = positionalOptions('Dropout', args, ['p', 'inplace']);
    const p = checkNumber('Dropout', 'p', o.p ?? 0.5);
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = checkBool('Dropout', 'inplace', o.inplace ?? false);
  }

  forward(x: Tensor): Tensor {
    if (this.inplace && this.training && this.p > 0) return x._inplace('dropout_', (self) => F.dropout(self, this.p, true));
    return F.dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}${this.inplace ? ', inplace=true' : ''}`;
  }
}

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Zero the input in place (default false). */
  inplace?: boolean;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1), as
 * `torch.nn.Embedding`; `forward` takes int32 indices of any shape.
 *
 * @example
 * ```ts
 * const emb = new nn.Embedding(1000, 64);
 * emb.forward(tensor([[1, 2], [3, 4]], { dtype: 'int32' })).shape; // [2, 2, 64]
 * new nn.Embedding(1000, 64, 0); // row 0 is padding: zero, and never trained
 * ```
 */
export class Embedding extends Module {
  /** Number of rows in the table. */
  readonly numEmbeddings: number;
  /** Size of each vector. */
  readonly embeddingDim: number;
  /** The row that starts at zero and gets no gradient (a padding token), or null. */
  readonly paddingIdx: number | null;
  /** The table, `[numEmbeddings, embeddingDim]`. */
  weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options?: EmbeddingOptions);
  constructor(numEmbeddings: number, embeddingDim: number, paddingIdx: number | null, options?: EmbeddingOptions);
  constructor(numEmbeddings: number, embeddingDim: number, ...rest: unknown[]) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const o = positionalOptions('Embedding', rest, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse']);
    const pad = o.paddingIdx ?? null;
    if (pad !== null) {
      checkInt('Embedding', 'paddingIdx', pad);
      if ((pad as number) < -numEmbeddings || (pad as number) >= numEmbeddings) {
        throw new Error(`Embedding: paddingIdx must be within [${-numEmbeddings}, ${numEmbeddings - 1}] for numEmbeddings ${numEmbeddings}, got ${pad}`);
      }
    }
    this.paddingIdx = pad === null ? null : (pad as number) < 0 ? (pad as number) + numEmbeddings : (pad as number);
    if (o.maxNorm !== undefined && o.maxNorm !== null) throw new Error(`Embedding: maxNorm (${describe(o.maxNorm)}) is not supported; renormalise the weight yourself under noGrad`);
    if (o.normType !== undefined) checkNumber('Embedding', 'normType', o.normType);
    if (checkBool('Embedding', 'scaleGradByFreq', o.scaleGradByFreq ?? false)) throw new Error('Embedding: scaleGradByFreq: true is not supported');
    if (checkBool('Embedding', 'sparse', o.sparse ?? false)) throw new Error('Embedding: sparse: true is not supported (gradients are dense)');
    const row = this.paddingIdx;
    this.weight = Parameter(
      row === null ? normal([numEmbeddings, embeddingDim]) : tidy(() => normal([numEmbeddings, embeddingDim]).where(arange(numEmbeddings).ne(row).unsqueeze(1), 0)),
    );
  }

  forward(indices: Tensor): Tensor {
    const out = F.embedding(indices, this.weight);
    if (this.paddingIdx === null || !out.requiresGrad) return out;
    // the padding row's lookups keep their values but send no gradient to the weight, as PyTorch
    return where(indices.eq(this.paddingIdx).unsqueeze(-1), out.detach(), out);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}

/** Options of {@link Embedding}, PyTorch's keyword arguments. */
export interface EmbeddingOptions {
  /** A row that starts at zero and receives no gradient, e.g. a padding token (negative counts from the end). */
  paddingIdx?: number | null;
  /** Not supported: must be null or absent. */
  maxNorm?: number | null;
  /** The p of `maxNorm`'s norm (default 2; used only with `maxNorm`). */
  normType?: number;
  /** Not supported: must be false or absent. */
  scaleGradByFreq?: boolean;
  /** Not supported: must be false or absent. */
  sparse?: boolean;
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
 * new nn.LayerNorm(64, 1e-6, false);    // eps and elementwiseAffine positionally, as PyTorch
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

  constructor(normalizedShape: number | readonly number[], options?: LayerNormOptions);
  constructor(normalizedShape: number | readonly number[], eps: number, elementwiseAffine?: boolean, options?: LayerNormOptions);
  constructor(normalizedShape: number | readonly number[], ...rest: unknown[]) {
    super();
    if (typeof normalizedShape !== 'number' && !Array.isArray(normalizedShape)) {
      throw new Error(`LayerNorm: normalizedShape must be a size or an array of sizes, got ${describe(normalizedShape)}`);
    }
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    for (const d of this.normalizedShape) checkSize('LayerNorm', 'normalizedShape', d);
    const o = positionalOptions('LayerNorm', rest, ['eps', 'elementwiseAffine']) as LayerNormOptions;
    this.eps = checkNumber('LayerNorm', 'eps', o.eps ?? 1e-5);
    const affine = checkBool('LayerNorm', 'elementwiseAffine', o.elementwiseAffine ?? true);
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

/** Options of {@link Conv2d}, PyTorch's arguments after the kernel size. */
export interface Conv2dOptions {
  /** Step of the sliding window, one number or `[h, w]` (default 1). */
  stride?: number | readonly [number, number];
  /** Zeros added on each side, one number or `[h, w]`, or `'valid'` (0) / `'same'` (output as large as the input; stride 1) (default 0). */
  padding?: number | readonly [number, number] | 'valid' | 'same';
  /** Spacing between kernel elements, one number or `[h, w]` (default 1). */
  dilation?: number | readonly [number, number];
  /** Split the channels into this many groups, each convolved separately (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only `'zeros'`, PyTorch's default. */
  paddingMode?: 'zeros';
}

// one number when both entries agree (what the module reports), the pair otherwise
function square(p: [number, number]): number | [number, number] {
  return p[0] === p[1] ? p[0] : p;
}

/**
 * 2-D convolution over NCHW input, as `torch.nn.Conv2d(in, out, kernelSize, stride = 1,
 * padding = 0, dilation = 1, groups = 1, bias = true)`: the arguments after `kernelSize` may be
 * given positionally, as in PyTorch, or as an options object (last). Sizes are one number or an
 * `[h, w]` pair. Weight `[out, in / groups, kH, kW]` and bias `[out]` start uniform in
 * `±1/√(in / groups · kH · kW)`, PyTorch's default.
 *
 * @example
 * ```ts
 * const conv = new nn.Conv2d(1, 8, 3, { padding: 1 });
 * conv.forward(randn([16, 1, 28, 28])).shape; // [16, 8, 28, 28]
 * new nn.Conv2d(1, 32, 3, 2).forward(randn([1, 1, 28, 28])).shape; // stride 2: [1, 32, 13, 13]
 * ```
 */
export class Conv2d extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output (number of kernels). */
  readonly outChannels: number;
  /** Height and width of the kernel (one number when square). */
  readonly kernelSize: number | [number, number];
  /** Step of the sliding window (one number when equal in both dims). */
  readonly stride: number | [number, number];
  /** Zeros added on each side (one number when equal in both dims). */
  readonly padding: number | [number, number];
  /** Spacing between kernel elements (one number when equal in both dims). */
  readonly dilation: number | [number, number];
  /** Channel groups. */
  readonly groups: number;
  /** The kernels, `[outChannels, inChannels / groups, kH, kW]`. */
  weight: Tensor;
  /** One per output channel, `[outChannels]`; null with `bias: false`. */
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], options?: Conv2dOptions);
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    stride: number | readonly [number, number],
    padding?: number | readonly [number, number] | 'valid' | 'same',
    dilation?: number | readonly [number, number],
    groups?: number,
    bias?: boolean,
    options?: Conv2dOptions,
  );
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], ...rest: unknown[]) {
    super();
    checkSize('Conv2d', 'inChannels', inChannels);
    checkSize('Conv2d', 'outChannels', outChannels);
    const k = checkPair('Conv2d', 'kernelSize', kernelSize, 1);
    const o = positionalOptions('Conv2d', rest, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']);
    const stride = checkPair('Conv2d', 'stride', o.stride ?? 1, 1);
    const dilation = checkPair('Conv2d', 'dilation', o.dilation ?? 1, 1);
    const groups = checkInt('Conv2d', 'groups', o.groups ?? 1, 1);
    const bias = checkBool('Conv2d', 'bias', o.bias ?? true);
    checkChoice('Conv2d', 'paddingMode', o.paddingMode ?? 'zeros', ['zeros']);
    let padding: [number, number];
    if (o.padding === 'valid') padding = [0, 0];
    else if (o.padding === 'same') {
      if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`Conv2d: padding 'same' is not supported for strided convolutions (stride ${describe(o.stride)}), as in PyTorch`);
      const total = [dilation[0] * (k[0] - 1), dilation[1] * (k[1] - 1)];
      if (total.some((t) => t % 2 !== 0)) {
        throw new Error(`Conv2d: padding 'same' with kernelSize ${describe(kernelSize)} and dilation ${describe(o.dilation ?? 1)} needs uneven padding on the two sides, which is not supported; pad the input with F.pad and use padding 0`);
      }
      padding = [total[0]! / 2, total[1]! / 2];
    } else padding = checkPair('Conv2d', 'padding', o.padding ?? 0, 0);
    if (inChannels % groups !== 0) throw new Error(`Conv2d: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new Error(`Conv2d: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = square(k);
    this.stride = square(stride);
    this.padding = square(padding);
    this.dilation = square(dilation);
    this.groups = groups;
    const fanIn = (inChannels / groups) * k[0] * k[1];
    const bound = kaimingBound(fanIn);
    this.weight = Parameter(uniform([outChannels, inChannels / groups, k[0], k[1]], bound));
    this.bias = bias ? Parameter(uniform([outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups } as F.Conv2dOptions);
  }

  override extraRepr(): string {
    const extra = [
      this.padding !== 0 ? `padding=${describe(this.padding)}` : '',
      this.dilation !== 1 ? `dilation=${describe(this.dilation)}` : '',
      this.groups !== 1 ? `groups=${this.groups}` : '',
    ].filter(Boolean);
    return [`${this.inChannels}, ${this.outChannels}, kernelSize=${describe(this.kernelSize)}, stride=${describe(this.stride)}`, ...extra, `bias=${this.bias !== null}`].join(', ');
  }
}

/** Options of {@link MaxPool2d}, PyTorch's arguments after the kernel size. */
export interface MaxPool2dOptions {
  /** Step of the window, one number or `[h, w]` (default: the kernel size). */
  stride?: number | readonly [number, number] | null;
  /** Implicit `-∞` padding on each side, one number or `[h, w]`, at most half the kernel (default 0). */
  padding?: number | readonly [number, number];
  /** Only 1, PyTorch's default. */
  dilation?: number;
  /** Only false: the indices are not returned. */
  returnIndices?: boolean;
  /** Only false: the output size rounds down. */
  ceilMode?: boolean;
}

/**
 * 2-D max pooling over NCHW input, as `torch.nn.MaxPool2d(kernelSize, stride = kernelSize,
 * padding = 0)`: `stride` and `padding` may be given positionally, as in PyTorch, or as an options
 * object (last). Sizes are one number or an `[h, w]` pair.
 *
 * @example
 * ```ts
 * new nn.MaxPool2d(2).forward(randn([16, 8, 28, 28])).shape;       // [16, 8, 14, 14]
 * new nn.MaxPool2d(3, 1, 1).forward(randn([16, 8, 28, 28])).shape; // [16, 8, 28, 28]
 * ```
 */
export class MaxPool2d extends Module {
  /** Height and width of the window (one number when square). */
  readonly kernelSize: number | [number, number];
  /** Step of the window (one number when equal in both dims). */
  readonly stride: number | [number, number];
  /** Padding on each side (one number when equal in both dims). */
  readonly padding: number | [number, number];

  constructor(kernelSize: number | readonly [number, number], options?: MaxPool2dOptions);
  constructor(
    kernelSize: number | readonly [number, number],
    stride: number | readonly [number, number] | null,
    padding?: number | readonly [number, number],
    dilation?: number,
    returnIndices?: boolean,
    ceilMode?: boolean,
    options?: MaxPool2dOptions,
  );
  constructor(kernelSize: number | readonly [number, number], ...rest: unknown[]) {
    super();
    const k = checkPair('MaxPool2d', 'kernelSize', kernelSize, 1);
    const o = positionalOptions('MaxPool2d', rest, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode']);
    const stride = o.stride === null || o.stride === undefined ? k : checkPair('MaxPool2d', 'stride', o.stride, 1);
    const padding = checkPair('MaxPool2d', 'padding', o.padding ?? 0, 0);
    if (padding[0] > k[0] / 2 || padding[1] > k[1] / 2) {
      throw new Error(`MaxPool2d: padding ${describe(o.padding)} should be at most half of kernelSize ${describe(kernelSize)}, as in PyTorch`);
    }
    if (checkInt('MaxPool2d', 'dilation', o.dilation ?? 1, 1) !== 1) throw new Error(`MaxPool2d: dilation ${describe(o.dilation)} is not supported; only 1`);
    if (checkBool('MaxPool2d', 'returnIndices', o.returnIndices ?? false)) throw new Error('MaxPool2d: returnIndices: true is not supported');
    if (checkBool('MaxPool2d', 'ceilMode', o.ceilMode ?? false)) throw new Error('MaxPool2d: ceilMode: true is not supported; the output size rounds down');
    this.kernelSize = square(k);
    this.stride = square(stride);
    this.padding = square(padding);
  }

  forward(x: Tensor): Tensor {
    const pool = F.maxPool2d as (x: Tensor, k: number | readonly number[], s?: number | readonly number[], p?: number | readonly number[]) => Tensor;
    return pool(x, this.kernelSize, this.stride, this.padding);
  }

  override extraRepr(): string {
    return `kernelSize=${describe(this.kernelSize)}, stride=${describe(this.stride)}${this.padding !== 0 ? `, padding=${describe(this.padding)}` : ''}`;
  }
}

/** Options of {@link Conv1d}, PyTorch's arguments after the kernel size. */
export interface Conv1dOptions {
  /** Step of the sliding window (default 1). */
  stride?: number;
  /** Zeros added at both ends, or `'valid'` (0) / `'same'` (stride 1) (default 0). */
  padding?: number | 'valid' | 'same';
  /** Spacing between kernel elements (default 1). */
  dilation?: number;
  /** Split the channels into this many groups (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only `'zeros'`, PyTorch's default. */
  paddingMode?: 'zeros';
}

/**
 * 1-D convolution over `[N, C, L]` (or `[C, L]`) input, as `torch.nn.Conv1d(in, out, kernelSize,
 * stride = 1, padding = 0, dilation = 1, groups = 1, bias = true)`, positionally or as options.
 * Weight `[out, in / groups, k]` and bias start uniform in `±1/√(in / groups · k)`.
 *
 * @example
 * ```ts
 * new nn.Conv1d(4, 8, 3, { padding: 1 }).forward(randn([2, 4, 16])).shape; // [2, 8, 16]
 * ```
 */
export class Conv1d extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** Length of the kernel. */
  readonly kernelSize: number;
  /** Step of the window. */
  readonly stride: number;
  /** Zeros added at both ends. */
  readonly padding: number;
  /** Spacing between kernel elements. */
  readonly dilation: number;
  /** Channel groups. */
  readonly groups: number;
  /** The kernels, `[outChannels, inChannels / groups, kernelSize]`. */
  weight: Tensor;
  /** One per output channel, or null with `bias: false`. */
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options?: Conv1dOptions);
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    stride: number,
    padding?: number | 'valid' | 'same',
    dilation?: number,
    groups?: number,
    bias?: boolean,
    options?: Conv1dOptions,
  );
  constructor(inChannels: number, outChannels: number, kernelSize: number, ...rest: unknown[]) {
    super();
    checkSize('Conv1d', 'inChannels', inChannels);
    checkSize('Conv1d', 'outChannels', outChannels);
    const k = checkInt('Conv1d', 'kernelSize', Array.isArray(kernelSize) && kernelSize.length === 1 ? kernelSize[0] : kernelSize, 1);
    const o = positionalOptions('Conv1d', rest, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']);
    const one = (v: unknown) => (Array.isArray(v) && v.length === 1 ? v[0] : v);
    this.stride = checkInt('Conv1d', 'stride', one(o.stride ?? 1), 1);
    this.dilation = checkInt('Conv1d', 'dilation', one(o.dilation ?? 1), 1);
    this.groups = checkInt('Conv1d', 'groups', o.groups ?? 1, 1);
    const bias = checkBool('Conv1d', 'bias', o.bias ?? true);
    checkChoice('Conv1d', 'paddingMode', o.paddingMode ?? 'zeros', ['zeros']);
    if (o.padding === 'valid') this.padding = 0;
    else if (o.padding === 'same') {
      if (this.stride !== 1) throw new Error(`Conv1d: padding 'same' is not supported for strided convolutions (stride ${this.stride}), as in PyTorch`);
      const total = this.dilation * (k - 1);
      if (total % 2 !== 0) throw new Error(`Conv1d: padding 'same' with kernelSize ${k} and dilation ${this.dilation} needs uneven padding, which is not supported; pad the input with F.pad and use padding 0`);
      this.padding = total / 2;
    } else this.padding = checkInt('Conv1d', 'padding', one(o.padding ?? 0), 0);
    if (inChannels % this.groups !== 0) throw new Error(`Conv1d: inChannels (${inChannels}) must be divisible by groups (${this.groups})`);
    if (outChannels % this.groups !== 0) throw new Error(`Conv1d: outChannels (${outChannels}) must be divisible by groups (${this.groups})`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = k;
    const bound = kaimingBound((inChannels / this.groups) * k);
    this.weight = Parameter(uniform([outChannels, inChannels / this.groups, k], bound));
    this.bias = bias ? Parameter(uniform([outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, groups=${this.groups}, bias=${this.bias !== null}`;
  }
}

/** Options of {@link AvgPool2d}. */
export interface AvgPool2dOptions {
  /** Step of the window (default: the kernel size). */
  stride?: number | readonly [number, number] | null;
  /** Only 0 is built. */
  padding?: number;
  /** Only false: the output size rounds down. */
  ceilMode?: boolean;
}

/**
 * 2-D average pooling, as `torch.nn.AvgPool2d(kernelSize, stride = kernelSize)`.
 *
 * @example
 * ```ts
 * new nn.AvgPool2d(2).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 * ```
 */
export class AvgPool2d extends Module {
  /** Height and width of the window. */
  readonly kernelSize: number | [number, number];
  /** Step of the window. */
  readonly stride: number | [number, number];

  constructor(kernelSize: number | readonly [number, number], options?: AvgPool2dOptions);
  constructor(kernelSize: number | readonly [number, number], stride: number | readonly [number, number] | null, padding?: number, ceilMode?: boolean, options?: AvgPool2dOptions);
  constructor(kernelSize: number | readonly [number, number], ...rest: unknown[]) {
    super();
    const k = checkPair('AvgPool2d', 'kernelSize', kernelSize, 1);
    const o = positionalOptions('AvgPool2d', rest, ['stride', 'padding', 'ceilMode']);
    const stride = o.stride === null || o.stride === undefined ? k : checkPair('AvgPool2d', 'stride', o.stride, 1);
    if (checkInt('AvgPool2d', 'padding', o.padding ?? 0, 0) !== 0) throw new Error(`AvgPool2d: padding ${describe(o.padding)} is not supported; only 0 (pad the input with F.pad)`);
    if (checkBool('AvgPool2d', 'ceilMode', o.ceilMode ?? false)) throw new Error('AvgPool2d: ceilMode: true is not supported; the output size rounds down');
    this.kernelSize = square(k);
    this.stride = square(stride);
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.stride);
  }

  override extraRepr(): string {
    return `kernelSize=${describe(this.kernelSize)}, stride=${describe(this.stride)}`;
  }
}

/**
 * Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d(outputSize)`.
 *
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool2d(1).forward(randn([2, 64, 7, 7])).shape; // [2, 64, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  /** The output's height and width. */
  readonly outputSize: number | [number, number];

  constructor(outputSize: number | readonly [number, number]) {
    super();
    if (arguments.length > 1) throw new Error(`AdaptiveAvgPool2d: takes one argument (outputSize), got ${arguments.length}`);
    this.outputSize = square(checkPair('AdaptiveAvgPool2d', 'outputSize', outputSize, 1));
  }

  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${describe(this.outputSize)}`;
  }
}

/**
 * Returns its input, as `torch.nn.Identity` (a placeholder where a layer is optional). Like
 * PyTorch's, it accepts constructor arguments and does not use them.
 *
 * @example
 * ```ts
 * const head = useHead ? new nn.Linear(64, 10) : new nn.Identity();
 * ```
 */
export class Identity extends Module {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  constructor(..._args: unknown[]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x;
  }
}
