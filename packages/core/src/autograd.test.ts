import { beforeAll, describe, expect, it } from 'vitest';
import { grad, noGrad } from './autograd';
import type { Backend } from './backend';
import { ones, tensor, zeros } from './creation';
import { memory, tidy } from './memory';
import { setBackend } from './registry';
import type { Tensor } from './tensor';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

function values(t: Tensor | null): number[] {
  expect(t).not.toBeNull();
  return Array.from(t!.dataSync());
}

describe('the autograd engine', () => {
  it('backpropagates through a chain of 100,000 ops without overflowing the stack', { timeout: 60_000 }, () => {
    const x = tensor(0.5, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1);
    expect(y.item()).toBeCloseTo(100_000.5, 0);
    y.backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('takes a second derivative with createGraph: d²(x³)/dx² = 12 at x = 2', () => {
    const x = tensor(2, { requiresGrad: true });
    const [dy] = grad(x.pow(3), [x], { createGraph: true });
    expect(dy!.item()).toBeCloseTo(12); // 3x²
    const [d2y] = grad(dy!, [x]);
    expect(d2y!.item()).toBeCloseTo(12); // 6x
  });

  it('accumulates the gradient of a tensor used twice, and across backward calls', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).add(x).sum().backward(); // d(x² + x) = 2x + 1
    expect(values(x.grad)).toEqual([3, 5, 7]);
    x.sum().backward();
    expect(values(x.grad)).toEqual([4, 6, 8]);
  });

  it('takes backward\'s options in place of the gradient, and refuses what it does not know, by name', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward({ retainGraph: true });
    y.backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([4, 8]);
    const z = x.mul(3).sum();
    expect(() => z.backward({ retain_graph: true } as never)).toThrow(/backward.*retain_graph/);
    expect(() => z.backward({ retainGraph: 'yes' } as never)).toThrow(/backward.*retainGraph/);
    expect(() => z.backward(5 as never)).toThrow(/backward: gradient must be a Tensor of the output's shape \[\]/);
    expect(x.grad!.dataSync()).toEqual(new Float32Array([4, 8])); // nothing ran
  });

  it('refuses a second backward through a freed graph unless retainGraph was passed', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward: this graph was freed by an earlier backward.*retainGraph: true/);

    const z = x.mul(x).sum();
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(values(x.grad)).toEqual([4, 8]);
  });

  it('refuses backward on a non-scalar without a gradient, and accepts one with it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    expect(() => y.backward()).toThrow(/backward: a tensor of shape \[2\] needs a gradient of that shape/);
    y.backward(tensor([1, 10]));
    expect(values(x.grad)).toEqual([3, 30]);
  });

  it('throws naming both shapes on a broadcasting mismatch, and leaves the inputs usable', () => {
    const a = ones([2, 3], { requiresGrad: true });
    const b = ones([4], { requiresGrad: true });
    expect(() => a.add(b)).toThrow(/add: shapes \[2,3\] and \[4\] cannot be broadcast/);
    const c = a.add(ones([3]));
    c.sum().backward();
    expect(values(a.grad)).toEqual([1, 1, 1, 1, 1, 1]);
    b.mul(2).sum().backward();
    expect(values(b.grad)).toEqual([2, 2, 2, 2]);
  });

  it('throws naming both shapes when matmul inner dims differ', () => {
    expect(() => ones([3, 4]).matmul(ones([5, 2]))).toThrow('matmul: [3,4] @ [5,2]: inner dimensions 4 and 5 differ');
  });

  it('throws naming the op and the valid range for a dim out of range', () => {
    expect(() => zeros([2, 3]).sum(2)).toThrow('sum: dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => zeros([2, 3]).transpose(0, -3)).toThrow('transpose: dimension out of range (expected to be in range of [-2, 1], but got -3)');
  });

  it('throws naming both backends when an op mixes them', () => {
    const other: Backend = { ...cpuBackend(), name: 'cpu2' };
    const a = ones([2]);
    const b = ones([2]).to(other);
    expect(b.backend).toBe('cpu2');
    expect(() => a.add(b)).toThrow(/add: .*'cpu' and 'cpu2'/);
    expect(() => a.matmul(b)).toThrow(/matmul: .*'cpu' and 'cpu2'/);
  });

  it('keeps the gradient of an intermediate with retainGrad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    h.retainGrad();
    const k = x.mul(3);
    h.mul(h).sum().add(k.sum()).backward();
    expect(values(h.grad)).toEqual([4, 8]); // 2h
    expect(k.grad).toBeNull();
    expect(values(x.grad)).toEqual([11, 19]); // 2h·2 + 3
  });

  it('records nothing inside noGrad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2).sum());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => y.backward()).toThrow(/does not require grad/);
  });

  it('cuts the graph at detach, sharing the data', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(values(d)).toEqual([2, 4]);
    x.mul(d).sum().backward(); // d is a constant here
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it('frees every intermediate created inside tidy but the returned tensor', () => {
    const x = tensor([1, 2, 3]);
    const start = memory().tensors;
    const y = tidy(() => x.mul(2).add(1).relu().sum(0).reshape([1]).expand([4]));
    expect(values(y)).toEqual([15, 15, 15, 15]);
    expect(memory().tensors).toBe(start + 1);
    y.dispose();
    expect(memory().tensors).toBe(start);
  });
});
