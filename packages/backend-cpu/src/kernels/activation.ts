/**
 * Fused GELU and layer norm, forward and backward, as range kernels: one pass over the data where
 * the composition of tensor ops takes a dozen (and a dozen temporaries). Each documents what its
 * range counts; any split of it gives the result of one call.
 */
import { wasmGelu, wasmGeluBackward, wasmLayerNorm, wasmLayerNormBackward, wasmLayerNormParamGrad, wasmRelu } from '../wasm/elementwise';
import { erf } from './erf';

/**
 * Whether a gelu kernel's `approximate` is `'tanh'`; throws naming `op` unless it is `'none'` or `'tanh'`.
 *
 * @example
 * ```ts
 * geluTanh('gelu', 'none'); // false
 * ```
 */
export function geluTanh(op: string, approximate: string): boolean {
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`${op}: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return approximate === 'tanh';
}

/**
 * Throws naming `op` and the shapes unless the tensors have one element count.
 *
 * @example
 * ```ts
 * sameSizes('geluBackward', [{ shape: [2, 3] }, { shape: [6] }]); // passes
 * ```
 */
export function sameSizes(op: string, ts: readonly { readonly shape: readonly number[] }[]): void {
  const size = (t: { readonly shape: readonly number[] }) => t.shape.reduce((a, d) => a * d, 1);
  if (ts.some((t) => size(t) !== size(ts[0]!))) throw new Error(`${op}: expected operands of one size, got ${ts.map((t) => `[${t.shape.join(',')}]`).join(', ')}`);
}

/**
 * The rows of a layer norm kernel's `x` over its last `cols` elements; throws naming `op` when
 * `cols` does not divide `x` into rows or `w`/`b` do not have `cols` elements.
 *
 * @example
 * ```ts
 * layerNormRows('layerNorm', { shape: [4, 6, 8] }, { shape: [8] }, null, 8); // 24
 * ```
 */
export function layerNormRows(
  op: string,
  x: { readonly shape: readonly number[] },
  w: { readonly shape: readonly number[] } | null,
  b: { readonly shape: readonly number[] } | null,
  cols: number,
): number {
  const n = x.shape.reduce((a, d) => a * d, 1);
  const size = (t: { readonly shape: readonly number[] }) => t.shape.reduce((a, d) => a * d, 1);
  if (!Number.isInteger(cols) || cols <= 0 || n % cols !== 0 || (w !== null && size(w) !== cols) || (b !== null && size(b) !== cols)) {
    const f = (t: { readonly shape: readonly number[] } | null) => (t === null ? 'null' : `[${t.shape.join(',')}]`);
    throw new Error(`${op}: cannot normalise x ${f(x)} over its last ${cols} elements with weight ${f(w)} and bias ${f(b)}`);
  }
  return n / cols;
}

/**
 * The rows of a layer norm backward's `x` over its last `cols` elements, after checking every
 * operand: `x` and `dy` of one size, `w` of `cols` elements or null, `mean` and `rstd` one per row;
 * throws naming the shapes otherwise.
 *
 * @example
 * ```ts
 * layerNormBackwardRows({ shape: [3, 4] }, null, { shape: [3] }, { shape: [3] }, { shape: [3, 4] }, 4); // 3
 * ```
 */
export function layerNormBackwardRows(
  x: { readonly shape: readonly number[] },
  w: { readonly shape: readonly number[] } | null,
  mean: { readonly shape: readonly number[] },
  rstd: { readonly shape: readonly number[] },
  dy: { readonly shape: readonly number[] },
  cols: number,
): number {
  const rows = layerNormRows('layerNormBackward', x, w, null, cols);
  sameSizes('layerNormBackward', [x, dy]);
  sameSizes('layerNormBackward', [mean, rstd, { shape: [rows] }]);
  return rows;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Elements `[start, end)` of `torch.nn.functional.gelu`: `out = x·Φ(x)` (the tanh approximation
 * with `tanh`), and in `saved` what {@link geluBackwardRange} reads: the slope `d gelu(x)/dx`,
 * `Φ(x) + x·φ(x)` (or the tanh form's derivative), so that the backward is one multiply.
 *
 * @example
 * ```ts
 * const out = new Float32Array(1), saved = new Float32Array(1);
 * geluRange(new Float32Array([1]), out, saved, false, 0, 1); // out ≈ 0.8413, saved = Φ(1) + φ(1) ≈ 1.0833
 * ```
 */
export function geluRange(x: Float32Array, out: Float32Array, saved: Float32Array, tanh: boolean, start: number, end: number): void {
  if (tanh) {
    for (let i = start; i < end; i++) {
      const v = x[i]!;
      const t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
      saved[i] = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
      out[i] = 0.5 * v * (1 + t);
    }
    return;
  }
  if (wasmGelu(x, out, saved, start, end)) return;
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
    saved[i] = cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
    out[i] = v * cdf;
  }
}

/**
 * Elements `[start, end)` of the gradient of {@link geluRange}: `out = dy · d gelu(x)/dx`, the
 * float32 product of `dy` with the slope the forward saved (`x` and `tanh` are the forward's, for
 * the kernel contract; the slope already holds them).
 *
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * geluBackwardRange(new Float32Array([0]), new Float32Array([0.5]), new Float32Array([2]), out, false, 0, 1); // out = 2·0.5 = 1
 * ```
 */
export function geluBackwardRange(_x: Float32Array, saved: Float32Array, dy: Float32Array, out: Float32Array, _tanh: boolean, start: number, end: number): void {
  if (wasmGeluBackward(saved, dy, out, start, end)) return;
  for (let i = start; i < end; i++) out[i] = dy[i]! * saved[i]!;
}

/**
 * Rows `[start, end)` of `torch.nn.functional.layer_norm` over the last `cols` elements of each
 * row: `out = (x − mean)·rstd·w + b` (`w`, `b` of `cols` elements, or null), with the row's mean
 * and `rstd = 1/√(var + eps)` (biased variance) written to `mean` and `rstd` for the backward.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2), mean = new Float32Array(1), rstd = new Float32Array(1);
 * layerNormRange(new Float32Array([1, 3]), null, null, 0, out, mean, rstd, 2, 0, 1); // out = [-1, 1], mean 2, rstd 1
 * ```
 */
export function layerNormRange(
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
): void {
  if (end <= start || wasmLayerNorm(x, w, b, eps, out, mean, rstd, cols, start, end)) return;
  for (let r = start; r < end; r++) {
    const o = r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[o + j]!;
    const mu = sum / cols;
    let sq = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[o + j]! - mu;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / cols + eps);
    mean[r] = mu;
    rstd[r] = inv;
    for (let j = 0; j < cols; j++) {
      let v = (x[o + j]! - mu) * inv;
      if (w !== null) v *= w[j]!;
      if (b !== null) v += b[j]!;
      out[o + j] = v;
    }
  }
}

