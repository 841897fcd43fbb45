/**
 * The WebAssembly SIMD optimizer updates and activations (elementwise.wat, compiled at build
 * time into elementwise.generated.ts). A JavaScript loop over five typed arrays runs at about 0.2–0.4
 * elements per nanosecond here; copying chunks in and out with `TypedArray.set` and updating them
 * four lanes at a time runs at over 1. Each thread that imports this module gets its own instance
 * and memory (384 KiB, never grown, so no ArrayBuffer is ever detached), made synchronously on first
 * use; where WebAssembly SIMD is missing the functions return false and callers run TypeScript.
 */
import type { AdamStepAttrs, SgdStepAttrs } from '@tensorgrad/core';
import type { StridedPlan } from '../kernels/strides';
import { WASM_BYTES } from './elementwise.generated';
import { instantiateSimd } from './instantiate';

interface ElementwiseExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  relu(x: number, dy: number, n: number, grad: number): void;
  tanh(x: number, scratch: number, n: number): void;
  exp(x: number, scratch: number, n: number): void;
  sigmoid(x: number, scratch: number, n: number): void;
  gelu(x: number, saved: number, scratch: number, n: number): void;
  binary(op: number, a: number, b: number, out: number, n: number): void;
  compare(op: number, a: number, b: number, out: number, n: number, flip: number): void;
  softmax(x: number, rows: number, cols: number, scale: number, causal: number, row0: number, l: number): void;
  softmaxBackward(y: number, dy: number, rows: number, cols: number, scale: number): void;
  layerNorm(x: number, w: number, b: number, mean: number, rstd: number, rows: number, cols: number, eps: number, flags: number): void;
  layerNormBackward(x: number, w: number, mean: number, rstd: number, dy: number, rows: number, cols: number, flags: number): void;
  layerNormParamGrad(x: number, dy: number, mean: number, rstd: number, acc: number, rows: number, len: number, init: number): void;
  sgd(p: number, g: number, b: number, n: number, flags: number, nlr: number, momentum: number, keep: number, wd: number, sign: number): void;
  permute(src: number, dst: number, blocks: number, s0: number, n1: number, s1: number, n2: number, s2: number, n3: number): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    vmax: number,
    n: number,
    flags: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    shrink: number,
    wd: number,
    sign: number,
    nStepSize: number,
    correction2: number,
    eps: number,
  ): void;
}

/** Floats per chunk of one operand; five chunks fill the module's memory. */
const CHUNK = 16384;
const SLOTS = 5;

let instance: { fn: ElementwiseExports; mem: Float32Array; bytes: Uint8Array } | null | undefined;

function getInstance(): { fn: ElementwiseExports; mem: Float32Array; bytes: Uint8Array } | null {
  if (instance === undefined) {
    const fn = instantiateSimd<ElementwiseExports>(WASM_BYTES);
    const mem = fn === null ? null : new Float32Array(fn.memory.buffer);
    instance = fn !== null && mem !== null && mem.length >= SLOTS * CHUNK ? { fn, mem, bytes: new Uint8Array(mem.buffer) } : null;
  }
  return instance;
}

/**
 * This thread's elementwise instance, opened up for measuring what staging costs (apps/bench's
 * staging tool): its functions, its memory as floats, and the floats of one operand's chunk
 * (operand slot `i` starts at float `i · chunk`). Null where WebAssembly SIMD is missing.
 *
 * @example
 * ```ts
 * const e = elementwiseProbe(); // e.fn.binary(0, 0, 4 * e.chunk, 8 * e.chunk, e.chunk): slot 2 = slot 0 + slot 1
 * ```
 * @internal
 */
export function elementwiseProbe(): { readonly fn: ElementwiseExports; readonly mem: Float32Array; readonly chunk: number } | null {
  const inst = getInstance();
  return inst && { fn: inst.fn, mem: inst.mem, chunk: CHUNK };
}

/**
 * {@link sgdStepRange}'s contract on the WebAssembly kernel, for elements `[start, end)`; returns
 * false, doing nothing, where WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * const attrs = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
 * const out = new Float32Array(1);
 * wasmSgdStep(new Float32Array([1]), new Float32Array([1]), null, out, null, attrs, 0, 1); // true; out = [0.9]
 * ```
 */
