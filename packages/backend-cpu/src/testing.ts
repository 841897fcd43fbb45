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

const sigmoid64 = (v: number) => 1 / (1 + Math.exp(-v));

/** torch.nn.LSTMCell's arithmetic in float64 from the summed pre-activations `[rows, 4h]` (gates i, f, g, o). */
function lstmReference(pre: readonly number[], c: ArrayLike<number>, dh: ArrayLike<number> | null, dc: ArrayLike<number> | null, hidden: number) {
  const rows = c.length / hidden;
  const h: number[] = [], cN: number[] = [], act: number[] = [], dG: number[] = [], dC: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < hidden; j++) {
      const base = r * 4 * hidden + j;
      const [i, f, g, o] = [sigmoid64(pre[base]!), sigmoid64(pre[base + hidden]!), Math.tanh(pre[base + 2 * hidden]!), sigmoid64(pre[base + 3 * hidden]!)];
      [act[base], act[base + hidden], act[base + 2 * hidden], act[base + 3 * hidden]] = [i, f, g, o];
      const s = r * hidden + j;
      const cn = f * c[s]! + i * g;
      const tc = Math.tanh(cn);
      h[s] = o * tc;
      cN[s] = cn;
      const dcT = (dc ? dc[s]! : 0) + (dh ? dh[s]! * o * (1 - tc * tc) : 0);
      dG[base] = dcT * g * i * (1 - i);
      dG[base + hidden] = dcT * c[s]! * f * (1 - f);
      dG[base + 2 * hidden] = dcT * i * (1 - g * g);
      dG[base + 3 * hidden] = dh ? dh[s]! * tc * o * (1 - o) : 0;
      dC[s] = dcT * f;
    }
  }
  return { h, cN, act, dG, dC };
}

/**
 * Checks a fused LSTM cell and its gradient (backend-cpu's `lstmCellRange` and
 * `lstmCellBackwardRange`, on either path) against torch.nn.LSTMCell's float64 arithmetic: with
 * and without biases, hidden sizes from 1 to 200 (the last in several blocks of rows), the rows
 * in one range and in uneven pieces, and the gradients from h', from c' and from both.
 */
export function expectLstmKernels(
  forward: (xg: Float32Array, hg: Float32Array, xb: Float32Array | null, hb: Float32Array | null, c: Float32Array, outH: Float32Array, outC: Float32Array, outAct: Float32Array, hidden: number, start: number, end: number) => void,
  backward: (act: Float32Array, c: Float32Array, cNext: Float32Array, dh: Float32Array | null, dc: Float32Array | null, outGates: Float32Array, outC: Float32Array, hidden: number, start: number, end: number) => void,
): void {
  for (const [rows, hidden] of [[1, 1], [5, 3], [37, 19], [97, 200]] as const) {
    for (const biases of [true, false]) {
      const label = `[${rows}, ${hidden}]${biases ? ' with both biases' : ', no bias'}`;
      const xg = randomFloats(rows * 4 * hidden, 1).map((v) => 3 * v);
      const hg = randomFloats(rows * 4 * hidden, 2);
      const xb = biases ? randomFloats(4 * hidden, 3) : null;
      const hb = biases ? randomFloats(4 * hidden, 4) : null;
      const c = randomFloats(rows * hidden, 5).map((v) => 2 * v);
      const pre = Array.from(xg, (v, k) => v + hg[k]! + (xb ? xb[k % (4 * hidden)]! + hb![k % (4 * hidden)]! : 0));
      const want = lstmReference(pre, c, null, null, hidden);
      for (const parts of [1, 3]) {
        const [outH, outC] = [new Float32Array(rows * hidden).fill(7), new Float32Array(rows * hidden).fill(7)];
        const act = new Float32Array(rows * 4 * hidden).fill(7);
        for (const [s, e] of splitRanges(rows, parts, rows)) forward(xg, hg, xb, hb, c, outH, outC, act, hidden, s, e);
        expect(maxRelativeError(outH, want.h), `${label}: h'`).toBeLessThanOrEqual(1e-5);
        expect(maxRelativeError(outC, want.cN), `${label}: c'`).toBeLessThanOrEqual(1e-5);
        expect(maxRelativeError(act, want.act), `${label}: the activated gates`).toBeLessThanOrEqual(1e-6);
        for (const [dh, dc] of [[randomFloats(rows * hidden, 6), null], [null, randomFloats(rows * hidden, 7)], [randomFloats(rows * hidden, 8), randomFloats(rows * hidden, 9)]] as const) {
          const [dG, dC] = [new Float32Array(rows * 4 * hidden).fill(7), new Float32Array(rows * hidden).fill(7)];
          for (const [s, e] of splitRanges(rows, parts, rows + 1)) backward(act, c, outC, dh, dc, dG, dC, hidden, s, e);
          const g = lstmReference(pre, c, dh, dc, hidden);
          // absolute on the gradients: some entries are differences that cancel to near zero
          for (const [name, got, exp] of [['gates', dG, g.dG], ['c', dC, g.dC]] as const) {
            let worst = 0;
            got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - exp[i]!))));
            expect(worst, `${label}: the gradient of ${name} (dh ${dh ? 'given' : 'null'}, dc ${dc ? 'given' : 'null'})`).toBeLessThanOrEqual(1e-5);
          }
        }
      }
    }
  }
}
