import { describe, expect, it, vi } from 'vitest';
import { gpujsBackend, type GpujsMode } from './index';
import { probeHeadlessGL } from './modes';

// the along-axis kernels on the device (hostThreshold 0), in the modes Node has here
const modes: GpujsMode[] = ['webasm', 'cpu', ...(probeHeadlessGL().ok ? (['headlessgl'] as const) : [])];

describe.each(modes)('gpujs %s: cumsum and sort on the device', (mode) => {
  async function make() {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const b = gpujsBackend({ mode, hostThreshold: 0 });
    await b.ready!();
    warn.mockRestore();
    const put = (v: number[], shape: number[], dtype: 'float32' | 'int32' = 'float32') => ({ id: b.write(dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, dtype), shape, dtype });
    const read = async (id: object) => Array.from(await b.read(id));
    return { b, put, read };
  }

  it('cumsum along each axis, forward and reverse, float32 and int32', async () => {
    const { b, put, read } = await make();
    const before = b.stats().deviceOps;
    const x = put([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(await read(b.kernels.cumsum(x, 1, false))).toEqual([1, 3, 6, 4, 9, 15]);
    expect(await read(b.kernels.cumsum(x, 0, false))).toEqual([1, 2, 3, 5, 7, 9]);
    expect(await read(b.kernels.cumsum(x, 1, true))).toEqual([6, 5, 3, 15, 11, 6]);
    const i = b.kernels.cumsum(put([1, -2, 3], [3], 'int32'), 0, false);
    expect(await read(i)).toEqual([1, -1, 2]);
    expect(b.stats().deviceOps - before).toBeGreaterThanOrEqual(4);
    await b.close?.();
  });

  it('sort: stable both ways, along an inner axis, int32 indices', async () => {
    const { b, put, read } = await make();
    const x = put([3, 1, 2, 1, -2, 3], [6]);
    const [v, i] = b.kernels.sort(x, 0, false);
    expect(await read(v!)).toEqual([-2, 1, 1, 2, 3, 3]);
    expect(await read(i!)).toEqual([4, 1, 3, 2, 0, 5]);
    const [vd, id] = b.kernels.sort(x, 0, true);
    expect(await read(vd!)).toEqual([3, 3, 2, 1, 1, -2]);
    expect(await read(id!)).toEqual([0, 5, 2, 1, 3, 4]);
    const y = put([5, 0, 1, 9, 3, 4, 2, 2, 8, 1, 0, 7], [2, 3, 2]);
    const [v3, i3] = b.kernels.sort(y, 1, false);
    expect(await read(v3!)).toEqual([1, 0, 3, 4, 5, 9, 0, 1, 2, 2, 8, 7]);
    expect(await read(i3!)).toEqual([1, 0, 2, 2, 0, 1, 2, 1, 0, 0, 1, 2]);
    await b.close?.();
  });
});