export function wasmSgdStep(
  p: Float32Array,
  g: Float32Array,
  buf: Float32Array | null,
  outP: Float32Array,
  outBuf: Float32Array | null,
  attrs: SgdStepAttrs,
  start: number,
  end: number,
): boolean {
  const momentum = attrs.momentum !== 0 && outBuf !== null;
  const flags =
    (momentum ? 1 : 0) | (momentum && buf === null ? 2 : 0) | (attrs.nesterov ? 4 : 0) | (attrs.weightDecay !== 0 ? 8 : 0) | (attrs.dampening !== 0 ? 16 : 0);
  return byRows(1, 1, start, end, [p, g, momentum ? buf : null], [outP, null, momentum ? outBuf : null], null, null, (fn, _r, n) =>
    fn.sgd(0, CHUNK * 4, 2 * CHUNK * 4, n, flags, -attrs.lr, attrs.momentum, 1 - attrs.dampening, attrs.weightDecay, attrs.maximize ? -1 : 1),
  );
}

/**
 * {@link adamStepRange}'s contract on the WebAssembly kernel, for elements `[start, end)`; returns
 * false, doing nothing, where WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * const z = () => new Float32Array(1);
 * const attrs = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false, maximize: false, step: 1 };
 * wasmAdamStep(new Float32Array([1]), new Float32Array([5]), z(), z(), null, z(), z(), z(), null, attrs, 0, 1); // true
 * ```
 */
export function wasmAdamStep(
  p: Float32Array,
  g: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null,
  outP: Float32Array,
  outExpAvg: Float32Array,
  outExpAvgSq: Float32Array,
  outMaxExpAvgSq: Float32Array | null,
  attrs: AdamStepAttrs,
  start: number,
  end: number,
): boolean {
  const { lr, beta1, beta2, weightDecay: wd, step } = attrs;
  const amsgrad = attrs.amsgrad && maxExpAvgSq !== null && outMaxExpAvgSq !== null;
  const flags = (attrs.decoupled && wd !== 0 ? 1 : 0) | (!attrs.decoupled && wd !== 0 ? 2 : 0) | (amsgrad ? 4 : 0);
  const stepSize = lr / (1 - beta1 ** step);
  const correction2 = Math.sqrt(1 - beta2 ** step);
  return byRows(1, 1, start, end, [p, g, expAvg, expAvgSq, amsgrad ? maxExpAvgSq : null], [outP, null, outExpAvg, outExpAvgSq, amsgrad ? outMaxExpAvgSq : null], null, null, (fn, _r, n) =>
    fn.adam(0, CHUNK * 4, 2 * CHUNK * 4, 3 * CHUNK * 4, 4 * CHUNK * 4, n, flags, beta1, 1 - beta1, beta2, 1 - beta2, 1 - lr * wd, wd, attrs.maximize ? -1 : 1, -stepSize, correction2, attrs.eps),
  );
}

/**
 * `out[i] = tanh(x[i])`, `sigmoid(x[i])` or `exp(x[i])` for `i` in `[start, end)` on the WebAssembly
 * kernel (four lanes at a time, within a few float32 ulps of the exact value; NaN, ±0 and ±Infinity
 * as `Math.tanh`, the exact sigmoid and `Math.exp` give them); returns false, doing nothing, where WebAssembly
 * SIMD is unavailable. Used for ranges of every length, however short (a JavaScript loop would be
 * faster below ~64 elements), so that any split of a tensor gives the numbers of one call.
 * `x` and `out` may be one array.
 *
 * @example
 * ```ts
 * const x = new Float32Array(256).fill(1), out = new Float32Array(256);
 * wasmActivation('tanh', x, out, 0, 256); // true; out[i] ≈ 0.7615942
 * ```
 */
export function wasmActivation(op: 'tanh' | 'sigmoid' | 'exp', x: Float32Array, out: Float32Array, start: number, end: number): boolean {
  return byRows(1, 1, start, end, [x], [out], null, null, (fn, _r, n) => fn[op](0, CHUNK * 4, n));
}

/**
 * relu for elements `[start, end)` on the WebAssembly kernel, `out = relu(x)` (−0 gives +0, NaN
 * passes), or with `dy` its gradient from relu's input or output `x` (each is above 0 exactly where
 * the other is): `out = dy` where `x > 0`, else +0.
 * Returns false, doing nothing, where WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * wasmRelu(new Float32Array([0, 2]), new Float32Array([5, 5]), out, 0, 2); // true; out = [0, 5]
 * ```
 */
