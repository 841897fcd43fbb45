import { describe, expect, it } from 'vitest';
import { CASES } from './cases';
import { peakLoop, simdPeak, stepTimes } from './floor';
import { timeKernels } from './kernel-times';
import { SYSTEMS } from './systems';

describe('the SIMD peak loop', () => {
  it('does the multiply-adds it counts: 10 accumulators of n·x·0.999', async () => {
    const { run } = await peakLoop();
    expect(run(1000, 2)).toBeCloseTo(10 * 1000 * 2 * 0.999, 0);
    expect(run(1, 1)).toBeCloseTo(10 * 0.999, 5);
  });

  it('reports a finite positive rate and the instruction it measured', async () => {
    const peak = await simdPeak(20);
    expect(peak.gflops).toBeGreaterThan(0);
    expect(Number.isFinite(peak.gflops)).toBe(true);
    expect(['fused multiply-add', 'multiply and add']).toContain(peak.instruction);
  });
});

describe('stepTimes', () => {
  it("counts the MLP step's products (every layer's forward and weight gradient, the input gradient of all but the first) and times them as a part of the step", async () => {
    const system = await SYSTEMS.cpu();
    try {
      const { getBackend } = await import('@tensorgrad/core');
      const timing = timeKernels(getBackend().kernels);
      const c = CASES.find((k) => k.name === 'MLP step (batch 64)')!;
      const macs = (n: number, layers: [number, number][]) => layers.reduce((s, [i, o]) => s + n * i * o, 0);
      const layers: [number, number][] = [[784, 256], [256, 128], [128, 10]];
      const t0 = performance.now();
      const { flops, products, step } = stepTimes(system, timing, c, 0, 0); // no warm-up, the least timed: 3 steps
      const wall = performance.now() - t0;
      // forward and dW for every layer, dX for the two whose input needs a gradient
      expect(flops).toBe(2 * (2 * macs(64, layers) + macs(64, layers.slice(1))));
      expect(products).toBeGreaterThan(0);
      expect(products).toBeLessThan(step); // the products are a part of the step
      expect(3 * step).toBeLessThan(wall); // three steps, inside the call (which also makes the model and runs one untimed step)
      expect([...timing.times.keys()].some((k) => !k.startsWith('matmul'))).toBe(true); // other kernels were timed too, and left out
    } finally {
      await system.close();
    }
  });
});