/**
 * Rows `[start, end)` of the input gradient of {@link layerNormRange}: with `x̂ = (x − mean)·rstd`
 * and `g = dy·w`, `dx = rstd·(g − mean(g) − x̂·mean(g·x̂))` over each row.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(2);
 * layerNormBackwardRange(new Float32Array([1, 3]), null, new Float32Array([2]), new Float32Array([1]), new Float32Array([1, 1]), dx, 2, 0, 1); // dx = [0, 0]
 * ```
 */
export function layerNormBackwardRange(
  x: Float32Array,
  w: Float32Array | null,
  mean: Float32Array,
  rstd: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  cols: number,
  start: number,
  end: number,
): void {
  if (end <= start || wasmLayerNormBackward(x, w, mean, rstd, dy, dx, cols, start, end)) return;
  for (let r = start; r < end; r++) {
    const o = r * cols;
    const mu = mean[r]!;
    const inv = rstd[r]!;
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < cols; j++) {
      const g = w === null ? dy[o + j]! : dy[o + j]! * w[j]!;
      sumG += g;
      sumGX += g * (x[o + j]! - mu) * inv;
    }
    const meanG = sumG / cols;
    const meanGX = sumGX / cols;
    for (let j = 0; j < cols; j++) {
      const g = w === null ? dy[o + j]! : dy[o + j]! * w[j]!;
      dx[o + j] = inv * (g - meanG - (x[o + j]! - mu) * inv * meanGX);
    }
  }
}

