import { beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { arange, ones, tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

function near(t: Tensor | null, want: number[]): void {
  expect(t).not.toBeNull();
  const got = Array.from(t!.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
}

describe('matmul', () => {
  it('multiplies matrices and gives dA = G·Bᵀ, dB = Aᵀ·G', () => {
    const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = tensor([[5, 6], [7, 8]], { requiresGrad: true });
    const c = a.matmul(b);
    expect(c.tolist()).toEqual([[19, 22], [43, 50]]);
    c.mul(tensor([[1, 0], [0, 2]])).sum().backward();
    // G = [[1,0],[0,2]]: G·Bᵀ = [[5,7],[12,16]], Aᵀ·G = [[1,6],[2,8]]
    near(a.grad, [5, 7, 12, 16]);
    near(b.grad, [1, 6, 2, 8]);
  });

  it('takes the dot product of two vectors', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    const d = a.matmul(b);
    expect(d.shape).toEqual([]);
    expect(d.item()).toBe(32);
    d.backward();
    near(a.grad, [4, 5, 6]);
    near(b.grad, [1, 2, 3]);
  });

  it('promotes a vector on either side and drops that dim from the result', () => {
    const v = tensor([1, 2], { requiresGrad: true });
    const m = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const vm = v.matmul(m);
    expect(vm.tolist()).toEqual([9, 12, 15]);
    vm.sum().backward();
    near(v.grad, [6, 15]);
    near(m.grad, [1, 1, 1, 2, 2, 2]);
    const mv = m.matmul(tensor([1, 0, 1]));
    expect(mv.tolist()).toEqual([4, 10]);
  });

  it('multiplies batches and broadcasts batch dims, summing the gradient over the broadcast', () => {
    const a = arange(0, 12).float().reshape([2, 2, 3]).requiresGrad_();
    const b = ones([3, 1], { requiresGrad: true });
    const c = a.matmul(b);
    expect(c.shape).toEqual([2, 2, 1]);
    expect(c.tolist()).toEqual([[[3], [12]], [[21], [30]]]);
    c.sum().backward();
    near(b.grad, [18, 22, 26]); // column sums of a over both batches
    near(a.grad, Array(12).fill(1));

    const p = ones([2, 1, 2, 3]);
    const q = ones([4, 3, 5], { requiresGrad: true });
    const r = p.matmul(q);
    expect(r.shape).toEqual([2, 4, 2, 5]);
    r.sum().backward();
    near(q.grad, Array(60).fill(4)); // two outer batches × two rows
  });

  it('multiplies a vector by a batch of matrices', () => {
    const v = tensor([1, 1], { requiresGrad: true });
    const m = arange(0, 8).float().reshape([2, 2, 2]);
    const out = v.matmul(m);
    expect(out.shape).toEqual([2, 2]);
    expect(out.tolist()).toEqual([[2, 4], [10, 12]]);
    out.sum().backward();
    near(v.grad, [10, 18]); // row sums of m over both batches
  });

  it('has a second derivative (grad of grad through the transposed products)', () => {
    const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = tensor([[1, 0], [0, 1]], { requiresGrad: true });
    const [ga] = grad(a.matmul(b).square().sum(), [a], { createGraph: true });
    near(ga!, [2, 4, 6, 8]); // 2·(ab)·bᵀ = 2a when b = I
    // s = sum(2·(ab)·bᵀ): ds/db[p][q] = 2·(colsum(a)[p]·colsum(b)[q] + colsum(ab)[q])
    const [gb] = grad(ga!.sum(), [b]);
    near(gb!, [16, 20, 20, 24]);
  });

  it('throws naming both shapes when inner dims differ, and leaves the inputs usable', () => {
    const a = ones([3, 4], { requiresGrad: true });
    const b = ones([5, 2]);
    expect(() => a.matmul(b)).toThrow('matmul: [3,4] @ [5,2]: inner dimensions 4 and 5 differ');
    expect(() => ones([3]).matmul(ones([4]))).toThrow('matmul: [3] @ [4]: inner dimensions 3 and 4 differ');
    expect(() => ones([2, 2, 3]).matmul(ones([3, 3, 2]))).toThrow(/matmul: \[2,2,3\] @ \[3,3,2\]: batch dimensions \[2\] and \[3\]/);
    expect(() => tensor(2).matmul(ones([2]))).toThrow(/matmul: both arguments need to be at least 1-D/);
    a.matmul(ones([4, 2])).sum().backward();
    near(a.grad, Array(12).fill(2));
  });
});
