/**
 * The numerical check of the gemm builds, run by gemm-variants.test.ts three times: in the test
 * process (relaxed SIMD: backend-cpu turns Node 20's flag on for the compile) and, bundled by
 * esbuild, in child Nodes: one with `--experimental-wasm-relaxed-simd` given, and one without
 * `process.getBuiltinModule` (no way to the flag: plain SIMD, as an engine without relaxed SIMD).
 * No Node APIs, so a page can run it too. Every product is compared with the TypeScript gemm
 * (`wasm = false`) and with float64.
 */
import { cpuBackend } from '../backend';
import { conv2dPlan, conv2dRange } from '../kernels/conv';
import { gemm } from '../kernels/gemm';
import { matmulPlan, matmulPrepack, matmulPrepackedRange } from '../kernels/matmul';
import { maxRelativeError, randomFloats } from '../testing';
import { createSharedGemm, gemmVariant, releaseSharedGemm, withoutRelaxedSimd, type GemmVariant } from './gemm';

/** What {@link checkGemmVariants} found: the variants chosen, and the worst errors of each path. */
export interface GemmVariantsReport {
  /** `gemmVariant()` in this process. */
  readonly variant: GemmVariant;
  /** `gemmVariant({ relaxedSimd: false })`. */
  readonly forcedPlain: GemmVariant;
  /** `gemmVariant()` inside `withoutRelaxedSimd`. */
  readonly scopedPlain: GemmVariant;
  /** Products checked per path. */
  readonly products: number;
  /** Worst relative error (to max(1, |want|)) of the default path against the TypeScript gemm. */
  readonly vsTypeScript: number;
  /** Worst relative error of the default path against float64. */
  readonly vsFloat64: number;
  /** The same two for the plain path (inside `withoutRelaxedSimd`). */
  readonly plainVsTypeScript: number;
  readonly plainVsFloat64: number;
  /** Elements where the default and plain paths' results differ in any bit (FMA rounds once; 0 when both are the plain build). */
  readonly bitsDiffer: number;
  /** Of how many elements. */
  readonly elements: number;
  /** Worst error of the shared-memory gemm (B packed once, rows across three slots) against float64, default and plain path. */
  readonly shared: number;
  readonly sharedPlain: number;
  /** Worst error of `cpuBackend()` and `cpuBackend({ relaxedSimd: false })` matmul against the TypeScript kernel. */
  readonly backend: number;
  readonly backendPlain: number;
  /** Worst error of conv2d forward (im2col through the gemm) against the TypeScript kernel. */
  readonly conv: number;
}

