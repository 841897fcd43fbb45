import { describe, expect, it } from 'vitest';
import { wasmActivation, wasmGelu, wasmGeluBackward, wasmRelu } from './elementwise';

/** Distance in float32 units in the last place between two float32 values of the same sign. */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  return Math.abs(i[0]! - i[1]!);
}

const exactSigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** Values over every scale that matters: tiny, around the branch points, saturated, and the specials. */
function samples(): Float32Array {
  const v: number[] = [0, -0, 1e-30, -1e-30, 1e-8, 0.2499, 0.25, 0.2501, 1, -1, 8.99, 9, 9.01, 20, -20, 87, -87, 88.72, 88.73, 88.9, 89, 89.5, 103, -103, 104, -104, 110, -110, Infinity, -Infinity, NaN];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 20000; i++) v.push((rand() - 0.5) * 2 * 10 ** (rand() * 6 - 4)); // |x| from 1e-4 to 100
  for (let i = 0; i < 20000; i++) v.push((rand() - 0.5) * 24);
  return new Float32Array(v);
}

describe('wasmActivation (tanh, sigmoid, exp on WebAssembly SIMD)', () => {
  const x = samples();
  for (const [op, exact] of [['tanh', Math.tanh], ['sigmoid', exactSigmoid], ['exp', Math.exp]] as const) {
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

describe('wasmGelu / wasmGeluBackward (exact GELU on WebAssembly SIMD)', () => {
  const x = samples();
  const cdf = (v: number) => (v >= 0 ? 1 - 0.5 * erfcExact(v * Math.SQRT1_2) : 0.5 * erfcExact(-v * Math.SQRT1_2));
  it('gives x·Φ(x) within 6 ulps for x >= 0 and to the rounding of its exponent below, saves the slope, and the gradient is dy times it', () => {
    const out = new Float32Array(x.length), saved = new Float32Array(x.length);
    expect(wasmGelu(x, out, saved, 0, x.length)).toBe(true);
    const dy = new Float32Array(x.length).map((_, i) => (i % 7) - 3.25);
    const grad = new Float32Array(x.length);
    expect(wasmGeluBackward(saved, dy, grad, 0, x.length)).toBe(true);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const want = cdf(v);
      if (Number.isNaN(v)) {
        expect(saved[i]).toBeNaN();
        expect(out[i]).toBeNaN();
        continue;
      }
      const close = (got: number, exact: number, what: string) => {
        const w = Math.fround(exact);
        if (!Number.isFinite(w)) return expect(got, what).toBe(w);
        const rel = Number.isFinite(v) ? 5e-7 + 2.5e-7 * ((v * v) / 2) : 0;
        if (Math.abs(w) < 1.2e-38) return expect(Math.abs(got - exact), `${what} (subnormal)`).toBeLessThanOrEqual(3e-45 * (1 + Math.abs(v)) + Math.abs(exact) * rel); // two of float32's smallest steps (of Φ, times x for gelu)
        if (v >= 0) expect(ulps(got, w), `${what}: got ${got}, exact ${w}`).toBeLessThanOrEqual(6); // the fit of Q alone is 1.1e-8; the exponential and the products round
        // below 0 the float32 z = |x|/√2 and z² are rounded (~2·10⁻⁷·z² in all), which the result keeps as relative error
        else expect(Math.abs(got - exact) / Math.abs(exact), what).toBeLessThan(rel);
      };
      if (!Number.isFinite(v)) continue; // at ±∞: x·Φ(x) is ∞·1 or −∞·0, the slope 1 + ∞·0 or 0 − ∞·0, as PyTorch computes them
      close(out[i]!, v * want, `gelu(${v})`);
      const slope = want + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
      expect(Math.abs(saved[i]! - slope), `gelu'(${v})`).toBeLessThanOrEqual(3e-7 * (1 + Math.abs(slope)));
      expect(grad[i], `dy·gelu'(${v})`).toBe(Math.fround(dy[i]! * saved[i]!));
    }
  });
});

/** erfc(z) for z >= 0 in float64 to ~1e-15 relative: 1 − the Maclaurin series of erf below 2.5, the continued fraction above. */
function erfcExact(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 2.5) {
    let term = z, sum = z;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), evaluated from the tail
  let f = z;
  for (let k = 60; k >= 1; k--) f = z + k / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

describe('wasmRelu (relu and its gradient on WebAssembly SIMD)', () => {
  const bits = (a: Float32Array) => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));
  // NaNs with either sign and a payload, and the signed zeros and infinities
  const specials = new Float32Array(new Int32Array([0x7fc00000, 0xffc00001 | 0, 0x7f800001, 0x80000000 | 0, 0, 0x7f800000, 0xff800000 | 0, 1, 0x80000001 | 0]).buffer);

  it('relu keeps every bit of a value whose sign bit is clear or that is a NaN, and gives +0 for the rest', () => {
    const x = new Float32Array([...specials, ...samples().subarray(0, 40003)]);
    const out = new Float32Array(x.length).fill(9);
    expect(wasmRelu(x, null, out, 0, x.length)).toBe(true);
    const xb = bits(x);
    const want = xb.map((b) => (b >= 0 || (b & 0x7fffffff) > 0x7f800000 ? b : 0));
    expect(bits(out)).toEqual(want);
  });

  it("relu's gradient passes dy's bits exactly where x > 0 (not at NaN or either zero) and is +0 elsewhere, over ranges that cross chunks", () => {
    const n = 16384 * 2 + 77;
    const x = new Float32Array(n).map((_, i) => Math.sin(i * 1.3));
    x.set(specials, 100);
    const dy = new Float32Array(n).map((_, i) => Math.cos(i));
    dy.set(specials, 200);
    dy.set(specials, 100); // NaN and infinite gradients at masked and unmasked positions alike
    const out = new Float32Array(n).fill(7);
    expect(wasmRelu(x, dy, out, 3, n - 2)).toBe(true);
    expect([out[0], out[2], out[n - 2], out[n - 1]]).toEqual([7, 7, 7, 7]);
    const ob = bits(out);
    const db = bits(dy);
    for (let i = 3; i < n - 2; i++) if (ob[i] !== (x[i]! > 0 ? db[i] : 0)) expect.fail(`at ${i}: x ${x[i]}, dy ${dy[i]}, got ${out[i]}`);
  });
});
