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

import { expect } from 'vitest';

/**
 * A float64 reference of attention's softmax and of a softmax gradient over `[rows, cols]`, and
 * the checks both implementations of backend-cpu's kernels (WebAssembly SIMD, TypeScript) must
 * pass: random rows of every width from 1 to 37, causal or not, scaled, and the special values.
 */
export function softmaxKernelCases(
  softmax: (x: Float32Array, out: Float32Array, cols: number, scale: number, causal: boolean, l: number, r0: number, r1: number) => void,
  backward: (y: Float32Array, dy: Float32Array, out: Float32Array, cols: number, scale: number, r0: number, r1: number) => void,
): { worstForward: number; worstBackward: number; specials: number[][] } {
  let worstForward = 0;
  let worstBackward = 0;
  for (let cols = 1; cols <= 37; cols++) {
    for (const [causal, l, scale] of [[false, 1, 1], [true, 5, 0.35], [true, 40, 3]] as const) {
      const rows = 2 * l + 3;
      const x = randomFloats(rows * cols, cols * 7 + l).map((v) => v * 30);
      const out = new Float32Array(rows * cols).fill(NaN);
      // rows [1, rows − 1) only: the ones around must stay untouched
      softmax(x, out, cols, scale, causal, l, 1, rows - 1);
      for (let r = 0; r < rows; r++) {
        const len = causal ? Math.min(cols, (r % l) + 1) : cols;
        const s = Array.from(x.subarray(r * cols, r * cols + len), (v) => Math.fround(v * scale));
        const m = Math.max(...s);
        const e = s.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < cols; j++) {
          const got = out[r * cols + j]!;
          if (r === 0 || r === rows - 1) {
            if (!Number.isNaN(got)) worstForward = Infinity;
            continue;
          }
          const want = j < len ? e[j]! / sum : 0;
          // relative from 1e-6 up (a float32 x − max alone costs |x − max|·2⁻²⁴ relative), absolute below
          worstForward = Math.max(worstForward, Math.abs(got - want) / Math.max(want, 1e-6), j >= len && got !== 0 ? Infinity : 0);
        }
      }
      const dy = randomFloats(rows * cols, cols + 99);
      const dx = new Float32Array(rows * cols);
      backward(out, dy, dx, cols, scale, 1, rows - 1);
      for (let r = 1; r < rows - 1; r++) {
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += out[r * cols + j]! * dy[r * cols + j]!;
        for (let j = 0; j < cols; j++) {
          const want = scale * out[r * cols + j]! * (dy[r * cols + j]! - dot);
          // relative to the size of what dy − dot subtracts (it cancels where they are close)
          const size = Math.abs(scale * out[r * cols + j]!) * (Math.abs(dy[r * cols + j]!) + Math.abs(dot));
          worstBackward = Math.max(worstBackward, Math.abs(dx[r * cols + j]! - want) / Math.max(size, 1e-30));
        }
      }
    }
  }
  // specials, one row each of 6: a NaN, all −∞, +∞, one −∞ among finite values, a NaN behind a causal mask
  const rows = [
    [1, NaN, 2, 3, 4, 5],
    [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
    [1, Infinity, 2, 3, 4, 5],
    [0, -Infinity, 0, 0, 0, 0],
  ];
  const specials = rows.map((row) => {
    const out = new Float32Array(6);
    softmax(new Float32Array(row), out, 6, 1, false, 1, 0, 1);
    return Array.from(out);
  });
  const masked = new Float32Array(12);
  softmax(new Float32Array([5, NaN, NaN, NaN, NaN, NaN, 1, 1, NaN, NaN, NaN, NaN]), masked, 6, 1, true, 2, 0, 2);
  specials.push(Array.from(masked));
  return { worstForward, worstBackward, specials };
}

/** {@link softmaxKernelCases}'s checks on `softmax` and `backward`, with the tolerances both implementations meet. */
export function expectSoftmaxKernels(
  softmax: Parameters<typeof softmaxKernelCases>[0],
  backward: Parameters<typeof softmaxKernelCases>[1],
): void {
  const { worstForward, worstBackward, specials } = softmaxKernelCases(softmax, backward);
  expect(worstForward).toBeLessThan(2e-6);
  expect(worstBackward).toBeLessThan(2e-5);
  const [nan, allNegInf, posInf, oneNegInf, masked] = specials as [number[], number[], number[], number[], number[]];
  for (const row of [nan, allNegInf, posInf]) for (const v of row) expect(v).toBeNaN(); // as torch.softmax
  expect(oneNegInf[1]).toBe(0);
  for (const j of [0, 2, 3, 4, 5]) expect(oneNegInf[j]).toBeCloseTo(0.2, 6);
  expect(masked).toEqual([1, 0, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 0]); // what lies behind the mask is never read
}
