import { describe, expect, it } from 'vitest';
import { permutePlan } from '../kernels/layout';
import { cpuBackend } from '../backend';
import { wasmPermute } from './elementwise';

/** out[o] for a permute, by its definition: output index → input index. */
function naivePermute(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(x.length);
  for (let o = 0; o < x.length; o++) {
    let q = o, i = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      i += (q % outShape[d]!) * inStrides[perm[d]!]!;
      q = Math.floor(q / outShape[d]!);
    }
    out[o] = x[i]!;
  }
  return out;
}

/** Floats 0, 1, 2, … with NaNs of distinct payloads here and there, which a bit copy keeps. */
function values(n: number): Float32Array {
  const x = new Float32Array(n).map((_, i) => i);
  const bits = new Int32Array(x.buffer);
  for (let i = 5; i < n; i += 97) bits[i] = 0x7fc00000 | i;
  return x;
}

const bitsOf = (a: Float32Array) => new Int32Array(a.buffer, a.byteOffset, a.length);

describe('wasmPermute (a permute on WebAssembly SIMD)', () => {
  const cases: [number[], number[], boolean][] = [
    [[12, 64, 4, 32], [0, 2, 1, 3], true], // attention's heads: 12 blocks of 8192
    [[12, 4, 64, 32], [0, 2, 1, 3], true], // and back
    [[3, 5, 7, 8], [0, 2, 1, 3], true],
    [[2, 6, 5, 4, 12], [0, 3, 2, 1, 4], false], // five dims once collapsed: declined
    [[2, 3, 40, 8], [0, 2, 1, 3], true],
    [[4, 6, 5, 6], [0, 2, 1, 3], false], // rows of 6: not a whole number of vectors
    [[3, 5, 7, 8], [0, 3, 1, 2], false], // the last dim moves
    [[3, 5, 7, 8], [1, 0, 2, 3], false], // the first dim moves
    [[2, 256, 2, 32], [0, 2, 1, 3], true], // a block of 16,384 floats: one chunk
    [[2, 512, 2, 32], [0, 2, 1, 3], false], // blocks over a chunk
    [[128, 128], [1, 0], false], // two dims
  ];
  for (const [shape, perm, wasm] of cases) {
    it(`permutes [${shape.join(',')}] by [${perm.join(',')}] as the definition says, bit for bit (${wasm ? 'in the module' : 'declined'})`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = values(n);
      const plan = permutePlan(shape, perm);
      const out = new Float32Array(n);
      const took = wasmPermute(x, out, plan, 0, n);
      expect(took).toBe(wasm);
      if (took) expect(bitsOf(out)).toEqual(bitsOf(naivePermute(x, shape, perm)));
      else expect(out.every((v) => v === 0)).toBe(true); // declined: nothing written
    });
  }

  it('copies block-aligned pieces of the range alike, and declines a range off block boundaries', () => {
    const shape = [12, 64, 4, 32], perm = [0, 2, 1, 3], n = 98304;
    const x = values(n);
    const plan = permutePlan(shape, perm);
    const want = naivePermute(x, shape, perm);
    const out = new Float32Array(n);
    for (const [a, b] of [[0, 8192], [8192, 5 * 8192], [5 * 8192, n]]) expect(wasmPermute(x, out, plan, a!, b!)).toBe(true);
    expect(bitsOf(out)).toEqual(bitsOf(want));
    expect(wasmPermute(x, new Float32Array(n), plan, 0, 1000)).toBe(false);
    expect(wasmPermute(x, new Float32Array(n), plan, 64, n)).toBe(false);
  });

  it('declines int32 data (the loop copies it)', () => {
    const plan = permutePlan([12, 64, 4, 32], [0, 2, 1, 3]);
    expect(wasmPermute(new Int32Array(98304), new Int32Array(98304), plan, 0, 98304)).toBe(false);
  });

  it("is the cpu backend's permute: the same values as the loop, NaN payloads included", () => {
    const b = cpuBackend();
    const shape = [3, 16, 4, 8];
    const x = values(1536);
    const id = b.write(x, shape, 'float32');
    const out = b.kernels.permute({ id, shape, dtype: 'float32' }, [0, 2, 1, 3]);
    expect(bitsOf(b.readSync!(out) as Float32Array)).toEqual(bitsOf(naivePermute(x, shape, [0, 2, 1, 3])));
  });
});
