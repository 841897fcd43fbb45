import { describe, expect, it } from 'vitest';
import { gemm, matmulPlan, matmulRange } from './kernels';
import { maxRelativeError, randomFloats, splitRanges } from './testing';

/** Textbook batched matmul in float64 over the contract's layouts, with NumPy batch broadcasting. */
function naiveMatmul(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], tA: boolean, tB: boolean, outShape: number[]): Float64Array {
  const r = outShape.length;
  const [m, n] = [outShape[r - 2]!, outShape[r - 1]!];
  const k = tA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!;
  const batchShape = outShape.slice(0, r - 2);
  const batch = batchShape.reduce((s, d) => s * d, 1);
  const out = new Float64Array(batch * m * n);
  const matrixIndex = (shape: number[], t: number): number => {
    // the batch index t in the output's batch shape, mapped to shape's own (broadcast) batch dims
    const own = shape.slice(0, shape.length - 2);
    let q = t;
    let index = 0;
    let scale = 1;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const i = q % batchShape[d]!;
      q = Math.floor(q / batchShape[d]!);
      const od = d - (batchShape.length - own.length);
      if (od >= 0) {
        index += (own[od] === 1 ? 0 : i) * scale;
        scale *= own[od]!;
      }
    }
    return index;
  };
  for (let t = 0; t < batch; t++) {
    const ao = matrixIndex(aShape, t) * m * k;
    const bo = matrixIndex(bShape, t) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ao + (tA ? p * m + i : i * k + p)]! * b[bo + (tB ? j * k + p : p * n + j)]!;
        out[t * m * n + i * n + j] = s;
      }
  }
  return out;
}

function shapeOf(batch: number[], rows: number, cols: number, transposed: boolean): number[] {
  return [...batch, transposed ? cols : rows, transposed ? rows : cols];
}

describe('blocked matmul', () => {
  // odd sizes cross every block edge: 4-wide tiles, 64-row and 256-deep blocks, the small-product paths
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 2],
    [4, 4, 4],
    [7, 9, 13],
    [1, 70, 33],
    [2, 19, 300],
    [67, 5, 9],
    [65, 37, 257],
    [130, 66, 520],
  ];
  for (const [m, n, k] of sizes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`matches a naive product for ${m}x${k} @ ${k}x${n}${tA ? ' transposing a' : ''}${tB ? ' transposing b' : ''}`, () => {
          const aShape = shapeOf([], m, k, tA);
          const bShape = shapeOf([], k, n, tB);
          const a = randomFloats(m * k, m + k);
          const b = randomFloats(k * n, n + 3);
          const out = new Float32Array(m * n).fill(NaN); // every element must be written
          matmulRange(a, b, out, matmulPlan(aShape, bShape, tA, tB, [m, n]), 0, m);
          expect(maxRelativeError(out, naiveMatmul(a, aShape, b, bShape, tA, tB, [m, n]))).toBeLessThan(1e-5);
        });
      }
    }
  }

  const batched: [number[], number[], number[]][] = [
    [[3], [3], [3]],
    [[3], [], [3]], // b shared: folded into one tall product
    [[1], [4], [4]],
    [[2, 1], [1, 3], [2, 3]],
    [[], [2, 2], [2, 2]],
  ];
  for (const [batchA, batchB, batchOut] of batched) {
    for (const tA of [false, true]) {
      it(`broadcasts batch [${batchA}] with [${batchB}] to [${batchOut}]${tA ? ' transposing a' : ''}, split in row ranges`, () => {
        const [m, n, k] = [6, 11, 9];
        const aShape = shapeOf(batchA, m, k, tA);
        const bShape = shapeOf(batchB, k, n, true);
        const rank = Math.max(aShape.length, bShape.length);
        // the contract gives equal ranks; pad the lower one with 1s
        const pad = (s: number[]): number[] => [...Array(rank - s.length).fill(1), ...s];
        const [as, bs] = [pad(aShape), pad(bShape)];
        const outShape = [...batchOut, m, n];
        const a = randomFloats(as.reduce((s, d) => s * d, 1), 21);
        const b = randomFloats(bs.reduce((s, d) => s * d, 1), 22);
        const plan = matmulPlan(as, bs, tA, true, outShape);
        const rows = outShape.reduce((s, d) => s * d, 1) / n;
        const want = naiveMatmul(a, as, b, bs, tA, true, outShape);
        for (const parts of [1, 3, 5]) {
          const out = new Float32Array(rows * n).fill(NaN);
          for (const [s, e] of splitRanges(rows, parts, parts)) matmulRange(a, b, out, plan, s, e);
          expect(maxRelativeError(out, want)).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('stages whole batches of small matrices together with the numbers of one product at a time, whatever the split (attention heads)', () => {
    for (const [tA, tB] of [[false, true], [false, false], [true, false], [true, true]] as const) {
      const [batch, m, n, k] = [10, 12, 16, 24];
      const aShape = tA ? [batch, k, m] : [batch, m, k];
      const bShape = tB && tA ? [1, n, k] : tB ? [batch, n, k] : [batch, k, n]; // a broadcast b once: repeated offsets
      const a = randomFloats(batch * m * k, 21);
      const b = randomFloats(bShape.reduce((x, y) => x * y, 1), 22);
      const plan = matmulPlan(aShape, bShape, tA, tB, [batch, m, n]);
      // one product at a time: gemm per batch, the pre-batching path
      const single = new Float32Array(batch * m * n);
      for (let t = 0; t < plan.batch; t++) gemm(a, plan.aOffsets[t]!, tA, b, plan.bOffsets[t]!, tB, single, t * plan.m * n, plan.m, n, k, 0, plan.m, false);
      for (const cuts of [[0, batch * m], [0, 5, 3 * m + 7, batch * m], [0, 2 * m, 9 * m, batch * m]]) {
        const out = new Float32Array(batch * m * n);
        for (let i = 0; i + 1 < cuts.length; i++) matmulRange(a, b, out, plan, cuts[i]!, cuts[i + 1]!);
        expect(Array.from(out)).toEqual(Array.from(single));
      }
      expect(maxRelativeError(single, naiveMatmul(a, aShape, b, bShape, tA, tB, [batch, m, n]))).toBeLessThan(1e-5);
    }
  });

  it('rejects inner dimensions that differ, naming both shapes', () => {
    expect(() => matmulPlan([3, 4], [5, 2], false, false, [3, 2])).toThrow('matmul: [3,4] @ [5,2]: inner dimensions 4 and 5 differ');
  });

  it('writes zeros for an empty inner dimension and adds into C when accumulating', () => {
    const c = new Float32Array([1, 2, 3, 4]);
    gemm(new Float32Array(0), 0, false, new Float32Array(0), 0, false, c, 0, 2, 2, 0, 0, 2, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
    const a = randomFloats(16 * 40, 1);
    const b = randomFloats(40 * 12, 2);
    const once = new Float32Array(16 * 12);
    gemm(a, 0, false, b, 0, false, once, 0, 16, 12, 40, 0, 16, false);
    const twice = once.slice();
    gemm(a, 0, false, b, 0, false, twice, 0, 16, 12, 40, 0, 16, true);
    expect(maxRelativeError(twice, once.map((v) => 2 * v))).toBeLessThan(1e-6);
  });
});
