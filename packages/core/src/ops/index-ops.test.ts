import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { hostValues, readHost, rememberHost } from '../hostcache';
import { tidy } from '../memory';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { type IndexItem, index, indexPut, slice } from './index-ops';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const int = (data: number | number[] | number[][]): Tensor => tensor(data, { dtype: 'int32' });
const bool = (data: boolean[] | boolean[][] | boolean): Tensor => tensor(data, { dtype: 'bool' });
// torch.arange(12.).reshape(3, 4) and torch.arange(24.).reshape(2, 3, 4)
const x34 = (): Tensor => tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
const x234 = (): Tensor => tensor(Array.from({ length: 24 }, (_, i) => i), { shape: [2, 3, 4] });
// 1, 2, 3, ... in `shape`: the upstream gradient of the checks below
const upstream = (shape: readonly number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => i + 1), { shape });
};

describe('index: the examples of API.md (values from PyTorch)', () => {
  it('x.index(0) is x[0]: a number selects and drops the dim', () => {
    const y = index(x34(), 0);
    expect(y.shape).toEqual([4]);
    expect(y.tolist()).toEqual([0, 1, 2, 3]);
    expect(index(x34(), -1).tolist()).toEqual([8, 9, 10, 11]);
    expect(index(x34(), 1, 2).shape).toEqual([]);
    expect(index(x34(), 1, 2).item()).toBe(6);
  });

  it('x.index(null, slice(1, 3)) is x[:, 1:3]', () => {
    expect(index(x34(), null, slice(1, 3)).tolist()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(index(x234(), null, slice(null, null, 2), slice(1, null, 2)).tolist()).toEqual([[[1, 3], [9, 11]], [[13, 15], [21, 23]]]);
    expect(index(x234(), 0, slice(1), slice(null, null, 3)).tolist()).toEqual([[4, 7], [8, 11]]);
    // clamped, negatives from the end, empty
    expect(index(x34(), null, slice(1, 100)).shape).toEqual([3, 3]);
    expect(index(x34(), slice(-100, 100)).shape).toEqual([3, 4]);
    expect(index(x34(), slice(2, 1)).shape).toEqual([0, 4]);
    expect(index(x34(), null, slice(-3, -1)).tolist()).toEqual([[1, 2], [5, 6], [9, 10]]);
  });

  it("x.index('...', -1) is x[..., -1]", () => {
    expect(index(x234(), '...', -1).tolist()).toEqual([[3, 7, 11], [15, 19, 23]]);
    expect(index(x234(), 0, '...').shape).toEqual([3, 4]);
    expect(index(x234(), '...').shape).toEqual([2, 3, 4]);
  });

  it('x.index(mask) is x[mask]: the selected elements, 1-D; a mask over leading dims keeps the rest', () => {
    const x = x34();
    expect(index(x, bool([[true, false, false, true], [false, false, true, false], [false, true, false, false]])).tolist()).toEqual([0, 3, 6, 9]);
    expect(index(x, bool([true, false, true])).tolist()).toEqual([[0, 1, 2, 3], [8, 9, 10, 11]]);
    expect(index(x, bool([false, false, false])).shape).toEqual([0, 4]);
    expect(index(x234(), '...', bool([true, false, true, true])).shape).toEqual([2, 3, 3]);
    expect(index(x234(), null, bool([[true, false, true, true], [false, false, false, false], [true, true, true, true]])).shape).toEqual([2, 7]);
  });

  it('x.index(idx) is x[idx]: an int32 tensor, negatives wrap', () => {
    expect(index(x34(), int([2, 0, 2])).tolist()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]]);
    expect(index(x34(), int([[0, -1], [1, 1]])).tolist()).toEqual([
      [[0, 1, 2, 3], [8, 9, 10, 11]],
      [[4, 5, 6, 7], [4, 5, 6, 7]],
    ]);
    expect(index(x34(), null, int([3, 0])).tolist()).toEqual([[3, 0], [7, 4], [11, 8]]);
    expect(index(x34(), int(1)).tolist()).toEqual([4, 5, 6, 7]); // a 0-d index drops the dim
  });

  it('x.index(rows, cols) is x[rows, cols]: index tensors broadcast together', () => {
    expect(index(x34(), int([0, 2, 1]), int([3, 0, -1])).tolist()).toEqual([3, 8, 7]);
    expect(index(x34(), int([[0], [2]]), int([1, 3])).tolist()).toEqual([[1, 3], [9, 11]]);
  });

  it("NumPy's rule for where advanced dims go: in place when adjacent, else first (numbers select first, as PyTorch)", () => {
    // x[idx, :, idx]: separated by a slice, so the broadcast dim goes first
    expect(index(x234(), int([1, 0]), null, int([3, 1])).tolist()).toEqual([[15, 19, 23], [1, 5, 9]]);
    // x[:, idx, idx]: adjacent, so in place
    expect(index(x234(), null, int([2, 0]), int([1, 1])).tolist()).toEqual([[9, 1], [21, 13]]);
    // x[1, :, idx]: PyTorch applies the number first, leaving x[1][:, idx]
    expect(index(x234(), 1, null, int([0, 3])).tolist()).toEqual([[12, 15], [16, 19], [20, 23]]);
    expect(index(x234(), int([0, 1]), 1, int([0, 2])).shape).toEqual([2]); // x[i, 1, i]: adjacent once 1 is dropped
    expect(index(x234(), int([0, 1, 1]), null, bool([true, false, true, true])).shape).toEqual([3, 3]);
  });

  it('a 0-d bool mask adds a dim of size 1 (true) or 0 (false), as PyTorch', () => {
    expect(index(x34(), bool(true)).shape).toEqual([1, 3, 4]);
    expect(index(x34(), bool(false)).shape).toEqual([0, 3, 4]);
  });

  it('int32 and bool tensors index too, keeping their dtype', () => {
    const t = int([[1, 2, 3], [4, 5, 6]]);
    const y = index(t, null, int([2, 0]));
    expect(y.dtype).toBe('int32');
    expect(y.tolist()).toEqual([[3, 1], [6, 4]]);
    expect(index(bool([true, false, true]), slice(1)).tolist()).toEqual([false, true]);
  });
});