export function wasmRelu(x: Float32Array, dy: Float32Array | null, out: Float32Array, start: number, end: number): boolean {
  return byRows(1, 1, start, end, [x, dy], [out], null, null, (fn, _r, n) => fn.relu(0, CHUNK * 4, n, dy ? 1 : 0));
}

/**
 * Whether tanh and sigmoid run on the WebAssembly SIMD kernel in this thread (instantiating it on
 * first call): a thread pool weighs their cost by it.
 *
 * @example
 * ```ts
 * const perElement = wasmActivationAvailable() ? 3 : 8; // in adds
 * ```
 */
export function wasmActivationAvailable(): boolean {
  return getInstance() !== null;
}

/**
 * The exact GELU for elements `[start, end)` on the WebAssembly kernel: `out = x·Φ(x)` and, in
 * `saved`, its slope `Φ(x) + x·φ(x)`, as {@link geluRange} (within 6 float32 ulps for x ≥ 0;
 * below, about 2e-7·x²/2 relative: 5e-6 at x = −6, where Φ is 1e-9); returns false, doing nothing,
 * where WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * const x = new Float32Array([1]), out = new Float32Array(1), saved = new Float32Array(1);
 * wasmGelu(x, out, saved, 0, 1); // true; out ≈ [0.8413], saved ≈ [1.0833]
 * ```
 */
export function wasmGelu(x: Float32Array, out: Float32Array, saved: Float32Array, start: number, end: number): boolean {
  return byRows(1, 1, start, end, [x], [out, saved], null, null, (fn, _r, n) => fn.gelu(0, CHUNK * 4, 2 * CHUNK * 4, n));
}

/**
 * The gradient of {@link wasmGelu} for elements `[start, end)`: `out = dy·saved`, the float32
 * product with the slope the forward saved; returns false, doing nothing, where WebAssembly SIMD is
 * unavailable.
 *
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * wasmGeluBackward(new Float32Array([0.5]), new Float32Array([2]), out, 0, 1); // true; out = [1]
 * ```
 */
export function wasmGeluBackward(saved: Float32Array, dy: Float32Array, out: Float32Array, start: number, end: number): boolean {
  return byRows(1, 1, start, end, [saved, dy], [out], null, null, (fn, _r, n) => fn.binary(2, 0, CHUNK * 4, 0, n)); // op 2: multiply (ARITHMETIC)
}

/**
 * The ops {@link wasmBinary} runs: the arithmetic as elementwise.wat's `binary` numbers it, and the
 * comparisons as its `compare` does (`[op, flip, swap]`: greater is less with the operands swapped,
 * not equal is equal turned over).
 */
const ARITHMETIC: Record<string, number> = { add: 0, sub: 1, mul: 2, div: 3 };
const COMPARISONS: Record<string, readonly [number, number, boolean]> = {
  eq: [0, 0, false],
  ne: [0, 1, false],
  lt: [1, 0, false],
  le: [2, 0, false],
  gt: [1, 0, true],
  ge: [2, 0, true],
};

/**
 * How an operand of {@link wasmBinary} is laid out over the `rows × cols` output: 0, row r at
 * `off + r·cols` (contiguous); 1, one row for every row (at `off`); 2, one value per row (`off + r`);
 * 3, one value for all (`off`).
 *
 * @example
 * ```ts
 * const bias: RowsLayout = 1; // a [cols] bias added to every row of a [rows, cols] input
 * ```
 */
export type RowsLayout = 0 | 1 | 2 | 3;

/**
 * `out[io + r·cols + j] = A(r, j) op B(r, j)` over a `rows × cols` output on the WebAssembly kernel,
 * each operand laid out as its {@link RowsLayout} says (`a[ia ...]` as `ka`, `b[ib ...]` as `kb`):
 * for add, sub, mul and div the float32 result (a float32 `out`), which a JavaScript loop's gives
 * too; for eq, ne, lt, le, gt and ge 1 or 0 (a `Uint8Array` `out`), as JavaScript compares. As many
 * whole rows as fit go through the module at once (rows longer than a chunk go in pieces), so a bias
 * added to short rows pays the staging once per chunk, not per row. Returns false, doing nothing,
 * for another op or output type, or where WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * wasmBinary('add', new Float32Array([1, 2, 3, 4]), 0, 0, new Float32Array([10, 20]), 0, 1, out, 0, 2, 2); // true; out = [11, 22, 13, 24]
 * ```
 */
