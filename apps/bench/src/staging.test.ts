import { describe, expect, it } from 'vitest';
import { blocks, measureAdd, measureProduct, PRODUCTS } from './staging';

describe('staging: where the WebAssembly kernels spend their time', () => {
  it("blocks a product as backend-cpu's gemm does", () => {
    expect(blocks({ m: 768, k: 128, n: 512 })).toEqual({ mc: 128, kc: 128, nc: 512 });
    expect(blocks({ m: 64, k: 784, n: 256 })).toEqual({ mc: 64, kc: 196, nc: 256 }); // 784 = 4 near-equal depth blocks
    expect(blocks({ m: 130, k: 300, n: 2050 })).toEqual({ mc: 68, kc: 150, nc: 1032 });
  });

  it('names products the profiler names, each with its work', () => {
    for (const p of PRODUCTS) expect(p.name).toMatch(/^(GPT|MLP): \d+x\d+T? @ \d+x\d+T?$/);
    // the first GPT product is 768x128 @ 128x512: m, k, n as the profile reads it
    expect(PRODUCTS[0]).toMatchObject({ m: 768, k: 128, n: 512, transA: false, transB: false });
  });

  it('measures a product and an add (rates and times positive and finite)', () => {
    const p = measureProduct({ name: 'small', m: 16, k: 32, n: 64, transA: false, transB: true }, 2);
    expect(p.kernel).toBeGreaterThan(0);
    expect(Number.isFinite(p.whole) && p.whole > 0).toBe(true);
    const a = measureAdd(20000, 2); // two chunks, the second partial
    for (const v of [a.staged, a.kernel, a.copies]) expect(Number.isFinite(v) && v > 0).toBe(true);
  });
});
