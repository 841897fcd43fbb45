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
  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape as [number, number, number];
    const heads = (t: Tensor) => t.view(B, T, this.nHead, C / this.nHead).transpose(1, 2);
    const [q, k, v] = this.c_attn.forward(x).split(this.nEmbd, 2).map(heads) as [Tensor, Tensor, Tensor];
    const y = F.scaledDotProductAttention(q, k, v, { isCausal: true, dropoutP: this.training ? this.dropout : 0 });
    return this.resid_dropout.forward(this.c_proj.forward(y.transpose(1, 2).contiguous().view(B, T, C)));
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
  forward(x: Tensor): Tensor {
    const h = x.add(this.attn.forward(this.ln_1.forward(x)));
    return h.add(this.mlp.forward(this.ln_2.forward(h)));
  }
}

/** Options of {@link GPT.generate}, as nanoGPT's `sample.py`. */
export interface GenerateOptions {
  /** Divide the logits by this before sampling: below 1 is more conservative (default 1). */
  temperature?: number;
  /** Sample only among the `topK` most likely tokens (default: all). */
  topK?: number | null;
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
  forward(idx: Tensor, targets?: Tensor): { logits: Tensor; loss: Tensor | null } {
    const [B, T] = idx.shape as [number, number];
    if (idx.dim() !== 2) throw new Error(`GPT.forward: idx must be [batch, time] token ids, got shape [${idx.shape.join(', ')}]`);
    if (T > this.config.blockSize) throw new Error(`GPT.forward: cannot forward a sequence of length ${T}, the block size is only ${this.config.blockSize}`);
    const wte = this.transformer.get('wte') as nn.Embedding;
    const wpe = this.transformer.get('wpe') as nn.Embedding;
    const pos = arange(T, { dtype: 'int32' });
    let x = (this.transformer.get('drop') as nn.Dropout).forward(wte.forward(idx).add(wpe.forward(pos)));
    for (const block of this.transformer.get('h') as nn.ModuleList) x = (block as Block).forward(x);
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

  /**
   * Extend `idx` ([B, T] int32) by `maxNewTokens` sampled tokens, feeding back at most `blockSize`
   * of context each step, as nanoGPT's `generate`. Call in eval mode; returns [B, T + maxNewTokens].
   */
  generate(idx: Tensor, maxNewTokens: number, options: GenerateOptions = {}): Tensor {
    const temperature = options.temperature ?? 1;
    const topK = options.topK ?? null;
    if (!(temperature > 0)) throw new Error(`GPT.generate: temperature must be positive, got ${String(temperature)}`);
    if (topK !== null && (!Number.isInteger(topK) || topK <= 0)) throw new Error(`GPT.generate: topK must be a positive integer or null, got ${String(topK)}`);
    return noGrad(() => {
      let out = idx;
      for (let i = 0; i < maxNewTokens; i++) {
        const T = out.shape[1]!;
        const cond = T <= this.config.blockSize ? out : out.narrow(1, T - this.config.blockSize, this.config.blockSize);
        let logits = this.forward(cond).logits.squeeze(1).div(temperature);
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
  }
}
