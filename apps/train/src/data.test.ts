import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE, MNIST_MEAN, MNIST_STD, loadMnist, mulberry32, normalize, shuffledIndices, splitDataset } from './data';

const all = loadMnist();

/** Byte-for-byte equality; vitest's deep equality is too slow for a million floats. */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('loadMnist', () => {
  it('reads the 10,000 digits of the mnist package with one label each', () => {
    expect(all.size).toBe(10000);
    expect(all.images.length).toBe(10000 * IMAGE_SIZE);
    expect(all.labels.length).toBe(10000);
  });

  it('has pixels in [0, 1] with both ink and background present', () => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of all.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it('has every digit between 8% and 12% of the time', () => {
    const counts = new Array<number>(10).fill(0);
    for (const label of all.labels) counts[label]!++;
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });
});

describe('splitDataset', () => {
  const { train, test } = splitDataset(all, { trainSize: 8000, seed: 0 });

  it('cuts 8,000 training and 2,000 test digits', () => {
    expect(train.size).toBe(8000);
    expect(test.size).toBe(2000);
    expect(train.images.length).toBe(8000 * IMAGE_SIZE);
    expect(test.labels.length).toBe(2000);
  });

  it('mixes the digits, so the test set holds every one of them in plausible numbers', () => {
    const counts = new Array<number>(10).fill(0);
    for (const label of test.labels) counts[label]!++;
    for (const count of counts) expect(count).toBeGreaterThan(120); // ~200 each; sorted input would give 0
  });

  it('gives the same split for the same seed and a different one for another seed', () => {
    const again = splitDataset(all, { trainSize: 8000, seed: 0 });
    expect(sameBytes(again.test.labels, test.labels)).toBe(true);
    expect(sameBytes(again.train.images, train.images)).toBe(true);
    const other = splitDataset(all, { trainSize: 8000, seed: 1 });
    expect(sameBytes(other.test.labels, test.labels)).toBe(false);
  });

  it('keeps each image with its own label', () => {
    const order = shuffledIndices(all.size, 0);
    const k = order[8000]!; // the first test example
    expect(test.labels[0]).toBe(all.labels[k]);
    expect(sameBytes(test.images.subarray(0, IMAGE_SIZE), all.images.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE))).toBe(true);
  });

  it('rejects a training size larger than the data', () => {
    expect(() => splitDataset(all, { trainSize: 10001, seed: 0 })).toThrow(/trainSize 10001/);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation of 0 … n-1', () => {
    const order = Array.from(shuffledIndices(1000, 7)).sort((a, b) => a - b);
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('draws uniform numbers in [0, 1) from a seed', () => {
    const random = mulberry32(3);
    const draws = Array.from({ length: 10000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((a, b) => a + b) / draws.length).toBeCloseTo(0.5, 1);
  });
});

describe('normalize', () => {
  it('maps background to -mean/std and full ink to (1-mean)/std, keeping the labels', () => {
    const first = { images: all.images.subarray(0, 2 * IMAGE_SIZE), labels: all.labels.subarray(0, 2), size: 2 };
    const out = normalize(first);
    const i0 = first.images.indexOf(0);
    const i1 = first.images.indexOf(1);
    expect(out.images[i0]).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 5);
    expect(out.images[i1]).toBeCloseTo((1 - MNIST_MEAN) / MNIST_STD, 5);
    expect(out.labels).toBe(first.labels);
    expect(first.images[i0]).toBe(0); // the input is left alone
  });

  it('leaves the training pixels with mean near 0 and standard deviation near 1', () => {
    const { images } = normalize(all);
    let sum = 0;
    let sumSq = 0;
    for (const v of images) {
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / images.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.sqrt(sumSq / images.length - mean * mean)).toBeCloseTo(1, 1);
  });
});
