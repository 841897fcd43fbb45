/** {@link DataLoader}: batches of a dataset, optionally shuffled, as `torch.utils.data.DataLoader`. */
import type { Backend } from '../backend';
import { arange, tensor } from '../creation';
import { tidy } from '../memory';
import { indexSelect } from '../ops/indexing';
import { moveTo } from '../ops/move';
import { randperm } from '../ops/random';
import { narrow, stack } from '../ops/shape';
import { Tensor } from '../tensor';
import { checkBool, checkInt, checkOptions, describe } from '../validate';
import { checkDataset, hostPermutation, Subset, TensorDataset, type Dataset, type Sample } from './dataset';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Items per batch, a positive integer; 1 unless given. */
  batchSize?: number;
  /** Visit the items in a new random order (from the seeded generator) each epoch; false unless given. */
  shuffle?: boolean;
  /** Leave out the last batch when it has fewer than `batchSize` items; false unless given. */
  dropLast?: boolean;
}

/** A batch of items of type `T`: one tensor for tensor items, an array of tensors (one per position) for array items. */
export type Batch<T extends Sample> = T extends Tensor ? Tensor : Tensor[];

const OPTIONS = ['batchSize', 'shuffle', 'dropLast'] as const;

/**
 * Batches of a dataset, as `torch.utils.data.DataLoader`: iterate it for one epoch of batches,
 * each an ordinary tensor (or array of tensors) with the batch as its first dim. A
 * {@link TensorDataset} (or a {@link Subset} of one) is batched by gathering its rows with one
 * `indexSelect` per tensor; any other dataset by stacking its items. With `shuffle`, each
 * iteration draws a new permutation from the seeded generator (`randperm`), so `manualSeed`
 * repeats the order. The loader keeps no reference to the batches it has made.
 *
 * @example
 * ```ts
 * const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const [xb, yb] of loader) {
 *     tidy(() => { opt.zeroGrad(); F.crossEntropy(model.forward(xb), yb).backward(); opt.step(); });
 *   }
 * }
 * ```
 */
export class DataLoader<T extends Sample = Tensor[]> implements Iterable<Batch<T>> {
  /** The dataset batched. */
  readonly dataset: Dataset<T>;
  /** Items per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the items in a new random order. */
  readonly shuffle: boolean;
  /** Whether the last, partial batch is left out. */
  readonly dropLast: boolean;

  /**
   * @param dataset - a {@link TensorDataset}, a {@link Subset}, or any object with `length` and `at(i)`.
   * @param options - `batchSize` (1), `shuffle` (false), `dropLast` (false).
   */
  constructor(dataset: Dataset<T>, options: DataLoaderOptions = {}) {
    checkDataset('DataLoader', dataset);
    checkOptions('DataLoader', options, OPTIONS);
    const o = (options ?? {}) as Record<string, unknown>;
    this.dataset = dataset;
    this.batchSize = o.batchSize === undefined ? 1 : checkInt('DataLoader', 'batchSize', o.batchSize, 1);
    this.shuffle = o.shuffle === undefined ? false : checkBool('DataLoader', 'shuffle', o.shuffle);
    this.dropLast = o.dropLast === undefined ? false : checkBool('DataLoader', 'dropLast', o.dropLast);
  }

  /**
   * The number of batches in an epoch: `ceil(length / batchSize)`, or `floor` with `dropLast`.
   *
   * @example
   * ```ts
   * new data.DataLoader(new data.TensorDataset(zeros([10])), { batchSize: 4 }).length; // 3
   * ```
   */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * One epoch of batches; a new shuffle (when `shuffle`) each time it is called.
   *
   * @example
   * ```ts
   * const it = loader[Symbol.iterator]();
   * const first = it.next().value;
   * ```
   */
  [Symbol.iterator](): Iterator<Batch<T>> {
    const n = checkDataset('DataLoader', this.dataset);
    const batches = this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    const rows = tensorRows(this.dataset);
    const gen = rows ? this.gatherBatches(rows.base, rows.map, n, batches) : this.stackBatches(n, batches);
    return gen as Iterator<Batch<T>>;
  }

