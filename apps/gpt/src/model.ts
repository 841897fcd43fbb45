/**
 * A character-level GPT in the shape of nanoGPT's `model.py`: token and position embeddings,
 * pre-norm blocks of causal self-attention and a GELU MLP, a final layer norm and a language-model
 * head tied to the token embedding. Module and parameter names are nanoGPT's
 * (`transformer.h.0.attn.c_attn.weight`, `lm_head.weight`), so its state dicts load both ways.
 *
 * @example
 * ```ts
 * const model = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: false });
 * const { logits, loss } = model.forward(idx, targets);
 * ```
 */
import { type Tensor, arange, cat, functional as F, multinomial, nn, noGrad, ones, optim, zeros } from '@tensorgrad/core';

/** The model's size, as nanoGPT's `GPTConfig`. */
export interface GPTConfig {
  /** Longest context the model attends over. */
  blockSize: number;
  /** Number of distinct tokens (characters). */
  vocabSize: number;
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads per block; `nEmbd` must divide by it. */
  nHead: number;
  /** Width of the residual stream. */
  nEmbd: number;
  /** Dropout probability in training (0 for none). */
  dropout: number;
  /** Biases in the linear layers and layer norms. */
  bias: boolean;
}

/** Layer norm with an optional bias, as nanoGPT's `LayerNorm` (PyTorch 1.13's has no `bias=False`). */
export class LayerNorm extends nn.Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(ndim: number, bias: boolean) {
    super();
    this.weight = nn.Parameter(ones([ndim]));
    this.bias = bias ? nn.Parameter(zeros([ndim])) : null;
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, [this.weight.shape[0]!], this.weight, this.bias, 1e-5);
  }
}

/** Multi-head causal self-attention with one `c_attn` projection for q, k and v. */
export class CausalSelfAttention extends nn.Module {
  c_attn: nn.Linear;
  c_proj: nn.Linear;
  resid_dropout: nn.Dropout;
  readonly nHead: number;
  readonly nEmbd: number;
  readonly dropout: number;
  constructor(config: GPTConfig) {
    super();
    if (config.nEmbd % config.nHead !== 0) throw new Error(`GPT: nEmbd (${config.nEmbd}) must be divisible by nHead (${config.nHead})`);
    this.c_attn = new nn.Linear(config.nEmbd, 3 * config.nEmbd, config.bias);
    this.c_proj = new nn.Linear(config.nEmbd, config.nEmbd, config.bias);
    this.resid_dropout = new nn.Dropout(config.dropout);
    this.nHead = config.nHead;
    this.nEmbd = config.nEmbd;
    this.dropout = config.dropout;
  }
  /**
   * Attention of `x` ([B, T, C]) over itself, causally. With `cache`, the keys and values of earlier
   * positions are read from it and this call's are appended (see {@link KVCache}): `x` holds only
   * the new positions, which follow the cached ones.
   */
  forward(x: Tensor, cache?: KVCache): Tensor {
    const [B, T, C] = x.shape as [number, number, number];
    const heads = (t: Tensor) => t.view(B, T, this.nHead, C / this.nHead).transpose(1, 2);
    let [q, k, v] = this.c_attn.forward(x).split(this.nEmbd, 2).map(heads) as [Tensor, Tensor, Tensor];
    // causal among the new positions; every cached one lies before them all
    const past = cache?.k ? cache.k.shape[2]! : 0;
    if (cache) [k, v] = cache.append(k, v);
    const dropoutP = this.training ? this.dropout : 0;
    const y =
      past === 0 ? F.scaledDotProductAttention(q, k, v, { isCausal: true, dropoutP }) : F.scaledDotProductAttention(q, k, v, { attnMask: cachedMask(T, past), dropoutP });
    return this.resid_dropout.forward(this.c_proj.forward(y.transpose(1, 2).contiguous().view(B, T, C)));
  }
}

// new query i (at position past + i) may see key j when j <= past + i
function cachedMask(t: number, past: number): Tensor | undefined {
  if (t === 1) return undefined; // one new token sees everything before it
  return ones([t, t + past], { dtype: 'bool' }).tril(past);
}

/**
 * The keys and values one attention layer has computed for the positions generated so far,
 * `[B, nHead, T, headSize]` each, so that a decoding step runs the model on its new token only,
 * as production decoders do. Valid while the sequence fits the block size: past that, the
 * position embeddings of the cropped window shift and {@link GPT.generate} recomputes the window.
 *
 * @example
 * ```ts
 * const caches = model.newCaches();
 * model.forward(prompt, undefined, caches, 0); // fills them
 * model.forward(next, undefined, caches, prompt.shape[1]); // one step
 * ```
 */
