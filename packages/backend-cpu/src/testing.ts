/** Deterministic pseudo-random floats in [-1, 1) for tests (mulberry32). */
export function randomFloats(n: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Largest |a[i] − b[i]| relative to max(1, |b[i]|); Infinity when lengths differ. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(err <= worst)) worst = err; // NaN counts as the worst
  }
  return worst;
}

/** Cut `[0, n)` into `parts` uneven ranges (some empty), as a thread pool might. */
export function splitRanges(n: number, parts: number, seed = 7): [number, number][] {
  const cuts = Array.from(randomFloats(parts - 1, seed), (v) => Math.floor(((v + 1) / 2) * (n + 1))).sort((x, y) => x - y);
  const bounds = [0, ...cuts, n];
  return bounds.slice(1).map((end, i) => [bounds[i]!, end]);
}
