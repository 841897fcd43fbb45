import { describe, expect, it } from 'vitest';
import { runChunks, type Task } from './task';

/** A `fill` task over `units` zeros: every unit a range ran reads 1 afterwards. */
function recording(units: number): { task: Task; out: Float32Array } {
  const out = new Float32Array(new SharedArrayBuffer(units * 4));
  return { task: { kind: 'fill', out, value: 1, dtype: 'float32' }, out };
}

describe('runChunks', () => {
  it('runs every unit exactly once in chunks of one size, the home chunk first', () => {
    const { task, out } = recording(1000);
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    ctrl[0] = 2; // chunks 0 and 1 are other threads' homes
    expect(runChunks(ctrl, 0, task, 1000, 300, 0)).toBe(3); // home chunk 0, then it claims chunks 2 and 3 (the counter starts at 2)
    expect(out.slice(0, 300).every((v) => v === 1)).toBe(true);
    expect(out.slice(300, 600).every((v) => v === 0)).toBe(true); // chunk 1 belongs to another thread
    expect(out.slice(600).every((v) => v === 1)).toBe(true);
  });

  it('with shrink, claims a share of what is left each time, never below the smallest chunk, covering every unit once', () => {
    const units = 10_000;
    const { task, out } = recording(units);
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const ran = runChunks(ctrl, 0, task, units, 64, -1, 4);
    expect(out.every((v) => v === 1)).toBe(true);
    expect(ctrl[0]).toBe(units);
    // 1/4 of what is left per claim, rounded up to 64, at least 64: 2,560, then 1,920, 1,472, ... then 64s
    let left = units;
    let claims = 0;
    while (left > 0) {
      left -= Math.min(left, Math.max(64, Math.ceil(left / 4 / 64) * 64));
      claims++;
    }
    expect(ran).toBe(claims);
    expect(ran).toBeLessThan(40); // far fewer than 10,000 / 64 = 157 equal chunks
  });

  it('with shrink, never claims more than the largest chunk', () => {
    const { task, out } = recording(10_000);
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const ran = runChunks(ctrl, 0, task, 10_000, 64, -1, 4, 640);
    expect(out.every((v) => v === 1)).toBe(true);
    // capped at 640 while a quarter of what is left exceeds it (down to 2,560 left), then shrinking
    expect(ran).toBeGreaterThanOrEqual(Math.ceil((10_000 - 2_560) / 640));
  });

  it('with shrink, leaves the units other threads claimed alone, starting where the counter stands', () => {
    const { task, out } = recording(512);
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    ctrl[0] = 256; // another thread claimed the first half
    runChunks(ctrl, 0, task, 512, 32, -1, 2);
    expect(out.slice(0, 256).every((v) => v === 0)).toBe(true);
    expect(out.slice(256).every((v) => v === 1)).toBe(true);
  });
});