export class KVCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  /** Keys and values of all positions so far: the cached ones followed by `k` and `v`. */
  append(k: Tensor, v: Tensor): [Tensor, Tensor] {
    const grownK = this.k ? cat([this.k, k], 2) : k;
    const grownV = this.v ? cat([this.v, v], 2) : v;
    this.clear();
    this.k = grownK;
    this.v = grownV;
    return [grownK, grownV];
  }

  /** Positions held. */
  get length(): number {
    return this.k ? this.k.shape[2]! : 0;
  }

  /** Free what it holds. */
  clear(): void {
    this.k?.dispose();
    this.v?.dispose();
    this.k = null;
    this.v = null;
  }
}

/** The feed-forward half of a block: widen 4×, GELU, project back. */
export class MLP extends nn.Module {
  c_fc: nn.Linear;
  c_proj: nn.Linear;
  dropout: nn.Dropout;
  constructor(config: GPTConfig) {
    super();
    this.c_fc = new nn.Linear(config.nEmbd, 4 * config.nEmbd, config.bias);
    this.c_proj = new nn.Linear(4 * config.nEmbd, config.nEmbd, config.bias);
    this.dropout = new nn.Dropout(config.dropout);
  }
  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(F.gelu(this.c_fc.forward(x))));
  }
}

/** One pre-norm transformer block: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`. */
export class Block extends nn.Module {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;
  constructor(config: GPTConfig) {
    super();
    this.ln_1 = new LayerNorm(config.nEmbd, config.bias);
    this.attn = new CausalSelfAttention(config);
    this.ln_2 = new LayerNorm(config.nEmbd, config.bias);
    this.mlp = new MLP(config);
  }
  forward(x: Tensor, cache?: KVCache): Tensor {
    const h = x.add(this.attn.forward(this.ln_1.forward(x), cache));
    return h.add(this.mlp.forward(this.ln_2.forward(h)));
  }
}

/** Options of {@link GPT.generate}, as nanoGPT's `sample.py`. */
export interface GenerateOptions {
  /** Divide the logits by this before sampling: below 1 is more conservative (default 1). */
  temperature?: number;
  /** Sample only among the `topK` most likely tokens (default: all). */
  topK?: number | null;
  /** Reuse each step's keys and values through a {@link KVCache} (default true; false recomputes the context each token, as nanoGPT). */
  cache?: boolean;
}

/** The GPT language model; see the module docs. */
export class GPT extends nn.Module {
  readonly config: GPTConfig;
  transformer: nn.ModuleDict;
  lm_head: nn.Linear;

  constructor(config: GPTConfig) {
    super();
    for (const key of ['blockSize', 'vocabSize', 'nLayer', 'nHead', 'nEmbd'] as const) {
      if (!Number.isInteger(config[key]) || config[key] <= 0) throw new Error(`GPT: ${key} must be a positive integer, got ${String(config[key])}`);
    }
    if (!(config.dropout >= 0 && config.dropout < 1)) throw new Error(`GPT: dropout must be in [0, 1), got ${String(config.dropout)}`);
    this.config = { ...config };
    this.transformer = new nn.ModuleDict({
      wte: new nn.Embedding(config.vocabSize, config.nEmbd),
      wpe: new nn.Embedding(config.blockSize, config.nEmbd),
      drop: new nn.Dropout(config.dropout),
      h: new nn.ModuleList(Array.from({ length: config.nLayer }, () => new Block(config))),
      ln_f: new LayerNorm(config.nEmbd, config.bias),
    });
    this.lm_head = new nn.Linear(config.nEmbd, config.vocabSize, false);
    // weight tying: the head reads the token embedding's matrix (one parameter, two state-dict keys)
    this.lm_head.weight.dispose();
    this.lm_head.weight = (this.transformer.get('wte') as nn.Embedding).weight;
    // nanoGPT's initialisation: N(0, 0.02) weights, zero biases, residual projections scaled by 1/√(2·nLayer)
    noGrad(() => {
      this.apply((m) => {
        if (m instanceof nn.Linear) {
          m.weight.normal_(0, 0.02);
          m.bias?.zero_();
        } else if (m instanceof nn.Embedding) m.weight.normal_(0, 0.02);
      });
      for (const [name, p] of this.namedParameters()) if (name.endsWith('c_proj.weight')) p.normal_(0, 0.02 / Math.sqrt(2 * config.nLayer));
    });
  }

  /** Parameters, counting the tied head once and (as nanoGPT) leaving out the position embedding. */
  numParams(nonEmbedding = true): number {
    const total = this.parameters().reduce((n, p) => n + p.numel(), 0);
    return nonEmbedding ? total - (this.transformer.get('wpe') as nn.Embedding).weight.numel() : total;
  }

