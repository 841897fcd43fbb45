import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { manualSeed, zeros } from '../creation';
import { setBackend } from '../registry';
import * as nn from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
  manualSeed(11);
});

const stats = (v: Float32Array | Int32Array | Uint8Array) => {
  const a = Array.from(v);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length);
  return { mean, std, min: Math.min(...a), max: Math.max(...a) };
};

describe('nn.init', () => {
  it("fans and gains as PyTorch's", () => {
    expect(nn.init.calculateFanInAndFanOut(zeros([8, 4, 3, 3]))).toEqual([36, 72]);
    expect(nn.init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(nn.init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(() => nn.init.calculateFanInAndFanOut(zeros([3]))).toThrow(/fewer than 2 dimensions/);
  });

  it('xavier and kaiming draw with the right bound and spread, in place on a parameter', () => {
    const w = nn.Parameter(zeros([200, 300]));
    expect(nn.init.xavierUniform_(w)).toBe(w);
    const a = Math.sqrt(6 / 500);
    const s = stats(w.dataSync());
    expect(s.max).toBeLessThanOrEqual(a);
    expect(s.min).toBeGreaterThanOrEqual(-a);
    expect(s.std).toBeCloseTo(a / Math.sqrt(3), 3);
    nn.init.kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' });
    expect(stats(w.dataSync()).std).toBeCloseTo(Math.SQRT2 / Math.sqrt(200), 3);
    expect(w.requiresGrad).toBe(true);
    expect(() => nn.init.kaimingUniform_(w, { mode: 'fan_in' } as never)).toThrow(/mode must be one of 'fanIn', 'fanOut'/);
  });

  it('truncNormal_ keeps every value inside [a, b] with the truncated spread', () => {
    const t = zeros([100000]);
    nn.init.truncNormal_(t, 0, 1, -1, 1);
    const s = stats(t.dataSync());
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThanOrEqual(1);
    expect(s.mean).toBeCloseTo(0, 2);
    expect(s.std).toBeCloseTo(0.5380, 2); // std of N(0, 1) truncated to [-1, 1]
    nn.init.zeros_(t);
    expect(stats(t.dataSync()).max).toBe(0);
    nn.init.constant_(t, 0.5);
    expect(stats(t.dataSync()).min).toBe(0.5);
  });
});
