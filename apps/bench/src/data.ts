/**
 * Inputs every system gets alike: the same pseudo-random values (a seeded xorshift), so that data-
 * dependent speed (branches on the sign, `exp` of large values) is the same for everyone.
 */

/** `n` floats uniform in `[lo, hi)` from `seed`. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 0x9e3779b1) >>> 0 || 1;
  const scale = (hi - lo) / 4294967296;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + (s >>> 0) * scale;
  }
  return out;
}

/** Class labels 0..9 of a batch, the same for every system. */
export function labels(batch: number): Int32Array {
  return Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
}

/** The 784-256-128-10 MLP's layer sizes. */
export const MLP_SIZES = [784, 256, 128, 10] as const;

/** Learning rates: plain SGD for the MLP (as in the issue), SGD with momentum 0.9 for the CNN (as the trainer's default). */
export const MLP_LR = 0.01;
export const CNN_LR = 0.05;
export const CNN_MOMENTUM = 0.9;
