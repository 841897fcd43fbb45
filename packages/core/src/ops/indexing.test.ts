import { beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { gather, indexSelect, scatterAdd } from './indexing';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

function near(t: Tensor | null, want: number[]): void {
  expect(t).not.toBeNull();
  const got = Array.from(t!.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
}

const int = (data: number[] | number[][]): Tensor => tensor(data, { dtype: 'int32' });

describe('gather', () => {
  it('picks along a dim as torch.gather and scatters the gradient back, adding repeats', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const y = x.gather(1, int([[0, 0], [2, 1]]));
    expect(y.tolist()).toEqual([[1, 1], [6, 5]]);
    y.mul(tensor([[1, 2], [3, 4]])).sum().backward();
    near(x.grad, [3, 0, 0, 0, 4, 3]);
    expect(x.gather(0, int([[1, 0, 1]])).tolist()).toEqual([[4, 2, 6]]);
    expect(gather(x, -1, int([[2], [0]])).tolist()).toEqual([[3], [4]]);
  });

  it('has a second derivative (gather and scatterAdd are each other gradient)', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const [g] = grad(x.gather(0, int([2, 2, 0])).square().sum(), [x], { createGraph: true });
    near(g!, [2, 0, 12]);
    const [g2] = grad(g!.mul(tensor([1, 1, 1])).sum(), [x]);
    near(g2!, [2, 0, 4]);
  });

  it('throws on a non-int32 index, an index out of range, or a wrong rank, and leaves x usable', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    expect(() => x.gather(1, tensor([[0], [1]]))).toThrow(/gather: index must be an int32 tensor, got float32 of shape \[2,1\]/);
    expect(() => x.gather(1, int([[0], [3]]))).toThrow('gather: index 3 is out of bounds for dimension 1 with size 3');
    expect(() => x.gather(1, int([[-1], [0]]))).toThrow('gather: index -1 is out of bounds for dimension 1 with size 3');
    expect(() => x.gather(1, int([0, 1]))).toThrow(/gather: index \[2\] must have as many dimensions as the input \[2,3\]/);
    expect(() => x.gather(2, int([[0]]))).toThrow(/gather: dimension out of range/);
    x.gather(1, int([[1], [1]])).sum().backward();
    near(x.grad, [0, 1, 0, 0, 1, 0]);
  });
});

describe('indexSelect', () => {
  it('selects rows with repeats and accumulates their gradients', () => {
    const w = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const rows = w.indexSelect(0, int([2, 0, 2]));
    expect(rows.tolist()).toEqual([[5, 6], [1, 2], [5, 6]]);
    rows.mul(tensor([[1, 1], [2, 2], [3, 3]])).sum().backward();
    near(w.grad, [2, 2, 0, 0, 4, 4]);
  });

  it('selects along a later dim', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const y = indexSelect(x, -1, int([2, 0]));
    expect(y.tolist()).toEqual([[3, 1], [6, 4]]);
    y.sum().backward();
    near(x.grad, [1, 0, 1, 1, 0, 1]);
  });

  it('throws on a non-int32 index, an index out of range, or an index that is not a vector', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => x.indexSelect(0, tensor([0, 1]))).toThrow(/indexSelect: index must be an int32 tensor, got float32/);
    expect(() => x.indexSelect(0, int([0, 2]))).toThrow('indexSelect: index 2 is out of bounds for dimension 0 with size 2');
    expect(() => x.indexSelect(0, int([[0]]))).toThrow(/indexSelect: index must be a vector/);
  });
});

describe('scatterAdd', () => {
  it('adds src into zeros at the indexed places and has gather as its gradient', () => {
    const src = tensor([1, 2, 3], { requiresGrad: true });
    const out = scatterAdd([3], 0, int([0, 2, 0]), src);
    expect(out.tolist()).toEqual([4, 0, 2]);
    out.mul(tensor([10, 20, 30])).sum().backward();
    near(src.grad, [10, 30, 10]);
    expect(() => scatterAdd([3], 0, int([0, 3]), tensor([1, 1]))).toThrow(/scatterAdd: index 3 is out of bounds for dimension 0 with size 3/);
  });
});