describe('index: gradients (PyTorch values, upstream 1, 2, 3, ...)', () => {
  const cases: [string, () => IndexItem[], number[][]][] = [
    ['x[1, 1:]', () => [1, slice(1)], [[0, 0, 0, 0], [0, 1, 2, 3], [0, 0, 0, 0]]],
    ['x[:, ::2]', () => [null, slice(null, null, 2)], [[1, 0, 2, 0], [3, 0, 4, 0], [5, 0, 6, 0]]],
    ['x[idx] with a repeat', () => [int([2, 0, 2])], [[5, 6, 7, 8], [0, 0, 0, 0], [10, 12, 14, 16]]],
    ['x[rows, cols] with a repeat', () => [int([0, 2, 0]), int([1, 0, 1])], [[0, 4, 0, 0], [0, 0, 0, 0], [2, 0, 0, 0]]],
    ['x[mask]', () => [bool([[true, false, false, true], [false, false, true, false], [false, true, false, false]])], [[1, 0, 0, 2], [0, 0, 3, 0], [0, 4, 0, 0]]],
  ];
  for (const [name, items, want] of cases) {
    it(name, () => {
      const x = tensor(x34().tolist() as number[][], { requiresGrad: true });
      const y = index(x, ...items());
      const [g] = grad(y.mul(upstream(y.shape)).sum(), [x]);
      expect(g!.tolist()).toEqual(want);
    });
  }

  it('index tensors carry no gradient; the result of an int tensor does not require grad', () => {
    const y = index(int([5, 6, 7]), int([0, 0]));
    expect(y.requiresGrad).toBe(false);
    expect(y.tolist()).toEqual([5, 5]);
  });
});

describe('index and indexPut in tidy, second order, empty tensors', () => {
  it('a loss returned from tidy still backpropagates (the graph keeps the positions and the mask)', () => {
    const x = tensor(x34().tolist() as number[][], { requiresGrad: true });
    const v = tensor([-1, -2], { requiresGrad: true });
    const loss = tidy(() => {
      const a = index(x, int([2, 0, 2]), null).mul(upstream([3, 4])).sum(); // advanced
      const b = index(x, null, slice(null, null, 3)).sum(); // a strided slice
      const c = indexPut(x, [int([1]), slice(1, 3)], v).mul(upstream([3, 4])).sum();
      return a.add(b).add(c);
    });
    const [gx, gv] = grad(loss, [x, v]);
    // a: [[5,6,7,8],[0,0,0,0],[10,12,14,16]]; b: 1 at columns 0 and 3; c: 1..12 but 0 at (1,1), (1,2)
    expect(gx!.tolist()).toEqual([[7, 8, 10, 13], [6, 0, 0, 9], [20, 22, 25, 29]]);
    expect(gv!.tolist()).toEqual([6, 7]);
  });

  it('second derivatives flow through index (createGraph)', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = index(x, int([0, 2, 2])).pow(3).sum(); // x0^3 + 2 x2^3
    const [g] = grad(y, [x], { createGraph: true });
    expect(g!.tolist()).toEqual([3, 0, 54]);
    const [h] = grad(g!.sum(), [x]);
    expect(h!.tolist()).toEqual([6, 0, 36]);
  });

  it('empty selections', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = index(x, bool([[false, false], [false, false]]));
    expect(y.shape).toEqual([0]);
    const [g] = grad(y.sum().add(index(x, 0, 1)), [x]);
    expect(g!.tolist()).toEqual([[0, 1], [0, 0]]);
    const v = tensor([5, 6], { requiresGrad: true });
    const z = indexPut(x, [int([]).reshape([0]), null], v);
    expect(z.tolist()).toEqual([[1, 2], [3, 4]]);
    const [gx, gv] = grad(z.sum(), [x, v]);
    expect(gx!.tolist()).toEqual([[1, 1], [1, 1]]);
    expect(gv!.tolist()).toEqual([0, 0]);
  });
});

