import { describe, expect, it } from 'vitest';
import { binaryPlan, binaryRange } from '../kernels/binary';
import { wasmBinary, type RowsLayout } from './elementwise';

/** Values of every kind: normal, subnormal, huge (products overflow), ±0, ±Infinity, NaN. */
function values(n: number, seed: number): Float32Array {
  const special = [0, -0, 1e-45, -3e-39, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 1, -1];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = i % 7 === 0 ? special[(seed >>> 8) % special.length]! : ((seed / 2 ** 32 - 0.5) * 10 ** ((seed % 13) - 6));
  }
  return out;
}

/** The JavaScript reference: the float64 operation, rounded to float32 by the store. */
const reference = {
  add: (x: number, y: number) => x + y,
  sub: (x: number, y: number) => x - y,
  mul: (x: number, y: number) => x * y,
  div: (x: number, y: number) => x / y,
  eq: (x: number, y: number) => +(x === y),
  ne: (x: number, y: number) => +(x !== y),
  lt: (x: number, y: number) => +(x < y),
  le: (x: number, y: number) => +(x <= y),
  gt: (x: number, y: number) => +(x > y),
  ge: (x: number, y: number) => +(x >= y),
};
const OPS = Object.keys(reference) as (keyof typeof reference)[];
/** A comparison writes bytes; the arithmetic, floats. */
const outputOf = (op: keyof typeof reference, n: number) => (['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op) ? new Uint8Array(n) : new Float32Array(n));

/** Equal as float32 bit patterns, any NaN equal to any NaN. */
function expectSame(got: Float32Array | Uint8Array, want: Float32Array | Uint8Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]!) && Number.isNaN(got[i]!)) continue;
    if (!Object.is(got[i], want[i])) expect.fail(`${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

describe('wasmBinary (float32 arithmetic and comparisons on WebAssembly SIMD)', () => {
  const a = values(60_000, 1);
  const b = values(60_000, 2);
  /** Element (r, j) of an operand laid out as `kind` at `off` over rows of `cols`. */
  const at = (v: Float32Array, off: number, kind: RowsLayout, cols: number, r: number, j: number) =>
    v[off + (kind === 0 ? r * cols + j : kind === 1 ? j : kind === 2 ? r : 0)]!;
  // one long row (in pieces), rows longer than a chunk, many short rows over several chunks, a single row
  const shapes = [[1, 40_003], [3, 17_001], [500, 33], [41, 1_100], [1, 5]] as const;
  for (const op of OPS) {
    it(`${op}: the same bits as the JavaScript loop, for every layout of the operands`, () => {
      for (const [rows, cols] of shapes) {
        for (const ka of [0, 1, 2, 3] as const) {
          for (const kb of [0, 1, 2, 3] as const) {
            const ia = 5, ib = 9, io = 3;
            const want = outputOf(op, rows * cols + io + 2).fill(7); // nothing outside the output is written
            for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) want[io + r * cols + j] = reference[op](at(a, ia, ka, cols, r, j), at(b, ib, kb, cols, r, j));
            const got = outputOf(op, rows * cols + io + 2).fill(7);
            expect(wasmBinary(op, a, ia, ka, b, ib, kb, got, io, rows, cols)).toBe(true);
            expectSame(got, want, `${op} [${rows}, ${cols}], layouts ${ka}, ${kb}`);
          }
        }
      }
    });
  }

  it('one operand given twice is one square', () => {
    const got = new Float32Array(20_000);
    expect(wasmBinary('mul', a, 4, 0, a, 4, 0, got, 0, 2, 10_000)).toBe(true);
    expectSame(got, a.subarray(4, 20_004).map((v) => v * v), 'square');
  });

  it('refuses other ops, an output of the wrong type and empty outputs, doing nothing', () => {
    const out = new Float32Array(4).fill(7);
    expect(wasmBinary('pow', a, 0, 0, b, 0, 0, out, 0, 1, 4)).toBe(false);
    expect(wasmBinary('lt', a, 0, 0, b, 0, 0, out, 0, 1, 4)).toBe(false);
    expect(wasmBinary('add', a, 0, 0, b, 0, 0, new Uint8Array(4), 0, 1, 4)).toBe(false);
    expect(wasmBinary('add', a, 0, 0, b, 0, 0, out, 0, 0, 4)).toBe(false);
    expect(out).toEqual(new Float32Array(4).fill(7));
  });

  /** Element `o` of the row-major broadcast of `v` (of `shape`) to `out`. */
  function broadcastAt(v: Float32Array, shape: readonly number[], out: readonly number[], o: number): number {
    let i = 0;
    let stride = 1;
    for (let d = out.length - 1, q = o; d >= 0; d--) {
      const idx = q % out[d]!;
      q = (q - idx) / out[d]!;
      const sd = d - (out.length - shape.length);
      if (sd >= 0) {
        if (shape[sd] !== 1) i += idx * stride;
        stride *= shape[sd]!;
      }
    }
    return v[i]!;
  }

  it("binaryRange gives the loop's numbers for every broadcast, split anywhere", () => {
    const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
    const cases: [number[], number[]][] = [
      [[600, 100], [600, 100]],
      [[600, 100], [100]], // a bias: one row for all
      [[600, 100], [600, 1]], // one value per row
      [[600, 100], []],
      [[100], [600, 100]],
      [[600, 1], [600, 100]],
      [[600, 1], [1, 100]], // an outer product's layout: both broadcast
      [[600, 4], [4]], // short rows
      [[600, 4], [600, 1]], // short rows, a value per row: the loop's way
      [[12, 64, 128], [64, 128]], // a positional embedding: collapses to one row for all
      [[4, 50, 30], [4, 1, 30]], // three dims left after collapsing: row by row
      [[3, 20_000], [20_000]],
    ];
    for (const op of OPS) {
      for (const [aShape, bShape] of cases) {
        const outShape = aShape.length >= bShape.length ? aShape.map((d, i) => Math.max(d, bShape[i - (aShape.length - bShape.length)] ?? 1)) : bShape.map((d, i) => Math.max(d, aShape[i - (bShape.length - aShape.length)] ?? 1));
        const n = size(outShape);
        const x = values(size(aShape), 3);
        const y = values(size(bShape), 4);
        const want = outputOf(op, n);
        for (let o = 0; o < n; o++) want[o] = reference[op](broadcastAt(x, aShape, outShape, o), broadcastAt(y, bShape, outShape, o));
        const plan = binaryPlan(aShape, bShape, outShape);
        for (const cuts of [[0, n], [0, 1_234, 17_001, n], [0, 77, n - 50, n]]) {
          const got = outputOf(op, n);
          for (let c = 0; c + 1 < cuts.length; c++) binaryRange(op, x, y, got, plan, Math.min(cuts[c]!, n), Math.min(cuts[c + 1]!, n));
          expectSame(got, want, `${op} [${aShape.join(',')}] with [${bShape.join(',')}], ranges cut at ${cuts.join(',')}`);
        }
      }
    }
  });
});
