import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { arange, ones, tensor } from '../creation';
import { setBackend } from '../registry';
import { avgPool2d, maxPool2d } from './pooling';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const grid = (h: number, w: number) => arange(0, h * w, 1, { dtype: 'float32' }).reshape([1, 1, h, w]).requiresGrad_();

describe('maxPool2d', () => {
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
