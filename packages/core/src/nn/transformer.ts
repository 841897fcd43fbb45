/** Attention and the Transformer encoder: `MultiheadAttention`, `TransformerEncoderLayer`, `TransformerEncoder`. */
import { zeros_ } from './init';
import { bmm } from '../ops/matmul';
import * as F from '../functional/index';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor, optionalTensor } from '../ops/operand';
import { checkBool, checkChoice, checkInt, checkNumber, describe, positionalOptions } from '../validate';
import { ModuleList } from './container';
import { zeros } from '../creation';
import { uniform } from './init';
import { LayerNorm, Dropout } from './layers';
import { Linear } from './linear';
import { Module } from './module';
import { Parameter } from './parameter';

/** Options of {@link MultiheadAttention}, PyTorch's arguments after `numHeads`. */
export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights, in training mode (default 0). */
  dropout?: number;
  /** Learn biases for the input and output projections (default true). */
  bias?: boolean;
  /** Not supported: must be false or absent. */
  addBiasKv?: boolean;
  /** Not supported: must be false or absent. */
  addZeroAttn?: boolean;
  /** Size of the keys; only `embedDim` (or absent) is supported. */
  kdim?: number | null;
  /** Size of the values; only `embedDim` (or absent) is supported. */
  vdim?: number | null;
  /** Inputs and outputs are `[N, L, E]` instead of `[L, N, E]` (default false). */
  batchFirst?: boolean;
}

/** Options of {@link MultiheadAttention.forward}, PyTorch's keyword arguments. */
export interface MultiheadAttentionForwardOptions {
  /** `[N, S]` (`[S]` unbatched): bool true = that key is ignored; a float mask is added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true); false returns `[output, null]`. */
  needWeights?: boolean;
  /** `[L, S]` or `[N·numHeads, L, S]`: bool true = NOT allowed to attend; a float mask is added to the scores. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads, `[N, L, S]` (default true); false gives `[N, numHeads, L, S]`. */
  averageAttnWeights?: boolean;
}

// a bool (true = masked out) or float (added) mask applied to scores
function applyMask(op: string, name: string, scores: Tensor, mask: Tensor): Tensor {
  if (mask.dtype === 'bool') return scores.maskedFill(mask, Number.NEGATIVE_INFINITY);
  if (mask.dtype === 'float32') return scores.add(mask);
  throw new Error(`${op}: ${name} must be bool (true = not allowed to attend) or float32 (added to the scores), got ${mask.dtype} of shape ${fmt(mask.shape)}`);
}

/**
 * Attention with `numHeads` parallel heads, as `torch.nn.MultiheadAttention(embedDim, numHeads,
 * dropout = 0, bias = true, addBiasKv = false, addZeroAttn = false, kdim = null, vdim = null,
 * batchFirst = false)`: the arguments after `numHeads` may be given positionally or as an options
 * object. Parameters and state-dict keys are PyTorch's: `in_proj_weight` `[3E, E]` (Xavier-uniform),
 * `in_proj_bias` `[3E]` (zeros), and the `out_proj` Linear (default init, bias zeros).
 *
 * Inputs are `[L, N, E]` (`[N, L, E]` with `batchFirst`, or unbatched `[L, E]`); `forward` returns
 * `[output, weights]`, the weights averaged over the heads (`[N, L, S]`) unless `averageAttnWeights: false`.
 * Masks follow PyTorch's MHA convention: a bool `true` means NOT allowed (the opposite of
 * `F.scaledDotProductAttention`), a float mask is added to the scores.
 *
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = randn([2, 5, 16]);
 * const [out, w] = mha.forward(x, x, x, { keyPaddingMask: tensor([[false, false, false, true, true], [false, false, false, false, false]]) });
 * out.shape; // [2, 5, 16]
 * w!.shape;  // [2, 5, 5]
 * ```
 */