  // rows of a TensorDataset picked by one indexSelect per tensor, the order held on the device
  private *gatherBatches(base: TensorDataset, map: readonly number[] | null, n: number, batches: number): Generator<Tensor[]> {
    if (batches === 0) return;
    // the epoch's order of rows, on each backend the dataset's tensors live on (made in a tidy:
    // only the orders themselves outlive it, and they are freed when the epoch ends)
    const orders = new Map<Backend, Tensor>();
    const made = tidy(() => {
      let order: Tensor;
      if (map === null) {
        order = this.shuffle ? randperm(n) : arange(n, { dtype: 'int32' });
      } else {
        const m = tensor(map as number[], { dtype: 'int32' });
        order = this.shuffle ? indexSelect(m, 0, randperm(n)) : m;
      }
      const all = [order];
      for (const t of base.tensors) {
        const b = t._backend();
        if (b !== order._backend() && !all.some((o) => o._backend() === b)) all.push(moveTo(order, b));
      }
      return all;
    });
    for (const o of made) orders.set(o._backend(), o);
    try {
      for (let k = 0; k < batches; k++) {
        const start = k * this.batchSize;
        const len = Math.min(this.batchSize, n - start);
        yield tidy(() => base.tensors.map((t) => indexSelect(t, 0, narrow(orders.get(t._backend())!, 0, start, len))));
      }
    } finally {
      for (const o of made) o.dispose();
    }
  }

  // any other dataset: its items stacked, position by position for array items
  private *stackBatches(n: number, batches: number): Generator<Tensor | Tensor[]> {
    if (batches === 0) return;
    const order = this.shuffle ? hostPermutation('DataLoader', n) : null;
    for (let k = 0; k < batches; k++) {
      const start = k * this.batchSize;
      const len = Math.min(this.batchSize, n - start);
      const items: Sample[] = [];
      for (let j = start; j < start + len; j++) items.push(this.dataset.at(order ? order[j]! : j));
      // items are fetched outside the tidy (a dataset may cache what at() returns); only the stacking is tidied
      yield tidy(() => collate(items, order ? order.slice(start, start + len) : null, start));
    }
  }
}

// the TensorDataset under `dataset` (through any Subsets) and the rows the dataset's items are, or null
function tensorRows(dataset: Dataset): { base: TensorDataset; map: number[] | null } | null {
  let ds: Dataset = dataset;
  let map: number[] | null = null;
  while (ds instanceof Subset) {
    const indices = (ds as Subset).indices;
    map = map === null ? indices.slice() : map.map((i) => indices[i]!);
    ds = (ds as Subset).dataset;
  }
  return ds instanceof TensorDataset ? { base: ds, map } : null;
}

// one batch from its items: stacked tensors, or for array items an array of stacked tensors
function collate(items: readonly Sample[], positions: readonly number[] | null, start: number): Tensor | Tensor[] {
  const where = (j: number): string => `item ${positions ? positions[j] : start + j}`;
  const first = items[0]!;
  if (first instanceof Tensor) {
    items.forEach((it, j) => {
      if (!(it instanceof Tensor)) throw new Error(`DataLoader: the dataset's items must all be Tensors or all arrays of Tensors; ${where(0)} is a Tensor but ${where(j)} is ${describe(it)}`);
    });
    return stackItems(items as Tensor[], where, null);
  }
  if (!Array.isArray(first)) throw new Error(`DataLoader: dataset.at(i) must return a Tensor or an array of Tensors, got ${describe(first)} for ${where(0)}`);
  const arity = first.length;
  items.forEach((it, j) => {
    if (!Array.isArray(it) || it.length !== arity) {
      throw new Error(`DataLoader: the dataset's items must all be arrays of the same length; ${where(0)} has ${arity} entries but ${where(j)} is ${describe(it)}`);
    }
    it.forEach((t, p) => {
      if (!(t instanceof Tensor)) throw new Error(`DataLoader: entry ${p} of ${where(j)} must be a Tensor, got ${describe(t)}`);
    });
  });
  return Array.from({ length: arity }, (_, p) => stackItems(items.map((it) => (it as readonly Tensor[])[p]!), where, p));
}

function stackItems(tensors: readonly Tensor[], where: (j: number) => string, entry: number | null): Tensor {
  const shape = tensors[0]!.shape;
  tensors.forEach((t, j) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      const what = entry === null ? '' : `entry ${entry} of `;
      throw new Error(`DataLoader: cannot stack items of different shapes into a batch: ${what}${where(0)} has shape [${shape.join(', ')}] but ${what}${where(j)} has shape [${t.shape.join(', ')}]`);
    }
  });
  return stack(tensors, 0);
}
