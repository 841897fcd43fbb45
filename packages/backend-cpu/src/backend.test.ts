import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '@tensorgrad/core';
import { cpuBackend } from './backend';

describe('cpuBackend storage', () => {
  it('counts live tensors and bytes, and frees them on dispose', () => {
    const backend = cpuBackend();
    const a = backend.write(new Float32Array(10), [2, 5], 'float32');
    const b = backend.write(new Int32Array(3), [3], 'int32');
    const c = backend.write(new Uint8Array(4), [4], 'bool');
    expect(backend.memory()).toEqual({ tensors: 3, bytes: 40 + 12 + 4 });
    backend.dispose(b);
    expect(backend.memory()).toEqual({ tensors: 2, bytes: 44 });
    const info: TensorInfo = { id: a, shape: [2, 5], dtype: 'float32' };
    const sum = backend.kernels.reduce('sum', info, [1]);
    expect(backend.memory()).toEqual({ tensors: 3, bytes: 52 });
    for (const id of [a, c, sum]) backend.dispose(id);
    expect(backend.memory()).toEqual({ tensors: 0, bytes: 0 });
  });

  it('copies on write and on read, so neither side sees the other mutate', () => {
    const backend = cpuBackend();
    const host = new Float32Array([1, 2, 3]);
    const id = backend.write(host, [3], 'float32');
    host[0] = 99;
    const read = backend.readSync!(id);
    expect(Array.from(read)).toEqual([1, 2, 3]);
    read[1] = 99;
    expect(Array.from(backend.readSync!(id))).toEqual([1, 2, 3]);
  });

  it('refuses to use a tensor after dispose', async () => {
    const backend = cpuBackend();
    const id = backend.write(new Float32Array([1]), [1], 'float32');
    backend.dispose(id);
    expect(() => backend.readSync!(id)).toThrow('used after dispose');
    await expect(backend.read(id)).rejects.toThrow('used after dispose');
  });

  it('reuses disposed buffers without leaking their old values into scatterAdd', () => {
    const backend = cpuBackend();
    const stale = backend.write(new Float32Array([7, 7, 7, 7]), [4], 'float32');
    backend.dispose(stale); // its array goes to the pool and backs the next float32[4]
    const index = backend.write(new Int32Array([1]), [1], 'int32');
    const src = backend.write(new Float32Array([5]), [1], 'float32');
    const out = backend.kernels.scatterAdd([4], 0, { id: index, shape: [1], dtype: 'int32' }, { id: src, shape: [1], dtype: 'float32' });
    expect(Array.from(backend.readSync!(out))).toEqual([0, 5, 0, 0]);
  });

  it('still reuses buffers after big ones filled the pool: the sizes released longest ago make room', () => {
    const values = (id: unknown) => (id as { values: Float32Array }).values;
    const small = cpuBackend({ poolBytes: 64 * 1024 * 1024 });
    const big = small.write(new Float32Array(16 * 1024 * 1024), [16 * 1024 * 1024], 'float32');
    const bigArray = values(big);
    small.dispose(big); // 64 MiB pooled: the pool is full
    const y = { id: small.write(new Float32Array(1000).fill(1), [1000], 'float32'), shape: [1000], dtype: 'float32' as const };
    const o1 = small.kernels.unary('neg', y);
    const a1 = values(o1);
    small.dispose(o1); // the big array leaves the pool to make room
    expect(values(small.kernels.unary('neg', y))).toBe(a1); // the disposed output's array, reused
    const again = small.kernels.fill([16 * 1024 * 1024], 0, 'float32');
    expect(values(again) === bigArray).toBe(false); // the big one was dropped (compared by identity: printing 16M elements would not fit)
  });

  it('rejects a poolBytes that is not a byte count', () => {
    expect(() => cpuBackend({ poolBytes: -1 })).toThrow(/cpuBackend: poolBytes must be a non-negative integer, got -1/);
    expect(() => cpuBackend({ poolBytes: '64MB' as never })).toThrow(/cpuBackend: poolBytes must be a non-negative integer, got "64MB"/);
    expect(() => cpuBackend({ poolBytes: Number.NaN })).toThrow(/got NaN/);
  });

  it('gives outputs the contract dtypes', () => {
    const backend = cpuBackend();
    const info = (values: Float32Array | Int32Array | Uint8Array, dtype: TensorInfo['dtype']): TensorInfo => ({
      id: backend.write(values, [values.length], dtype),
      shape: [values.length],
      dtype,
    });
    const ints = info(new Int32Array([-2, 3]), 'int32');
    const bools = info(new Uint8Array([1, 1]), 'bool');
    const floats = info(new Float32Array([-2.5, 3.5]), 'float32');
    expect(backend.readSync!(backend.kernels.unary('abs', ints))).toEqual(new Int32Array([2, 3]));
    expect(backend.readSync!(backend.kernels.unary('exp', ints))).toBeInstanceOf(Float32Array);
    expect(backend.readSync!(backend.kernels.reduce('sum', bools, [0]))).toEqual(new Int32Array([2]));
    expect(backend.readSync!(backend.kernels.binary('lt', floats, floats, [2]))).toEqual(new Uint8Array([0, 0]));
    expect(backend.readSync!(backend.kernels.cast(floats, 'int32'))).toEqual(new Int32Array([-2, 3]));
    expect(backend.readSync!(backend.kernels.reduce('argmax', floats, [0]))).toEqual(new Int32Array([1]));
  });

  it('declares the fused kernels it has', () => {
    const backend = cpuBackend();
    expect(backend.name).toBe('cpu');
    for (const name of backend.supports.fused) expect(typeof backend.kernels[name]).toBe('function');
    expect(backend.supports.fused).toContain('conv2dBackwardWeight');
  });
});

describe('cpuBackend options', () => {
  it('refuses a misspelled option by name instead of ignoring it', () => {
    expect(() => cpuBackend({ relaxedSIMD: false } as never)).toThrow(/cpuBackend: unknown option 'relaxedSIMD' \(did you mean 'relaxedSimd'\?\); accepted options: poolBytes, wasm, relaxedSimd/);
    expect(() => cpuBackend({ poolbytes: 0 } as never)).toThrow(/unknown option 'poolbytes'/);
  });
});
