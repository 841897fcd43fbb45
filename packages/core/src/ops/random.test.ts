import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { full, manualSeed, tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { bernoulli, multinomial, randint, randperm } from './random';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const values = (t: Tensor): number[] => Array.from(t.dataSync());
// the share of `xs` equal to each of 0..k-1
const frequencies = (xs: number[], k: number): number[] => {
  const counts = new Array<number>(k).fill(0);
  for (const x of xs) counts[x]!++;
  return counts.map((c) => c / xs.length);
};

describe('randint', () => {
  it('draws int32 in [low, high), every value, reproducibly under manualSeed', () => {
    manualSeed(1);
    const a = randint(-3, 4, [20000]);
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([20000]);
    const xs = values(a);
    expect(Math.min(...xs)).toBe(-3);
    expect(Math.max(...xs)).toBe(3);
    frequencies(xs.map((x) => x + 3), 7).forEach((f) => expect(Math.abs(f - 1 / 7)).toBeLessThan(0.02));
    manualSeed(1);
    expect(values(randint(-3, 4, [20000]))).toEqual(xs);
    expect(values(randint(-3, 4, [20000]))).not.toEqual(xs); // the next draw differs
  });

  it("takes PyTorch's randint(high, shape) and a float32 dtype", () => {
    manualSeed(2);
    const a = randint(5, [2, 3]);
    expect(a.shape).toEqual([2, 3]);
    expect(values(a).every((x) => x >= 0 && x < 5 && Number.isInteger(x))).toBe(true);
    manualSeed(2);
    expect(values(randint(0, 5, [2, 3]))).toEqual(values(a));
    const f = randint(0, 2, [10], { dtype: 'float32' });
    expect(f.dtype).toBe('float32');
    expect(values(f).every((x) => x === 0 || x === 1)).toBe(true);
    expect(randint(0, 1, [4]).tolist()).toEqual([0, 0, 0, 0]);
    expect(randint(0, 3, [0]).shape).toEqual([0]);
  });

  it('throws for an empty range, non-integers, a bad shape and unknown options', () => {
    expect(() => randint(3, 3, [2])).toThrow(/randint: expects low < high/);
    expect(() => randint(0.5, 3, [2])).toThrow(/randint: low must be an integer/);
    expect(() => randint(0, 3, [-1])).toThrow(/randint: shape must be/);
    expect(() => randint(0, 3, [2], { dtpye: 'int32' } as never)).toThrow(/randint: unknown option 'dtpye'/);
    expect(() => randint(0, 3, [2], { dtype: 'int64' } as never)).toThrow(/randint: .*dtype "int64"/);
    expect(() => randint(0, 2 ** 25, [2])).toThrow(/randint: .*at most 2\^24/);
    expect(() => (randint as (...a: unknown[]) => Tensor)([2])).toThrow(/randint: takes \(high, shape\) or \(low, high, shape\)/);
  });
});

describe('randperm', () => {
  it('is a permutation of 0..n-1, reproducible under manualSeed', () => {
    manualSeed(3);
    const p = randperm(50);
    expect(p.dtype).toBe('int32');
    const xs = values(p);
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    manualSeed(3);
    expect(values(randperm(50))).toEqual(xs);
    expect(randperm(0).shape).toEqual([0]);
    expect(() => randperm(-1)).toThrow(/randperm: n must be a non-negative integer/);
  });

  it('puts each value first about equally often', () => {
    manualSeed(4);
    const firsts: number[] = [];
    for (let i = 0; i < 4000; i++) firsts.push(values(randperm(4))[0]!);
    frequencies(firsts, 4).forEach((f) => expect(Math.abs(f - 0.25)).toBeLessThan(0.03));
  });
});

describe('multinomial', () => {
  it('with replacement: 20,000 draws of [0.1, 0.2, 0.7] within ±0.02, weights need not sum to 1', () => {
    manualSeed(5);
    const s = multinomial(tensor([0.1, 0.2, 0.7]), 20000, { replacement: true });
    expect(s.dtype).toBe('int32');
    expect(s.shape).toEqual([20000]);
    const f = frequencies(values(s), 3);
    [0.1, 0.2, 0.7].forEach((p, i) => expect(Math.abs(f[i]! - p)).toBeLessThan(0.02));
    manualSeed(5);
    expect(values(multinomial(tensor([1, 2, 7]), 20000, { replacement: true }))).toEqual(values(s));
  });

  it('samples each row of a 2-D probs on its own and never draws a zero weight', () => {
    manualSeed(6);
    const s = multinomial(tensor([[1, 0, 0, 0], [0, 0, 0, 3], [0, 1, 0, 1]]), 1000, { replacement: true });
    expect(s.shape).toEqual([3, 1000]);
    const rows = s.tolist() as number[][];
    expect(rows[0]!.every((x) => x === 0)).toBe(true);
    expect(rows[1]!.every((x) => x === 3)).toBe(true);
    expect(rows[2]!.every((x) => x === 1 || x === 3)).toBe(true);
    expect(Math.abs(frequencies(rows[2]!, 4)[1]! - 0.5)).toBeLessThan(0.06);
  });

  it('without replacement: distinct categories, the first one drawn by the weights', () => {
    manualSeed(7);
    const probs = tensor([0.1, 0.2, 0.7]).reshape([1, 3]).expand([20000, 3]);
    const one = multinomial(probs, 1);
    expect(one.shape).toEqual([20000, 1]);
    const f = frequencies(values(one), 3);
    [0.1, 0.2, 0.7].forEach((p, i) => expect(Math.abs(f[i]! - p)).toBeLessThan(0.02));
    const two = multinomial(probs, 2).tolist() as number[][];
    expect(two.every(([a, b]) => a !== b)).toBe(true);
    // P(category 2 among the two) = 1 - (0.1·0.2/0.9 + 0.2·0.1/0.8) = 0.95278
    const withTwo = two.filter((r) => r.includes(2)).length / two.length;
    expect(Math.abs(withTwo - 0.95278)).toBeLessThan(0.02);
    const all = values(multinomial(tensor([5, 1, 0.5, 2]), 4));
    expect([...all].sort()).toEqual([0, 1, 2, 3]);
    expect(values(multinomial(tensor([0, 0, 1, 0]), 1))).toEqual([2]);
  });

  it('is reproducible under manualSeed', () => {
    manualSeed(8);
    const a = values(multinomial(tensor([[0.3, 0.3, 0.4], [0.5, 0.25, 0.25]]), 2));
    manualSeed(8);
    expect(values(multinomial(tensor([[0.3, 0.3, 0.4], [0.5, 0.25, 0.25]]), 2))).toEqual(a);
  });

  it('throws for negative, non-finite or all-zero weights and impossible counts', () => {
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(/multinomial: probability tensor contains either inf, nan or element < 0/);
    expect(() => multinomial(tensor([0.5, NaN]), 1)).toThrow(/multinomial: probability tensor contains/);
    expect(() => multinomial(tensor([[1, 1], [0, 0]]), 1)).toThrow(/multinomial: invalid multinomial distribution \(sum of probabilities <= 0\) in row 1/);
    expect(() => multinomial(tensor([1, 1, 1]), 4)).toThrow(/multinomial: cannot sample numSamples 4 > the number of categories 3 without replacement/);
    expect(() => multinomial(tensor([1, 0, 1]), 3)).toThrow(/multinomial: .*not enough non-negative category/);
    expect(() => multinomial(tensor([1, 1]), 0)).toThrow(/multinomial: numSamples must be a positive integer/);
    expect(() => multinomial(tensor([[[1]]]), 1)).toThrow(/multinomial: probs must be 1-D or 2-D/);
    expect(() => multinomial(tensor([1, 1], { dtype: 'int32' }), 1)).toThrow(/multinomial: probs must be a float32 tensor/);
    expect(() => multinomial(tensor([1, 1]), 1, { replace: true } as never)).toThrow(/multinomial: unknown option 'replace'/);
    expect(multinomial(tensor([1, 1]), 5, { replacement: true }).shape).toEqual([5]);
  });
});

describe('bernoulli', () => {
  it('gives float32 0/1 with probability p, reproducibly', () => {
    manualSeed(9);
    const s = bernoulli(full([20000], 0.3));
    expect(s.dtype).toBe('float32');
    const xs = values(s);
    expect(xs.every((x) => x === 0 || x === 1)).toBe(true);
    expect(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 0.3)).toBeLessThan(0.02);
    manualSeed(9);
    expect(values(bernoulli(full([20000], 0.3)))).toEqual(xs);
    expect(bernoulli(tensor([[0, 1], [1, 0]])).tolist()).toEqual([[0, 1], [1, 0]]);
  });

  it('throws for p outside [0, 1] and non-float p', () => {
    expect(() => bernoulli(tensor([0.5, 1.5]))).toThrow(/bernoulli: expects 0 <= p <= 1, got 1.5/);
    expect(() => bernoulli(tensor([1], { dtype: 'int32' }))).toThrow(/bernoulli: p must be a float32 tensor/);
  });
});
