import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, DataId, DType } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { workerBackend } from './index';

/** One PyTorch 1.13 reference: a copy of backend-cpu's scan.cases.json (its scan.cases.py writes it; NaN is null, ±Infinity 'inf' / '-inf'). */
type Stored = number | null | 'inf' | '-inf';
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
const decode = (v: Stored[]): number[] => v.map((e) => (e === null ? NaN : e === 'inf' ? Infinity : e === '-inf' ? -Infinity : e));
const expected = (c: ScanCase): number[] => (c.dtype === 'float32' ? decode(c.values).map(Math.fround) : decode(c.values));

const put = (b: Backend, v: ArrayLike<number>, shape: number[], dtype: DType = 'float32') => ({ id: b.write(dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, dtype), shape, dtype });
const read = (b: Backend, id: DataId): number[] => Array.from(b.readSync!(id));

/** Deterministic small integers in [-m, m] as floats (many ties). */
function ints(n: number, seed: number, m: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s % (2 * m + 1)) - m;
  }
  return out;
}

describe('cumsum and sort split across three threads, against PyTorch (scan.cases.json)', () => {
  const b = workerBackend({ threads: 3, splitThreshold: 0 });
  afterAll(() => b.close());

  for (const c of cases) {
    it(c.name, () => {
      const x = put(b, decode(c.x), c.shape, c.dtype);
      if (c.op === 'cumsum') {
        const out = b.kernels.cumsum(x, c.axis, c.flag);
        expect(b.readSync!(out)).toBeInstanceOf(c.dtype === 'int32' ? Int32Array : Float32Array);
        expect(read(b, out)).toEqual(expected(c));
      } else {
        const [v, i] = b.kernels.sort(x, c.axis, c.flag);
        expect(b.readSync!(i!)).toBeInstanceOf(Int32Array);
        expect(read(b, v!)).toEqual(expected(c));
        expect(read(b, i!)).toEqual(c.indices);
      }
    });
  }

  it('really ran on the workers', () => {
    const stats = b._stats();
    // every case with at least two lines was split (the 1-d ones are one line: inline)
    const splittable = cases.filter((c) => c.shape.length > 1 && !c.shape.includes(0)).length;
    expect(stats.split).toBeGreaterThanOrEqual(splittable);
    expect(stats.workerChunks).toBeGreaterThanOrEqual(stats.split);
  });
});

describe('cumsum and sort on large tensors with the measured thresholds', () => {
  const b = workerBackend({ threads: 4 });
  const cpu = cpuBackend();
  afterAll(() => b.close());

  it("split, and give backend-cpu's results bit for bit, along every axis", () => {
    const shape = [37, 50, 41];
    const x = ints(37 * 50 * 41, 5, 20);
    x[17] = NaN;
    x[4000] = NaN;
    const onWorker = put(b, x, shape);
    const onCpu = put(cpu, x, shape);
    const before = b._stats().split;
    for (let axis = 0; axis < 3; axis++) {
      for (const flag of [false, true]) {
        expect(read(b, b.kernels.cumsum(onWorker, axis, flag)), `cumsum ${axis} ${flag}`).toEqual(read(cpu, cpu.kernels.cumsum(onCpu, axis, flag)));
        const [v, i] = b.kernels.sort(onWorker, axis, flag);
        const [cv, ci] = cpu.kernels.sort(onCpu, axis, flag);
        expect(read(b, v!), `sort values ${axis} ${flag}`).toEqual(read(cpu, cv!));
        expect(read(b, i!), `sort indices ${axis} ${flag}`).toEqual(read(cpu, ci!));
      }
    }
    expect(b._stats().split - before).toBe(12); // 75,850 elements: above the split threshold
  });

  it('sorts an int32 column by hand: stable among ties, descending too', () => {
    const x = put(b, [2, 7, 2, -1, 7, 0], [6, 1], 'int32');
    const [v, i] = b.kernels.sort(x, 0, true);
    expect(read(b, v!)).toEqual([7, 7, 2, 2, 0, -1]);
    expect(read(b, i!)).toEqual([1, 4, 0, 2, 5, 3]);
    expect(read(b, b.kernels.cumsum(x, 0, true))).toEqual([17, 15, 8, 6, 7, 0]);
  });
});