describe('indexPut: y = x.clone(); y[indices] = value', () => {
  it("x.indexPut_([null, slice(0, 2)], value) with a tensor, a broadcast tensor and a number", () => {
    const v = tensor([[10, 20], [30, 40], [50, 60]]);
    expect(indexPut(x34(), [null, slice(0, 2)], v).tolist()).toEqual([[10, 20, 2, 3], [30, 40, 6, 7], [50, 60, 10, 11]]);
    expect(indexPut(x34(), [null, slice(0, 2)], tensor([-1, -2])).tolist()).toEqual([[-1, -2, 2, 3], [-1, -2, 6, 7], [-1, -2, 10, 11]]);
    expect(indexPut(x34(), [null, slice(0, 2)], 7).tolist()).toEqual([[7, 7, 2, 3], [7, 7, 6, 7], [7, 7, 10, 11]]);
  });

  it('leaves x unchanged (out of place)', () => {
    const x = x34();
    indexPut(x, [0], 100);
    expect(index(x, 0).tolist()).toEqual([0, 1, 2, 3]);
  });

  it('writes through masks, index tensors (the last repeat wins, as PyTorch on CPU) and ellipses', () => {
    const mask = bool([[true, false, false, true], [false, false, true, false], [false, true, false, false]]);
    expect(indexPut(x34(), [mask], tensor([1, 2, 3, 4])).tolist()).toEqual([[1, 1, 2, 2], [4, 5, 3, 7], [8, 4, 10, 11]]);
    const v = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
    expect(indexPut(x34(), [int([0, 2, 0])], v).tolist()).toEqual([[9, 10, 11, 12], [4, 5, 6, 7], [5, 6, 7, 8]]);
    expect(indexPut(x234(), ['...', -1], 0.5).tolist()).toEqual(
      [[[0, 1, 2, 0.5], [4, 5, 6, 0.5], [8, 9, 10, 0.5]], [[12, 13, 14, 0.5], [16, 17, 18, 0.5], [20, 21, 22, 0.5]]],
    );
    expect(indexPut(x34(), [bool([false, false, false])], 1).tolist()).toEqual(x34().tolist()); // nothing written
  });

  it("casts the value to x's dtype", () => {
    const t = int([1, 2, 3]);
    const y = indexPut(t, [int([1])], 7.9);
    expect(y.dtype).toBe('int32');
    expect(y.tolist()).toEqual([1, 7, 3]);
    expect(indexPut(x34(), [0], int([1, 2, 3, 4])).dtype).toBe('float32');
  });

  it('gradients to x (zero where written) and to value (summed where broadcast)', () => {
    const x = tensor(x34().tolist() as number[][], { requiresGrad: true });
    const v = tensor([-1, -2], { requiresGrad: true });
    const y = indexPut(x, [null, slice(0, 2)], v);
    const [gx, gv] = grad(y.mul(upstream(y.shape)).sum(), [x, v]);
    expect(gx!.tolist()).toEqual([[0, 0, 3, 4], [0, 0, 7, 8], [0, 0, 11, 12]]);
    expect(gv!.tolist()).toEqual([15, 18]);
  });

  it('with a repeated position, every repeat of value gets its gradient, as PyTorch', () => {
    const x = tensor(x34().tolist() as number[][], { requiresGrad: true });
    const v = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], { requiresGrad: true });
    const y = indexPut(x, [int([0, 2, 0])], v);
    const [gx, gv] = grad(y.mul(upstream(y.shape)).sum(), [x, v]);
    expect(gx!.tolist()).toEqual([[0, 0, 0, 0], [5, 6, 7, 8], [0, 0, 0, 0]]);
    expect(gv!.tolist()).toEqual([[1, 2, 3, 4], [9, 10, 11, 12], [1, 2, 3, 4]]);
    const s = tensor(5, { requiresGrad: true });
    const y2 = indexPut(x, [int([0, 2, 0]), int([1, 1, 1])], s);
    const [gx2, gs] = grad(y2.mul(upstream(y2.shape)).sum(), [x, s]);
    expect(gx2!.tolist()).toEqual([[1, 0, 3, 4], [5, 6, 7, 8], [9, 0, 11, 12]]);
    expect(gs!.item()).toBe(14);
  });

  it('a mask write: gradient to the value at the true positions', () => {
    const x = tensor(x34().tolist() as number[][], { requiresGrad: true });
    const v = tensor([1, 2, 3, 4], { requiresGrad: true });
    const mask = bool([[true, false, false, true], [false, false, true, false], [false, true, false, false]]);
    const y = indexPut(x, [mask], v);
    const [gx, gv] = grad(y.mul(upstream(y.shape)).sum(), [x, v]);
    expect(gx!.tolist()).toEqual([[0, 2, 3, 0], [5, 6, 0, 8], [9, 0, 11, 12]]);
    expect(gv!.tolist()).toEqual([1, 4, 7, 10]);
  });

  it('throws on a value that does not broadcast, and on wrong argument kinds', () => {
    expect(() => indexPut(x34(), [null, slice(0, 2)], tensor([1, 2, 3]))).toThrow(/indexPut: shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[3,2\]/);
    expect(() => indexPut(x34(), 0 as unknown as IndexItem[], 1)).toThrow(/indexPut: indices must be an array/);
    expect(() => indexPut(x34(), [0], 'a' as unknown as number)).toThrow(/indexPut: value must be a number or a Tensor/);
    expect(() => indexPut(x34(), [5], 1)).toThrow('indexPut: index 5 is out of bounds for dimension 0 with size 3');
  });
});

