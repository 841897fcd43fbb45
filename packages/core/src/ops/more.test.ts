import { beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import { type Case, cases, check } from './more.golden';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { argsort, chunk, cumsum, flip, maskedFill, norm, outer, repeat, sort, split, std, topk, tril, triu } from './more';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

// ---- PyTorch's cases (torch-cases-2.json, PyTorch 1.13 in float64)

const dims = (d: unknown): number | number[] | undefined => (d === undefined || d === null ? undefined : (d as number | number[]));
const p = (v: unknown): number | 'fro' | undefined => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number | 'fro' | undefined));

// the tensorgrad call for a case: its outputs, in the case's order
function call(c: Case, xs: Tensor[]): Tensor[] {
  const a = c.attrs;
  const x = xs[0]!;
  switch (c.op) {
    case 'tril':
      return [tril(x, a.diagonal as number)];
    case 'triu':
      return [triu(x, a.diagonal as number)];
    case 'masked_fill':
      return [maskedFill(x, xs[1]!, a.value as number)];
    case 'cumsum':
      return [cumsum(x, a.dim as number)];
    case 'flip':
      return [flip(x, a.dims as number[])];
    case 'repeat':
      return [repeat(x, a.sizes as number[])];
    case 'repeat_variadic':
      return [x.repeat(...(a.sizes as number[]))];
    case 'split':
      return split(x, a.split_size_or_sections as number | number[], a.dim as number);
    case 'chunk':
      return chunk(x, a.chunks as number, a.dim as number);
    case 'std':
      return [std(x, dims(a.dim), (a.keepdim as boolean | undefined) ?? false, { correction: a.correction as number })];
    case 'norm':
      return [norm(x, p(a.p), dims(a.dim), (a.keepdim as boolean | undefined) ?? false)];
    case 'outer':
      return [outer(x, xs[1]!)];
    case 'sort': {
      const r = sort(x, a.dim as number, { descending: a.descending as boolean });
      return [r.values, r.indices];
    }
    case 'topk': {
      const r = topk(x, a.k as number, a.dim as number, { largest: a.largest as boolean | undefined });
      return [r.values, r.indices];
    }
    case 'argsort':
      return [argsort(x, a.dim as number, { descending: a.descending as boolean })];
    default:
      throw new Error(`no call for ${c.op}`);
  }
}

describe("PyTorch's cases", () => {
  for (const c of cases.filter((c) => c.op !== 'einsum')) it(c.name, () => check(c, call));
});

// ---- by hand

const int = (data: number[] | number[][]): Tensor => tensor(data, { dtype: 'int32' });
const bool = (data: boolean[] | boolean[][]): Tensor => tensor(data, { dtype: 'bool' });

describe('tril / triu', () => {
  it('keep the triangle of the last two dims of any rank, and of int32 and bool tensors', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(tril(x).tolist()).toEqual([[1, 0, 0], [4, 5, 0]]);
    expect(triu(x, 1).tolist()).toEqual([[0, 2, 3], [0, 0, 6]]);
    expect(tril(x, -5).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(tril(int([[1, 2], [3, 4]])).dtype).toBe('int32');
    const b = tril(bool([[true, true], [true, true]]));
    expect(b.dtype).toBe('bool');
    expect(b.tolist()).toEqual([[true, false], [true, true]]);
    expect(triu(tensor(Array.from({ length: 8 }, () => 1), { shape: [2, 1, 2, 2] })).tolist()).toEqual([[[[1, 1], [0, 1]]], [[[1, 1], [0, 1]]]]);
  });

  it('throw for fewer than 2 dims and a non-integer diagonal', () => {
    expect(() => tril(tensor([1, 2]))).toThrow(/tril: .*at least 2 dimensions/);
    expect(() => triu(tensor([[1]]), 0.5)).toThrow(/triu: diagonal/);
  });
});

