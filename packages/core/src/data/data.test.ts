import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { arange, data, manualSeed, memory, randn, setBackend, tensor, zeros } from '../index';
import type { Tensor } from '../tensor';
import { DataLoader, randomSplit, Subset, TensorDataset, type Dataset } from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

// the dataset: x row i is [i, 10 i], y[i] = i
function numbered(n: number): TensorDataset {
  const x = tensor(Array.from({ length: n }, (_, i) => [i, 10 * i]));
  const y = arange(n, { dtype: 'int32' });
  return new TensorDataset(x, y);
}

function epoch(loader: Iterable<Tensor[]>): number[][] {
  const out: number[][] = [];
  for (const [xb, yb] of loader) {
    // x and y stay paired
    expect((xb!.tolist() as number[][]).map((r) => r[0])).toEqual(yb!.tolist());
    out.push(yb!.tolist() as number[]);
  }
  return out;
}

describe('TensorDataset', () => {
  it('is exported as the data namespace of the package', () => {
    expect(data.TensorDataset).toBe(TensorDataset);
    expect(data.DataLoader).toBe(DataLoader);
    expect(data.Subset).toBe(Subset);
    expect(data.randomSplit).toBe(randomSplit);
  });

  it('has the length of the first dim and items [x[i], y[i]]', () => {
    const ds = numbered(5);
    expect(ds.length).toBe(5);
    const [x, y] = ds.at(3);
    expect(x!.tolist()).toEqual([3, 30]);
    expect(y!.tolist()).toBe(3);
    expect(ds.at(-1)[1]!.tolist()).toBe(4);
  });

  it('throws naming the sizes when the first dims differ', () => {
    expect(() => new TensorDataset(zeros([4, 2]), zeros([3]))).toThrow(/size mismatch.*tensor 0: 4.*tensor 1: 3/);
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(tensor(1))).toThrow(/0-dimensional/);
    expect(() => numbered(3).at(3)).toThrow(/out of range/);
  });
});

