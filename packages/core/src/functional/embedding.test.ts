import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import { embedding } from './embedding';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const table = () => tensor([[0, 1], [10, 11], [20, 21]], { requiresGrad: true });

describe('embedding', () => {
  it('picks rows by index, keeping the index shape', () => {
    const y = embedding(tensor([[2, 0], [1, 1]], { dtype: 'int32' }), table());
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.tolist()).toEqual([[[20, 21], [0, 1]], [[10, 11], [10, 11]]]);
  });

  it('sums the gradient into rows picked more than once', () => {
    const w = table();
    embedding(tensor([1, 1, 2], { dtype: 'int32' }), w).sum().backward();
    expect(w.grad!.tolist()).toEqual([[0, 0], [2, 2], [1, 1]]);
  });

  it('takes a 0-d index', () => {
    expect(embedding(tensor(2, { dtype: 'int32' }), table()).tolist()).toEqual([20, 21]);
  });

  it('throws naming the index and the number of embeddings', () => {
    expect(() => embedding(tensor([0, 3], { dtype: 'int32' }), table())).toThrow('embedding: index 3 is out of range for 3 embeddings');
    expect(() => embedding(tensor([-1], { dtype: 'int32' }), table())).toThrow(/index -1 is out of range/);
    expect(() => embedding(tensor([0]), table())).toThrow(/indices must be an int32 tensor/);
  });
});
