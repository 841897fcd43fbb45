import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { DataId, DType } from '@tensorgrad/core';
import { gpujsBackend, type GpujsBackend, type GpujsMode } from './index';
import { LINE_BUDGET } from './kernels/scan';
import { probeHeadlessGL, probeWebGPU } from './modes';

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

async function make(options: Parameters<typeof gpujsBackend>[0]): Promise<GpujsBackend> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const b = gpujsBackend(options);
  await b.ready!();
  warn.mockRestore();
  return b;
}
const put = (b: GpujsBackend, v: ArrayLike<number>, shape: number[], dtype: DType = 'float32') => ({ id: b.write(dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, dtype), shape, dtype });
const read = async (b: GpujsBackend, id: DataId): Promise<number[]> => Array.from(await b.read(id));

/**
 * A float cumsum on the device adds in float32 (compensated), torch in float64: each finite result
 * within 1e-6 of the sum of |x| (the largest rounding a float32 running sum can pile up); the
 * rest (NaN, ±Infinity) and every int32 and sort result exactly.
 */
function expectCumsum(got: number[], c: ScanCase): void {
  const want = expected(c);
  const scale = decode(c.x).reduce((s, v) => (Number.isFinite(v) ? s + Math.abs(v) : s), 0);
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (c.dtype === 'int32' || !Number.isFinite(w)) expect(got[i], `element ${i}`).toBe(w);
    else expect(Math.abs(got[i]! - w), `element ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(1e-6 * Math.max(1, scale));
  });
}

/** Whether the device holds a case exactly: int32 is a float there, exact below 2^24 (the wrap-around case is not). */
const onDevice = (c: ScanCase): boolean => c.dtype === 'float32' || decode(c.x).every((v) => Math.abs(v) < 2 ** 24);

/** Every case of scan.cases.json on `b` (those `keep` says), each result read back. */
function referenceCases(b: () => GpujsBackend, keep: (c: ScanCase) => boolean = () => true): void {
  for (const c of cases.filter(keep)) {
    it(c.name, async () => {
      const backend = b();
      const x = put(backend, decode(c.x), c.shape, c.dtype);
      if (c.op === 'cumsum') {
        const out = backend.kernels.cumsum(x, c.axis, c.flag);
        const got = await backend.read(out);
        expect(got).toBeInstanceOf(c.dtype === 'int32' ? Int32Array : Float32Array);
        expectCumsum(Array.from(got), c);
      } else {
        const [v, i] = backend.kernels.sort(x, c.axis, c.flag);
        expect(await backend.read(i!)).toBeInstanceOf(Int32Array);
        // signed zeros are not compared: a device float may not keep -0 (equal values, so the order is the same)
        expect((await read(backend, v!)).map((e) => (e === 0 ? 0 : e))).toEqual(expected(c).map((e) => (e === 0 ? 0 : e)));
        expect(await read(backend, i!)).toEqual(c.indices);
      }
    });
  }
}

// the device path (hostThreshold 0: every op a gpu.js kernel) in the modes Node has here: headless-gl needs a display
// (xvfb-run -a), webgpu a GPU for Dawn; apps/gpu-conformance/src/sortscan-check.mjs runs webgl2, webgpu and webgl in Chromium
const modes: GpujsMode[] = ['webasm', 'cpu', ...(probeHeadlessGL().ok ? (['headlessgl'] as const) : []), ...((await probeWebGPU()).ok ? (['webgpu'] as const) : [])];

describe.each(modes)('gpujs %s: cumsum and sort on the device, against PyTorch (scan.cases.json)', (mode) => {
  let b: GpujsBackend;
  afterAll(async () => {
    // nearly every case ran as gpu.js kernels (the empty one has nothing to launch)
    expect(b.stats().deviceOps).toBeGreaterThanOrEqual(cases.filter(onDevice).length);
    await b.close!();
  });
  it('starts in its mode', async () => {
    b = await make({ mode, hostThreshold: 0 });
    expect(b.device).toBe(mode);
  });
  referenceCases(() => b, onDevice);

  it('feeds one kernel to the next on the device: a sort of a cumsum, read back once', async () => {
    const x = put(b, [3, 1, 2, 5, 0, 1], [2, 3]); // uploaded on first use
    const before = b.stats();
    const [v, i] = b.kernels.sort({ id: b.kernels.cumsum(x, 0, true), shape: [2, 3], dtype: 'float32' }, 1, true); // [[8, 1, 3], [5, 0, 1]]
    expect(await read(b, v!)).toEqual([8, 3, 1, 5, 1, 0]);
    expect(await read(b, i!)).toEqual([0, 2, 1, 0, 2, 1]);
    const after = b.stats();
    expect(after.deviceOps - before.deviceOps).toBe(4); // cumsum, then rank, index and gather
    expect(after.hostOps).toBe(before.hostOps);
  });
});

describe('gpujs: cumsum and sort on the host path (backend-cpu on small inputs)', () => {
  let b: GpujsBackend;
  afterAll(() => b.close!());
  it('starts with the default threshold', async () => {
    b = await make({ mode: 'webasm' });
    expect(b.hostThreshold).toBeGreaterThan(1000);
  });
  referenceCases(() => b);

  it('ran every case there, one host op per sort', () => {
    expect(b.stats().deviceOps).toBe(0);
    expect(b.stats().hostOps).toBe(cases.length);
  });

  it('sorts a long line on the host even where the device is forced: past the budget', async () => {
    const d = await make({ mode: 'webasm', hostThreshold: 0 });
    const n = Math.ceil(Math.sqrt(LINE_BUDGET)) + 1;
    const x = new Float32Array(n).map((_, j) => (j * 7919) % 1000);
    const [v, i] = d.kernels.sort(put(d, x, [n]), 0, false);
    const got = await read(d, v!);
    const idx = await read(d, i!);
    expect(d.stats()).toMatchObject({ hostOps: 1 });
    for (let j = 1; j < n; j++) expect(got[j - 1]! < got[j]! || (got[j - 1] === got[j] && idx[j - 1]! < idx[j]!)).toBe(true);
    expect(got[0]).toBe(0);
    expect(x[idx[n - 1]!]).toBe(got[n - 1]);
    await d.close!();
  });
});

describe('gpujs: cumsum and sort refuse', () => {
  it('bool input and an axis out of range, naming the op', async () => {
    const b = await make({ mode: 'cpu', hostThreshold: 0 });
    const m = { id: b.write(new Uint8Array([1, 0]), [2], 'bool'), shape: [2], dtype: 'bool' as const };
    expect(() => b.kernels.cumsum(m, 0, false)).toThrow('cumsum: expects a float32 or int32 tensor');
    expect(() => b.kernels.sort(m, 0, false)).toThrow('sort: expects a float32 or int32 tensor');
    expect(() => b.kernels.sort(put(b, [1, 2], [2]), 1, false)).toThrow('axis 1 is out of range for shape [2]');
    await b.close!();
  });
});