describe('maskedFill', () => {
  it('fills with -Infinity (a causal mask) and gives zero gradient where filled', () => {
    const att = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const causal = tril(tensor([[1, 1], [1, 1]])).eq(0);
    const y = maskedFill(att, causal, -Infinity);
    expect(y.tolist()).toEqual([[1, -Infinity], [3, 4]]);
    const softmax = y.softmax(-1);
    expect(softmax.dataSync()[1]).toBe(0);
    const [g] = grad(maskedFill(att, causal, 0).mul(tensor([[1, 2], [3, 4]])).sum(), [att]);
    expect(g!.tolist()).toEqual([[1, 0], [3, 4]]);
  });

  it('takes a 0-d value tensor, which receives the gradient of the filled places', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const v = tensor(5, { requiresGrad: true });
    const y = maskedFill(x, bool([true, false, true]), v);
    expect(y.tolist()).toEqual([5, 2, 5]);
    const [gx, gv] = grad(y.mul(tensor([1, 10, 100])).sum(), [x, v]);
    expect(gx!.tolist()).toEqual([0, 10, 0]);
    expect(gv!.item()).toBe(101);
  });

  it("keeps the input's dtype (int32 truncates a float value, as PyTorch)", () => {
    const y = maskedFill(int([0, 0, 0]), bool([true, false, true]), 1.5);
    expect(y.dtype).toBe('int32');
    expect(y.tolist()).toEqual([1, 0, 1]);
  });

  it('throws for a float mask (naming bool), a mask that would grow x, and a non-0-d value', () => {
    expect(() => maskedFill(tensor([1, 2]), tensor([1, 0]), 0)).toThrow(/maskedFill: mask must be a bool tensor/);
    expect(() => maskedFill(tensor([1, 2]), bool([[true, false], [false, true]]), 0)).toThrow(/maskedFill: .*\[2,2\]/);
    expect(() => maskedFill(tensor([1, 2]), bool([true, false]), tensor([1, 2]))).toThrow(/maskedFill: the value must be a number or a 0-d tensor, got shape/);
    expect(() => maskedFill(tensor([1, 2]), bool([true, false]), 'a' as unknown as number)).toThrow(/maskedFill: value/);
  });
});

describe('cumsum', () => {
  it('sums along a dim; bool and int32 give int32', () => {
    expect(cumsum(tensor([1, 2, 3]), 0).tolist()).toEqual([1, 3, 6]);
    expect(cumsum(tensor([[1, 2], [3, 4]]), 0).tolist()).toEqual([[1, 2], [4, 6]]);
    const b = cumsum(bool([true, false, true, true]), 0);
    expect(b.dtype).toBe('int32');
    expect(b.tolist()).toEqual([1, 1, 2, 3]);
    const i = cumsum(int([[1, 2, 3]]), -1);
    expect(i.dtype).toBe('int32');
    expect(i.tolist()).toEqual([[1, 3, 6]]);
    expect(cumsum(tensor(3), 0).item()).toBe(3);
  });

  it('has the reversed cumulative sum as gradient, and a second derivative of zero', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const [g] = grad(cumsum(x, 0).mul(tensor([1, 10, 100])).sum(), [x], { createGraph: true });
    expect(g!.tolist()).toEqual([111, 110, 100]);
  });

  it('throws for a dim out of range', () => {
    expect(() => cumsum(tensor([1, 2]), 1)).toThrow(/cumsum/);
  });
});

