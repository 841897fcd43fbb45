/** Datasets, as `torch.utils.data`: {@link TensorDataset}, {@link Subset} and {@link randomSplit}. */
import { tidy } from '../memory';
import { randperm } from '../ops/random';
import { Tensor } from '../tensor';
import { describe } from '../validate';

/** One item of a dataset: a tensor, or an array of tensors (an input and its target, say). */
export type Sample = Tensor | readonly Tensor[];

/**
 * What {@link DataLoader} batches: anything with a `length` and an `at(i)` that returns the
 * item at `i` (`0 ≤ i < length`), as a map-style `torch.utils.data.Dataset`.
 *
 * @example
 * ```ts
 * const squares: data.Dataset<Tensor> = { length: 10, at: (i) => tensor([i, i * i]) };
 * for (const xb of new data.DataLoader(squares, { batchSize: 4 })) xb.shape; // [4, 2], [4, 2], [2, 2]
 * ```
 */
export interface Dataset<T extends Sample = Sample> {
  /** The number of items. */
  readonly length: number;
  /** The item at `index`, an integer in `[0, length)`. */
  at(index: number): T;
}

/** @internal Throws unless `dataset` looks like a {@link Dataset}; returns its length. */
export function checkDataset(op: string, dataset: unknown): number {
  const d = dataset as { length?: unknown; at?: unknown } | null;
  if (d === null || typeof d !== 'object' || typeof d.at !== 'function') {
    throw new Error(`${op}: dataset must be an object with a length and an at(i) method (a TensorDataset, a Subset, or your own), got ${describe(dataset)}`);
  }
  const n = d.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new Error(`${op}: dataset.length must be a non-negative integer, got ${describe(n)}`);
  }
  return n;
}

// `index` as a position in [0, length), negative ones counting from the end; throws out of range
function position(op: string, index: unknown, length: number): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new Error(`${op}: index must be an integer, got ${describe(index)}`);
  if (index < -length || index >= length) {
    throw new Error(`${op}: index ${index} is out of range for a dataset of length ${length}; indices must be in [${-length}, ${length})`);
  }
  return index < 0 ? index + length : index;
}

/**
 * A dataset of tensors that share their first dim, as `torch.utils.data.TensorDataset`: item `i`
 * is `[t0[i], t1[i], …]`. A {@link DataLoader} batches it with one `indexSelect` per tensor.
 *
 * @example
 * ```ts
 * const ds = new data.TensorDataset(randn([100, 3]), randint(0, 2, [100]));
 * ds.length;                 // 100
 * const [x0, y0] = ds.at(0); // shapes [3] and []
 * ```
 */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The tensors, each with {@link length} rows. */
  readonly tensors: readonly Tensor[];

  /**
   * @param tensors - one or more tensors with the same size in their first dim.
   */
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${i} must be a Tensor, got ${describe(t)}`);
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${i} is 0-dimensional; each tensor needs a first dim to index items by`);
    });
    const n = tensors[0]!.shape[0]!;
    const bad = tensors.findIndex((t) => t.shape[0] !== n);
    if (bad >= 0) {
      const sizes = tensors.map((t, i) => `tensor ${i}: ${t.shape[0]} (shape [${t.shape.join(', ')}])`).join(', ');
      throw new Error(`TensorDataset: size mismatch between tensors: all must have the same size in the first dim, got ${sizes}`);
    }
    this.tensors = tensors.slice();
  }

  /** The number of items: the size of the tensors' first dim. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /**
   * Item `index` (negative counts from the end): row `index` of each tensor, as views.
   *
   * @example
   * ```ts
   * const [x, y] = new data.TensorDataset(zeros([4, 2]), zeros([4])).at(-1); // shapes [2], []
   * ```
   */
  at(index: number): Tensor[] {
    const i = position('TensorDataset.at', index, this.length);
    return this.tensors.map((t) => t.index(i));
  }
}

/**
 * The items of `dataset` at `indices`, in that order, as `torch.utils.data.Subset`.
 *
 * @example
 * ```ts
 * const ds = new data.TensorDataset(arange(10));
 * const evens = new data.Subset(ds, [0, 2, 4, 6, 8]);
 * evens.length; // 5
 * evens.at(1);  // [tensor 2]
 * ```
 */