export class MultiheadAttention extends Module {
  /** Size of the embeddings, E. */
  readonly embedDim: number;
  /** Number of heads. */
  readonly numHeads: number;
  /** Size of each head, `embedDim / numHeads`. */
  readonly headDim: number;
  /** Dropout probability on the attention weights. */
  readonly dropout: number;
  /** Inputs are `[N, L, E]`. */
  readonly batchFirst: boolean;
  /** Size of the keys (= embedDim). */
  readonly kdim: number;
  /** Size of the values (= embedDim). */
  readonly vdim: number;
  /** The query, key and value projections stacked, `[3E, E]`. */
  in_proj_weight: Tensor;
  /** Their biases stacked, `[3E]`; null with `bias: false`. */
  in_proj_bias: Tensor | null;
  /** The output projection `E → E`. */
  out_proj: Linear;

  constructor(embedDim: number, numHeads: number, options?: MultiheadAttentionOptions);
  constructor(
    embedDim: number,
    numHeads: number,
    dropout: number,
    bias?: boolean,
    addBiasKv?: boolean,
    addZeroAttn?: boolean,
    kdim?: number | null,
    vdim?: number | null,
    batchFirst?: boolean,
    options?: MultiheadAttentionOptions,
  );
  constructor(embedDim: number, numHeads: number, ...rest: unknown[]) {
    super();
    const op = 'MultiheadAttention';
    checkInt(op, 'embedDim', embedDim, 1);
    checkInt(op, 'numHeads', numHeads, 1);
    if (embedDim % numHeads !== 0) throw new Error(`${op}: embedDim must be divisible by numHeads, got embedDim ${embedDim} and numHeads ${numHeads}`);
    const o = positionalOptions(op, rest, ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst']) as MultiheadAttentionOptions;
    const dropout = checkNumber(op, 'dropout', o.dropout ?? 0);
    if (!(dropout >= 0 && dropout <= 1)) throw new Error(`${op}: dropout probability has to be between 0 and 1, but got ${dropout}`);
    const bias = checkBool(op, 'bias', o.bias ?? true);
    if (checkBool(op, 'addBiasKv', o.addBiasKv ?? false)) throw new Error(`${op}: addBiasKv: true is not supported`);
    if (checkBool(op, 'addZeroAttn', o.addZeroAttn ?? false)) throw new Error(`${op}: addZeroAttn: true is not supported`);
    for (const name of ['kdim', 'vdim'] as const) {
      const d = o[name];
      if (d !== undefined && d !== null && d !== embedDim) {
        throw new Error(`${op}: ${name} ${describe(d)} different from embedDim ${embedDim} is not supported (separate key/value projections)`);
      }
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = dropout;
    this.batchFirst = checkBool(op, 'batchFirst', o.batchFirst ?? false);
    this.kdim = embedDim;
    this.vdim = embedDim;
    // PyTorch's _reset_parameters: xavier_uniform_(in_proj_weight), zero in_proj_bias and out_proj.bias;
    // out_proj.weight keeps Linear's default init
    this.in_proj_weight = Parameter(uniform([3 * embedDim, embedDim], Math.sqrt(6 / (embedDim + 3 * embedDim))));
    this.in_proj_bias = bias ? Parameter(zeros([3 * embedDim])) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias });
    if (this.out_proj.bias) zeros_(this.out_proj.bias); // PyTorch zeroes it; in place, so no tensor is left behind
  }