  /**
   * Logits for every position of `idx` ([B, T] int32) and, with `targets`, the mean cross-entropy.
   * Without targets only the last position's logits are computed ([B, 1, vocab]), as at inference.
   */
  forward(idx: Tensor, targets?: Tensor, caches?: readonly KVCache[]): { logits: Tensor; loss: Tensor | null } {
    const [B, T] = idx.shape as [number, number];
    if (idx.dim() !== 2) throw new Error(`GPT.forward: idx must be [batch, time] token ids, got shape [${idx.shape.join(', ')}]`);
    const blocks = [...(this.transformer.get('h') as nn.ModuleList)] as Block[];
    if (caches !== undefined && caches.length !== blocks.length) throw new Error(`GPT.forward: expected one KVCache per block (${blocks.length}), got ${caches.length}`);
    const start = caches?.[0]?.length ?? 0; // positions already in the caches
    if (start + T > this.config.blockSize) {
      throw new Error(`GPT.forward: cannot forward a sequence of length ${start + T}${start > 0 ? ` (${start} cached)` : ''}, the block size is only ${this.config.blockSize}`);
    }
    const wte = this.transformer.get('wte') as nn.Embedding;
    const wpe = this.transformer.get('wpe') as nn.Embedding;
    const pos = arange(start, start + T, { dtype: 'int32' });
    let x = (this.transformer.get('drop') as nn.Dropout).forward(wte.forward(idx).add(wpe.forward(pos)));
    blocks.forEach((block, i) => (x = block.forward(x, caches?.[i])));
    x = (this.transformer.get('ln_f') as LayerNorm).forward(x);
    if (targets !== undefined) {
      const logits = this.lm_head.forward(x);
      const loss = F.crossEntropy(logits.view(B * T, -1), targets.reshape(-1), { ignoreIndex: -1 });
      return { logits, loss };
    }
    return { logits: this.lm_head.forward(x.narrow(1, T - 1, 1)), loss: null };
  }

  /**
   * AdamW with nanoGPT's two groups: every matrix (dim ≥ 2: linear and embedding weights) decays,
   * biases and layer-norm gains do not.
   */
  configureOptimizers(weightDecay: number, learningRate: number, betas: [number, number]): optim.AdamW {
    const params = this.parameters();
    const decay = params.filter((p) => p.dim() >= 2);
    const noDecay = params.filter((p) => p.dim() < 2);
    return new optim.AdamW(
      [
        { params: decay, weightDecay },
        { params: noDecay, weightDecay: 0 },
      ],
      { lr: learningRate, betas },
    );
  }

  /** One empty {@link KVCache} per block, for {@link GPT.forward} and {@link GPT.generate}. */
  newCaches(): KVCache[] {
    return Array.from({ length: this.config.nLayer }, () => new KVCache());
  }

  /**
   * Extend `idx` ([B, T] int32) by `maxNewTokens` sampled tokens, feeding back at most `blockSize`
   * of context each step, as nanoGPT's `generate`. Call in eval mode; returns [B, T + maxNewTokens].
   * While the sequence fits the block size, each step runs the model on its new token only, over
   * a key/value cache of the earlier ones (the same logits as a full forward); past it, each step
   * forwards the cropped window, as nanoGPT does (its positions shift, so no cache holds).
   */
  generate(idx: Tensor, maxNewTokens: number, options: GenerateOptions = {}): Tensor {
    const temperature = options.temperature ?? 1;
    const topK = options.topK ?? null;
    if (!(temperature > 0)) throw new Error(`GPT.generate: temperature must be positive, got ${String(temperature)}`);
    if (topK !== null && (!Number.isInteger(topK) || topK <= 0)) throw new Error(`GPT.generate: topK must be a positive integer or null, got ${String(topK)}`);
    const useCache = options.cache ?? true;
    const caches = this.newCaches();
    try {
      return noGrad(() => {
        let out = idx;
        for (let i = 0; i < maxNewTokens; i++) {
          const T = out.shape[1]!;
          let logits: Tensor;
          if (useCache && T <= this.config.blockSize) {
            // the first step fills the caches from the prompt, each later one adds its token
            const fresh = caches[0]!.length === 0 ? out : out.narrow(1, T - 1, 1);
            logits = this.forward(fresh, undefined, caches).logits;
          } else {
            for (const c of caches) c.clear();
            logits = this.forward(T <= this.config.blockSize ? out : out.narrow(1, T - this.config.blockSize, this.config.blockSize)).logits;
          }
          logits = logits.squeeze(1).div(temperature);
          if (topK !== null) {
            const k = Math.min(topK, this.config.vocabSize);
            const kth = logits.topk(k).values.narrow(1, k - 1, 1);
            logits = logits.maskedFill(logits.lt(kth), -Infinity);
          }
          const next = multinomial(logits.softmax(-1), 1);
          const grown = cat([out, next], 1);
          if (out !== idx) out.dispose();
          out = grown;
        }
        return out;
      });
    } finally {
      for (const c of caches) c.clear();
    }
  }
}
