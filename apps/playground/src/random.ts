/** A seeded pseudo-random source for the page's data sets, so the same seed gives the same points. */
import { uniformAt } from '@tensorgrad/core';

/**
 * A seeded source of uniform numbers in [0, 1): core's counter-based stream for `seed`
 * (`uniformAt(seed, 0)`, `uniformAt(seed, 1)`, …), so the same seed gives the same sequence.
 *
 * @example
 * ```ts
 * const random = seededRandom(7);
 * random(); // the same number on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`seededRandom: seed must be a finite number, got ${String(seed)}`);
  const s = Math.trunc(seed) >>> 0;
  let i = 0;
  return () => uniformAt(s, i++);
}

/**
 * A standard normal draw (Box–Muller) from a uniform source.
 *
 * @example
 * ```ts
 * const z = gaussian(seededRandom(1)); // mean 0, standard deviation 1
 * ```
 */
export function gaussian(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log is finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