export function wasmBinary(
  op: string,
  a: Float32Array,
  ia: number,
  ka: RowsLayout,
  b: Float32Array,
  ib: number,
  kb: RowsLayout,
  out: Float32Array | Uint8Array,
  io: number,
  rows: number,
  cols: number,
): boolean {
  const arithmetic = ARITHMETIC[op];
  const comparison = COMPARISONS[op];
  const fits = out instanceof Float32Array ? arithmetic !== undefined : comparison !== undefined;
  const inst = fits && rows * cols > 0 ? getInstance() : null;
  if (inst === null) return false;
  const { fn, mem, bytes } = inst;
  // a piece is `per` whole rows, or (rows longer than a chunk) a chunk of one row
  const per = cols <= CHUNK ? Math.floor(CHUNK / cols) : 0;
  const piece = per * cols;
  // one operand twice (a square) is staged once
  const same = a === b && ia === ib && ka === kb;
  const swap = comparison?.[2] === true;
  const operands = same ? ([[a, ia, ka, 0]] as const) : ([[a, ia, ka, swap ? CHUNK : 0], [b, ib, kb, swap ? 0 : CHUNK]] as const);
  for (const [src, off, kind, slot] of operands) {
    if (kind === 3) mem.fill(src[off]!, slot, slot + CHUNK);
    if (kind === 1 && per > 0) {
      // the row once, then doubled in place up to a chunk's worth of rows
      mem.set(src.subarray(off, off + cols), slot);
      for (let len = cols; len < piece; len *= 2) mem.copyWithin(slot + len, slot, slot + Math.min(len, piece - len));
    }
  }
  const bAt = (same ? 0 : CHUNK) * 4;
  for (let s = 0, total = rows * cols, m = 0; s < total; s += m) {
    const r = Math.floor(s / cols);
    const c = s - r * cols; // 0 for whole rows
    m = per > 0 ? Math.min(piece, total - s) : Math.min(CHUNK, cols - c); // a piece never crosses a row's end
    for (const [src, off, kind, slot] of operands) {
      if (kind === 0) mem.set(src.subarray(off + s, off + s + m), slot);
      else if (kind === 1 && per === 0) mem.set(src.subarray(off + c, off + c + m), slot);
      else if (kind === 2) for (let i = 0; i * cols < m; i++) mem.fill(src[off + r + i]!, slot + i * cols, slot + Math.min(m, (i + 1) * cols));
    }
    if (comparison === undefined) {
      fn.binary(arithmetic!, 0, bAt, 2 * CHUNK * 4, m);
      out.set(mem.subarray(2 * CHUNK, 2 * CHUNK + m), io + s);
    } else {
      fn.compare(comparison[0], 0, bAt, 2 * CHUNK * 4, m, comparison[1]);
      out.set(bytes.subarray(2 * CHUNK * 4, 2 * CHUNK * 4 + m), io + s);
    }
  }
  return true;
}

/**
 * Softmax over the last axis on the WebAssembly kernel, for rows `[rowStart, rowEnd)` of a
 * `[rows, cols]` view: `out` row r = softmax(`scale`·x row r). With `causal`, row r is query
 * `r mod l` of an attention of `l` queries and sees only its first `min(cols, r mod l + 1)` keys
 * (the rest are 0), as a causal mask of −∞ gives. Returns false, doing nothing, where WebAssembly
 * SIMD is unavailable or a row does not fit the module's chunk (more than 16,384 columns).
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * wasmSoftmax(new Float32Array([0, 0, 0, 0]), out, 2, 1, true, 2, 0, 2); // true; out = [1, 0, 0.5, 0.5]
 * ```
 */
export function wasmSoftmax(x: Float32Array, out: Float32Array, cols: number, scale: number, causal: boolean, l: number, rowStart: number, rowEnd: number): boolean {
  return byRows(cols, 1, rowStart, rowEnd, [x], [out], null, null, (fn, r, n) => fn.softmax(0, n, cols, scale, causal ? 1 : 0, causal ? r % l : 0, causal ? l : 1));
}

/**
 * The gradient of a softmax over the last axis on the WebAssembly kernel, for rows
 * `[rowStart, rowEnd)`: `out = scale·y·(dy − Σ_row dy·y)` from the softmax's output `y`. Returns
 * false, doing nothing, where WebAssembly SIMD is unavailable or a row has more than 16,384 columns.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * wasmSoftmaxBackward(new Float32Array([0.5, 0.5]), new Float32Array([1, 0]), out, 2, 1, 0, 1); // true; out = [0.25, -0.25]
 * ```
 */
