import { describe, expect, it } from 'vitest';
import { conv2dBackwardInputRange, conv2dBackwardWeightRange, conv2dPlan, conv2dRange, type Conv2dPlan } from './kernels';
import { maxRelativeError, randomFloats, splitRanges } from './testing';

/** Calls `visit(xIndex, wIndex, yIndex)` for every multiply of a direct NCHW/OIHW convolution. */
function forEachTap(p: Conv2dPlan, visit: (xi: number, wi: number, yi: number) => void): void {
  for (let img = 0; img < p.n; img++)
    for (let oc = 0; oc < p.o; oc++)
      for (let oy = 0; oy < p.oh; oy++)
        for (let ox = 0; ox < p.ow; ox++)
          for (let ch = 0; ch < p.c; ch++)
            for (let ki = 0; ki < p.kh; ki++)
              for (let kj = 0; kj < p.kw; kj++) {
                const iy = oy * p.stride - p.padding + ki;
                const ix = ox * p.stride - p.padding + kj;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                visit(((img * p.c + ch) * p.h + iy) * p.w + ix, ((oc * p.c + ch) * p.kh + ki) * p.kw + kj, ((img * p.o + oc) * p.oh + oy) * p.ow + ox);
              }
}

const cases: { x: number[]; w: number[]; stride: number; padding: number; tolerance?: number }[] = [
  { x: [2, 3, 7, 6], w: [4, 3, 3, 3], stride: 1, padding: 0 },
  { x: [2, 3, 7, 6], w: [4, 3, 3, 3], stride: 1, padding: 1 },
  { x: [1, 2, 9, 8], w: [5, 2, 3, 2], stride: 2, padding: 1 },
  { x: [3, 2, 8, 8], w: [3, 2, 5, 5], stride: 3, padding: 2 },
  { x: [2, 6, 5, 5], w: [7, 6, 1, 1], stride: 1, padding: 0 }, // pointwise: no im2col
  { x: [1, 4, 6, 6], w: [2, 4, 1, 1], stride: 2, padding: 1 },
  { x: [1, 16, 12, 12], w: [20, 16, 3, 3], stride: 1, padding: 1 }, // large enough for the packed gemm path
  // several blocks of the column matrix on each side; the weight gradient sums 4,608 terms, so float32 rounding shows
  { x: [2, 32, 48, 48], w: [4, 32, 3, 3], stride: 1, padding: 1, tolerance: 1e-4 },
  // more output channels than one block of the product's depth (the input gradient folds in TypeScript)
  { x: [2, 2, 6, 5], w: [300, 2, 3, 3], stride: 1, padding: 1 },
  // an image too large for the wasm image area (TypeScript im2col); 10,000 terms per weight
  { x: [1, 8, 200, 200], w: [1, 8, 2, 2], stride: 2, padding: 0, tolerance: 1e-4 },
];

describe('conv2d kernels', () => {
  for (const { x: xShape, w: wShape, stride, padding, tolerance = 1e-5 } of cases) {
    const name = `x [${xShape}] w [${wShape}] stride ${stride} padding ${padding}`;
    const plan = conv2dPlan(xShape, wShape, { stride, padding });
    const x = randomFloats(xShape.reduce((s, d) => s * d, 1), 31);
    const w = randomFloats(wShape.reduce((s, d) => s * d, 1), 32);
    const yLength = plan.n * plan.o * plan.oh * plan.ow;
    const dy = randomFloats(yLength, 33);

    it(`forward matches a direct convolution for ${name}, split by output planes`, () => {
      const want = new Float64Array(yLength);
      forEachTap(plan, (xi, wi, yi) => (want[yi] += x[xi]! * w[wi]!));
      for (const parts of [1, 3]) {
        const y = new Float32Array(yLength).fill(NaN);
        for (const [s, e] of splitRanges(plan.n * plan.o, parts, parts)) conv2dRange(x, w, y, plan, s, e);
        expect(maxRelativeError(y, want)).toBeLessThan(tolerance);
      }
    });

    it(`input gradient is the adjoint of the direct convolution for ${name}, split by input planes`, () => {
      const want = new Float64Array(x.length);
      forEachTap(plan, (xi, wi, yi) => (want[xi] += dy[yi]! * w[wi]!));
      for (const parts of [1, 4]) {
        const dx = new Float32Array(x.length).fill(NaN);
        for (const [s, e] of splitRanges(plan.n * plan.c, parts, parts)) conv2dBackwardInputRange(dy, w, dx, plan, s, e);
        expect(maxRelativeError(dx, want)).toBeLessThan(tolerance);
      }
    });

    it(`weight gradient sums over images for ${name}, split by output channels`, () => {
      const want = new Float64Array(w.length);
      forEachTap(plan, (xi, wi, yi) => (want[wi] += dy[yi]! * x[xi]!));
      for (const parts of [1, 3]) {
        const dw = new Float32Array(w.length).fill(NaN);
        for (const [s, e] of splitRanges(plan.o, parts, parts)) conv2dBackwardWeightRange(x, dy, dw, plan, s, e);
        expect(maxRelativeError(dw, want)).toBeLessThan(tolerance);
      }
    });
  }

  it('rejects a channel mismatch, naming both shapes', () => {
    expect(() => conv2dPlan([1, 3, 5, 5], [2, 4, 3, 3], { stride: 1, padding: 0 })).toThrow('conv2d: input [1,3,5,5] has 3 channels but weight [2,4,3,3] expects 4');
  });
});
