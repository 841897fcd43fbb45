/** The Playground tab's data sets. */
import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, makeDataset } from './datasets';

describe('makeDataset', () => {
  for (const name of DATASET_NAMES) {
    it(`${name}: seeded, split, balanced, inside [-1, 1]²`, () => {
      const a = makeDataset(name, { count: 300, noise: 0.2, seed: 5, trainFraction: 0.6 });
      const b = makeDataset(name, { count: 300, noise: 0.2, seed: 5, trainFraction: 0.6 });
      expect(a.train.size).toBe(180);
      expect(a.test.size).toBe(120);
      expect(a.train.xy).toEqual(b.train.xy);
      expect(makeDataset(name, { count: 300, noise: 0.2, seed: 6 }).train.xy).not.toEqual(a.train.xy);
      for (const v of [...a.train.xy, ...a.test.xy]) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      const ones = [...a.train.labels, ...a.test.labels].filter((l) => l === 1).length;
      expect(ones).toBe(150);
    });
  }

  it('puts xor class 1 where x and y share a sign (without noise)', () => {
    const { train } = makeDataset('xor', { noise: 0 });
    for (let i = 0; i < train.size; i++) expect(train.xy[2 * i]! * train.xy[2 * i + 1]! > 0).toBe(train.labels[i] === 1);
  });

  it('refuses unknown names and options out of range', () => {
    expect(() => makeDataset('moons' as never)).toThrow(/unknown data set "moons"; expected one of spirals, circles, xor, blobs/);
    expect(() => makeDataset('xor', { noise: 2 })).toThrow(/noise must be in \[0, 1\], got 2/);
    expect(() => makeDataset('xor', { trainFraction: 1 })).toThrow(/trainFraction/);
    expect(() => makeDataset('xor', { count: 2.5 })).toThrow(/count must be an integer/);
    expect(() => makeDataset('xor', { size: 3 } as never)).toThrow(/unknown option "size"/);
  });
});