/** `C (+)= A·B` in float64 over gemm's layouts (see kernels/gemm.ts), rows `[r0, r1)`; other elements of `c` are kept. */
function float64Gemm(a: Float32Array, tA: boolean, b: Float32Array, tB: boolean, c: Float32Array, m: number, n: number, k: number, r0: number, r1: number, accumulate: boolean): Float64Array {
  const out = Float64Array.from(c);
  for (let i = r0; i < r1; i++)
    for (let j = 0; j < n; j++) {
      let s = accumulate ? out[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += a[tA ? p * m + i : i * k + p]! * b[tB ? j * k + p : p * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}

/**
 * Shapes around the 4×8 tile's edges (m ≡ 1, 3 mod 4; n ≡ 1, 7 mod 8), depths of one step, one
 * block (256) and more (257, 600), two column blocks (n > 2048), and row ranges that start and end mid-tile.
 */
const SHAPES: readonly (readonly [m: number, n: number, k: number, r0: number, r1: number])[] = [
  [5, 9, 300, 0, 5],
  [13, 7, 257, 1, 12],
  [4, 8, 256, 0, 4],
  [3, 17, 600, 0, 3],
  [131, 33, 257, 2, 131],
  [9, 15, 1, 0, 9],
  [67, 23, 2, 3, 60],
  [21, 2053, 70, 0, 21],
  [96, 40, 513, 5, 91],
];

/**
 * Run every check on whatever gemm builds this engine has, and report.
 *
 * @example
 * ```ts
 * const r = checkGemmVariants(); // r.variant: 'relaxed-simd' in Node 20 and later
 * ```
 */
export function checkGemmVariants(): GemmVariantsReport {
  let products = 0;
  let [vsTypeScript, vsFloat64, plainVsTypeScript, plainVsFloat64, bitsDiffer, elements] = [0, 0, 0, 0, 0, 0];
  for (const [m, n, k, r0, r1] of SHAPES) {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      for (const accumulate of [false, true]) {
        const a = randomFloats(m * k, m * 31 + k);
        const b = randomFloats(k * n, n * 17 + k + 1);
        const c0 = randomFloats(m * n, m + n); // rows outside [r0, r1) must survive, and accumulate adds to it
        const want = float64Gemm(a, tA, b, tB, c0, m, n, k, r0, r1, accumulate);
        const viaTs = c0.slice();
        gemm(a, 0, tA, b, 0, tB, viaTs, 0, m, n, k, r0, r1, accumulate, false);
        const viaDefault = c0.slice();
        gemm(a, 0, tA, b, 0, tB, viaDefault, 0, m, n, k, r0, r1, accumulate);
        const viaPlain = c0.slice();
        withoutRelaxedSimd(() => gemm(a, 0, tA, b, 0, tB, viaPlain, 0, m, n, k, r0, r1, accumulate));
        vsTypeScript = Math.max(vsTypeScript, maxRelativeError(viaDefault, viaTs));
        vsFloat64 = Math.max(vsFloat64, maxRelativeError(viaDefault, want));
        plainVsTypeScript = Math.max(plainVsTypeScript, maxRelativeError(viaPlain, viaTs));
        plainVsFloat64 = Math.max(plainVsFloat64, maxRelativeError(viaPlain, want));
        for (let i = 0; i < viaDefault.length; i++) if (!Object.is(viaDefault[i], viaPlain[i])) bitsDiffer++;
        elements += viaDefault.length;
        products++;
      }
    }
  }

  // the shared-memory build (the worker backend's): B packed by slot 0, rows run by slots 2, 0, 1
  const sharedError = (): number => {
    const g = createSharedGemm(3);
    if (g === null) return NaN;
    let worst = 0;
    for (const [m, n, k] of [
      [64, 70, 300],
      [33, 2053, 270],
      [130, 17, 600],
      [7, 9, 5],
    ] as const) {
      for (const [tA, tB] of [
        [false, false],
        [true, true],
      ] as const) {
        const plan = matmulPlan(tA ? [k, m] : [m, k], tB ? [n, k] : [k, n], tA, tB, [m, n]);
        const a = randomFloats(m * k, m * 7 + k);
        const b = randomFloats(k * n, n * 3 + k);
        const out = new Float32Array(m * n).fill(NaN);
        const packed = matmulPrepack(g, b, plan);
        if (packed === null) return NaN;
        const bounds = [0, Math.floor(m / 3), Math.floor((2 * m) / 3), m];
        for (const [slot, part] of [
          [2, 0],
          [0, 1],
          [1, 2],
        ] as const) {
          matmulPrepackedRange(g, slot, a, packed, out, plan, bounds[part]!, bounds[part + 1]!);
        }
        worst = Math.max(worst, maxRelativeError(out, float64Gemm(a, tA, b, tB, new Float32Array(m * n), m, n, k, 0, m, false)));
      }
    }
    releaseSharedGemm(g);
    return worst;
  };
  const shared = sharedError();
  const sharedPlain = withoutRelaxedSimd(sharedError);

  // through the backend, as core calls it: [2, 37, 300] @ [300, 29]ᵀ, batched
  const backendError = (relaxedSimd: boolean): number => {
    const be = cpuBackend({ relaxedSimd });
    const [m, n, k] = [37, 29, 300];
    const a = randomFloats(2 * m * k, 11);
    const b = randomFloats(n * k, 12);
    const ai = { id: be.write(a, [2, m, k], 'float32'), shape: [2, m, k], dtype: 'float32' } as const;
    const bi = { id: be.write(b, [n, k], 'float32'), shape: [n, k], dtype: 'float32' } as const;
    const got = be.readSync!(be.kernels.matmul(ai, bi, false, true, [2, m, n]));
    const want = new Float32Array(2 * m * n);
    for (let t = 0; t < 2; t++) gemm(a, t * m * k, false, b, 0, true, want, t * m * n, m, n, k, 0, m, false, false);
    return maxRelativeError(got, want);
  };

  const plan = conv2dPlan([2, 8, 14, 13], [12, 8, 3, 3], { stride: 1, padding: 1 });
  const x = randomFloats(2 * 8 * 14 * 13, 5);
  const w = randomFloats(12 * 8 * 9, 6);
  const y = new Float32Array(2 * 12 * plan.oh * plan.ow);
  const yTs = y.slice();
  conv2dRange(x, w, y, plan, 0, 2 * 12);
  conv2dRange(x, w, yTs, plan, 0, 2 * 12, false);

  return {
    variant: gemmVariant(),
    forcedPlain: gemmVariant({ relaxedSimd: false }),
    scopedPlain: withoutRelaxedSimd(() => gemmVariant()),
    products,
    vsTypeScript,
    vsFloat64,
    plainVsTypeScript,
    plainVsFloat64,
    bitsDiffer,
    elements,
    shared,
    sharedPlain,
    backend: backendError(true),
    backendPlain: backendError(false),
    conv: maxRelativeError(y, yTs),
  };
}
