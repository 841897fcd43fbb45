import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import { noGrad } from './autograd';
import { tensor, zeros, manualSeed } from './creation';
import { slice } from './ops/index-ops';
import { getBackend, setBackend } from './registry';
import { tidy } from './memory';
import { Tensor } from './tensor';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
});

const values = (t: Tensor | null): number[] => Array.from(t!.dataSync());

describe('in-place ops: PyTorch rules on immutable storage', () => {
  it('refuses a leaf that requires grad outside noGrad, with PyTorch\'s message, and leaves it unchanged', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    for (const f of [() => x.add_(1), () => x.mul_(2), () => x.zero_(), () => x.fill_(3), () => x.copy_(tensor([5, 6])), () => x.clamp_(0, 1)]) {
      expect(f).toThrow(/cannot change in place a leaf tensor that requires grad/);
    }
    expect(values(x)).toEqual([1, 2]);
    noGrad(() => x.add_(1));
    expect(values(x)).toEqual([2, 3]);
    expect(x.isLeaf).toBe(true);
    expect(x.requiresGrad).toBe(true);
  });

  it('records an in-place op on a non-leaf: y = x.mul(2); y.add_(1); y.sum().backward()', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    const same = y.add_(1);
    expect(same).toBe(y);
    expect(values(y)).toEqual([3, 5, 7]);
    expect(y.gradFn).toBe('add');
    y.sum().backward();
    expect(values(x.grad)).toEqual([2, 2, 2]);
  });

  it('chains in-place ops and keeps gradients right (mul_ reads the old value)', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(1);
    y.mul_(y); // y = x², reading the old y twice
    y.add_(x); // y = x² + x
    y.sum().backward();
    expect(values(y)).toEqual([2, 6, 12]);
    expect(values(x.grad)).toEqual([3, 5, 7]); // 2x + 1
  });

  it('an edge recorded before the in-place op leads to the value it saw', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const z = y.add(1); // add saves nothing: changing y afterwards is allowed, as in PyTorch
    y.mul_(3); // y = 6x
    z.sum().add(y.sum()).backward();
    expect(values(x.grad)).toEqual([8, 8]); // 2 from z, 6 from y
  });

  it('throws when backward needs a value overwritten since it was saved (an input)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = x.mul(2);
    const y = w.mul(w); // mul saves w
    w.add_(1);
    expect(() => y.sum().backward()).toThrow(/was changed in place since \(now version/);
  });

  it('throws when backward needs its own output overwritten since (sigmoid saves its result)', () => {
    const x = tensor([0.5, -1], { requiresGrad: true });
    const s = x.mul(1).sigmoid();
    s.mul_(2);
    expect(() => s.sum().backward()).toThrow(/at version 0, was changed in place since \(now version 1\)/);
  });

  it('throws when a leaf saved by the graph is changed under noGrad (as an optimizer step between backward calls)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    noGrad(() => x.sub_(0.5));
    expect(() => y.sum().backward()).toThrow(/was changed in place since/);
  });

  it('fill_ and zero_ on a non-leaf cut the gradient to the old values', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.fill_(3);
    y.mul(x).sum().backward();
    expect(values(x.grad)).toEqual([3, 3]); // d(3·x)/dx; nothing through the overwritten y
    const a = tensor([1, 2], { requiresGrad: true });
    const b = a.mul(5);
    b.zero_();
    b.add(a).sum().backward();
    expect(values(a.grad)).toEqual([1, 1]);
  });

  it('indexPut_ gives gradients to both operands', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const v = tensor([10, 20], { requiresGrad: true });
    const y = x.clone();
    expect(y.indexPut_([null, slice(0, 2)], v)).toBe(y);
    expect(y.tolist()).toEqual([[10, 20, 3], [10, 20, 6]]);
    const w = tensor([[1, 2, 3], [4, 5, 6]]);
    y.mul(w).sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 0, 3], [0, 0, 6]]);
    expect(values(v.grad)).toEqual([5, 7]);
  });

  it('copy_ broadcasts, casts, and sends the gradient to the source', () => {
    const src = tensor([1, 2], { requiresGrad: true });
    const dst = zeros([3, 2]).mul(1);
    dst.copy_(src);
    expect(dst.tolist()).toEqual([[1, 2], [1, 2], [1, 2]]);
    const leaf = zeros([2]);
    leaf.copy_(src); // a leaf that does not require grad joins the graph
    leaf.sum().backward();
    expect(values(src.grad)).toEqual([1, 1]);
    const i = tensor([0, 0], { dtype: 'int32' });
    i.copy_(tensor([1.7, -2.2]));
    expect(values(i)).toEqual([1, -2]);
  });

  it('int tensors refuse float results, as PyTorch', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(() => i.add_(0.5)).toThrow(/cannot write float32 results into this int32 tensor in place/);
    i.add_(1);
    expect(values(i)).toEqual([2, 3]);
  });

  it('in-place ops cannot broadcast the tensor they write', () => {
    const x = zeros([3]);
    expect(() => x.add_(zeros([2, 3]))).toThrow(/add_: the result's shape \[2,3\] is not \[3\]/);
  });

  it('uniform_ and normal_ draw from the seeded generator', () => {
    const w = zeros([1000]);
    manualSeed(3);
    w.uniform_(-2, 2);
    const a = values(w);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...a)).toBeLessThan(2);
    manualSeed(3);
    expect(values(zeros([1000]).uniform_(-2, 2))).toEqual(a);
    const n = values(zeros([4000]).normal_(1, 0.5));
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    const p = tensor([1, 2], { requiresGrad: true });
    expect(() => p.normal_()).toThrow(/leaf tensor that requires grad/);
    noGrad(() => p.normal_());
  });

  it('p.data is not a trap: p.data + 1 and p.data = ... throw instead of turning a method into a string', async () => {
    const p = tensor([1, 2]);
    expect(() => (p.data as unknown as number) + 1).toThrow(/Tensor.data is a method here/);
    expect(() => {
      (p as unknown as { data: unknown }).data = 3;
    }).toThrow(/Tensor.data cannot be assigned/);
    expect(Array.from(await p.data())).toEqual([1, 2]);
  });
});

describe('in-place ops: memory', () => {
  it('a recorded in-place op inside tidy leaves no tensor behind once backward has freed the graph', () => {
    const b = getBackend();
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const v = tensor([5, 6], { requiresGrad: true });
    const before = b.memory().tensors;
    const out = tidy(() => {
      const y = x.mul(1);
      y.add_(1); // snapshot of y and the out-of-place result: owned by the graph, freed by backward
      const z = x.clone();
      z.indexPut_([slice(0, 2)], v);
      y.add(z).sum().backward();
      return y.detach();
    });
    expect(values(out)).toEqual([2, 3, 4, 5]);
    expect([values(x.grad), values(v.grad)]).toEqual([[1, 1, 2, 2], [1, 1]]);
    out.dispose();
    x.grad!.dispose();
    v.grad!.dispose();
    expect(b.memory().tensors - before).toBe(0); // deterministic: no garbage collection needed
  });
});
