import { describe, expect, it } from 'vitest';
import { layerNormBackwardRange, layerNormRange } from '../kernels/activation';
import { randomFloats } from '../testing';
import { wasmLayerNorm, wasmLayerNormBackward, wasmLayerNormParamGrad } from './elementwise';

/** float64 layer norm of one row, and its input gradient for `dy` (w may be null). */
function reference(x: ArrayLike<number>, w: ArrayLike<number> | null, b: ArrayLike<number> | null, dy: ArrayLike<number>, eps: number) {
  const n = x.length;
  const mu = Array.from(x).reduce((a, v) => a + v, 0) / n;
  const inv = 1 / Math.sqrt(Array.from(x).reduce((a, v) => a + (v - mu) ** 2, 0) / n + eps);
  const xh = Array.from(x, (v) => (v - mu) * inv);
  const y = xh.map((v, j) => v * (w ? w[j]! : 1) + (b ? b[j]! : 0));
  const g = Array.from(dy, (d, j) => d * (w ? w[j]! : 1));
  const mg = g.reduce((a, v) => a + v, 0) / n;
  const mgx = g.reduce((a, v, j) => a + v * xh[j]!, 0) / n;
  return { mu, inv, y, dx: g.map((v, j) => inv * (v - mg - xh[j]! * mgx)) };
}

describe('layer norm on WebAssembly SIMD', () => {
  it('matches float64 on rows of every width that is a multiple of 4, with and without w and b, offset data included', () => {
    for (const cols of [4, 8, 12, 36, 128, 260]) {
      for (const affine of [false, true]) {
        for (const offset of [0, 100]) {
          const rows = Math.max(3, Math.ceil(20000 / cols)); // more than one chunk for the wide rows
          const x = randomFloats(rows * cols, cols + offset).map((v) => v * 3 + offset);
          const w = affine ? randomFloats(cols, 5) : null;
          const b = affine ? randomFloats(cols, 6) : null;
          const dy = randomFloats(rows * cols, 9);
          const [out, mean, rstd, dx] = [new Float32Array(x.length), new Float32Array(rows), new Float32Array(rows), new Float32Array(x.length)];
          expect(wasmLayerNorm(x, w, b, 1e-5, out, mean, rstd, cols, 1, rows)).toBe(true);
          expect(wasmLayerNormBackward(x, w, mean, rstd, dy, dx, cols, 1, rows)).toBe(true);
          expect(out.subarray(0, cols).every((v) => v === 0) && mean[0] === 0 && dx[0] === 0).toBe(true); // row 0 untouched
          const worst = { mean: 0, rstd: 0, y: 0, dx: 0 };
          for (let r = 1; r < rows; r++) {
            const at = r * cols;
            const ref = reference(x.subarray(at, at + cols), w, b, dy.subarray(at, at + cols), 1e-5);
            worst.mean = Math.max(worst.mean, Math.abs(mean[r]! - ref.mu) / (Math.abs(ref.mu) + 1));
            worst.rstd = Math.max(worst.rstd, Math.abs(rstd[r]! - ref.inv) / ref.inv);
            for (let j = 0; j < cols; j++) {
              worst.y = Math.max(worst.y, Math.abs(out[at + j]! - ref.y[j]!) / (1 + Math.abs(ref.y[j]!)));
              worst.dx = Math.max(worst.dx, Math.abs(dx[at + j]! - ref.dx[j]!) / ref.inv);
            }
          }
          const label = `cols ${cols}, affine ${affine}, offset ${offset}`;
          expect(worst.mean, label).toBeLessThan(1e-7);
          expect(worst.rstd, label).toBeLessThan(3e-7);
          expect(worst.y, label).toBeLessThan(2e-6);
          // the input gradient starts from float32 mean and rstd, as every implementation does: a looser bound for offset data
          expect(worst.dx, label).toBeLessThan(offset ? 2e-3 : 2e-5);
        }
      }
    }
  });

  it('leaves widths that are not a multiple of 4 to the TypeScript loop, which gives the same numbers within float32 rounding', () => {
    const x = randomFloats(3 * 6, 1);
    const [out, mean, rstd] = [new Float32Array(18), new Float32Array(3), new Float32Array(3)];
    expect(wasmLayerNorm(x, null, null, 1e-5, out, mean, rstd, 6, 0, 3)).toBe(false);
    layerNormRange(x, null, null, 1e-5, out, mean, rstd, 6, 0, 3);
    const dx = new Float32Array(18);
    layerNormBackwardRange(x, null, mean, rstd, x, dx, 6, 0, 3);
    for (let r = 0; r < 3; r++) {
      const ref = reference(x.subarray(r * 6, r * 6 + 6), null, null, x.subarray(r * 6, r * 6 + 6), 1e-5);
      for (let j = 0; j < 6; j++) {
        expect(out[r * 6 + j]).toBeCloseTo(ref.y[j]!, 5);
        expect(dx[r * 6 + j]).toBeCloseTo(ref.dx[j]!, 4);
      }
    }
  });

  it('sums the weight and bias gradients in float64 row by row', () => {
    const [rows, cols] = [300, 64]; // more rows than one chunk holds at the narrow range
    const x = randomFloats(rows * cols, 3).map((v) => v * 2 + 1);
    const dy = randomFloats(rows * cols, 4);
    const [out, mean, rstd] = [new Float32Array(x.length), new Float32Array(rows), new Float32Array(rows)];
    wasmLayerNorm(x, null, null, 1e-5, out, mean, rstd, cols, 0, rows);
    const [dw, db] = [new Float32Array(cols), new Float32Array(cols)];
    expect(wasmLayerNormParamGrad(x, mean, rstd, dy, dw, db, rows, cols, 0, cols)).toBe(true);
    let worst = 0;
    for (let j = 0; j < cols; j++) {
      let sw = 0;
      let sb = 0;
      for (let r = 0; r < rows; r++) {
        sw += dy[r * cols + j]! * (x[r * cols + j]! - mean[r]!) * rstd[r]!;
        sb += dy[r * cols + j]!;
      }
      worst = Math.max(worst, Math.abs(dw[j]! - sw) / (1 + Math.abs(sw)), Math.abs(db[j]! - sb) / (1 + Math.abs(sb)));
    }
    expect(worst).toBeLessThan(1e-6);
    // only the whole range runs here (backend-worker sums the columns inline); part of it, or no rows, is the TypeScript loop's
    const [pw, pb] = [new Float32Array(cols), new Float32Array(cols)];
    expect(wasmLayerNormParamGrad(x, mean, rstd, dy, pw, pb, rows, cols, 16, 48)).toBe(false);
    expect(wasmLayerNormParamGrad(x, mean, rstd, dy, pw, pb, 0, cols, 0, cols)).toBe(false);
    expect(wasmLayerNormParamGrad(x.subarray(0, rows * 6), mean, rstd, dy, pw, pb, rows, 6, 0, 6)).toBe(false); // not a multiple of 4
  });
});
