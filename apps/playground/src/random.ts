/** A seeded pseudo-random source for the page's data sets, so the same seed gives the same points. */

/**
 * mulberry32: a small seeded PRNG returning numbers in [0, 1).
 *
 * @example
 * ```ts
 * const random = seededRandom(7);
 * random(); // the same number on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`seededRandom: seed must be a finite number, got ${String(seed)}`);
  let a = Math.trunc(seed) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
