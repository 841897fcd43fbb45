/** PyTorch's default initialisations, drawn from core's seeded generator so `manualSeed` repeats them. */
import { rand, randn } from '../creation';
import { tidy } from '../memory';
import type { Tensor } from '../tensor';

/**
 * Uniform values in `[-bound, bound)` of `shape`, as `torch.nn.init.uniform_(t, -bound, bound)`.
 *
 * @example
 * ```ts
 * uniform([4, 3], 1 / Math.sqrt(3));
 * ```
 */
export function uniform(shape: readonly number[], bound: number): Tensor {
  return tidy(() => rand(shape).mul(2 * bound).add(-bound));
}

/**
 * The bound PyTorch's Linear and Conv2d use for both weight and bias: `kaiming_uniform_(a=√5)`
 * works out to `1 / √fanIn` (0 when `fanIn` is 0).
 *
 * @example
 * ```ts
 * kaimingBound(784); // 1 / 28
 * ```
 */
export function kaimingBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/**
 * Standard normal values of `shape`, as `torch.nn.init.normal_` (Embedding's default).
 *
 * @example
 * ```ts
 * normal([10, 4]);
 * ```
 */
export function normal(shape: readonly number[]): Tensor {
  return randn(shape);
}
