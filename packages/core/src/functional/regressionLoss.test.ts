import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import { huberLoss, l1Loss, mseLoss } from './regressionLoss';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

describe('regression losses', () => {
  it('mseLoss averages squared errors, sums them, or keeps them, with gradient 2(x - t) / N', () => {
    const x = tensor([1, 2, 4], { requiresGrad: true });
    const t = tensor([1, 0, 1]);
    const loss = mseLoss(x, t);
    expect(loss.item()).toBeCloseTo(13 / 3, 5);
    loss.backward();
    expect(Array.from(x.grad!.dataSync()).map((v) => v * 3)).toEqual([0, 4, 6].map((v) => expect.closeTo(v, 5)));
    expect(mseLoss(x, t, { reduction: 'sum' }).item()).toBe(13);
    expect(mseLoss(x, t, { reduction: 'none' }).tolist()).toEqual([0, 4, 9]);
  });

  it('l1Loss averages absolute errors', () => {
    expect(l1Loss(tensor([1, 2, 4]), tensor([1, 0, 5])).item()).toBe(1);
  });

  it('huberLoss is quadratic inside delta and linear outside it', () => {
    const x = tensor([0.5, 3, -2], { requiresGrad: true });
    const loss = huberLoss(x, tensor([0, 0, 0]), { delta: 1, reduction: 'none' });
    expect(loss.tolist()).toEqual([0.125, 2.5, 1.5]);
    loss.sum().backward();
    expect(x.grad!.tolist()).toEqual([0.5, 1, -1]);
    expect(huberLoss(tensor([3]), tensor([0]), { delta: 2 }).item()).toBe(4); // 2·(3 − 1)
  });

  it('throws naming both shapes instead of broadcasting them, as PyTorch would with a warning', () => {
    expect(() => mseLoss(tensor([1, 2]), tensor([[1], [2]]))).toThrow(/mseLoss: input of shape \[2\] and target of shape \[2,1\] differ/);
    expect(() => l1Loss(tensor([1]), tensor([1, 2]))).toThrow(/l1Loss: input of shape \[1\] and target of shape \[2\] differ/);
  });

  it('throws for an unknown reduction', () => {
    expect(() => mseLoss(tensor([1]), tensor([1]), { reduction: 'avg' as 'mean' })).toThrow("mseLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'");
  });
});