  /** Attend from `query` to `key`/`value`; returns `[output, weights | null]`. @example `const [out, w] = mha.forward(x, x, x, { attnMask })` */
  forward(query: Tensor, key: Tensor, value: Tensor, options?: MultiheadAttentionForwardOptions): [Tensor, Tensor | null];
  /** PyTorch's positional form: `(query, key, value, keyPaddingMask, needWeights, attnMask, averageAttnWeights)`. @example `mha.forward(q, k, v, null, false)` */
  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    keyPaddingMask: Tensor | null,
    needWeights?: boolean,
    attnMask?: Tensor | null,
    averageAttnWeights?: boolean,
    options?: MultiheadAttentionForwardOptions,
  ): [Tensor, Tensor | null];
  forward(query: Tensor, key: Tensor, value: Tensor, ...rest: unknown[]): [Tensor, Tensor | null] {
    const op = 'MultiheadAttention.forward';
    checkTensor(op, 'query', query);
    checkTensor(op, 'key', key);
    checkTensor(op, 'value', value);
    const o = positionalOptions(op, rest, ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights']) as MultiheadAttentionForwardOptions;
    let keyPaddingMask = optionalTensor(op, 'keyPaddingMask', o.keyPaddingMask);
    let attnMask = optionalTensor(op, 'attnMask', o.attnMask);
    const needWeights = checkBool(op, 'needWeights', o.needWeights ?? true);
    const average = checkBool(op, 'averageAttnWeights', o.averageAttnWeights ?? true);
    const e = this.embedDim;
    const h = this.numHeads;
    const hd = this.headDim;

    const batched = query.ndim === 3;
    if (query.ndim !== 2 && query.ndim !== 3) throw new Error(`${op}: query must be [L, N, E] (or [N, L, E] with batchFirst, or unbatched [L, E]), got ${fmt(query.shape)}`);
    for (const [name, t] of [['key', key], ['value', value]] as const) {
      if (t.ndim !== query.ndim) throw new Error(`${op}: ${name} ${fmt(t.shape)} must have as many dims as query ${fmt(query.shape)}`);
    }
    let q = query, k = key, v = value;
    if (!batched) {
      q = q.unsqueeze(1);
      k = k.unsqueeze(1);
      v = v.unsqueeze(1);
      if (keyPaddingMask) {
        if (keyPaddingMask.ndim !== 1) throw new Error(`${op}: for unbatched input keyPaddingMask must be [S], got ${fmt(keyPaddingMask.shape)}`);
        keyPaddingMask = keyPaddingMask.unsqueeze(0);
      }
    } else if (this.batchFirst) {
      q = q.transpose(0, 1);
      k = k.transpose(0, 1);
      v = v.transpose(0, 1);
    }
    const [l, n, eq] = q.shape as [number, number, number];
    const s = k.shape[0]!;
    if (eq !== e) throw new Error(`${op}: expected query with embedding size ${e}, got ${fmt(query.shape)}`);
    if (k.shape[2] !== e || v.shape[2] !== e) throw new Error(`${op}: key ${fmt(key.shape)} and value ${fmt(value.shape)} must have embedding size ${e}`);
    if (k.shape[1] !== n || v.shape[1] !== n) throw new Error(`${op}: query ${fmt(query.shape)}, key ${fmt(key.shape)} and value ${fmt(value.shape)} must have the same batch size`);
    if (v.shape[0] !== s) throw new Error(`${op}: key ${fmt(key.shape)} and value ${fmt(value.shape)} must have the same number of positions`);
    if (keyPaddingMask && (keyPaddingMask.ndim !== 2 || keyPaddingMask.shape[0] !== n || keyPaddingMask.shape[1] !== s)) {
      throw new Error(`${op}: keyPaddingMask must be [N, S] = [${n}, ${s}], got ${fmt(keyPaddingMask.shape)}`);
    }
    if (attnMask) {
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== l || attnMask.shape[1] !== s) throw new Error(`${op}: a 2-D attnMask must be [L, S] = [${l}, ${s}], got ${fmt(attnMask.shape)}`);
      } else if (attnMask.ndim === 3) {
        if (attnMask.shape[0] !== n * h || attnMask.shape[1] !== l || attnMask.shape[2] !== s) {
          throw new Error(`${op}: a 3-D attnMask must be [N·numHeads, L, S] = [${n * h}, ${l}, ${s}], got ${fmt(attnMask.shape)}`);
        }
        attnMask = attnMask.reshape([n, h, l, s]);
      } else throw new Error(`${op}: attnMask must be [L, S] or [N·numHeads, L, S], got ${fmt(attnMask.shape)}`);
    }

    const [wq, wk, wv] = this.in_proj_weight.split(e, 0) as [Tensor, Tensor, Tensor];
    const [bq, bk, bv] = this.in_proj_bias ? (this.in_proj_bias.split(e, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
    // [L, N, E] → [N, H, L, hd], the head of batch n being PyTorch's n·H + h
    const heads = (x: Tensor, len: number) => x.reshape([len, n, h, hd]).permute(1, 2, 0, 3);
    const qh = heads(F.linear(q, wq, bq), l);
    const kh = heads(F.linear(k, wk, bk), s);
    const vh = heads(F.linear(v, wv, bv), s);
    let scores = bmm(qh, kh, false, true).mul(1 / Math.sqrt(hd)); // [N, H, L, S], kᵀ through the kernel's transpose flag
    if (attnMask) scores = applyMask(op, 'attnMask', scores, attnMask);
    if (keyPaddingMask) scores = applyMask(op, 'keyPaddingMask', scores, keyPaddingMask.reshape([n, 1, 1, s]));
    let weights = F.softmax(scores, -1);
    weights = F.dropout(weights, this.dropout, this.training);
    const attn = weights.matmul(vh).permute(2, 0, 1, 3).reshape([l, n, e]); // [L, N, E]
    let out = this.out_proj.forward(attn);
    if (!batched) out = out.squeeze(1);
    else if (this.batchFirst) out = out.transpose(0, 1);
    if (!needWeights) return [out, null];
    let w = average ? weights.mean(1) : weights; // [N, L, S] or [N, H, L, S]
    if (!batched) w = w.squeeze(0);
    return [out, w];
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${this.dropout ? `, dropout=${this.dropout}` : ''}${this.batchFirst ? ', batchFirst=true' : ''}`;
  }
}

/** Options of {@link TransformerEncoderLayer}, PyTorch's arguments after `nhead`. */
export interface TransformerEncoderLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability everywhere in the layer (default 0.1). */
  dropout?: number;
  /** The feed-forward activation: `'relu'` (default), `'gelu'`, or a function of a Tensor. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  /** The LayerNorms' eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are `[N, S, E]` instead of `[S, N, E]` (default false). */
  batchFirst?: boolean;
  /** Pre-norm: normalise before attention and feed-forward rather than after the residual sums (default false). */
  normFirst?: boolean;
  /** Biases in the linear layers, the attention and the LayerNorms (default true). */
  bias?: boolean;
}

/** Options of {@link TransformerEncoderLayer.forward} and {@link TransformerEncoder.forward}. */
export interface TransformerEncoderForwardOptions {
  /** `[N, S]` (`[S]` unbatched): bool true = that position is ignored as a key; float masks are added. */
  srcKeyPaddingMask?: Tensor | null;
}

type ResolvedLayerOptions = Required<TransformerEncoderLayerOptions>;

/**
 * One Transformer encoder block, self-attention then a feed-forward network, each with a residual
 * connection and a LayerNorm, as `torch.nn.TransformerEncoderLayer(dModel, nhead, dimFeedforward =
 * 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, batchFirst = false, normFirst =
 * false, bias = true)`. Submodules have PyTorch's names (`self_attn`, `linear1`, `dropout`,
 * `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`), so state dicts match. Post-norm (default):
 * `x = norm1(x + sa(x)); x = norm2(x + ff(x))`; with `normFirst`: `x = x + sa(norm1(x)); x = x + ff(norm2(x))`.
 *
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.forward(randn([2, 10, 32])).shape; // [2, 10, 32]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  /** Size of the embeddings. */
  readonly dModel: number;
  /** Number of attention heads. */
  readonly nhead: number;
  /** Pre-norm instead of post-norm. */
  readonly normFirst: boolean;
  /** Inputs are `[N, S, E]`. */
  readonly batchFirst: boolean;
  /** The feed-forward activation. */
  readonly activation: (x: Tensor) => Tensor;
  /** Self-attention. */
  self_attn: MultiheadAttention;
  /** Feed-forward `dModel → dimFeedforward`. */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** Feed-forward `dimFeedforward → dModel`. */
  linear2: Linear;
  /** LayerNorm around the attention block. */
  norm1: LayerNorm;
  /** LayerNorm around the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout on the attention block's output. */
  dropout1: Dropout;
  /** Dropout on the feed-forward block's output. */
  dropout2: Dropout;
  private readonly config: ResolvedLayerOptions;

  constructor(dModel: number, nhead: number, options?: TransformerEncoderLayerOptions);
  constructor(
    dModel: number,
    nhead: number,
    dimFeedforward: number,
    dropout?: number,
    activation?: TransformerEncoderLayerOptions['activation'],
    layerNormEps?: number,
    batchFirst?: boolean,
    normFirst?: boolean,
    bias?: boolean,
    options?: TransformerEncoderLayerOptions,
  );
  constructor(dModel: number, nhead: number, ...rest: unknown[]) {
    super();
    const op = 'TransformerEncoderLayer';
    checkInt(op, 'dModel', dModel, 1);
    checkInt(op, 'nhead', nhead, 1);
    const o = positionalOptions(op, rest, ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias']) as TransformerEncoderLayerOptions;
    const dimFeedforward = checkInt(op, 'dimFeedforward', o.dimFeedforward ?? 2048, 1);
    const p = checkNumber(op, 'dropout', o.dropout ?? 0.1);
    if (!(p >= 0 && p <= 1)) throw new Error(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
    const act = o.activation ?? 'relu';
    let activation: (x: Tensor) => Tensor;
    if (typeof act === 'function') activation = act;
    else {
      const name = checkChoice(op, 'activation', act, ['relu', 'gelu']);
      activation = name === 'relu' ? (x) => F.relu(x) : (x) => F.gelu(x);
    }
    const eps = checkNumber(op, 'layerNormEps', o.layerNormEps ?? 1e-5);
    const batchFirst = checkBool(op, 'batchFirst', o.batchFirst ?? false);
    const normFirst = checkBool(op, 'normFirst', o.normFirst ?? false);
    const bias = checkBool(op, 'bias', o.bias ?? true);
    this.config = { dimFeedforward, dropout: p, activation: act, layerNormEps: eps, batchFirst, normFirst, bias };
    this.dModel = dModel;
    this.nhead = nhead;
    this.normFirst = normFirst;
    this.batchFirst = batchFirst;
    this.activation = activation;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst });
    this.linear1 = new Linear(dModel, dimFeedforward, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dimFeedforward, dModel, { bias });
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    if (!bias) {
      this.norm1.registerParameter('bias', null);
      this.norm2.registerParameter('bias', null);
    }
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
  }

  /**
   * A new layer with the same configuration and a copy of this one's weights and training mode
   * (what PyTorch's `copy.deepcopy` gives `TransformerEncoder`).
   *
   * @example
   * ```ts
   * const copy = layer.clone(); // same weights, independent tensors
   * ```
   */
  clone(): TransformerEncoderLayer {
    const copy = new TransformerEncoderLayer(this.dModel, this.nhead, { ...this.config });
    copy.loadStateDict(this.stateDict());
    copy.train(this.training);
    return copy;
  }

  /** One encoder layer over `src`, with an optional attention mask (bool: true = not allowed). @example `layer.forward(x, causalMask)` */
  forward(src: Tensor, srcMask?: Tensor | null, options?: TransformerEncoderForwardOptions): Tensor;
  /** PyTorch's positional form `(src, srcMask, srcKeyPaddingMask)`. @example `layer.forward(x, null, padMask)` */
  forward(src: Tensor, srcMask: Tensor | null, srcKeyPaddingMask: Tensor | null, options?: TransformerEncoderForwardOptions): Tensor;
  forward(src: Tensor, ...rest: unknown[]): Tensor {
    const op = 'TransformerEncoderLayer.forward';
    checkTensor(op, 'src', src);
    const o = positionalOptions(op, rest, ['srcMask', 'srcKeyPaddingMask']);
    const srcMask = optionalTensor(op, 'srcMask', o.srcMask);
    const kpm = optionalTensor(op, 'srcKeyPaddingMask', o.srcKeyPaddingMask);
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, { attnMask: srcMask, keyPaddingMask: kpm, needWeights: false })[0]);
    const ff = (x: Tensor) => this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
    let x = src;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(ff(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(ff(x)));
    }
    return x;
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}${this.normFirst ? ', normFirst=true' : ''}`;
  }
}

