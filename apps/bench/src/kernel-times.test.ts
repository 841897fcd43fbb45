import { describe, expect, it } from 'vitest';
import { kernelFlops, kernelKey, profileReport, timeKernels } from './kernel-times';

describe('profile: one step\'s time per kernel', () => {
  it('keys matmuls by shapes and transposes, permutes by shape and order, ops by their name', () => {
    expect(kernelKey('matmul', [{ shape: [768, 512] }, { shape: [128, 512] }, false, true])).toBe('matmul 768x512 @ 128x512T');
    expect(kernelKey('matmul', [{ shape: [4, 2] }, { shape: [4, 3] }, true, false])).toBe('matmul 4x2T @ 4x3');
    expect(kernelKey('permute', [{ shape: [2, 3, 4] }, [0, 2, 1]])).toBe('permute 2x3x4 [0,2,1]');
    expect(kernelKey('binary', ['add'])).toBe('binary:add');
    expect(kernelKey('gelu', [{ shape: [3] }, 'none'])).toBe('gelu');
  });

  it('counts a product\'s floating-point operations from its depth and output, 2·m·n·k, and none for other kernels', () => {
    expect(kernelFlops('matmul', [{ shape: [768, 128] }, { shape: [512, 128] }, false, true, [768, 512]])).toBe(2 * 768 * 512 * 128);
    // a transposed left operand [k, m]: the depth is its first dim
    expect(kernelFlops('matmul', [{ shape: [768, 512] }, { shape: [768, 128] }, true, false, [512, 128]])).toBe(2 * 512 * 128 * 768);
    // a batch: every output element of every matrix
    expect(kernelFlops('matmul', [{ shape: [12, 4, 64, 32] }, { shape: [12, 4, 64, 32] }, false, true, [12, 4, 64, 64], 'lower'])).toBe(2 * 48 * 64 * 64 * 32);
    expect(kernelFlops('binary', ['add', { shape: [4] }, { shape: [4] }, [4]])).toBe(0);
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
    expect(timing.times.get('binary:add')?.flops).toBe(0);
    timing.reset();
    expect(timing.times.size).toBe(0);
  });

  it('reports per step, largest first, with the products\' rates, the other kernels\' and the outside time', () => {
    const times = new Map([
      ['binary:add', { ms: 2, calls: 4, flops: 0 }],
      ['matmul 64x64 @ 64x64', { ms: 6, calls: 2, flops: 2 * 2 * 64 ** 3 }],
      ['matmul 2x2 @ 2x2', { ms: 0.5, calls: 2, flops: 2 * 2 * 8 }],
      ['gelu', { ms: 1, calls: 2, flops: 0 }],
    ]);
    const text = profileReport(times, 2, 6, 2);
    const lines = text.split('\n');
    // 1,048,576 operations in 6 ms: 0.175 GFLOP/s
    expect(lines[0]).toMatch(/^\s+3\.000 ms\s+1×  matmul 64x64 @ 64x64  \(0\.175 GFLOP\/s\)$/);
    expect(lines[1]).toMatch(/^\s+1\.000 ms\s+2×  binary:add$/);
    expect(text).not.toContain('gelu'); // only the top 2
    // the products: 3.25 ms and 524,304 operations a step (0.000524 GFLOP), 0.161 GFLOP/s on average
    expect(lines.at(-1)).toBe('6.00 ms per step: matrix products 3.25 ms (0.000524 GFLOP, 0.161 GFLOP/s), other kernels 1.50 ms, outside kernels 1.25 ms');
  });
});

describe('the commands', () => {
  it('are imported by no other module: profile, bench and thresholds run when loaded, and a shared chunk would lose their entry', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('.', import.meta.url);
    const entries = ['profile', 'bench', 'thresholds'];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const e of entries) expect(text, `${file} imports ./${e}`).not.toMatch(new RegExp(`from '\\./${e}'`));
    }
  });
});
