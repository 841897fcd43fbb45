import { describe, expect, it } from 'vitest';
import { DEFAULT_TOLERANCE, mismatch } from './compare';

describe('mismatch', () => {
  it('accepts float32 rounding of float64 values', () => {
    const want = [0.1, -2.5e-7, 123.456789];
    expect(mismatch('x', [3], Float32Array.from(want), [3], want, DEFAULT_TOLERANCE)).toBe('');
  });

  it('reports elements beyond atol + rtol·|want|, worst first, with their index', () => {
    const report = mismatch('grad', [3], [1, 2.1, 3.0001], [3], [1, 2, 3], DEFAULT_TOLERANCE);
    expect(report).toMatch(/^grad: 1\/3 elements differ/);
    expect(report).toContain('[1] got 2.1, want 2');
  });

  it('reports a shape difference before any value', () => {
    expect(mismatch('out', [2, 3], new Array(6).fill(0), [3, 2], new Array(6).fill(0), DEFAULT_TOLERANCE)).toBe('out: shape [2,3], expected [3,2]');
  });

  it('treats NaN as equal only to NaN', () => {
    expect(mismatch('x', [1], [NaN], [1], [NaN], DEFAULT_TOLERANCE)).toBe('');
    expect(mismatch('x', [1], [NaN], [1], [0], DEFAULT_TOLERANCE)).not.toBe('');
    expect(mismatch('x', [1], [Infinity], [1], [Infinity], DEFAULT_TOLERANCE)).toBe('');
  });

  it('compares booleans as 0 and 1', () => {
    expect(mismatch('mask', [2], [1, 0], [2], [true, false], { rtol: 0, atol: 0 })).toBe('');
  });
});