export class Subset<T extends Sample = Sample> implements Dataset<T> {
  /** The dataset the items come from. */
  readonly dataset: Dataset<T>;
  /** The positions in {@link dataset} of this subset's items, each in `[0, dataset.length)`. */
  readonly indices: readonly number[];

  /**
   * @param dataset - the dataset to draw from.
   * @param indices - positions in `dataset` (integers; negative ones count from the end), as an array or an int32 vector.
   */
  constructor(dataset: Dataset<T>, indices: readonly number[] | Tensor) {
    const n = checkDataset('Subset', dataset);
    let list: ArrayLike<number>;
    if (indices instanceof Tensor) {
      if (indices.dtype !== 'int32' || indices.ndim !== 1) throw new Error(`Subset: indices must be an array of integers or an int32 vector, got ${describe(indices)}`);
      list = indices.dataSync();
    } else if (Array.isArray(indices)) {
      list = indices;
    } else {
      throw new Error(`Subset: indices must be an array of integers or an int32 vector, got ${describe(indices)}`);
    }
    this.dataset = dataset;
    this.indices = Array.from(list, (i) => position('Subset', i, n));
  }

  /** The number of items: `indices.length`. */
  get length(): number {
    return this.indices.length;
  }

  /**
   * Item `index` of the subset: item `indices[index]` of the dataset.
   *
   * @example
   * ```ts
   * new data.Subset(ds, [5, 3]).at(0); // ds.at(5)
   * ```
   */
  at(index: number): T {
    return this.dataset.at(this.indices[position('Subset.at', index, this.indices.length)]!);
  }
}

/** @internal `0, …, n - 1` shuffled by the seeded generator (`randperm`), read to the host. */
export function hostPermutation(op: string, n: number): number[] {
  if (n === 0) return [];
  return tidy(() => {
    const p = randperm(n);
    const b = p._backend();
    if (!b.readSync || !b.supports.syncRead) {
      throw new Error(`${op}: backend '${b.name}' cannot read synchronously, so the permutation cannot be read; set a backend that can (e.g. cpu) for this call`);
    }
    return Array.from(p.dataSync());
  });
}

/**
 * Split `dataset` into random, non-overlapping {@link Subset}s of the given lengths, as
 * `torch.utils.data.random_split`. `lengths` are counts summing to `dataset.length`, or fractions
 * summing to 1: each split gets `floor(fraction · length)` items and the remainder is handed out
 * one by one, round-robin from the first split (as PyTorch ≥ 1.13). The permutation comes from
 * the seeded generator, so `manualSeed` repeats it.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const [train, val] = data.randomSplit(ds, [0.8, 0.2]);
 * const [a, b, c] = data.randomSplit(new data.TensorDataset(arange(10)), [5, 3, 2]);
 * ```
 */
export function randomSplit<T extends Sample>(dataset: Dataset<T>, lengths: readonly number[]): Subset<T>[] {
  const n = checkDataset('randomSplit', dataset);
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((l) => typeof l !== 'number' || !Number.isFinite(l))) {
    throw new Error(`randomSplit: lengths must be a non-empty array of counts or fractions, got ${describe(lengths)}`);
  }
  const total = lengths.reduce((a, b) => a + b, 0);
  let counts: number[];
  // as PyTorch: fractions when they sum to (close to, but not above) 1
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    counts = lengths.map((f, i) => {
      if (f < 0 || f > 1) throw new Error(`randomSplit: fraction at index ${i} is not between 0 and 1, got ${f}`);
      return Math.floor(n * f);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length]! += 1;
  } else {
    lengths.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 0) {
        throw new Error(`randomSplit: lengths must be non-negative integers (or fractions summing to 1), got ${l} at index ${i}`);
      }
    });
    counts = lengths.slice();
  }
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum !== n) {
    throw new Error(`randomSplit: the lengths [${lengths.join(', ')}] sum to ${sum}, but the dataset has ${n} items; they must sum to the dataset's length (or be fractions summing to 1)`);
  }
  const perm = hostPermutation('randomSplit', n);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.slice(offset, offset + c)));
    offset += c;
  }
  return out;
}
