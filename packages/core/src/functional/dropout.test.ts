import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { manualSeed, ones } from '../creation';
import { setBackend } from '../registry';
import { dropout } from './dropout';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

describe('dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1 / (1 - p)', () => {
    manualSeed(0);
    const y = Array.from(dropout(ones([20000]), 0.3).dataSync());
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / y.length).toBeGreaterThan(0.29);
    expect(zeros / y.length).toBeLessThan(0.31);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(y.reduce((a, v) => a + v, 0) / y.length).toBeCloseTo(1, 1); // unbiased in expectation
  });

  it('draws the same mask after the same seed, and a new one otherwise', () => {
    manualSeed(7);
    const a = Array.from(dropout(ones([64])).dataSync());
    const b = Array.from(dropout(ones([64])).dataSync());
    manualSeed(7);
    const c = Array.from(dropout(ones([64])).dataSync());
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('passes the gradient through the kept elements only, scaled', () => {
    manualSeed(1);
    const x = ones([100], { requiresGrad: true });
    const y = dropout(x, 0.5);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual(Array.from(y.dataSync()));
  });

  it('is the identity when not training or when p is 0, and zero when p is 1', () => {
    const x = ones([3]);
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(Array.from(dropout(x, 1).dataSync())).toEqual([0, 0, 0]);
  });

  it('throws for a probability outside [0, 1]', () => {
    expect(() => dropout(ones([3]), 1.5)).toThrow('dropout: probability has to be between 0 and 1, but got 1.5');
    expect(() => dropout(ones([3]), -0.1)).toThrow(/between 0 and 1/);
  });
});
