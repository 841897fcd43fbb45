import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DataId, DType } from '@tensorgrad/core';
import { cpuBackend } from './index';
import * as k from './kernels';
import { randomFloats, splitRanges } from './testing';

type Stored = number | null | 'inf' | '-inf';
/** One PyTorch 1.13 reference (scan.cases.py writes scan.cases.json; NaN is stored as null, ±Infinity as 'inf' / '-inf'). */
interface ScanCase {
  name: string;
  op: 'cumsum' | 'sort';
  shape: number[];
  dtype: 'float32' | 'int32';
  x: Stored[];
  axis: number;
  /** cumsum: reverse; sort: descending. */
  flag: boolean;
  values: Stored[];
  indices?: number[];
}
const cases = JSON.parse(readFileSync(new URL('./scan.cases.json', import.meta.url), 'utf8')) as ScanCase[];
const nan = (v: Stored[]): number[] => v.map((e) => (e === null ? NaN : e === 'inf' ? Infinity : e === '-inf' ? -Infinity : e));

/** The reference values as the kernel's dtype stores them (float32 rounds torch's printed floats). */
const expected = (c: ScanCase): number[] => (c.dtype === 'float32' ? nan(c.values).map(Math.fround) : nan(c.values));

const b = cpuBackend();
const put = (v: number[], shape: number[], dtype: DType = 'float32') => ({ id: b.write(dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, dtype), shape, dtype });
const read = (id: DataId): number[] => Array.from(b.readSync!(id));

describe('cumsum and sort against PyTorch (scan.cases.json)', () => {
  it('has the reference cases', () => expect(cases.length).toBeGreaterThan(50));
  for (const c of cases) {
    it(c.name, () => {
      const x = put(nan(c.x), c.shape, c.dtype);
      if (c.op === 'cumsum') {
        const out = b.kernels.cumsum(x, c.axis, c.flag);
        expect(b.readSync!(out)).toBeInstanceOf(c.dtype === 'int32' ? Int32Array : Float32Array);
        expect(read(out)).toEqual(expected(c)); // float64 accumulation, float32 result, as torch
      } else {
        const [v, i] = b.kernels.sort(x, c.axis, c.flag);
        expect(b.readSync!(v!)).toBeInstanceOf(c.dtype === 'int32' ? Int32Array : Float32Array);
        expect(b.readSync!(i!)).toBeInstanceOf(Int32Array);
        // toEqual tells -0 from 0 via Object.is: stability keeps the signed zeros where torch has them
        expect(read(v!)).toEqual(expected(c));
        expect(read(i!)).toEqual(c.indices);
      }
    });
  }
});

describe('cumsum and sort kernels', () => {
  it('handles the edge cases by hand: ties keep order in both directions, NaN above +Infinity', () => {
    const x = put([3, 1, NaN, 1, Infinity, 3], [6]);
    const [v, i] = b.kernels.sort(x, 0, false);
    expect(read(v!)).toEqual([1, 1, 3, 3, Infinity, NaN]);
    expect(read(i!)).toEqual([1, 3, 0, 5, 4, 2]);
    const [vd, id] = b.kernels.sort(x, 0, true);
    expect(read(vd!)).toEqual([NaN, Infinity, 3, 3, 1, 1]);
    expect(read(id!)).toEqual([2, 4, 0, 5, 1, 3]);
    expect(read(b.kernels.cumsum(put([1, -2, 3], [3], 'int32'), 0, true))).toEqual([2, 1, 3]);
    expect(read(b.kernels.cumsum(put([2 ** 31 - 1, 1], [2], 'int32'), 0, false))).toEqual([2 ** 31 - 1, -(2 ** 31)]); // wraps as torch
  });

  it('never changes its input and returns fresh ids', () => {
    const x = put([4, 2, 9, 1], [2, 2]);
    const [v, i] = b.kernels.sort(x, 1, true);
    const c = b.kernels.cumsum(x, 0, false);
    expect(read(x.id)).toEqual([4, 2, 9, 1]);
    expect(new Set([x.id, v, i, c]).size).toBe(4);
    expect(read(v!)).toEqual([4, 2, 9, 1]);
    expect(read(i!)).toEqual([0, 1, 0, 1]);
    expect(read(c)).toEqual([4, 2, 13, 3]);
  });

  it('refuses bool input and an out-of-range axis', () => {
    const m = { id: b.write(new Uint8Array([1, 0]), [2], 'bool'), shape: [2], dtype: 'bool' as const };
    expect(() => b.kernels.cumsum(m, 0, false)).toThrow('cumsum: expects a float32 or int32 tensor');
    expect(() => b.kernels.sort(m, 0, false)).toThrow('sort: expects a float32 or int32 tensor');
    expect(() => b.kernels.sort(put([1, 2], [2]), 1, false)).toThrow('axis 1 is out of range for shape [2]');
  });

  it('linePlan lays out [outer, n, inner]', () => {
    expect(k.linePlan([2, 3, 4], 1)).toEqual({ n: 3, inner: 4, lines: 8 });
    expect(k.linePlan([2, 3, 4], 0)).toEqual({ n: 2, inner: 12, lines: 12 });
    expect(k.linePlan([2, 3, 4], 2)).toEqual({ n: 4, inner: 1, lines: 6 });
    expect(k.linePlan([], 0)).toEqual({ n: 1, inner: 1, lines: 1 });
    expect(k.linePlan([2, 0, 3], 1).lines).toBe(0);
    expect(k.linePlan([2, 0, 3], 2)).toEqual({ n: 3, inner: 1, lines: 0 });
  });

  it('gives the same result when the lines are split in uneven ranges', () => {
    const shape = [5, 7, 6];
    const x = randomFloats(210, 11).map((v) => Math.round(v * 4)); // many ties
    for (let axis = 0; axis < 3; axis++) {
      const plan = k.linePlan(shape, axis);
      for (const flag of [false, true]) {
        const whole = { c: new Float32Array(210), v: new Float32Array(210), i: new Int32Array(210) };
        k.cumsumRange(x, whole.c, plan, flag, 0, plan.lines);
        k.sortRange(x, whole.v, whole.i, plan, flag, 0, plan.lines);
        for (const parts of [2, 3, 7]) {
          const c = new Float32Array(210).fill(123);
          const v = new Float32Array(210).fill(123);
          const i = new Int32Array(210).fill(123);
          for (const [s, e] of splitRanges(plan.lines, parts, parts)) {
            k.cumsumRange(x, c, plan, flag, s, e);
            k.sortRange(x, v, i, plan, flag, s, e);
          }
          expect([Array.from(c), Array.from(v), Array.from(i)]).toEqual([Array.from(whole.c), Array.from(whole.v), Array.from(whole.i)]);
        }
        // and each line really is sorted, stably, with values matching x at the indices
        for (let l = 0; l < plan.lines; l++) {
          const base = Math.floor(l / plan.inner) * plan.n * plan.inner + (l % plan.inner);
          for (let j = 0; j < plan.n; j++) {
            const p = base + j * plan.inner;
            expect(whole.v[p]).toBe(x[base + whole.i[p]! * plan.inner]);
            if (j > 0) {
              const q = p - plan.inner;
              const [lo, hi] = flag ? [whole.v[p]!, whole.v[q]!] : [whole.v[q]!, whole.v[p]!];
              expect(lo).toBeLessThanOrEqual(hi);
              if (lo === hi) expect(whole.i[q]!).toBeLessThan(whole.i[p]!);
            }
          }
        }
      }
    }
  });
});
