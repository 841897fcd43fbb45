/** The drawing pad's MNIST-like preprocessing. */
import { describe, expect, it } from 'vitest';
import { inkFromRgba, preprocessDrawing, SIDE } from './preprocess';

/** A `w × h` canvas with a filled rectangle of ink. */
function rect(w: number, h: number, x0: number, y0: number, rw: number, rh: number): Float32Array {
  const ink = new Float32Array(w * h);
  for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) ink[y * w + x] = 1;
  return ink;
}

function bounds(image: Float32Array) {
  let x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1, mass = 0, mx = 0, my = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = image[y * SIDE + x]!;
      if (v > 0.05) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
      mass += v; mx += v * x; my += v * y;
    }
  }
  return { w: x1 - x0 + 1, h: y1 - y0 + 1, cx: mx / mass, cy: my / mass, mass };
}

describe('preprocessDrawing', () => {
  it('scales the larger side to 20 pixels, keeps the aspect ratio and centres by mass', () => {
    // a tall bar in the top-left corner of a 280×280 pad
    const image = preprocessDrawing(rect(280, 280, 10, 5, 50, 200), 280, 280);
    const b = bounds(image);
    expect(b.h).toBe(20);
    expect(b.w).toBe(5);
    expect(Math.abs(b.cx - 13.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(b.cy - 13.5)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...image)).toBeLessThanOrEqual(1);
  });

  it('keeps the total ink in proportion (area averaging)', () => {
    const image = preprocessDrawing(rect(100, 100, 0, 0, 100, 100), 100, 100);
    expect(bounds(image).mass).toBeCloseTo(400, 3);
  });

  it('gives zeros for an empty pad', () => {
    expect(preprocessDrawing(new Float32Array(28 * 28), 28, 28).every((v) => v === 0)).toBe(true);
  });

  it('refuses a size that does not match', () => {
    expect(() => preprocessDrawing(new Float32Array(10), 4, 4)).toThrow(/expected 16 ink values for 4 × 4, got 10/);
    expect(() => preprocessDrawing(new Float32Array(0), 0, 4)).toThrow(/positive integers/);
  });

  it('reads the red channel of RGBA bytes', () => {
    const ink = inkFromRgba([255, 0, 0, 255, 51, 51, 51, 255]);
    expect(ink[0]).toBe(1);
    expect(ink[1]).toBeCloseTo(0.2, 6);
    expect(() => inkFromRgba([1, 2, 3])).toThrow(/multiple of 4/);
  });
});
