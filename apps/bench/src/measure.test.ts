import { describe, expect, it } from 'vitest';
import { median, sample, sampleFor, speedCeiling, threadSpeeds, warmUp } from './measure';

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

/** A clock that advances `step` ms every time it is read. */
const fakeClock = (step: number): (() => number) => {
  let t = 0;
  return () => (t += step);
};

describe('sampleFor', () => {
  it('stops at maxRuns when the budget is not reached', () => {
    let calls = 0;
    const times = sampleFor(() => calls++, { maxRuns: 4, budgetMs: 1e9 }, fakeClock(1));
    expect(calls).toBe(4);
    expect(times).toEqual([1, 1, 1, 1]);
  });

  it('stops starting runs once the budget has passed', () => {
    let calls = 0;
    // the clock moves 3 ms per run (two reads in the run, one in the loop test): runs 4 and on start at or after 10 ms
    const times = sampleFor(() => calls++, { maxRuns: 100, budgetMs: 10 }, fakeClock(1));
    expect(calls).toBe(4);
    expect(times).toHaveLength(4);
  });

  it('always takes one sample, however small the budget', () => {
    expect(sampleFor(() => 0, { maxRuns: 5, budgetMs: 0 }, fakeClock(100))).toHaveLength(1);
    expect(sampleFor(() => 0, { maxRuns: 0, budgetMs: 10 }, fakeClock(1))).toHaveLength(1);
  });
});

describe('warmUp', () => {
  it('runs on past its least count until its time has passed, and counts the runs', () => {
    let calls = 0;
    // one clock read per run, 1 ms each: runs until a read at or past 10 ms after the first
    expect(warmUp(() => calls++, { minRuns: 3, minMs: 10 }, fakeClock(1))).toBe(10);
    expect(calls).toBe(10);
  });

  it('makes at least its least count of runs however little time it is given', () => {
    let calls = 0;
    expect(warmUp(() => calls++, { minRuns: 3, minMs: 0 }, fakeClock(100))).toBe(3);
    expect(warmUp(() => calls++, { minRuns: 0, minMs: 0 }, fakeClock(100))).toBe(1);
    expect(calls).toBe(4);
  });
});

describe('speedCeiling', () => {
  it('is the sum over the fastest: 2 for two equal threads, 1.5 when one runs at half speed', () => {
    expect(speedCeiling([10, 10])).toBe(2);
    expect(speedCeiling([5, 10])).toBe(1.5);
    expect(speedCeiling([0, 0])).toBeNaN();
  });
});

describe('threadSpeeds', () => {
  it('reports one rate per thread, this thread first', async () => {
    const speeds = await threadSpeeds(2, 100);
    expect(speeds).toHaveLength(2);
    expect(speeds[0]).toBeGreaterThan(0);
    // a worker the OS never schedules in the window counts 0 (a loaded CI machine), never less
    expect(speeds[1]).toBeGreaterThanOrEqual(0);
  });
});
