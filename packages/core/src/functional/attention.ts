/** Scaled dot-product attention, as `torch.nn.functional.scaled_dot_product_attention`. */
import { bmm } from '../ops/matmul';
import { tensor } from '../creation';
import { where } from '../ops/compare';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor, optionalTensor } from '../ops/operand';
import { checkArity, checkBool, checkNumber, checkOptions } from '../validate';
import { dropout } from './dropout';
import { softmax, softmaxGradient } from './softmax';
import { launch, record } from '../op';

/** Options of {@link scaledDotProductAttention}. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to `[..., L, S]`: a bool mask is true where a query may attend to a key (false
   * positions get −∞), a float mask is added to the scores. Default none.
   */
  attnMask?: Tensor | null;
  /** Each query attends only to keys at or before its position (a lower-triangular `[L, S]` mask). Default false. */
  isCausal?: boolean;
  /** Dropout probability on the attention weights (applied whenever it is above 0, as PyTorch). Default 0. */
  dropoutP?: number;
  /** Multiplies `q·kᵀ`. Default `1 / sqrt(E)`. */
  scale?: number | null;
}

/**
 * `softmax(q·kᵀ · scale + mask) · v` over queries `[..., L, E]`, keys `[..., S, E]` and values
 * `[..., S, Ev]` (leading dims broadcast), as `torch.nn.functional.scaled_dot_product_attention`.
 * The result is `[..., L, Ev]`. A query whose every key is masked out gets NaN, as in PyTorch.
 *
 * @example
 * ```ts
 * const q = randn([2, 4, 8, 16]), k = randn([2, 4, 8, 16]), v = randn([2, 4, 8, 16]);
 * F.scaledDotProductAttention(q, k, v, { isCausal: true }); // [2, 4, 8, 16]
 * ```
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = 'scaledDotProductAttention';
  checkArity(op, arguments.length, 4, 'q, k, v, { attnMask, isCausal, dropoutP, scale }');
  checkTensor(op, 'query', q);
  checkTensor(op, 'key', k);
  checkTensor(op, 'value', v);
  checkOptions(op, options, ['attnMask', 'isCausal', 'dropoutP', 'scale']);
  const mask = optionalTensor(op, 'attnMask', options.attnMask);
  const isCausal = checkBool(op, 'isCausal', options.isCausal ?? false);
  const dropoutP = checkNumber(op, 'dropoutP', options.dropoutP ?? 0);
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new Error(`${op}: dropoutP must be between 0 and 1, got ${dropoutP}`);
  for (const [name, t] of [['query', q], ['key', k], ['value', v]] as const) {
    if (t.ndim < 2) throw new Error(`${op}: ${name} must have at least 2 dims ([..., L, E]), got ${fmt(t.shape)}`);
    if (t.dtype !== 'float32') throw new Error(`${op}: ${name} must be float32, got ${t.dtype}`);
  }
  const e = q.shape[q.ndim - 1]!;
  const l = q.shape[q.ndim - 2]!;
  const s = k.shape[k.ndim - 2]!;
  if (k.shape[k.ndim - 1] !== e) throw new Error(`${op}: query ${fmt(q.shape)} and key ${fmt(k.shape)} must have the same last dim (E)`);
  if (v.shape[v.ndim - 2] !== s) throw new Error(`${op}: key ${fmt(k.shape)} and value ${fmt(v.shape)} must have the same number of positions (S, the second-to-last dim)`);
  if (isCausal && mask) throw new Error(`${op}: give attnMask or isCausal, not both (as PyTorch)`);
  const scale = options.scale === undefined || options.scale === null ? 1 / Math.sqrt(e) : checkNumber(op, 'scale', options.scale);
  // q·kᵀ through the matmul kernel's transpose flag (no copy of kᵀ, forward or backward) when the ranks agree
  if (mask && mask.dtype !== 'bool' && mask.dtype !== 'float32') {
    throw new Error(`${op}: attnMask must be bool (true = may attend) or float32 (added to the scores), got ${mask.dtype} of shape ${fmt(mask.shape)}`);
  }
  // causal, square and unbroadcast: the weights and the scores' gradient are zero above the
  // diagonal, and the four products whose left operand is one of them say so to the kernel
  const b = q._backend();
  const tri = isCausal && l === s && q.ndim === k.ndim && k.ndim === v.ndim && q.shape.slice(0, -1).every((n, i) => n === k.shape[i] && n === v.shape[i]);
  const raw = q.ndim === k.ndim ? bmm(q, k, false, true, undefined, tri ? 'lower' : undefined) : q.matmul(k.mT);
  let weights: Tensor;
  if (!mask && b.kernels.attentionSoftmax && raw.numel() > 0) {
    // scale, causal mask and softmax in one kernel each way
    const y = launch('attentionSoftmax', b, raw.shape, 'float32', (kt) => kt.attentionSoftmax!(raw._info(), scale, isCausal));
    weights = record('attentionSoftmax', y, [raw], (g) => [softmaxGradient(y, g, scale)]);
  } else {
    let scores = raw.mul(scale);
    if (isCausal) scores = where(causalMask(l, s), scores, Number.NEGATIVE_INFINITY);
    else if (mask) scores = mask.dtype === 'bool' ? where(mask, scores, Number.NEGATIVE_INFINITY) : scores.add(mask);
    weights = softmax(scores, -1);
  }
  if (dropoutP > 0) weights = dropout(weights, dropoutP, true); // zeros stay zero
  return tri ? bmm(weights, v, false, false, 'lower') : weights.matmul(v);
}

// true where query i may see key j (j <= i): PyTorch's ones(L, S).tril()
function causalMask(l: number, s: number): Tensor {
  const allowed = new Array<boolean>(l * s);
  for (let i = 0; i < l; i++) for (let j = 0; j < s; j++) allowed[i * s + j] = j <= i;
  return tensor(allowed, { shape: [l, s], dtype: 'bool' });
}