describe('DataLoader', () => {
  it('batches in order with a partial last batch', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const shapes: number[][][] = [];
    for (const [xb, yb] of loader) shapes.push([xb!.shape.slice(), yb!.shape.slice()]);
    expect(shapes).toEqual([
      [[4, 2], [4]],
      [[4, 2], [4]],
      [[2, 2], [2]],
    ]);
    expect(epoch(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('drops the partial last batch with dropLast', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(epoch(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(new DataLoader(numbered(8), { batchSize: 4, dropLast: true }).length).toBe(2);
    expect(new DataLoader(numbered(3), { batchSize: 4, dropLast: true }).length).toBe(0);
    expect(epoch(new DataLoader(numbered(3), { batchSize: 4, dropLast: true }))).toEqual([]);
  });

  it('defaults to batches of 1', () => {
    const loader = new DataLoader(numbered(3));
    expect(loader.length).toBe(3);
    expect(epoch(loader)).toEqual([[0], [1], [2]]);
  });

  it('gathers copies of the rows, leaving the dataset intact', () => {
    const ds = numbered(10);
    const it = new DataLoader(ds, { batchSize: 5, shuffle: true })[Symbol.iterator]();
    const b = it.next().value as Tensor[];
    expect(b.map((t) => t.shape)).toEqual([[5, 2], [5]]);
    b.forEach((t) => t.dispose());
    it.return?.();
    expect(ds.tensors.map((t) => t.isDisposed)).toEqual([false, false]);
    expect(ds.at(9)[0]!.tolist()).toEqual([9, 90]);
  });

  it('shuffles every index exactly once per epoch, differently each epoch', () => {
    manualSeed(1);
    const loader = new DataLoader(numbered(50), { batchSize: 8, shuffle: true });
    const a = epoch(loader);
    const b = epoch(loader);
    expect(a.map((x) => x.length)).toEqual([8, 8, 8, 8, 8, 8, 2]);
    const sorted = (e: number[][]) => e.flat().sort((p, q) => p - q);
    const all = Array.from({ length: 50 }, (_, i) => i);
    expect(sorted(a)).toEqual(all);
    expect(sorted(b)).toEqual(all);
    expect(a.flat()).not.toEqual(all);
    expect(a.flat()).not.toEqual(b.flat());
  });

  it('repeats the shuffle after manualSeed', () => {
    const loader = new DataLoader(numbered(20), { batchSize: 6, shuffle: true });
    manualSeed(7);
    const a = [epoch(loader), epoch(loader)];
    manualSeed(7);
    const b = [epoch(loader), epoch(loader)];
    expect(b).toEqual(a);
  });

  it('stacks the items of any other dataset', () => {
    const squares: Dataset<Tensor> = { length: 5, at: (i) => tensor([i, i * i]) };
    const loader = new DataLoader(squares, { batchSize: 2 });
    expect(loader.length).toBe(3);
    expect([...loader].map((b) => b.tolist())).toEqual([[[0, 0], [1, 1]], [[2, 4], [3, 9]], [[4, 16]]]);
    const pairs: Dataset<Tensor[]> = { length: 4, at: (i) => [tensor([i]), tensor(i * 2)] };
    manualSeed(3);
    const seen: number[] = [];
    for (const [xb, yb] of new DataLoader(pairs, { batchSize: 3, shuffle: true })) {
      expect(xb!.shape[1]).toBe(1);
      expect((yb!.tolist() as number[]).map((v) => v / 2)).toEqual((xb!.tolist() as number[][]).map((r) => r[0]));
      seen.push(...(xb!.tolist() as number[][]).map((r) => r[0]!));
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
    const ragged: Dataset<Tensor> = { length: 2, at: (i) => zeros([i + 1]) };
    expect(() => [...new DataLoader(ragged, { batchSize: 2 })]).toThrow(/different shapes/);
  });

  it('batches a Subset of a TensorDataset by its rows', () => {
    const sub = new Subset(numbered(10), [9, 2, 5, 0]);
    expect(epoch(new DataLoader(sub, { batchSize: 3 }))).toEqual([[9, 2, 5], [0]]);
    const nested = new Subset(sub, [3, 1]);
    expect(epoch(new DataLoader(nested, { batchSize: 3 }))).toEqual([[0, 2]]);
    manualSeed(0);
    expect(epoch(new DataLoader(sub, { batchSize: 4, shuffle: true }))[0]!.sort((a, b) => a - b)).toEqual([0, 2, 5, 9]);
  });

  it('keeps no tensors alive between epochs beyond the batches', () => {
    const ds = numbered(64);
    const loader = new DataLoader(ds, { batchSize: 16, shuffle: true });
    const before = memory().tensors;
    for (let e = 0; e < 3; e++) {
      for (const b of loader) b.forEach((t) => t.dispose());
    }
    expect(memory().tensors).toBe(before);
    // an early break releases the epoch's order too
    for (const b of loader) {
      b.forEach((t) => t.dispose());
      break;
    }
    expect(memory().tensors).toBe(before);
  });

  it('throws on unknown options and bad values', () => {
    const ds = numbered(4);
    expect(() => new DataLoader(ds, { batchsize: 2 } as never)).toThrow(/unknown option 'batchsize' \(did you mean 'batchSize'\?\)/);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(/batchSize must be a positive integer/);
    expect(() => new DataLoader(ds, { batchSize: -1 })).toThrow(/batchSize must be a positive integer/);
    expect(() => new DataLoader(ds, { shuffle: 1 } as never)).toThrow(/shuffle must be true or false/);
    expect(() => new DataLoader({} as never)).toThrow(/dataset must be an object/);
  });
});

describe('randomSplit', () => {
  it('splits by counts into disjoint subsets covering the dataset', () => {
    manualSeed(0);
    const ds = numbered(10);
    const parts = randomSplit(ds, [5, 3, 2]);
    expect(parts.map((p) => p.length)).toEqual([5, 3, 2]);
    expect(parts.every((p) => p instanceof Subset)).toBe(true);
    const all = parts.flatMap((p) => p.indices.slice()).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(parts[0]!.at(0)[1]!.tolist()).toBe(parts[0]!.indices[0]);
  });

  it('splits by fractions, flooring then handing out the remainder round-robin', () => {
    const ds = numbered(10);
    expect(randomSplit(ds, [0.8, 0.2]).map((p) => p.length)).toEqual([8, 2]);
    // floor(3.3) = 3 each, remainder 1 to the first
    expect(randomSplit(ds, [0.33, 0.33, 0.34]).map((p) => p.length)).toEqual([4, 3, 3]);
    // floor: 2, 2, 2, 2 = 8, remainder 3 to the first three
    expect(randomSplit(numbered(11), [0.25, 0.25, 0.25, 0.25]).map((p) => p.length)).toEqual([3, 3, 3, 2]);
    const parts = randomSplit(ds, [0.7, 0.2, 0.1]);
    expect(parts.map((p) => p.length)).toEqual([7, 2, 1]);
    expect(new Set(parts.flatMap((p) => p.indices.slice())).size).toBe(10);
  });

  it('repeats after manualSeed', () => {
    const ds = numbered(20);
    manualSeed(5);
    const a = randomSplit(ds, [10, 10]).map((p) => p.indices.slice());
    manualSeed(5);
    const b = randomSplit(ds, [10, 10]).map((p) => p.indices.slice());
    expect(b).toEqual(a);
    expect(a[0]).not.toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('throws when the lengths do not fit', () => {
    const ds = numbered(10);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/sum to 9, but the dataset has 10 items/);
    expect(() => randomSplit(ds, [5.5, 4.5])).toThrow(/non-negative integers/);
    expect(() => randomSplit(ds, [1.5, -0.5])).toThrow(/fraction at index 0 is not between 0 and 1/);
    expect(() => randomSplit(ds, [])).toThrow(/non-empty array/);
  });
});

describe('Subset', () => {
  it('picks items by index and checks them', () => {
    const ds = numbered(5);
    const s = new Subset(ds, [4, -5]);
    expect(s.length).toBe(2);
    expect(s.indices).toEqual([4, 0]);
    expect(s.at(0)[1]!.tolist()).toBe(4);
    expect(new Subset(ds, tensor([1, 2], { dtype: 'int32' })).indices).toEqual([1, 2]);
    expect(() => new Subset(ds, [5])).toThrow(/out of range/);
    expect(() => s.at(2)).toThrow(/out of range/);
  });

  it('works with randn data end to end', () => {
    manualSeed(0);
    const ds = new TensorDataset(randn([30, 4]), randn([30]));
    const [train, val] = randomSplit(ds, [0.8, 0.2]);
    const loader = new DataLoader(train!, { batchSize: 10, shuffle: true });
    expect([...loader].map(([xb, yb]) => [xb!.shape, yb!.shape])).toEqual([
      [[10, 4], [10]],
      [[10, 4], [10]],
      [[4, 4], [4]],
    ]);
    expect(val!.length).toBe(6);
  });
});
