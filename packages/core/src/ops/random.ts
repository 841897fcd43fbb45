/**
 * Random integers, permutations and samples from the seeded generator. Each is composed on the
 * device from the `randomUniform` kernel (the same numbers on every backend for one seed) and
 * ordinary ops, so `manualSeed` gives the same samples everywhere.
 */
import type { Backend, Shape } from '../backend';
import { nextSeed } from '../creation';
import { launch } from '../op';
import { getBackend } from '../registry';
import { checkSize, fmt } from '../shape';
import type { Tensor } from '../tensor';
import { checkBool, checkDType, checkInt, checkOptions, describe, isOptions } from '../validate';
import { cast } from './cast';
import { where } from './compare';
import { argsort, cumsum, topk } from './more';
import { checkTensor } from './operand';
import { floor } from './unary';
import { narrow } from './shape';

// uniform floats in [0, 1) of `shape` on backend `b`, the next draw of the generator
function uniform(op: string, b: Backend, shape: Shape): Tensor {
  return launch(op, b, shape, 'float32', (k) => k.randomUniform(shape, nextSeed()));
}

function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  }
  checkSize(op, shape as number[], 'int32');
  return shape as number[];
}

// the values of `t` on the host, where its backend reads synchronously (for the checks PyTorch makes)
function hostValues(t: Tensor): ArrayLike<number> | null {
  const b = t._backend();
  if (!b.readSync || !b.supports.syncRead) return null;
  return t.dataSync();
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const MAX_RANGE = 2 ** 24; // the uniform draws carry 24 random bits

/**
 * Integers uniform in `[0, high)` of `shape` (int32), as `torch.randint(high, size)`.
 *
 * @example
 * ```ts
 * randint(10, [3, 4]);
 * ```
 */
export function randint(high: number, shape: readonly number[], options?: { dtype?: 'int32' | 'float32' }): Tensor;
/**
 * Integers uniform in `[low, high)` of `shape` (int32), as `torch.randint(low, high, size)`;
 * `high - low` is at most 2^24.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * randint(0, 10, [3, 4]);
 * randint(-5, 5, [8], { dtype: 'float32' });
 * ```
 */
export function randint(low: number, high: number, shape: readonly number[], options?: { dtype?: 'int32' | 'float32' }): Tensor;
export function randint(...args: unknown[]): Tensor {
  const list = args.slice();
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  const options = isOptions(list[list.length - 1]) ? (list.pop() as { dtype?: unknown }) : {};
  if (list.length === 2) list.unshift(0);
  if (list.length !== 3 || typeof list[0] !== 'number' || typeof list[1] !== 'number') {
    throw new Error(`randint: takes (high, shape) or (low, high, shape), then an optional options object { dtype }; got ${args.map(describe).join(', ') || 'nothing'}`);
  }
  checkOptions('randint', options, ['dtype']);
  const dtype = checkDType('randint', options.dtype) ?? 'int32';
  if (dtype === 'bool') throw new Error("randint: dtype 'bool' is not supported; use 'int32' or 'float32'");
  const low = checkInt('randint', 'low', list[0]);
  const high = checkInt('randint', 'high', list[1]);
  const shape = checkShape('randint', list[2]);
  if (!(low < high)) throw new Error(`randint: expects low < high (the range [low, high) must not be empty), got low ${low} and high ${high}`);
  if (low < INT32_MIN || high - 1 > INT32_MAX) throw new Error(`randint: the range [${low}, ${high}) must lie within int32's [${INT32_MIN}, ${INT32_MAX + 1})`);
  if (high - low > MAX_RANGE) throw new Error(`randint: the range [${low}, ${high}) spans ${high - low} integers; at most 2^24 (${MAX_RANGE}) are supported`);
  const range = high - low;
  const u = uniform('randint', getBackend(), shape);
  // floor(u · range), clamped against rounding up to `range`, then shifted by `low`
  const k = floor(u.mul(range)).minimum(range - 1);
  const out = cast(k, 'int32').add(low);
  return dtype === 'float32' ? cast(out, 'float32') : out;
}

/**
 * A random permutation of `0, 1, …, n - 1` (int32), as `torch.randperm`: the order that sorts
 * `n` uniform draws.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * randperm(5); // e.g. [3, 0, 4, 1, 2]
 * ```
 */
export function randperm(n: number): Tensor {
  if (arguments.length > 1) throw new Error(`randperm: takes (n), got ${arguments.length} arguments`);
  checkInt('randperm', 'n', n, 0);
  checkSize('randperm', [n], 'int32');
  const keys = uniform('randperm', getBackend(), [n]);
  const out = argsort(keys, 0);
  keys.dispose();
  return out;
}

/**
 * Category indices drawn by the weights in each row of `probs` (int32), as `torch.multinomial`:
 * `probs` is 1-D (`[numSamples]` out) or 2-D (`[rows, numSamples]` out, each row sampled on its own).
 * Weights need not sum to 1, but must be finite and non-negative, and no row may be all zero.
 * Without replacement (the default) `numSamples` is at most the number of non-zero weights and a
 * row never repeats a category; with `{ replacement: true }` any count is allowed.
 *
 * @example
 * ```ts
 * multinomial(tensor([0.1, 0.2, 0.7]), 1);
 * multinomial(logits.softmax(-1), 4, { replacement: true }); // [batch, 4]
 * ```
 */
export function multinomial(probs: Tensor, numSamples: number, options: { replacement?: boolean } = {}): Tensor {
  checkTensor('multinomial', 'input', probs);
  checkOptions('multinomial', options, ['replacement']);
  const o = (options ?? {}) as { replacement?: unknown };
  const replacement = o.replacement === undefined ? false : checkBool('multinomial', 'replacement', o.replacement);
  if (probs.dtype !== 'float32') {
    throw new Error(`multinomial: probs must be a float32 tensor, got ${probs.dtype} of shape ${fmt(probs.shape)}; convert with .float()`);
  }
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new Error(`multinomial: probs must be 1-D or 2-D, got shape ${fmt(probs.shape)}`);
  checkInt('multinomial', 'numSamples', numSamples, 1);
  const categories = probs.shape[probs.ndim - 1]!;
  const rows = probs.ndim === 2 ? probs.shape[0]! : 1;
  if (categories === 0) throw new Error(`multinomial: probs (shape ${fmt(probs.shape)}) has no categories`);
  if (!replacement && numSamples > categories) {
    throw new Error(`multinomial: cannot sample numSamples ${numSamples} > the number of categories ${categories} without replacement; pass { replacement: true }`);
  }
  checkSize('multinomial', [rows, numSamples], 'int32');
  const values = hostValues(probs);
  if (values) {
    for (let r = 0; r < rows; r++) {
      let total = 0;
      let nonzero = 0;
      for (let j = 0; j < categories; j++) {
        const p = values[r * categories + j]!;
        if (!(p >= 0) || p === Infinity) {
          throw new Error(`multinomial: probability tensor contains either inf, nan or element < 0 (${p} in row ${r}); weights must be finite and non-negative`);
        }
        total += p;
        if (p > 0) nonzero++;
      }
      if (!(total > 0)) throw new Error(`multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row ${r}`);
      if (!replacement && nonzero < numSamples) {
        throw new Error(`multinomial: invalid multinomial distribution (with replacement=False, not enough non-negative category to sample): row ${r} has ${nonzero} non-zero weights, fewer than numSamples ${numSamples}`);
      }
    }
  }
  const b = probs._backend();
  const p = probs.detach().reshape([rows, categories]);
  let out: Tensor;
  if (replacement) {
    // the number of categories whose normalised cumulative weight is ≤ u is the sampled index
    const c = cumsum(p, 1);
    const cdf = c.div(narrow(c, 1, categories - 1, 1));
    const u = uniform('multinomial', b, [rows, numSamples]);
    const below = cdf.reshape([rows, 1, categories]).le(u.reshape([rows, numSamples, 1]));
    out = below.sum(2).minimum(categories - 1);
  } else {
    // Efraimidis–Spirakis: the numSamples largest keys log(v)/p, v uniform in (0, 1], are a draw
    // without replacement in order; zero weights get -∞ and are never picked
    const v = uniform('multinomial', b, [rows, categories]).neg().add(1);
    const keys = where(p.gt(0), v.log().div(p), -Infinity);
    out = topk(keys, numSamples, 1).indices;
  }
  return probs.ndim === 1 ? out.reshape([numSamples]) : out;
}

/**
 * 1 with probability `p` elementwise, else 0 (float32), as `torch.bernoulli`; every `p` is in `[0, 1]`.
 *
 * @example
 * ```ts
 * bernoulli(full([3], 0.5)); // e.g. [1, 0, 0]
 * ```
 */
export function bernoulli(p: Tensor): Tensor {
  if (arguments.length > 1) throw new Error(`bernoulli: takes (p), a tensor of probabilities, got ${arguments.length} arguments`);
  checkTensor('bernoulli', 'input', p);
  if (p.dtype !== 'float32') throw new Error(`bernoulli: p must be a float32 tensor, got ${p.dtype} of shape ${fmt(p.shape)}; convert with .float()`);
  const values = hostValues(p);
  if (values) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!(v >= 0 && v <= 1)) throw new Error(`bernoulli: expects 0 <= p <= 1, got ${v} (at flat index ${i})`);
    }
  }
  const u = uniform('bernoulli', p._backend(), p.shape);
  return u.lt(p.detach()).float();
}
