import { describe, expect, it } from 'vitest';
import { median, sample } from './measure';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no samples', () => {
    expect(median([])).toBeNaN();
  });
});

describe('sample', () => {
  it('calls the function warmup + runs times and returns one duration per run', () => {
    let calls = 0;
    const times = sample(() => calls++, 5, 2);
    expect(calls).toBe(7);
    expect(times).toHaveLength(5);
    expect(times.every((t) => t >= 0)).toBe(true);
  });
});