describe('index: errors', () => {
  it('a number out of range names the dim, the index and the size', () => {
    expect(() => index(x34(), 5)).toThrow('index: index 5 is out of bounds for dimension 0 with size 3');
    expect(() => index(x34(), null, -5)).toThrow('index: index -5 is out of bounds for dimension 1 with size 4');
  });

  it('an index tensor value out of range names the value and the size', () => {
    expect(() => index(x34(), int([0, 7]))).toThrow('index: index 7 is out of bounds for dimension 0 with size 3');
    expect(() => index(x34(), null, int([0, -5]))).toThrow('index: index -5 is out of bounds for dimension 1 with size 4');
  });

  it('too many indices, a fractional number, two ellipses', () => {
    expect(() => index(x34(), 0, 0, 0)).toThrow('index: too many indices for tensor of dimension 2');
    expect(() => index(x34(), bool([[true]]), 0)).toThrow(/too many indices|does not match/);
    expect(() => index(x34(), 1.5)).toThrow('index: a number index must be an integer, got 1.5');
    expect(() => index(x34(), '...', '...')).toThrow(/single ellipsis/);
  });

  it('slice steps must be positive integers, parts integers', () => {
    expect(() => slice(null, null, -1)).toThrow('slice: slice step must be a positive integer, got -1');
    expect(() => slice(null, null, 0)).toThrow(/positive integer, got 0/);
    expect(() => slice(0.5)).toThrow('slice: slice start must be an integer or null');
    const handmade = { kind: 'slice', start: null, end: null, step: -2 } as const;
    expect(() => index(x34(), handmade)).toThrow('index: slice step must be a positive integer, got -2');
  });

  it('masks must match the dims they cover; index tensors must broadcast; float tensors and arrays are refused', () => {
    expect(() => index(x34(), bool([true, false]))).toThrow('index: the shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3,4] at index 0');
    expect(() => index(x34(), int([0, 1]), int([0, 1, 2]))).toThrow('index: shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]');
    expect(() => index(x34(), tensor([0, 1]))).toThrow('index: an index tensor must be int32 or bool, got float32 of shape [2]');
    expect(() => index(x34(), [0, 1] as unknown as IndexItem)).toThrow(/unsupported index \[0,1\] at position 0.*tensor\(\[\.\.\.\], \{ dtype: 'int32' \}\)/);
    expect(() => index(x34(), 'a' as unknown as IndexItem)).toThrow(/unsupported index "a"/);
  });
});

