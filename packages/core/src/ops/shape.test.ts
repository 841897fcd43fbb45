import { beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { arange, ones, tensor, zeros } from '../creation';
import { memory } from '../memory';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { cat, stack } from './shape';

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

// 0..n-1 as float32 in `shape`, requiring grad
const range = (shape: number[]): Tensor => arange(0, shape.reduce((a, b) => a * b, 1)).float().reshape(shape).requiresGrad_();

describe('reshape and view', () => {
  it('share storage (no new backend data) and infer one -1', () => {
    const x = range([2, 3, 4]);
    const before = memory().tensors;
    const y = x.reshape([4, -1]);
    expect(y.shape).toEqual([4, 6]);
    expect(x.view([-1]).shape).toEqual([24]);
    expect(memory().tensors).toBe(before);
  });

  it('reshape the gradient back to the input shape', () => {
    const x = range([2, 3]);
    x.reshape([3, 2]).mul(tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    expect(x.grad!.shape).toEqual([2, 3]);
    near(x.grad, [1, 2, 3, 4, 5, 6]);
  });

  it('throw naming both shapes on a size mismatch', () => {
    const x = zeros([2, 3]);
    expect(() => x.reshape([4, 2])).toThrow('reshape: shape [4,2] is invalid for input of size 6');
    expect(() => x.view([-1, 4])).toThrow(/view: shape \[-1,4\] is invalid for input of size 6/);
    expect(() => x.reshape([-1, -1])).toThrow(/only one dimension can be inferred/);
  });
});

describe('flatten, unsqueeze and squeeze', () => {
  it('flatten a range of dims', () => {
    const x = zeros([2, 3, 4, 5]);
    expect(x.flatten().shape).toEqual([120]);
    expect(x.flatten(1).shape).toEqual([2, 60]);
    expect(x.flatten(1, 2).shape).toEqual([2, 12, 5]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 3, 20]);
    expect(tensor(1).flatten().shape).toEqual([1]);
    expect(() => x.flatten(2, 1)).toThrow(/flatten: startDim \(2\) cannot come after endDim \(1\)/);
  });

  it('unsqueeze at positive and negative dims', () => {
    const x = zeros([2, 3]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(2).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-3).shape).toEqual([1, 2, 3]);
    expect(() => x.unsqueeze(3)).toThrow('unsqueeze: dimension out of range (expected to be in range of [-3, 2], but got 3)');
  });

  it('squeeze every size-1 dim, or one, and ignore a dim that is not 1', () => {
    const x = range([3, 1, 4, 1]);
    expect(x.squeeze().shape).toEqual([3, 4]);
    expect(x.squeeze(1).shape).toEqual([3, 4, 1]);
    expect(x.squeeze(-1).shape).toEqual([3, 1, 4]);
    expect(x.squeeze(0).shape).toEqual([3, 1, 4, 1]);
    x.squeeze().sum().backward();
    expect(x.grad!.shape).toEqual([3, 1, 4, 1]);
  });
});

