/**
 * Datasets and batching, as `torch.utils.data`: {@link TensorDataset}, {@link Subset},
 * {@link randomSplit} and the {@link DataLoader} that iterates a dataset in (shuffled) batches.
 *
 * @example
 * ```ts
 * import { data, manualSeed, randn, randint } from '@tensorgrad/core';
 * manualSeed(0);
 * const ds = new data.TensorDataset(randn([100, 3]), randint(0, 2, [100]));
 * const [train, val] = data.randomSplit(ds, [0.8, 0.2]);
 * for (const [xb, yb] of new data.DataLoader(train, { batchSize: 16, shuffle: true })) {
 *   xb.shape; // [16, 3] (the last batch [0..16, 3])
 * }
 * ```
 */
export { TensorDataset, Subset, randomSplit, type Dataset, type Sample } from './dataset';
export { DataLoader, type DataLoaderOptions, type Batch } from './dataloader';