export function wasmSoftmaxBackward(y: Float32Array, dy: Float32Array, out: Float32Array, cols: number, scale: number, rowStart: number, rowEnd: number): boolean {
  return byRows(cols, 1, rowStart, rowEnd, [y, dy], [null, out], null, null, (fn, _r, n) => fn.softmaxBackward(0, CHUNK * 4, n, cols, scale));
}

/**
 * A row kernel over rows `[start, end)` of `cols` floats (`cols` a multiple of `multiple`, at most
 * a chunk), as many whole rows per call as a chunk holds: slot `i` gets `rows[i]`'s rows (a
 * row-sized operand such as a layer norm's weight, `cols` floats, goes in whole; null: none) and,
 * from slot 3 on, `perRow[i]`'s one float per row; `run` works in place; then `out[i]` (null:
 * none) takes slot `i`'s rows back and `perRowOut[i]` slot 3 + i's floats. Returns false, doing
 * nothing, where WebAssembly SIMD is unavailable or `cols` does not fit.
 */
function byRows(
  cols: number,
  multiple: number,
  start: number,
  end: number,
  rows: readonly (Float32Array | null)[],
  out: readonly (Float32Array | null)[],
  perRow: readonly Float32Array[] | null,
  perRowOut: readonly Float32Array[] | null,
  run: (fn: ElementwiseExports, r: number, n: number) => void,
): boolean {
  const inst = cols > 0 && cols % multiple === 0 && cols <= CHUNK ? getInstance() : null;
  if (inst === null) return false;
  const { fn, mem } = inst;
  const per = Math.floor(CHUNK / cols);
  rows.forEach((a, i) => {
    if (a !== null && a.length === cols) mem.set(a, i * CHUNK); // a weight: the same for every row
  });
  for (let r = start; r < end; r += per) {
    const n = Math.min(per, end - r);
    rows.forEach((a, i) => {
      if (a !== null && a.length !== cols) mem.set(a.subarray(r * cols, (r + n) * cols), i * CHUNK);
    });
    perRow?.forEach((a, i) => mem.set(a.subarray(r, r + n), (3 + i) * CHUNK));
    run(fn, r, n);
    out.forEach((a, i) => a?.set(mem.subarray(i * CHUNK, i * CHUNK + n * cols), r * cols));
    perRowOut?.forEach((a, i) => a.set(mem.subarray((3 + i) * CHUNK, (3 + i) * CHUNK + n), r));
  }
  return true;
}

/**
 * {@link layerNormRange}'s contract on the WebAssembly kernel for rows `[start, end)`: the mean and
 * variance from float64 sums, `x̂ = (x − mean)·rstd` in float64, then `·w + b` in float32. Returns
 * false, doing nothing, where WebAssembly SIMD is unavailable or `cols` is not a multiple of 4 up to 16,384.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4), mean = new Float32Array(1), rstd = new Float32Array(1);
 * wasmLayerNorm(new Float32Array([1, 2, 3, 4]), null, null, 1e-5, out, mean, rstd, 4, 0, 1); // true; mean = [2.5]
 * ```
 */
export function wasmLayerNorm(
  x: Float32Array,
  w: Float32Array | null,
  b: Float32Array | null,
  eps: number,
  out: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  cols: number,
  start: number,
  end: number,
): boolean {
  // slots: x → out, w, b, mean, rstd
  return byRows(cols, 4, start, end, [x, w, b], [out], null, [mean, rstd], (fn, _r, n) => fn.layerNorm(0, CHUNK * 4, 2 * CHUNK * 4, 3 * CHUNK * 4, 4 * CHUNK * 4, n, cols, eps, (w ? 1 : 0) | (b ? 2 : 0)));
}

/**
 * {@link layerNormBackwardRange}'s contract (the input gradient) on the WebAssembly kernel for rows
 * `[start, end)`: the row sums in float64, the rest in float32. Returns false, doing nothing, where
 * WebAssembly SIMD is unavailable or `cols` is not a multiple of 4 up to 16,384.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(4);
 * wasmLayerNormBackward(new Float32Array([1, 2, 3, 4]), null, new Float32Array([2.5]), new Float32Array([0.894]), new Float32Array([1, 1, 1, 1]), dx, 4, 0, 1); // true; dx ≈ [0, 0, 0, 0]
 * ```
 */