describe('transpose and permute', () => {
  it('transpose two dims', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.transpose(0, 1).tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(x.transpose(-1, -2).shape).toEqual([3, 2]);
    expect(x.t().tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  it('permute dims and send the gradient back through the inverse permutation', () => {
    const x = range([2, 3, 4]);
    const y = x.permute([2, 0, 1]);
    expect(y.shape).toEqual([4, 2, 3]);
    // y[k][i][j] = x[i][j][k]
    expect((y.tolist() as number[][][])[3]![1]![2]).toBe(1 * 12 + 2 * 4 + 3);
    const w = arange(0, 24).float().reshape([4, 2, 3]);
    y.mul(w).sum().backward();
    // x.grad[i][j][k] = w[k][i][j]
    expect(Array.from(x.grad!.dataSync())).toEqual(Array.from(w.permute([1, 2, 0]).dataSync()));
  });

  it('reject a wrong permutation', () => {
    const x = zeros([2, 3, 4]);
    expect(() => x.permute([0, 1])).toThrow(/permute: dims \[0,1\] has 2 entries but the tensor of shape \[2,3,4\] has 3 dimensions/);
    expect(() => x.permute([0, 1, 1])).toThrow(/permute: dims \[0,1,1\] repeats a dimension/);
    expect(() => x.permute([0, 1, 3])).toThrow(/permute: dimension out of range/);
  });

  it('have a second derivative', () => {
    const x = range([2, 3]);
    const [g] = grad(x.transpose(0, 1).square().sum(), [x], { createGraph: true });
    near(g!, [0, 2, 4, 6, 8, 10]);
    const [g2] = grad(g!.sum(), [x]);
    near(g2!, [2, 2, 2, 2, 2, 2]);
  });
});

describe('expand', () => {
  it('broadcasts size-1 dims, keeps -1 dims, adds leading dims, and sums the gradient back', () => {
    const x = tensor([[1], [2], [3]], { requiresGrad: true });
    const y = x.expand([2, -1, 4]);
    expect(y.shape).toEqual([2, 3, 4]);
    expect((y.tolist() as number[][][])[1]![2]).toEqual([3, 3, 3, 3]);
    y.sum().backward();
    near(x.grad, [8, 8, 8]);
  });

  it('throws naming the dim and both sizes when a non-1 dim would change', () => {
    const x = zeros([3, 2]);
    expect(() => x.expand([3, 4])).toThrow(/expand: dim 1 of \[3,2\] is 2, not 1, so it cannot become 4 \(target \[3,4\]\)/);
    expect(() => x.expand([2])).toThrow(/expand: 1 sizes \[2\] for 2 dims \(shape \[3,2\]\); give at least one per dim/);
    expect(() => x.expand([-1, 3, 2])).toThrow(/expand: size -1 cannot start the new leading dim 0/);
  });
});

describe('narrow', () => {
  it('slices a dim and pads the gradient back with zeros', () => {
    const x = range([2, 4]);
    const y = x.narrow(1, 1, 2);
    expect(y.tolist()).toEqual([[1, 2], [5, 6]]);
    y.mul(tensor([[1, 2], [3, 4]])).sum().backward();
    near(x.grad, [0, 1, 2, 0, 0, 3, 4, 0]);
    expect(x.narrow(-1, -1, 1).tolist()).toEqual([[3], [7]]);
  });

  it('throws on a range past the end', () => {
    const x = zeros([2, 4]);
    expect(() => x.narrow(1, 2, 3)).toThrow('narrow: start (2) + length (3) exceeds dimension size (4) of dimension 1 of shape [2,4]');
    expect(() => x.narrow(1, 5, 0)).toThrow(/narrow: start \(5\) is out of range/);
  });

  it('has a second derivative through pad and slice', () => {
    const x = range([4]);
    const [g] = grad(x.narrow(0, 1, 2).square().sum(), [x], { createGraph: true });
    near(g!, [0, 2, 4, 0]);
    const [g2] = grad(g!.mul(tensor([1, 2, 3, 4])).sum(), [x]);
    near(g2!, [0, 4, 6, 0]);
  });
});

describe('cat and stack', () => {
  it('cat joins along a dim and hands each input its slice of the gradient', () => {
    const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = tensor([[5], [6]], { requiresGrad: true });
    const c = cat([a, b], 1);
    expect(c.tolist()).toEqual([[1, 2, 5], [3, 4, 6]]);
    c.mul(tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    near(a.grad, [1, 2, 4, 5]);
    near(b.grad, [3, 6]);
    expect(cat([a, b.t()], -2).shape).toEqual([3, 2]);
  });

  it('cat throws on mismatched shapes or dtypes', () => {
    expect(() => cat([zeros([2, 3]), zeros([2, 4])], 0)).toThrow('cat: sizes of tensors must match except in dimension 0: tensor 0 has shape [2,3] but tensor 1 has shape [2,4]');
    expect(() => cat([zeros([2]), zeros([2], { dtype: 'int32' })])).toThrow(/cat: expected all tensors to have the same dtype, but tensor 0 is float32 and tensor 1 is int32/);
    expect(() => cat([], 0)).toThrow(/cat: expected a non-empty list/);
    expect(() => cat([zeros([2])], 1)).toThrow(/cat: dimension out of range/);
  });

  it('stack joins along a new dim', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    expect(stack([a, b]).tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const s = stack([a, b], 1);
    expect(s.tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
    s.mul(tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    near(a.grad, [1, 3, 5]);
    near(b.grad, [2, 4, 6]);
    expect(stack([a, b], -1).shape).toEqual([3, 2]);
    expect(() => stack([a, ones([4])])).toThrow('stack: expects each tensor to be equal size, but got [3] at entry 0 and [4] at entry 1');
  });
});