/**
 * Columns `[start, end)` of the weight and bias gradients of {@link layerNormRange}, summed over
 * all `rows`: `dw = Σ dy·x̂`, `db = Σ dy` (either output may be null: not wanted). Each column is
 * summed row by row in float64. All the columns at once run on the WebAssembly SIMD kernel
 * (`dy·x̂` rounded to float32 before it is added); part of them runs in TypeScript (`dy·x̂` in
 * float64), so split the columns across threads only where that last-bit difference is welcome.
 *
 * @example
 * ```ts
 * const dw = new Float32Array(2), db = new Float32Array(2);
 * layerNormParamGradRange(new Float32Array([1, 3]), new Float32Array([2]), new Float32Array([1]), new Float32Array([1, 1]), dw, db, 1, 2, 0, 2); // dw = [-1, 1], db = [1, 1]
 * ```
 */
export function layerNormParamGradRange(
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
): void {
  // row by row (the data's order), into float64 sums of this range's columns
  const n = end - start;
  if (n <= 0 || wasmLayerNormParamGrad(x, mean, rstd, dy, dw, db, rows, cols, start, end)) return;
  const sw = new Float64Array(n);
  const sb = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const o = r * cols + start;
    const mu = mean[r]!;
    const inv = rstd[r]!;
    for (let j = 0; j < n; j++) {
      const d = dy[o + j]!;
      sw[j] += d * (x[o + j]! - mu) * inv;
      sb[j] += d;
    }
  }
  if (dw !== null) for (let j = 0; j < n; j++) dw[start + j] = sw[j]!;
  if (db !== null) for (let j = 0; j < n; j++) db[start + j] = sb[j]!;
}

/**
 * Checks the op of an activationBackward call: `'tanh'`, `'sigmoid'` or `'relu'`, else throws naming it.
 *
 * @example
 * ```ts
 * activationOp('tanh'); // 'tanh'
 * ```
 */
export function activationOp(op: unknown): 'tanh' | 'sigmoid' | 'relu' {
  if (op !== 'tanh' && op !== 'sigmoid' && op !== 'relu') throw new Error(`activationBackward: op must be 'tanh', 'sigmoid' or 'relu', got '${String(op)}'`);
  return op;
}

/**
 * Elements `[start, end)` of the gradient of tanh, sigmoid or relu from their output `y`:
 * `out = dy·(1 − y²)` (tanh) or `dy·y·(1 − y)` (sigmoid), each rounded once to float32, or
 * `dy` where `y > 0` and +0 elsewhere (relu).
 *
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * activationBackwardRange('sigmoid', new Float32Array([0.5]), new Float32Array([2]), out, 0, 1); // out = [0.5]
 * ```
 */
export function activationBackwardRange(op: 'tanh' | 'sigmoid' | 'relu', y: Float32Array, dy: Float32Array, out: Float32Array, start: number, end: number): void {
  // unrolled by four, as binary.ts's float32 loops (V8 reloads each typed array after every store)
  let i = start;
  if (op === 'relu') {
    if (!wasmRelu(y, dy, out, start, end)) for (; i < end; i++) out[i] = y[i]! > 0 ? dy[i]! : 0;
  } else if (op === 'tanh') {
    for (const e4 = end - 3; i < e4; i += 4) {
      const v0 = y[i]!, v1 = y[i + 1]!, v2 = y[i + 2]!, v3 = y[i + 3]!;
      const g0 = dy[i]!, g1 = dy[i + 1]!, g2 = dy[i + 2]!, g3 = dy[i + 3]!;
      out[i] = g0 * (1 - v0 * v0);
      out[i + 1] = g1 * (1 - v1 * v1);
      out[i + 2] = g2 * (1 - v2 * v2);
      out[i + 3] = g3 * (1 - v3 * v3);
    }
    for (; i < end; i++) {
      const v = y[i]!;
      out[i] = dy[i]! * (1 - v * v);
    }
  } else {
    for (const e4 = end - 3; i < e4; i += 4) {
      const v0 = y[i]!, v1 = y[i + 1]!, v2 = y[i + 2]!, v3 = y[i + 3]!;
      const g0 = dy[i]!, g1 = dy[i + 1]!, g2 = dy[i + 2]!, g3 = dy[i + 3]!;
      out[i] = g0 * v0 * (1 - v0);
      out[i + 1] = g1 * v1 * (1 - v1);
      out[i + 2] = g2 * v2 * (1 - v2);
      out[i + 3] = g3 * v3 * (1 - v3);
    }
    for (; i < end; i++) {
      const v = y[i]!;
      out[i] = dy[i]! * v * (1 - v);
    }
  }
}