/** Options of {@link TransformerEncoder}. */
export interface TransformerEncoderOptions {
  /** A final normalisation after the last layer (e.g. an `nn.LayerNorm`), as PyTorch's `norm` (default none). */
  norm?: Module | null;
}

/**
 * A stack of `numLayers` copies of `encoderLayer`, as `torch.nn.TransformerEncoder(encoderLayer,
 * numLayers, norm = null)`. Like PyTorch's deep copy, every layer starts with `encoderLayer`'s
 * weights (identical in all layers) and the given layer itself is not part of the stack; keys are
 * `layers.0.self_attn.in_proj_weight`, ..., and `norm.weight` when a norm is given.
 *
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64 });
 * const encoder = new nn.TransformerEncoder(layer, 6, { norm: new nn.LayerNorm(32) });
 * encoder.forward(randn([10, 2, 32])).shape; // [10, 2, 32]
 * ```
 */
export class TransformerEncoder extends Module {
  /** The copies of the layer, named `'0'`, `'1'`, .... */
  layers: ModuleList;
  /** Number of layers. */
  readonly numLayers: number;
  /** The final normalisation, or null. */
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options?: TransformerEncoderOptions);
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, norm: Module | null, options?: TransformerEncoderOptions);
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, ...rest: unknown[]) {
    super();
    const op = 'TransformerEncoder';
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new Error(`${op}: encoderLayer must be an nn.TransformerEncoderLayer, got ${describe(encoderLayer)}`);
    checkInt(op, 'numLayers', numLayers, 0);
    // norm positionally (a Module or null), as PyTorch, or in an options object
    let o: { norm?: unknown };
    if (rest[0] instanceof Module || rest[0] === null) {
      o = positionalOptions(op, rest.slice(1), [], ['norm']);
      if (o.norm !== undefined) throw new Error(`${op}: 'norm' given twice, as an argument and as an option; give it once`);
      o = { norm: rest[0] };
    } else o = positionalOptions(op, rest, [], ['norm']);
    const norm = o.norm ?? null;
    if (norm !== null && !(norm instanceof Module)) throw new Error(`${op}: norm must be a Module or null, got ${describe(norm)}`);
    this.numLayers = numLayers;
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = norm;
  }

  /** Every layer in turn, then the final norm if any. @example `encoder.forward(x, mask)` */
  forward(src: Tensor, mask?: Tensor | null, options?: TransformerEncoderForwardOptions): Tensor;
  /** PyTorch's positional form `(src, mask, srcKeyPaddingMask)`. @example `encoder.forward(x, null, padMask)` */
  forward(src: Tensor, mask: Tensor | null, srcKeyPaddingMask: Tensor | null, options?: TransformerEncoderForwardOptions): Tensor;
  forward(src: Tensor, ...rest: unknown[]): Tensor {
    const op = 'TransformerEncoder.forward';
    checkTensor(op, 'src', src);
    const o = positionalOptions(op, rest, ['mask', 'srcKeyPaddingMask']);
    const mask = optionalTensor(op, 'mask', o.mask);
    const kpm = optionalTensor(op, 'srcKeyPaddingMask', o.srcKeyPaddingMask);
    let x = src;
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, mask, { srcKeyPaddingMask: kpm });
    return this.norm ? this.norm.forward(x) : x;
  }

  override extraRepr(): string {
    return `numLayers=${this.numLayers}`;
  }
}
