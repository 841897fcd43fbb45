/** The MNIST asset: what scripts/extract-mnist.mjs writes, the page parses back. */
import { describe, expect, it } from 'vitest';
import { assetBytes, buildAsset, TEST_PER_DIGIT, TRAIN_PER_DIGIT } from '../scripts/extract-mnist.mjs';
import { MNIST_MEAN, MNIST_STD, normalizePixels, parseMnistAsset } from './mnist-data';

describe('the MNIST asset', () => {
  const bytes = buildAsset();

  it('holds balanced, disjoint train and test digits, a few MB in all', () => {
    expect(bytes.length).toBe(assetBytes());
    expect(bytes.length).toBeLessThan(3_000_000);
    const { train, test } = parseMnistAsset(bytes);
    expect(train.size).toBe(10 * TRAIN_PER_DIGIT);
    expect(test.size).toBe(10 * TEST_PER_DIGIT);
    for (let d = 0; d < 10; d++) {
      expect(train.labels.filter((l) => l === d).length).toBe(TRAIN_PER_DIGIT);
      expect(test.labels.filter((l) => l === d).length).toBe(TEST_PER_DIGIT);
    }
    // normalized pixels: background at (0 - mean) / std
    expect(Math.min(...train.inputs.subarray(0, 784))).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 5);
    // no test digit is also a training digit
    const key = (x: Float32Array, i: number) => x.subarray(i * 784, (i + 1) * 784).join(',');
    const seen = new Set(Array.from({ length: train.size }, (_, i) => key(train.inputs, i)));
    expect(Array.from({ length: test.size }, (_, i) => key(test.inputs, i)).filter((k) => seen.has(k))).toEqual([]);
  });

  it('is the same bytes on every build', () => {
    expect(Buffer.from(buildAsset()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses bytes that are not an asset', () => {
    expect(() => parseMnistAsset(new Uint8Array(8))).toThrow(/at least 16/);
    expect(() => parseMnistAsset(new Uint8Array(32))).toThrow(/not an MNIST asset/);
    expect(() => parseMnistAsset(bytes.subarray(0, bytes.length - 1))).toThrow(/bytes for 3000 train and 500 test digits/);
  });

  it('normalizes like torchvision', () => {
    expect(normalizePixels([0, 1])[1]).toBeCloseTo((1 - MNIST_MEAN) / MNIST_STD, 5);
  });
});
