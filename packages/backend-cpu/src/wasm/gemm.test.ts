import { describe, expect, it } from 'vitest';
import { gemm } from '../kernels/gemm';
import { conv2dBackwardInputRange, conv2dBackwardWeightRange, conv2dPlan, conv2dRange } from '../kernels/conv';
import { matmulPlan, matmulRange } from '../kernels/matmul';
import { maxRelativeError, randomFloats, splitRanges } from '../testing';
import { createSharedGemm, releaseSharedGemm, wasmColumnsFit, wasmGemm, wasmGemmAvailable, wasmGemmColumns, wasmGemmPrepacked, wasmPrepackB, type PackedB } from './gemm';

/** `C (+)= A·B` in float64 over gemm's layouts, rows `[r0, r1)` only; other elements of `c` are kept. */
function naiveGemm(a: Float32Array, aOff: number, tA: boolean, b: Float32Array, bOff: number, tB: boolean, c: Float32Array, cOff: number, m: number, n: number, k: number, r0: number, r1: number, accumulate: boolean): Float64Array {
  const out = Float64Array.from(c);
  for (let i = r0; i < r1; i++)
    for (let j = 0; j < n; j++) {
      let s = accumulate ? out[cOff + i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += a[aOff + (tA ? p * m + i : i * k + p)]! * b[bOff + (tB ? j * k + p : p * n + j)]!;
      out[cOff + i * n + j] = s;
    }
  return out;
}

/** Runs `wasmGemm` on one problem with padding around every operand; returns its error against float64. */
function wasmError(m: number, n: number, k: number, tA: boolean, tB: boolean, accumulate: boolean, r0 = 0, r1 = m): number {
  const [aOff, bOff, cOff] = [3, 5, 7];
  const a = randomFloats(aOff + m * k + 2, m * 31 + k);
  const b = randomFloats(bOff + k * n + 2, n * 17 + k + 1);
  const c = randomFloats(cOff + m * n + 2, m + n + 2); // the padding and the rows outside [r0, r1) must survive
  const want = naiveGemm(a, aOff, tA, b, bOff, tB, c, cOff, m, n, k, r0, r1, accumulate);
  expect(wasmGemm(a, aOff, tA, b, bOff, tB, c, cOff, m, n, k, r0, r1, accumulate)).toBe(true);
  return maxRelativeError(c, want);
}

describe('the WebAssembly SIMD gemm', () => {
  it('is available in Node (WebAssembly SIMD), so the tests below exercise it', () => {
    expect(wasmGemmAvailable()).toBe(true);
  });

  // every size 1..70 appears as m, n and k: partial 4-row and 8-column tiles, odd depths
  const sizes: [number, number, number][] = [];
  for (let s = 1; s <= 70; s++) sizes.push([s, ((s * 37) % 70) + 1, ((s * 53) % 70) + 1]);
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      it(`matches float64 on every size 1..70${tA ? ', a transposed' : ''}${tB ? ', b transposed' : ''}, replacing and accumulating`, () => {
        let worst = 0;
        for (const [m, n, k] of sizes) {
          worst = Math.max(worst, wasmError(m, n, k, tA, tB, false), wasmError(n, k, m, tA, tB, true));
        }
        expect(worst).toBeLessThan(1e-5);
      });
    }
  }

  // past each block edge: k > 256 (several depth blocks, C re-read between them), m > 128 rows, n > 2048 columns
  const large: [number, number, number][] = [
    [9, 13, 600],
    [131, 21, 257],
    [300, 40, 70],
    [5, 2100, 33],
    [20, 2053, 270],
  ];
  for (const [m, n, k] of large) {
    for (const [tA, tB] of [
      [false, false],
      [true, true],
    ] as const) {
      it(`matches float64 on ${m}x${k} @ ${k}x${n}${tA ? ' with both transposed' : ''}, over a row range, replacing and accumulating`, () => {
        expect(wasmError(m, n, k, tA, tB, false, 1, m - 1)).toBeLessThan(2e-5);
        expect(wasmError(m, n, k, tA, tB, true, 1, m - 1)).toBeLessThan(2e-5);
      });
    }
  }

  it('leaves the TypeScript fallback (wasm = false) correct on the same sizes, both transposes, accumulating', () => {
    let worst = 0;
    for (const [m, n, k] of [...sizes.filter((_, i) => i % 5 === 0), ...large.slice(0, 3)]) {
      for (const [tA, tB] of [
        [false, false],
        [true, true],
        [false, true],
      ] as const) {
        const a = randomFloats(m * k, m);
        const b = randomFloats(k * n, n);
        const c = randomFloats(m * n, k);
        const want = naiveGemm(a, 0, tA, b, 0, tB, c, 0, m, n, k, 0, m, true);
        gemm(a, 0, tA, b, 0, tB, c, 0, m, n, k, 0, m, true, false);
        worst = Math.max(worst, maxRelativeError(c, want));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('agrees with the TypeScript gemm through the public gemm, whichever kernel is chosen', () => {
    const [m, n, k] = [77, 45, 290];
    const a = randomFloats(m * k, 1);
    const b = randomFloats(k * n, 2);
    const viaWasm = new Float32Array(m * n).fill(NaN);
    const viaTs = new Float32Array(m * n).fill(NaN);
    gemm(a, 0, false, b, 0, true, viaWasm, 0, m, n, k, 0, m, false);
    gemm(a, 0, false, b, 0, true, viaTs, 0, m, n, k, 0, m, false, false);
    expect(maxRelativeError(viaWasm, viaTs)).toBeLessThan(1e-5);
    expect(viaWasm).not.toEqual(viaTs); // different summation orders: the wasm path really ran
  });

  it('gives a batched, broadcast matmul split into row ranges the same results as the TypeScript kernel', () => {
    const [m, n, k] = [37, 29, 300];
    const plan = matmulPlan([3, 1, k, m], [1, 2, n, k], true, true, [3, 2, m, n]);
    const a = randomFloats(3 * k * m, 3);
    const b = randomFloats(2 * n * k, 4);
    const rows = 6 * m;
    const want = new Float32Array(rows * n);
    matmulRange(a, b, want, plan, 0, rows, false);
    for (const parts of [1, 2, 5]) {
      const out = new Float32Array(rows * n).fill(NaN);
      for (const [s, e] of splitRanges(rows, parts, parts)) matmulRange(a, b, out, plan, s, e);
      expect(maxRelativeError(out, want)).toBeLessThan(1e-5);
    }
  });


  it('skips the zero half of a triangular left operand given the hint, with the dense numbers bit for bit', () => {
    // causal attention's products: [batch, t, t] weights (zero above the diagonal) times [batch, t, e]
    for (const [t, e] of [[64, 32], [16, 8], [12, 24]] as const) {
      const batch = 6;
      const tri = randomFloats(batch * t * t, 11);
      for (let i = 0; i < batch * t * t; i++) if (((i / t) | 0) % t < i % t) tri[i] = 0; // row < column: zero
      const v = randomFloats(batch * t * e, 12);
      // lower: P·V; upper: Pᵀ·V (the weights read transposed)
      for (const [transA, triangle] of [[false, 'lower'], [true, 'upper']] as const) {
        const dense = new Float32Array(batch * t * e);
        matmulRange(tri, v, dense, matmulPlan([batch, t, t], [batch, t, e], transA, false, [batch, t, e]), 0, batch * t);
        const hinted = new Float32Array(batch * t * e).fill(NaN);
        const plan = matmulPlan([batch, t, t], [batch, t, e], transA, false, [batch, t, e], triangle);
        expect(plan.tri).toBe(triangle === 'lower' ? 2 : 4);
        matmulRange(tri, v, hinted, plan, 0, batch * t);
        expect(Array.from(hinted)).toEqual(Array.from(dense));
      }
    }
    // the skipped part really is not read: NaN past the diagonal block of each row's 4-row tile
    // (the kernel multiplies those blocks whole) leaves the hinted product finite
    const [t, e] = [16, 8];
    const p = randomFloats(2 * t * t, 13);
    for (let i = 0; i < 2 * t * t; i++) if ((((((i / t) | 0) % t) >> 2) << 2) + 4 <= i % t) p[i] = NaN;
    const out = new Float32Array(2 * t * e);
    matmulRange(p, randomFloats(2 * t * e, 14), out, matmulPlan([2, t, t], [2, t, e], false, false, [2, t, e], 'lower'), 0, 2 * t);
    expect(out.every(Number.isFinite)).toBe(true);
  });
  it('runs conv2d and both its gradients like the TypeScript kernel', () => {
    const plan = conv2dPlan([2, 8, 14, 13], [12, 8, 3, 3], { stride: 1, padding: 1 });
    const x = randomFloats(2 * 8 * 14 * 13, 5);
    const w = randomFloats(12 * 8 * 9, 6);
    const dy = randomFloats(2 * 12 * plan.oh * plan.ow, 7);
    const run = (wasm: boolean): Float32Array[] => {
      const y = new Float32Array(2 * 12 * plan.oh * plan.ow);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      conv2dRange(x, w, y, plan, 0, 2 * 12, wasm);
      conv2dBackwardInputRange(dy, w, dx, plan, 0, 2 * 8, wasm);
      conv2dBackwardWeightRange(x, dy, dw, plan, 0, 12, wasm);
      return [y, dx, dw];
    };
    const viaWasm = run(true);
    const viaTs = run(false);
    for (let i = 0; i < 3; i++) expect(maxRelativeError(viaWasm[i]!, viaTs[i]!)).toBeLessThan(1e-5);
  });

  it('reads and writes SharedArrayBuffer-backed arrays, as the worker backend passes them', () => {
    const [m, n, k] = [40, 24, 50];
    const shared = (v: Float32Array): Float32Array => {
      const s = new Float32Array(new SharedArrayBuffer(v.length * 4));
      s.set(v);
      return s;
    };
    const a = shared(randomFloats(m * k, 8));
    const b = shared(randomFloats(k * n, 9));
    const c = shared(new Float32Array(m * n));
    expect(wasmGemm(a, 0, false, b, 0, false, c, 0, m, n, k, 0, m, false)).toBe(true);
    expect(maxRelativeError(c, naiveGemm(a, 0, false, b, 0, false, new Float32Array(m * n), 0, m, n, k, 0, m, false))).toBeLessThan(1e-5);
  });
});

/** Each combination of the operands' transposes: [a transposed, b transposed]. */
const EVERY_TRANSPOSE = [
  [false, false],
  [true, true],
  [false, true],
  [true, false],
] as const;

describe('the shared-memory gemm (B packed once, rows run by any slot)', () => {
  const g = createSharedGemm(3);

  it('is available in Node (WebAssembly threads), so the tests below exercise it', () => {
    expect(g).not.toBeNull();
  });

  // one depth block and several; one column block and two (n > 2048); partial tiles everywhere
  const cases: [number, number, number][] = [
    [1, 1, 1],
    [7, 9, 5],
    [64, 70, 300],
    [33, 2053, 270],
    [130, 17, 600],
  ];
  for (const [m, n, k] of cases) {
    for (const [tA, tB] of EVERY_TRANSPOSE) {
      it(`matches float64 on ${m}x${k} @ ${k}x${n}${tA ? ', a transposed' : ''}${tB ? ', b transposed' : ''}, its rows split across three slots`, () => {
        const [aOff, bOff, cOff] = [3, 5, 7];
        const a = randomFloats(aOff + m * k + 2, m * 7 + k);
        const b = randomFloats(bOff + k * n + 2, n * 3 + k);
        const c = randomFloats(cOff + m * n + 2, m + n); // padding around C must survive
        const want = naiveGemm(a, aOff, tA, b, bOff, tB, c, cOff, m, n, k, 0, m, false);
        const packed = wasmPrepackB(g!, b, bOff, tB, k, n);
        expect(packed).not.toBeNull();
        const bounds = [0, Math.floor(m / 3), Math.floor((2 * m) / 3), m];
        // slots in a scrambled order, and a slot running twice: any slot may run any rows
        for (const [slot, part] of [[2, 0], [0, 2], [2, 1]] as const) {
          expect(wasmGemmPrepacked(g!, slot, a, aOff, tA, packed!, c, cOff, m, bounds[part]!, bounds[part + 1]!, false)).toBe(true);
        }
        expect(maxRelativeError(c, want)).toBeLessThan(2e-5);
      });
    }
  }

  it('accumulates into C when asked', () => {
    const [m, n, k] = [20, 30, 40];
    const a = randomFloats(m * k, 1);
    const b = randomFloats(k * n, 2);
    const c = randomFloats(m * n, 3);
    const want = naiveGemm(a, 0, false, b, 0, false, c, 0, m, n, k, 0, m, true);
    const packed = wasmPrepackB(g!, b, 0, false, k, n)!;
    wasmGemmPrepacked(g!, 1, a, 0, false, packed, c, 0, m, 0, m, true);
    expect(maxRelativeError(c, want)).toBeLessThan(1e-5);
  });

  it('reuses the whole transposed A it copied only for the same product, A array and offset', () => {
    const [m, n, k] = [40, 24, 300]; // two depth blocks
    const a1 = randomFloats(3 + m * k, 11);
    const a2 = randomFloats(3 + m * k, 12);
    const b = randomFloats(k * n, 13);
    const run = (a: Float32Array, aOff: number, packed: PackedB) => {
      const c = new Float32Array(m * n);
      for (const [r0, r1] of [[0, 16], [16, 28], [28, m]] as const) wasmGemmPrepacked(g!, 1, a, aOff, true, packed, c, 0, m, r0, r1, false);
      return c;
    };
    const expectProduct = (c: Float32Array, a: Float32Array, aOff: number) => {
      const want = naiveGemm(a, aOff, true, b, 0, false, new Float32Array(m * n), 0, m, n, k, 0, m, false);
      expect(maxRelativeError(c, want)).toBeLessThan(2e-5);
    };
    const packed = wasmPrepackB(g!, b, 0, false, k, n)!;
    const first = run(a1, 0, packed);
    expectProduct(first, a1, 0);
    expectProduct(run(a2, 0, packed), a2, 0); // another A for the same packed B
    expectProduct(run(a1, 3, packed), a1, 3); // the same array at another offset
    const again = run(a1, 0, wasmPrepackB(g!, b, 0, false, k, n)!); // a new product
    expect(again).toEqual(first);
    // bit for bit the single-thread kernel's numbers, which stage A depth slab by depth slab
    const single = new Float32Array(m * n);
    wasmGemm(a1, 0, true, b, 0, false, single, 0, m, n, k, 0, m, false);
    expect(first).toEqual(single);
  });

  it('declines an empty B or one larger than the common region (the caller falls back to wasmGemm)', () => {
    expect(wasmPrepackB(g!, new Float32Array(0), 0, false, 0, 5)).toBeNull();
    expect(wasmPrepackB(g!, new Float32Array(0), 0, false, 5, 0)).toBeNull();
    const big = new Float32Array(3000 * 1500); // 4.5M elements > 4M
    expect(wasmPrepackB(g!, big, 0, false, 3000, 1500)).toBeNull();
  });

  it('rejects a slot outside the memory, naming it', () => {
    const packed = wasmPrepackB(g!, new Float32Array(4), 0, false, 2, 2)!;
    expect(() => wasmGemmPrepacked(g!, 3, new Float32Array(4), 0, false, packed, new Float32Array(4), 0, 2, 0, 2, false)).toThrow('gemm: thread slot 3 is outside 0..2');
    expect(() => createSharedGemm(0)).toThrow('createSharedGemm: threads must be a positive integer, got 0');
  });

  it('drops its instances when released, and a new memory works after', () => {
    releaseSharedGemm(g!);
    const h = createSharedGemm(1)!;
    const packed = wasmPrepackB(h, new Float32Array([1, 2, 3, 4]), 0, false, 2, 2)!;
    const c = new Float32Array(4);
    wasmGemmPrepacked(h, 0, new Float32Array([1, 0, 0, 1]), 0, false, packed, c, 0, 2, 0, 2, false);
    expect([...c]).toEqual([1, 2, 3, 4]);
    releaseSharedGemm(h);
  });
});

describe('the shared-memory gemm split by columns (each slot packs its own columns of B)', () => {
  const g = createSharedGemm(3);

  // one depth block and several; windows inside one column block and across two (n > 2048); more
  // rows than a row block (128); partial tiles everywhere
  const cases: [number, number, number][] = [
    [5, 40, 3],
    [64, 300, 70],
    [130, 96, 600],
    [33, 2100, 270],
  ];
  for (const [m, n, k] of cases) {
    for (const [tA, tB] of EVERY_TRANSPOSE) {
      it(`gives wasmGemm's numbers bit for bit on ${m}x${k} @ ${k}x${n}${tA ? ', a transposed' : ''}${tB ? ', b transposed' : ''}, its columns split across three slots`, () => {
        const [aOff, bOff, cOff] = [3, 5, 7];
        const a = randomFloats(aOff + m * k + 2, m * 7 + k);
        const b = randomFloats(bOff + k * n + 2, n * 3 + k);
        const c = randomFloats(cOff + m * n + 2, m + n); // padding around C must survive
        const want = c.slice();
        expect(wasmGemm(a, aOff, tA, b, bOff, tB, want, cOff, m, n, k, 0, m, false)).toBe(true);
        const bounds = [0, 16 * Math.floor(n / 48), 16 * Math.floor(n / 24), n];
        // slots in a scrambled order, and a slot running twice: any slot may run any columns
        for (const [slot, part] of [[2, 0], [0, 2], [2, 1]] as const) {
          expect(wasmGemmColumns(g!, slot, a, aOff, tA, b, bOff, tB, c, cOff, m, n, k, bounds[part]!, bounds[part + 1]!)).toBe(true);
        }
        expect(c).toEqual(want);
      });
    }
  }

  it('rejects a window that does not start on a panel or ends past n, zeroes its columns at depth 0, and declines a B too large for the common region', () => {
    const c = new Float32Array(4 * 32);
    expect(() => wasmGemmColumns(g!, 0, new Float32Array(8), 0, false, new Float32Array(64), 0, false, c, 0, 4, 32, 2, 4, 32)).toThrow('gemm: a column window starts at a multiple of 8 and ends by column 32, got [4, 32)');
    expect(() => wasmGemmColumns(g!, 0, new Float32Array(8), 0, false, new Float32Array(64), 0, false, c, 0, 4, 32, 2, 16, 40)).toThrow('got [16, 40)');
    // depth 0: the window's sums are empty, zeros; the other columns are left alone
    c.fill(7);
    expect(wasmGemmColumns(g!, 0, new Float32Array(0), 0, false, new Float32Array(0), 0, false, c, 0, 4, 32, 0, 8, 16)).toBe(true);
    expect(Array.from(c.subarray(0, 32))).toEqual([...Array(8).fill(7), ...Array(8).fill(0), ...Array(16).fill(7)]);
    expect(wasmColumnsFit(768, 512)).toBe(true);
    expect(wasmColumnsFit(3000, 1500)).toBe(false);
    expect(wasmGemmColumns(g!, 0, new Float32Array(3000), 0, false, new Float32Array(3000 * 1500), 0, false, new Float32Array(1500), 0, 1, 1500, 3000, 0, 1500)).toBe(false);
  });
});
