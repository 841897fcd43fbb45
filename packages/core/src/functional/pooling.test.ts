import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { arange, ones, tensor } from '../creation';
import { setBackend } from '../registry';
import { avgPool2d, maxPool2d } from './pooling';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

/** The cpu backend without its fused max-pooling kernels, so the unfold + argmax + gather composition runs. */
function composedBackend(): Backend {
  const b = cpuBackend();
  return { ...b, supports: { ...b.supports, fused: [] }, kernels: { ...b.kernels, maxPool2d: undefined, maxPool2dIndices: undefined } };
}

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const grid = (h: number, w: number) => arange(0, h * w, 1, { dtype: 'float32' }).reshape([1, 1, h, w]).requiresGrad_();

describe.each([
  ['the fused kernels', cpuBackend],
  ['the composition', composedBackend],
])('maxPool2d on %s', (_name, make) => {
  beforeAll(async () => {
    await setBackend(make());
  });
  afterAll(async () => {
    await setBackend(cpuBackend());
  });

  it('takes the maximum of each window and sends its gradient there', () => {
    const x = grid(4, 4);
    const y = maxPool2d(x, 2);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(y.tolist()).toEqual([[[[5, 7], [13, 15]]]]);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
  });

  it('accumulates the gradient of a pixel that wins overlapping windows', () => {
    const x = grid(3, 3);
    const y = maxPool2d(x, 2, 1); // every window's max is its bottom-right pixel
    expect(y.tolist()).toEqual([[[[4, 5], [7, 8]]]]);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 1]);
  });

  it('gives a tied window its gradient at the first maximum only, as PyTorch', () => {
    const x = ones([1, 1, 2, 2], { requiresGrad: true });
    maxPool2d(x, 2).sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 0, 0, 0]);
  });

  it('gives the same values with a gradient wanted (a gather at the indices) as without (the values kernel)', () => {
    const values = Array.from({ length: 2 * 3 * 6 * 6 }, (_, i) => (i % 11 === 0 ? NaN : i % 7 === 0 ? -0 : Math.sin(i * 7.1)));
    const x = tensor(values, { shape: [2, 3, 6, 6] });
    const plain = maxPool2d(x, 3, 2).dataSync();
    const viaIndices = maxPool2d(x.clone().requiresGrad_(), 3, 2).dataSync();
    expect(viaIndices).toEqual(plain); // toEqual tells -0 from +0 and matches NaN with NaN
  });

  it('lets a NaN win its window, value and gradient', () => {
    const x = tensor([[[[1, NaN, 3, 2]]]], { requiresGrad: true });
    const y = maxPool2d(x, [1, 4]);
    expect(Number.isNaN(y.item())).toBe(true);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 1, 0, 0]);
  });

  it('pools several images and channels with strided rectangular windows, and differentiates twice', () => {
    const values = Array.from({ length: 2 * 3 * 5 * 7 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const x = tensor(values, { shape: [2, 3, 5, 7], requiresGrad: true });
    const y = maxPool2d(x, [2, 3], [2, 2]);
    expect(y.shape).toEqual([2, 3, 2, 3]);
    const upstream = tensor(Array.from({ length: 36 }, (_, i) => i + 1), { shape: [2, 3, 2, 3], requiresGrad: true });
    const [gx] = grad(y.mul(upstream).sum(), [x], { createGraph: true });
    const [gu] = grad(gx!.square().sum(), [upstream]); // d/du Σ (scatter u)² = 2·(gathered scatter u)
    const window = (img: number, ch: number, i: number, j: number): number[] => {
      const out: number[] = [];
      for (let r = 0; r < 2; r++) for (let q = 0; q < 3; q++) out.push(((img * 3 + ch) * 5 + 2 * i + r) * 7 + 2 * j + q);
      return out;
    };
    const want = new Array<number>(values.length).fill(0);
    const winners: number[] = [];
    for (let img = 0; img < 2; img++)
      for (let ch = 0; ch < 3; ch++)
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++) {
            const at = window(img, ch, i, j).reduce((best, k) => (values[k]! > values[best]! ? k : best));
            winners.push(at);
            want[at] = want[at]! + (((img * 3 + ch) * 2 + i) * 3 + j + 1);
          }
    expect(Array.from(y.dataSync())).toEqual(winners.map((k) => Math.fround(values[k]!)));
    expect(Array.from(gx!.dataSync())).toEqual(want);
    expect(Array.from(gu!.dataSync())).toEqual(winners.map((k) => 2 * want[k]!));
  });

  it('floors the output size and takes [C, H, W] input and rectangular windows', () => {
    expect(maxPool2d(ones([2, 5, 7]), 2).shape).toEqual([2, 2, 3]);
    expect(maxPool2d(ones([1, 1, 6, 6]), [3, 2]).shape).toEqual([1, 1, 2, 3]);
  });

  it('throws when the window is larger than the input', () => {
    expect(() => maxPool2d(ones([1, 1, 2, 2]), 3)).toThrow(/maxPool2d: input of shape \[1,1,2,2\] is smaller than the 3x3 window/);
  });
});

describe('avgPool2d', () => {
  it('averages tiling windows and spreads the gradient evenly', () => {
    const x = grid(4, 4);
    const y = avgPool2d(x, 2);
    expect(y.tolist()).toEqual([[[[2.5, 4.5], [10.5, 12.5]]]]);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual(new Array(16).fill(0.25));
  });

  it('averages overlapping windows', () => {
    const x = grid(3, 4);
    const y = avgPool2d(x, 2, 1);
    expect(y.tolist()).toEqual([[[[2.5, 3.5, 4.5], [6.5, 7.5, 8.5]]]]);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 2, 2, 1, 2, 4, 4, 2, 1, 2, 2, 1].map((v) => v / 4));
  });

  it('drops the rows and columns a strided window does not reach', () => {
    const y = avgPool2d(tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]), 2);
    expect(y.tolist()).toEqual([[[[3]]]]);
  });
});