describe('flip / repeat', () => {
  it('flip reverses one or several dims and throws on a repeated dim', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(flip(x, [0]).tolist()).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(flip(x, -1).tolist()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(flip(x, [0, 1]).tolist()).toEqual([[6, 5, 4], [3, 2, 1]]);
    expect(x.flip(1).tolist()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(() => flip(x, [0, -2])).toThrow(/flip: dim 0 appears multiple times/);
  });

  it('repeat tiles as torch.Tensor.repeat, with leading new dims', () => {
    expect(repeat(tensor([1, 2]), [2, 2]).tolist()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(repeat(tensor([[1], [2]]), [1, 3]).tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(repeat(int([1, 2]), [0]).shape).toEqual([0]);
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = grad(repeat(x, [3, 2]).sum(), [x]);
    expect(g!.tolist()).toEqual([6, 6]);
    expect(() => repeat(tensor([[1]]), [2])).toThrow(/repeat: 1 sizes \[2\] for 2 dims \(shape \[1,1\]\); give at least one per dim/);
  });
});

describe('split / chunk', () => {
  it("use torch's piece sizes", () => {
    const x = tensor([0, 1, 2, 3, 4]);
    expect(split(x, 2).map((t) => t.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    expect(split(x, [1, 4]).map((t) => t.tolist())).toEqual([[0], [1, 2, 3, 4]]);
    expect(split(x, 5).length).toBe(1);
    expect(chunk(x, 4).map((t) => t.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    expect(chunk(tensor([0, 1, 2, 3, 4, 5]), 4).map((t) => t.tolist())).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(chunk(tensor([]), 3).map((t) => t.shape)).toEqual([[0], [0], [0]]);
    const [q, k, v] = chunk(tensor([[1, 2, 3, 4, 5, 6]]), 3, -1);
    expect([q!.tolist(), k!.tolist(), v!.tolist()]).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]]);
  });

  it('throw for sizes that do not sum, a zero size and zero chunks', () => {
    expect(() => split(tensor([1, 2, 3]), [1, 1])).toThrow(/split: .*sum to 2.*\(3\)/);
    expect(() => split(tensor([1, 2, 3]), 0)).toThrow(/split: split size 0/);
    expect(() => chunk(tensor([1, 2, 3]), 0)).toThrow(/chunk: chunks must be a positive integer/);
  });
});

describe('std / norm', () => {
  it('std matches torch.std and has zero gradient where the std is 0', () => {
    expect(std(tensor([1, 2, 3, 4])).item()).toBeCloseTo(1.2909944, 5);
    expect(std(tensor([1, 2, 3, 4]), 0, false, { correction: 0 }).item()).toBeCloseTo(1.118034, 5);
    const x = tensor([1, 1, 1], { requiresGrad: true });
    const [g] = grad(std(x), [x]);
    expect(g!.tolist()).toEqual([0, 0, 0]);
    expect(() => std(tensor([1, 2]), 0, false, { corection: 1 } as never)).toThrow(/std: unknown option 'corection'/);
    expect(() => std(int([1, 2]))).toThrow(/std: input dtype must be float32/);
  });

  it('norm: the 2-norm of zeros has gradient 0, as PyTorch; inf splits among ties', () => {
    expect(norm(tensor([3, 4])).item()).toBeCloseTo(5, 5);
    expect(norm(tensor([[1, 2], [3, 4]]), 'fro').item()).toBeCloseTo(5.4772256, 5);
    const z = tensor([0, 0, 0], { requiresGrad: true });
    expect(grad(norm(z), [z])[0]!.tolist()).toEqual([0, 0, 0]);
    // torch: x = [0, 2, -2]; x.norm(inf).backward() → [0, 0.5, -0.5]
    const x = tensor([0, 2, -2], { requiresGrad: true });
    expect(grad(norm(x, Infinity), [x])[0]!.tolist()).toEqual([0, 0.5, -0.5]);
    // torch: x.norm(-inf) of [0, 2, -2, 1] is 0, gradient zero
    const y = tensor([0, 2, -2, 1], { requiresGrad: true });
    expect(norm(y, -Infinity).item()).toBe(0);
    expect(Array.from(grad(norm(y, -Infinity), [y])[0]!.dataSync()).map((v) => v + 0)).toEqual([0, 0, 0, 0]); // torch: [0, 0, -0, 0]
  });

  it('norm of general p matches torch, with gradient 0 at zeros', () => {
    // torch: x = [0, 1, -2]; x.norm(1.5) = 2.3208; grad [0, 0.6392, -0.9040]; x.norm(0.5) grad [0, 2.4142, -1.7071]
    const x = tensor([0, 1, -2], { requiresGrad: true });
    const n = norm(x, 1.5);
    expect(n.item()).toBeCloseTo(Math.pow(1 + Math.pow(2, 1.5), 1 / 1.5), 5);
    const [g] = grad(n, [x]);
    expect(g!.dataSync()[0]).toBe(0);
    expect(g!.dataSync()[1]).toBeCloseTo(0.6392, 4);
    expect(g!.dataSync()[2]).toBeCloseTo(-0.904, 4);
    const [g2] = grad(norm(x, 0.5), [x]);
    expect(Array.from(g2!.dataSync()).map((v) => Number(v.toFixed(4)))).toEqual([0, 2.4142, -1.7071]);
    const z = tensor([0, 0], { requiresGrad: true });
    expect(grad(norm(z, 3), [z])[0]!.tolist()).toEqual([0, 0]);
    expect(norm(x, 0).item()).toBe(2);
    expect(() => norm(x, 'nuc' as never)).toThrow(/norm: p must be a number/);
  });

  it('outer takes two vectors', () => {
    expect(outer(tensor([1, 2]), tensor([1, 10, 100])).tolist()).toEqual([[1, 10, 100], [2, 20, 200]]);
    expect(outer(int([1, 2]), int([3])).dtype).toBe('int32');
    expect(() => outer(tensor([[1]]), tensor([1]))).toThrow(/outer: expects two 1-D vectors/);
  });
});

describe('sort / argsort / topk', () => {
  it('sorts stably, int32 too, NaN last', () => {
    const r = sort(tensor([2, 1, 2, 0, 1]));
    expect(r.values.tolist()).toEqual([0, 1, 1, 2, 2]);
    expect(r.indices.tolist()).toEqual([3, 1, 4, 0, 2]);
    expect(r.indices.dtype).toBe('int32');
    const d = sort(tensor([2, 1, 2, 0, 1]), 0, { descending: true, stable: true });
    expect(d.indices.tolist()).toEqual([0, 2, 1, 4, 3]);
    const i = sort(int([[3, -1, 2]]), 1);
    expect(i.values.dtype).toBe('int32');
    expect(i.values.tolist()).toEqual([[-1, 2, 3]]);
    const n = sort(tensor([1, NaN, 0]));
    expect(Array.from(n.values.dataSync())).toEqual([0, 1, NaN]);
    const bl = sort(bool([true, false, true]));
    expect(bl.values.dtype).toBe('bool');
    expect(bl.values.tolist()).toEqual([false, true, true]);
    expect(bl.indices.tolist()).toEqual([1, 0, 2]);
    expect(argsort(tensor([3, 1, 2])).tolist()).toEqual([1, 2, 0]);
    expect(argsort(tensor([[3, 1], [0, 5]]), 0, { descending: true }).tolist()).toEqual([[0, 1], [1, 0]]);
  });

  it('the gradient of the values goes back to where they came from', () => {
    const x = tensor([3, 1, 2], { requiresGrad: true });
    const [g] = grad(sort(x).values.mul(tensor([1, 10, 100])).sum(), [x]);
    expect(g!.tolist()).toEqual([100, 1, 10]);
    const [g2] = grad(topk(x, 2).values.mul(tensor([1, 10])).sum(), [x]);
    expect(g2!.tolist()).toEqual([1, 0, 10]);
  });

  it('topk takes the largest or smallest k, in order', () => {
    const x = tensor([[1, 5, 3, 4], [8, 2, 6, 0]]);
    const t = topk(x, 2);
    expect(t.values.tolist()).toEqual([[5, 4], [8, 6]]);
    expect(t.indices.tolist()).toEqual([[1, 3], [0, 2]]);
    const s = topk(x, 1, 0, { largest: false, sorted: true });
    expect(s.values.tolist()).toEqual([[1, 2, 3, 0]]);
    expect(s.indices.tolist()).toEqual([[0, 1, 0, 1]]);
    expect(topk(x, 0).values.shape).toEqual([2, 0]);
  });

  it('throw for bad options and a k larger than the dim', () => {
    expect(() => topk(tensor([[1, 2, 3]]), 4)).toThrow(/topk: k \(4\) is out of range.*size 3/);
    expect(() => topk(tensor([1]), 1, 0, { largets: true } as never)).toThrow(/topk: unknown option 'largets' \(did you mean 'largest'\?\)/);
    expect(() => sort(tensor([1]), 0, { descending: 1 } as never)).toThrow(/sort: descending must be true or false/);
    expect(() => argsort(tensor([1]), 2)).toThrow(/argsort/);
  });
});
