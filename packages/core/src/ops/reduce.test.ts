import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { arange, tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

function near(t: Tensor | null, want: number[], digits = 5): void {
  expect(t).not.toBeNull();
  const got = Array.from(t!.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, digits));
}

const x23 = () => tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });

describe('sum', () => {
  it('sums every element when dim is omitted, to a 0-d tensor', () => {
    const x = x23();
    const s = x.sum();
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(21);
    s.backward();
    near(x.grad, [1, 1, 1, 1, 1, 1]);
  });

  it('sums over one dim, a negative dim and a list of dims, with and without keepdim', () => {
    const x = x23();
    expect(x.sum(0).tolist()).toEqual([5, 7, 9]);
    expect(x.sum(-1).tolist()).toEqual([6, 15]);
    expect(x.sum(1, true).shape).toEqual([2, 1]);
    expect(x.sum([0, 1]).tolist()).toEqual(21);
    expect(x.sum([0, -1], true).shape).toEqual([1, 1]);
  });

  it('sends the upstream gradient back along the reduced dim', () => {
    const x = x23();
    x.sum(1).mul(tensor([1, 10])).sum().backward();
    near(x.grad, [1, 1, 1, 10, 10, 10]);
  });

  it('sums int32 and bool tensors to int32', () => {
    const s = tensor([true, false, true]).sum();
    expect(s.dtype).toBe('int32');
    expect(s.item()).toBe(2);
    expect(tensor([1, 2, 3], { dtype: 'int32' }).sum().dtype).toBe('int32');
  });

  it('treats a 0-d tensor as its own sum', () => {
    const x = tensor(3, { requiresGrad: true });
    const s = x.sum();
    expect(s.item()).toBe(3);
    s.backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('throws naming the op for a dim out of range, or a dim named twice', () => {
    const x = x23();
    expect(() => x.sum(2)).toThrow('sum: dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => x.sum([1, -1])).toThrow(/sum: dim .* twice/);
  });
});

describe('mean', () => {
  it('averages over dims and spreads 1/n back as the gradient', () => {
    const x = x23();
    expect(x.mean().item()).toBeCloseTo(3.5);
    near(x.mean(0), [2.5, 3.5, 4.5]);
    x.mean(1).sum().backward();
    near(x.grad, [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
  });

  it('requires a float input', () => {
    expect(() => tensor([1, 2], { dtype: 'int32' }).mean()).toThrow(/mean: input dtype must be float32, got int32/);
  });
});

describe('max and min', () => {
  it('return values only, over all dims or one', () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]]);
    expect(x.max().item()).toBe(7);
    expect(x.min().item()).toBe(0);
    expect(x.max(1).tolist()).toEqual([5, 7]);
    expect(x.min(0, true).tolist()).toEqual([[1, 0, 2]]);
  });

  it('route the gradient to the extreme element', () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]], { requiresGrad: true });
    x.max(1).mul(tensor([2, 3])).sum().backward();
    near(x.grad, [0, 2, 0, 3, 0, 0]);
    const y = tensor([[1, 5, 2], [7, 0, 3]], { requiresGrad: true });
    y.min(-1, true).sum().backward();
    near(y.grad, [1, 0, 0, 0, 1, 0]);
  });

  it('split the gradient evenly between tied extremes', () => {
    const x = tensor([3, 1, 3], { requiresGrad: true });
    x.max().backward();
    near(x.grad, [0.5, 0, 0.5]);
  });

  it('keep the dtype of int32 inputs', () => {
    const m = tensor([4, 9, 2], { dtype: 'int32' }).max();
    expect(m.dtype).toBe('int32');
    expect(m.item()).toBe(9);
  });
});

describe('logsumexp', () => {
  it('matches log(sum(exp(x))) and stays finite for large inputs', () => {
    const x = tensor([[1, 2], [3, 4]]);
    near(x.logsumexp(1), [Math.log(Math.E + Math.E ** 2), Math.log(Math.E ** 3 + Math.E ** 4)]);
    near(tensor([1000, 1000]).logsumexp(0), [1000 + Math.log(2)], 3);
    expect(x.logsumexp(0, true).shape).toEqual([1, 2]);
  });

  it('has the softmax as its gradient', () => {
    const x = tensor([0, Math.log(3)], { requiresGrad: true });
    x.logsumexp().backward();
    near(x.grad, [0.25, 0.75]);
  });
});

describe('var', () => {
  it('uses Bessel correction by default and honours correction', () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    expect(x.var().item()).toBeCloseTo(5 / 3);
    expect(x.var(0, false, { correction: 0 }).item()).toBeCloseTo(1.25);
    near(tensor([[1, 3], [2, 6]]).var(1, true), [2, 8]);
    x.var().backward();
    // d var / dx_i = 2 (x_i - mean) / (n - 1)
    near(x.grad, [-1, -1 / 3, 1 / 3, 1]);
  });
});

describe('argmax and argmin', () => {
  it('give int32 indices along a dim, first index on ties', () => {
    const x = tensor([[1, 5, 5], [7, 0, 3]]);
    const a = x.argmax(1);
    expect(a.dtype).toBe('int32');
    expect(a.tolist()).toEqual([1, 0]);
    expect(x.argmin(0).tolist()).toEqual([0, 1, 1]);
    expect(x.argmax(-1, true).shape).toEqual([2, 1]);
  });

  it('index into the flattened tensor when dim is omitted', () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]]);
    expect(x.argmax().tolist()).toBe(3);
    expect(x.argmin().tolist()).toBe(4);
    expect(x.argmax().shape).toEqual([]);
  });

  it('carry no gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.argmax().requiresGrad).toBe(false);
  });

  it('reduce a 0-d tensor to index 0', () => {
    expect(tensor(4).argmax(0).item()).toBe(0);
    expect(arange(0, 5).argmax().item()).toBe(4);
  });
});
