// Issue 12: state that a failed op must not leave half-changed, inputs refused before anything runs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import { ones, randn, tensor, zeros } from './creation';
import { Linear } from './nn/linear';
import { memory } from './memory';
import { getBackend, setBackend } from './registry';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

describe('dtypes tensorgrad does not have', () => {
  it('refuses float64 at creation and in casts, with nothing counted', () => {
    const o = ones([2]);
    const before = memory();
    expect(() => tensor([1, 2], { dtype: 'float64' as never })).toThrow(/tensor: dtype "float64" is not supported: use 'float32', 'int32' or 'bool'/);
    expect(() => zeros([2], { dtype: 'float64' as never })).toThrow(/dtype "float64" is not supported/);
    expect(() => o.to('float64' as never)).toThrow(/float64/);
    expect(memory()).toEqual(before);
    expect(Number.isFinite(memory().bytes)).toBe(true);
  });
});

describe('ranks', () => {
  it('refuses more than 64 dims, as PyTorch', () => {
    expect(() => zeros(Array.from({ length: 65 }, () => 1))).toThrow(/at most 64 dimensions, got 65/);
    expect(() => ones([1]).reshape(Array.from({ length: 100_000 }, () => 1))).toThrow(/reshape: a tensor may have at most 64 dimensions, got 100000/);
    expect(zeros(Array.from({ length: 64 }, () => 1)).sum().item()).toBe(0);
  });
});

describe('tensors of two backends in one op', () => {
  it('refuse to run, name both backends, and leave nothing behind (Linear without bias, forward and backward)', async () => {
    const home = getBackend();
    const other = cpuBackend();
    await setBackend(other);
    const lin = new Linear(3, 2, { bias: false });
    await setBackend(home);
    const x = tensor([[1, 2, 3]]);
    const homeBefore = home.memory();
    const otherBefore = other.memory();
    for (let i = 0; i < 5; i++) {
      expect(() => lin.forward(x)).toThrow(/linear: operands on two backends/);
    }
    expect(lin.weight.grad).toBeNull();
    expect(home.memory()).toEqual(homeBefore);
    expect(other.memory()).toEqual(otherBefore);
    // the same with an input that needs a cast first: the cast made for the op goes with it
    const xi = tensor([[1, 2, 3]], { dtype: 'int32' });
    const afterInt = home.memory();
    expect(() => lin.forward(xi)).toThrow(/two backends/);
    expect(home.memory()).toEqual(afterInt);
    expect(() => randn([2, 3]).add(lin.weight)).toThrow(/add: operands on two backends/);
  });
});

describe('operands an op casts for itself', () => {
  it('stay alive through the op (matmul of int32 tensors reshapes before its product) and its backward', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' });
    expect(Array.from(a.matmul(tensor([1, 1, 1], { dtype: 'int32' })).dataSync())).toEqual([6, 15]);
    const w = tensor([[1], [2], [3]], { requiresGrad: true });
    const before = memory().tensors;
    const y = a.matmul(w);
    expect(Array.from(y.dataSync())).toEqual([14, 32]);
    const total = y.sum();
    total.backward();
    total.dispose();
    expect(Array.from(w.grad!.dataSync())).toEqual([5, 7, 9]);
    // the cast of a went with the graph: what is left is y and w.grad
    y.dispose();
    expect(memory().tensors).toBeLessThanOrEqual(before + 1);
  });
});

describe('two operands cast for one op', () => {
  it('both stay alive until its kernel has run (int32 / int32 is float division)', () => {
    const q = tensor([1, 2, 3], { dtype: 'int32' }).div(tensor([2, 2, 2], { dtype: 'int32' }));
    expect(Array.from(q.dataSync())).toEqual([0.5, 1, 1.5]);
  });
});
