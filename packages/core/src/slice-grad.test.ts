import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import { grad } from './autograd';
import { tensor } from './creation';
import { getBackend, setBackend } from './registry';
import { Tensor } from './tensor';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
});

const values = (t: Tensor | null): number[] => Array.from(t!.dataSync());
const iota = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i);

/** How often each kernel runs inside `f`. */
function counting<T>(f: () => T): { result: T; calls: Map<string, number> } {
  const k = getBackend().kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
  const calls = new Map<string, number>();
  const saved = new Map<string, (...a: unknown[]) => unknown>();
  for (const name of ['pad', 'concat', 'binary', 'fill']) {
    const orig = k[name]!;
    saved.set(name, orig);
    k[name] = (...a: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return orig.apply(k, a);
    };
  }
  try {
    return { result: f(), calls };
  } finally {
    for (const [name, orig] of saved) k[name] = orig;
  }
}

describe("the gradient of a tensor's blocks (narrow, split, chunk) is built once", () => {
  it('split along a dim: one concat of the pieces\' gradients, and no pad', () => {
    const x = tensor(iota(12), { shape: [2, 6], requiresGrad: true });
    const [a, b, c] = x.split(2, 1) as [Tensor, Tensor, Tensor];
    const loss = a.mul(2).add(b.mul(b)).sum().add(c.mul(-1).sum());
    const { calls } = counting(() => loss.backward());
    // d/da 2a = 2; d/db b² = 2b; d/dc -c = -1
    expect(values(x.grad)).toEqual([2, 2, 6, 8, -1, -1, 2, 2, 18, 20, -1, -1]);
    expect(calls.get('pad') ?? 0).toBe(0);
    expect(calls.get('concat')).toBe(1);
  });

  it('pieces that get no gradient leave zeros (one concat with zero blocks)', () => {
    const x = tensor(iota(8), { shape: [8], requiresGrad: true });
    const [, b, , d] = x.chunk(4) as [Tensor, Tensor, Tensor, Tensor];
    const { calls } = counting(() => b.mul(3).sum().add(d.mul(d).sum()).backward());
    expect(values(x.grad)).toEqual([0, 0, 3, 3, 0, 0, 14, 16]);
    expect(calls.get('pad') ?? 0).toBe(0);
    expect(calls.get('concat')).toBe(1);
  });

  it('overlapping blocks are summed', () => {
    const x = tensor(iota(5), { shape: [5], requiresGrad: true });
    x.narrow(0, 0, 3).mul(2).sum().add(x.narrow(0, 2, 3).mul(10).sum()).backward();
    expect(values(x.grad)).toEqual([2, 2, 12, 10, 10]);
  });

  it('blocks along different dims are summed, and a dense use of the whole adds to them', () => {
    const x = tensor(iota(6), { shape: [2, 3], requiresGrad: true });
    const rows = x.narrow(0, 1, 1).mul(5).sum(); // row 1
    const cols = x.narrow(1, 0, 2).mul(100).sum(); // columns 0 and 1
    rows.add(cols).add(x.sum()).backward();
    expect(values(x.grad)).toEqual([101, 101, 1, 106, 106, 6]);
  });

  it('one tensor that is the gradient of two blocks (a + b) is used by both and freed once', () => {
    const x = tensor(iota(4), { shape: [4], requiresGrad: true });
    const [a, b] = x.split(2) as [Tensor, Tensor];
    const loss = a.add(b).sum();
    const before = getBackend().memory().tensors;
    loss.backward();
    expect(values(x.grad)).toEqual([1, 1, 1, 1]);
    // x.grad is the only new tensor left: the pieces' gradients and the sum's were freed
    expect(getBackend().memory().tensors).toBe(before + 1);
  });

  it('keeps a retained piece\'s own gradient', () => {
    const x = tensor(iota(4), { shape: [4], requiresGrad: true });
    const [a, b] = x.split(2) as [Tensor, Tensor];
    a.retainGrad();
    a.mul(a).sum().add(b.sum()).backward();
    expect(values(a.grad)).toEqual([2, 4]);
    expect(values(x.grad)).toEqual([2, 4, 1, 1]);
  });

  it('records the combination under createGraph, so second derivatives flow through it', () => {
    const x = tensor([1, 2, 3, 4], { shape: [4], requiresGrad: true });
    const [a, b] = x.split(2) as [Tensor, Tensor];
    const y = a.mul(a).mul(a).sum().add(b.mul(b).sum()); // a³ + b²
    const [g] = grad(y, x, { createGraph: true }) as [Tensor];
    expect(values(g)).toEqual([3, 12, 6, 8]);
    g.sum().backward(); // d/dx Σ g: 6a, then 2
    expect(values(x.grad)).toEqual([6, 12, 2, 2]);
  });

  it('grad() of a block\'s input through an intermediate', () => {
    const w = tensor([1, 2, 3, 4, 5, 6], { shape: [6], requiresGrad: true });
    const h = w.mul(2);
    const [p, q, r] = h.chunk(3) as [Tensor, Tensor, Tensor];
    const y = p.sum().add(q.mul(q).sum()).add(r.mul(0).sum());
    const [gw] = grad(y, w) as [Tensor];
    // y = 2w0 + 2w1 + 4w2² + 4w3²: 2, 2, 8·3, 8·4, 0, 0
    expect(values(gw)).toEqual([2, 2, 24, 32, 0, 0]);
  });

  it('blocks of blocks, and a second backward through a retained graph, add up', () => {
    const x = tensor(iota(6), { shape: [6], requiresGrad: true });
    const mid = x.narrow(0, 1, 4); // x[1..4]
    const [p, q] = mid.split(2) as [Tensor, Tensor]; // x[1..2], x[3..4]
    const loss = p.mul(2).sum().add(q.mul(q).sum()).add(mid.narrow(0, 1, 2).mul(10).sum()); // + 10·x[2..3]
    loss.backward({ retainGraph: true });
    expect(values(x.grad)).toEqual([0, 2, 12, 18, 10, 0]);
    loss.backward();
    expect(values(x.grad)).toEqual([0, 4, 24, 36, 20, 0]);
  });
});
