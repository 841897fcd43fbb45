import { describe, expect, it } from 'vitest';
import { kernelKey, profileReport, timeKernels } from './profile';

describe('profile: one step\'s time per kernel', () => {
  it('keys matmuls by shapes and transposes, permutes by shape and order, ops by their name', () => {
    expect(kernelKey('matmul', [{ shape: [768, 512] }, { shape: [128, 512] }, false, true])).toBe('matmul 768x512 @ 128x512T');
    expect(kernelKey('matmul', [{ shape: [4, 2] }, { shape: [4, 3] }, true, false])).toBe('matmul 4x2T @ 4x3');
    expect(kernelKey('permute', [{ shape: [2, 3, 4] }, [0, 2, 1]])).toBe('permute 2x3x4 [0,2,1]');
    expect(kernelKey('binary', ['add'])).toBe('binary:add');
    expect(kernelKey('gelu', [{ shape: [3] }, 'none'])).toBe('gelu');
  });

  it('wraps every kernel of a table in place, counting calls and passing arguments, results and errors through', () => {
    const table = {
      binary: (op: string, a: number, b: number) => (op === 'add' ? a + b : a * b),
      fails: () => {
        throw new Error('boom');
      },
      notAKernel: 3,
    };
    const timing = timeKernels(table);
    expect(table.binary('add', 2, 3)).toBe(5);
    expect(table.binary('add', 1, 1)).toBe(2);
    expect(table.binary('mul', 2, 3)).toBe(6);
    expect(() => table.fails()).toThrow('boom');
    expect(table.notAKernel).toBe(3);
    expect(timing.times.get('binary:add')?.calls).toBe(2);
    expect(timing.times.get('binary:mul')?.calls).toBe(1);
    expect(timing.times.get('fails')?.calls).toBe(1);
    timing.reset();
    expect(timing.times.size).toBe(0);
  });

  it('reports per step, largest first, with the products\', the other kernels\' and the outside time', () => {
    const times = new Map([
      ['binary:add', { ms: 2, calls: 4 }],
      ['matmul 2x2 @ 2x2', { ms: 6, calls: 2 }],
      ['gelu', { ms: 1, calls: 2 }],
    ]);
    const text = profileReport(times, 2, 6, 2);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\s+3\.000 ms\s+1×  matmul 2x2 @ 2x2$/);
    expect(lines[1]).toMatch(/^\s+1\.000 ms\s+2×  binary:add$/);
    expect(text).not.toContain('gelu'); // only the top 2
    expect(lines.at(-1)).toBe('6.00 ms per step: matrix products 3.00 ms, other kernels 1.50 ms, outside kernels 1.50 ms');
  });
});