export function wasmLayerNormBackward(
  x: Float32Array,
  w: Float32Array | null,
  mean: Float32Array,
  rstd: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  cols: number,
  start: number,
  end: number,
): boolean {
  // slots: x, dy → dx, w, mean, rstd
  return byRows(cols, 4, start, end, [x, dy, w], [null, dx], [mean, rstd], null, (fn, _r, n) => fn.layerNormBackward(0, 2 * CHUNK * 4, 3 * CHUNK * 4, 4 * CHUNK * 4, CHUNK * 4, n, cols, w ? 1 : 0));
}

/**
 * {@link layerNormParamGradRange}'s contract on the WebAssembly kernel for all the columns
 * (`start` 0, `end` `cols`): `dw = Σ dy·x̂`, `db = Σ dy` over all `rows`, each column summed row by
 * row in float64 (dy·x̂ rounded to float32 first). Returns false, doing nothing, where WebAssembly
 * SIMD is unavailable, for part of the columns, no rows, or widths not a multiple of 4 up to 4,096.
 *
 * @example
 * ```ts
 * const dw = new Float32Array(4), db = new Float32Array(4);
 * wasmLayerNormParamGrad(new Float32Array([1, 2, 3, 4]), new Float32Array([2.5]), new Float32Array([1]), new Float32Array([1, 1, 1, 1]), dw, db, 1, 4, 0, 4); // true; dw = [-1.5, -0.5, 0.5, 1.5], db = [1, 1, 1, 1]
 * ```
 */
export function wasmLayerNormParamGrad(
  x: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  dy: Float32Array,
  dw: Float32Array | null,
  db: Float32Array | null,
  rows: number,
  cols: number,
  start: number,
  end: number,
): boolean {
  // slots: x, dy, mean, rstd (one float per row), the float64 sums
  if (start !== 0 || end !== cols || 4 * cols > CHUNK || rows === 0) return false;
  let first = 1;
  const ran = byRows(cols, 4, 0, rows, [x, dy], [], [mean, rstd], null, (fn, _r, n) => {
    fn.layerNormParamGrad(0, CHUNK * 4, 3 * CHUNK * 4, 4 * CHUNK * 4, 2 * CHUNK * 4, n, cols, first);
    first = 0;
  });
  if (!ran) return false;
  const sums = new Float64Array(getInstance()!.mem.buffer, 2 * CHUNK * 4, 2 * cols);
  if (dw !== null) for (let j = 0; j < cols; j++) dw[j] = sums[j]!;
  if (db !== null) for (let j = 0; j < cols; j++) db[j] = sums[cols + j]!;
  return true;
}

/**
 * A permute's copy on the WebAssembly kernel, for float32 output elements `[start, end)`, where the
 * plan (a `permutePlan`'s, collapsed to four dims) keeps its first dim in place, so that the output
 * is blocks of the other three permuted within themselves (attention's `[B, T, heads, d] →
 * [B, heads, T, d]`), keeps its last dim last, a multiple of 4 long, has blocks that fit a chunk,
 * and `start`, `end` fall on block boundaries. A JavaScript copy loop moves about a float per
 * 1.3–2 ns here; whole blocks staged and copied inside the module, 0.4–0.9 ns. Returns false, doing
 * nothing, for any other plan or range.
 *
 * @example
 * ```ts
 * const x = new Float32Array(4096).map((_, i) => i), out = new Float32Array(4096);
 * wasmPermute(x, out, permutePlan([4, 8, 4, 32], [0, 2, 1, 3]), 0, 4096); // true
 * ```
 */
export function wasmPermute(x: ArrayLike<number>, out: ArrayLike<number>, plan: StridedPlan, start: number, end: number): boolean {
  const [, n1, n2, n3] = plan.shape as [number, number, number, number];
  const [s0, s1, s2, s3] = plan.strides[0] as [number, number, number, number];
  // the first dim in place: its stride is the block's size (a permutation of a dense block)
  return (
    plan.shape.length === 4 && s0 === n1 * n2 * n3 && s3 === 1 && n3 % 4 === 0 && start % s0 === 0 && end % s0 === 0 && x instanceof Float32Array && out instanceof Float32Array &&
    byRows(s0, 1, start / s0, end / s0, [x], [null, out], null, null, (fn, _r, n) => fn.permute(0, CHUNK * 4, n, s0 * 4, n1, s1 * 4, n2, s2 * 4, n3 * 4))
  );
}