describe('hostcache: index values on backends that cannot read synchronously', () => {
  // a cpu backend that claims no synchronous reads, as gpujs on WebGPU
  const asyncOnly = (): Backend => {
    const b = cpuBackend();
    return { ...b, name: 'async-cpu', supports: { ...b.supports, syncRead: false } };
  };

  it('uses remembered host values, and otherwise throws saying how to index', async () => {
    const b = asyncOnly();
    await setBackend(b);
    try {
      const x = tensor([[0, 1, 2], [3, 4, 5]]);
      // computed on the device: no host copy, and this backend cannot read it synchronously
      const computed = tensor([1, 0, 1], { dtype: 'int32' }).mul(1);
      expect(hostValues(computed)).toBeNull();
      expect(() => index(x, null, computed)).toThrow(/index: needs the values of the int32 index tensor of shape \[3\] on the host, but backend 'async-cpu' cannot read synchronously.*await idx\.data\(\)/);
      expect(() => index(x, computed.narrow(0, 0, 2).gt(0))).toThrow(/index: needs the values of the bool mask of shape \[2\]/);
      // made from host data: remembered (by tensor() itself once it calls rememberHost, else here)
      const idx = tensor([1, 0, 1], { dtype: 'int32' });
      const mask = tensor([true, false], { dtype: 'bool' });
      if (hostValues(idx) === null) rememberHost(idx, new Int32Array([1, 0, 1]));
      if (hostValues(mask) === null) rememberHost(mask, new Uint8Array([1, 0]));
      const y = index(x, null, idx);
      expect(y.shape).toEqual([2, 3]);
      expect(Array.from(await y.data())).toEqual([1, 0, 1, 4, 3, 4]);
      expect(Array.from(await index(x, mask).data())).toEqual([0, 1, 2]);
      expect(Array.from(await indexPut(x, [mask, idx], -1).data())).toEqual([-1, -1, 2, 3, 4, 5]);
      // a view shares the storage, so its values are known too
      expect(Array.from(readHost('index', idx.reshape([3, 1])))).toEqual([1, 0, 1]);
    } finally {
      await setBackend(cpuBackend());
    }
  });

  it('rememberHost copies the values and checks their number', () => {
    const t = int([0, 0]);
    const values = new Int32Array([4, 5]);
    rememberHost(t, values);
    values[0] = 9;
    expect(Array.from(hostValues(t)!)).toEqual([4, 5]);
    expect(() => rememberHost(t, new Int32Array(3))).toThrow('rememberHost: 3 values do not fill shape [2]');
  });
});

// The index and index_put cases of golden/torch-cases-2.json (PyTorch 1.13, float64)
interface Json { shape: number[]; data: number[]; dtype?: 'int32' | 'bool' }
interface Case {
  name: string;
  op: 'index' | 'index_put';
  attrs: { index: unknown[]; value?: number | { tensor: number } };
  inputs: Json[];
  output?: Json;
  upstream?: Json;
  grads?: (Json | null)[];
  throws?: string[];
}
const golden = (JSON.parse(readFileSync(new URL('./index-ops.cases.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases;

describe('golden cases (PyTorch 1.13)', () => {
  it('has all of them', () => expect(golden.length).toBe(38));
  for (const c of golden) {
    it(c.name, () => {
      const inputs = c.inputs.map((j) => tensor(j.data.map((v) => (j.dtype === 'bool' ? Boolean(v) : v)) as number[], { shape: j.shape, dtype: j.dtype ?? 'float32', requiresGrad: !j.dtype }));
      const item = (a: unknown): IndexItem => {
        if (a === null || typeof a === 'number' || a === '...') return a as IndexItem;
        const o = a as { slice?: (number | null)[]; tensor?: number };
        if (o.slice) return slice(o.slice[0], o.slice[1], o.slice[2]);
        return inputs[o.tensor!]!;
      };
      const run = (): Tensor => {
        const items = c.attrs.index.map(item);
        if (c.op === 'index') return index(inputs[0]!, ...items);
        const v = c.attrs.value!;
        return indexPut(inputs[0]!, items, typeof v === 'number' ? v : inputs[v.tensor]!);
      };
      if (c.throws) {
        let err: unknown;
        try {
          run();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(Error);
        for (const s of c.throws) expect((err as Error).message.toLowerCase()).toContain(s.toLowerCase());
        return;
      }
      const y = run();
      expect(y.shape).toEqual(c.output!.shape);
      Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(c.output!.data[i]!, 5));
      const wrt = inputs.filter((_, i) => c.grads![i] !== null);
      const up = tensor(c.upstream!.data, { shape: c.upstream!.shape });
      const gs = grad(y.mul(up).sum(), wrt);
      let k = 0;
      c.grads!.forEach((want) => {
        if (want === null) return;
        const g = gs[k++]!;
        expect(g.shape).toEqual(want.shape);
        Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want.data[i]!, 5));
      });
    });
  }
});
