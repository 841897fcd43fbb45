import { afterAll, describe, expect, it } from 'vitest';
import { workerBackend } from './index';

const b = workerBackend({ threads: 2 });
afterAll(async () => {
  await b.close?.();
});
const put = (v: number[], shape: number[], dtype: 'float32' | 'int32' = 'float32') => ({ id: b.write(dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, dtype), shape, dtype });
const read = (id: object) => Array.from(b.readSync!(id));

describe('worker: cumsum and sort kernels', () => {
  it('cumsum forward and reverse, float32 and int32', async () => {
    await b.ready?.();
    const x = put([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(read(b.kernels.cumsum(x, 1, false))).toEqual([1, 3, 6, 4, 9, 15]);
    expect(read(b.kernels.cumsum(x, 0, true))).toEqual([5, 7, 9, 4, 5, 6]);
    expect(read(b.kernels.cumsum(put([1, -2, 3], [3], 'int32'), 0, false))).toEqual([1, -1, 2]);
  });
  it('sort: stable both ways, int32 indices, NaN last', async () => {
    await b.ready?.();
    const [v, i] = b.kernels.sort(put([3, 1, NaN, 1], [4]), 0, false);
    expect(read(v!)).toEqual([1, 1, 3, NaN]);
    expect(read(i!)).toEqual([1, 3, 0, 2]);
    const [vd, id] = b.kernels.sort(put([3, 1, 2, 1, 0, 5], [2, 3]), 1, true);
    expect(read(vd!)).toEqual([3, 2, 1, 5, 1, 0]);
    expect(read(id!)).toEqual([0, 2, 1, 2, 0, 1]);
  });
});
