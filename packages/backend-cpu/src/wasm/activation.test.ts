import { describe, expect, it } from 'vitest';
import { wasmActivation } from './elementwise';

/** Distance in float32 units in the last place between two float32 values of the same sign. */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  return Math.abs(i[0]! - i[1]!);
}

const exactSigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** Values over every scale that matters: tiny, around the branch points, saturated, and the specials. */
function samples(): Float32Array {
  const v: number[] = [0, -0, 1e-30, -1e-30, 1e-8, 0.2499, 0.25, 0.2501, 1, -1, 8.99, 9, 9.01, 20, -20, 87, -87, 103, -103, 104, -104, 110, -110, Infinity, -Infinity, NaN];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 20000; i++) v.push((rand() - 0.5) * 2 * 10 ** (rand() * 6 - 4)); // |x| from 1e-4 to 100
  for (let i = 0; i < 20000; i++) v.push((rand() - 0.5) * 24);
  return new Float32Array(v);
}

describe('wasmActivation (tanh, sigmoid on WebAssembly SIMD)', () => {
  const x = samples();
  for (const [op, exact] of [['tanh', Math.tanh], ['sigmoid', exactSigmoid]] as const) {
    it(`${op} is within 4 float32 ulps of the exact value, with NaN, ±0 and ±Infinity right`, () => {
      const out = new Float32Array(x.length);
      expect(wasmActivation(op, x, out, 0, x.length)).toBe(true);
      let worst = 0;
      for (let i = 0; i < x.length; i++) {
        const want = Math.fround(exact(x[i]!));
        const got = out[i]!;
        if (Number.isNaN(want)) {
          expect(got, `${op}(${x[i]})`).toBeNaN();
          continue;
        }
        if (want === 0) {
          expect(Math.abs(got), `${op}(${x[i]})`).toBeLessThan(2e-45);
          expect(Object.is(got, -0), `${op}(${x[i]}) keeps the sign of zero`).toBe(Object.is(want, -0));
          continue;
        }
        const d = ulps(got, want);
        worst = Math.max(worst, d);
        if (d > 4) expect.fail(`${op}(${x[i]}) = ${got}, exact ${want}: ${d} ulps`);
      }
      expect(worst).toBeLessThanOrEqual(4);
    });
  }

  it('works in place, on ranges that are not a multiple of four or of the chunk, and leaves the rest alone', () => {
    const n = 16384 * 2 + 77;
    const x = new Float32Array(n).map((_, i) => Math.sin(i) * 5);
    const out = new Float32Array(n).fill(7);
    expect(wasmActivation('tanh', x, out, 3, n - 2)).toBe(true);
    expect(out[0]).toBe(7);
    expect(out[n - 1]).toBe(7);
    for (let i = 3; i < n - 2; i++) expect(Math.abs(out[i]! - Math.tanh(x[i]!))).toBeLessThan(3e-7);
    const y = x.slice();
    wasmActivation('sigmoid', y, y, 0, n);
    for (let i = 0; i < n; i++) expect(Math.abs(y[i]! - exactSigmoid(x[i]!))).toBeLessThan(2e-7);
  });

  it('gives one element the number it gives that element in a long range (any split agrees)', () => {
    const x = new Float32Array(100).map((_, i) => (i - 50) / 7);
    const whole = new Float32Array(100);
    wasmActivation('tanh', x, whole, 0, 100);
    const piece = new Float32Array(100);
    for (let i = 0; i < 100; i++) expect(wasmActivation('tanh', x, piece, i, i + 1)).toBe(true);
    expect(piece).toEqual(whole);
  });
});
