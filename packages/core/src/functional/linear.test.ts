import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { ones, tensor } from '../creation';
import { setBackend } from '../registry';
import { linear } from './linear';
import { layerNorm } from './normalization';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

describe('linear', () => {
  it('computes x @ wᵀ + b and its gradients', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    const w = tensor([[1, 0], [0, 1], [1, 1]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    const y = linear(x, w, b);
    expect(y.tolist()).toEqual([[11, 22, 33]]);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([[2, 2]]);
    expect(w.grad!.tolist()).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(b.grad!.tolist()).toEqual([1, 1, 1]);
  });

  it('maps any leading dims and works without a bias', () => {
    expect(linear(ones([2, 5, 3]), ones([4, 3])).shape).toEqual([2, 5, 4]);
  });

  it('throws naming both shapes when the features differ', () => {
    expect(() => linear(ones([2, 3]), ones([4, 5]))).toThrow(/linear: input of shape \[2,3\] does not fit weight of shape \[4,5\]/);
  });
});

describe('layerNorm', () => {
  it('normalises the last dims to zero mean and unit biased variance', () => {
    const y = layerNorm(tensor([[1, 2, 3], [2, 2, 2]]), [3]);
    const got = Array.from(y.dataSync());
    const s = Math.sqrt(2 / 3 + 1e-5);
    [-1 / s, 0, 1 / s, 0, 0, 0].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  });

  it('scales and shifts by the weight and bias', () => {
    const y = layerNorm(tensor([[1, 3]]), 2, tensor([2, 2]), tensor([1, 1]), 0);
    expect(Array.from(y.dataSync())).toEqual([-1, 3]);
  });

  it('gives a gradient that sums to zero over the normalised dims', () => {
    const x = tensor([[1, 4, 2, 8]], { requiresGrad: true });
    layerNorm(x, [4]).mul(tensor([1, 2, 3, 4])).sum().backward();
    const g = Array.from(x.grad!.dataSync());
    expect(g.reduce((a, v) => a + v, 0)).toBeCloseTo(0, 5);
  });

  it('throws when the trailing dims are not normalizedShape', () => {
    expect(() => layerNorm(ones([4, 5]), [6])).toThrow('layerNorm: given normalizedShape [6], expected input with shape [*, 6], but got input of shape [4,5]');
  });
});
