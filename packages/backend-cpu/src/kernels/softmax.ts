import { wasmSoftmax, wasmSoftmaxBackward } from '../wasm/elementwise';

/**
 * Softmax over the last axis for rows `[rowStart, rowEnd)` of a `[rows, cols]` view:
 * `out[r, j] = exp(x[r, j] - max_r) / Σ_j exp(x[r, j] - max_r)`. Ranges count rows.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * softmaxRange(new Float32Array([0, 0]), out, 2, 0, 1); // [0.5, 0.5]
 * ```
 */
export function softmaxRange(x: Float32Array, out: Float32Array, cols: number, rowStart: number, rowEnd: number): void {
  attentionSoftmaxRange(x, out, cols, 1, false, 1, rowStart, rowEnd);
}

/**
 * Attention's softmax over the last axis for rows `[rowStart, rowEnd)` of a `[rows, cols]` view:
 * row r becomes softmax(`scale`·x row r); with `causal`, row r is query `r mod l` of an attention
 * of `l` queries and only its first `min(cols, r mod l + 1)` entries take part (the rest are 0),
 * as `softmax(where(tril(ones(l, cols)), scale·x, −∞))`. On the WebAssembly SIMD kernel where it
 * runs (exponentials within a few float32 ulps, summed in float32), else in TypeScript.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * attentionSoftmaxRange(new Float32Array([1, 2, 3, 4]), out, 2, 0.5, true, 2, 0, 2); // [1, 0, 0.378, 0.622]
 * ```
 */
export function attentionSoftmaxRange(x: Float32Array, out: Float32Array, cols: number, scale: number, causal: boolean, l: number, rowStart: number, rowEnd: number): void {
  if (rowEnd <= rowStart || wasmSoftmax(x, out, cols, scale, causal, l, rowStart, rowEnd)) return;
  for (let r = rowStart; r < rowEnd; r++) {
    const base = r * cols;
    const len = causal ? Math.min(cols, (r % l) + 1) : cols;
    if (scale === 1) softmaxRow(x, out, base, len, rowMax(x, base, len));
    else {
      for (let j = base; j < base + len; j++) out[j] = x[j]! * scale;
      softmaxRow(out, out, base, len, rowMax(out, base, len));
    }
    out.fill(0, base + len, base + cols);
  }
}

/**
 * The `[cols, l]` (keys per row, queries per attention) of an attention softmax on `shape`;
 * throws naming `op` where a causal one has fewer than 2 dims (no query axis).
 *
 * @example
 * ```ts
 * attentionSoftmaxShape('attentionSoftmax', [2, 4, 6], true); // [6, 4]
 * ```
 */
export function attentionSoftmaxShape(op: string, shape: readonly number[], causal: boolean): [number, number] {
  if (causal && shape.length < 2) throw new Error(`${op}: a causal softmax needs scores [..., L, S], got [${shape.join(',')}]`);
  return [shape.length === 0 ? 1 : shape[shape.length - 1]!, causal ? shape[shape.length - 2]! : 1];
}

/**
 * The gradient of a softmax over the last axis for rows `[rowStart, rowEnd)`, from its output `y`
 * and the incoming `dy`: `out = scale·y·(dy − Σ_row dy·y)` (a masked entry, where y is 0, gets 0).
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * softmaxBackwardRange(new Float32Array([0.5, 0.5]), new Float32Array([1, 0]), out, 2, 1, 0, 1); // [0.25, -0.25]
 * ```
 */
export function softmaxBackwardRange(y: Float32Array, dy: Float32Array, out: Float32Array, cols: number, scale: number, rowStart: number, rowEnd: number): void {
  if (rowEnd <= rowStart || wasmSoftmaxBackward(y, dy, out, cols, scale, rowStart, rowEnd)) return;
  for (let r = rowStart; r < rowEnd; r++) {
    const base = r * cols;
    let dot = 0;
    for (let j = base; j < base + cols; j++) dot += y[j]! * dy[j]!;
    for (let j = base; j < base + cols; j++) out[j] = y[j]! * (dy[j]! - dot) * scale;
  }
}

/** The softmax of the row of `cols` elements at `base`, shifted by its `max`, into `out`; returns Σ e^(x − max). */
function softmaxRow(x: Float32Array, out: Float32Array, base: number, cols: number, max: number): number {
  let sum = 0;
  for (let j = base, e = base + cols; j < e; j++) {
    const v = Math.exp(x[j]! - max);
    out[j] = v;
    sum += v;
  }
  const scale = 1 / sum;
  for (let j = base, e = base + cols; j < e; j++) out[j] = out[j]! * scale;
  return sum;
}

/**
 * Log-softmax over the last axis for rows `[rowStart, rowEnd)` of a `[rows, cols]` view:
 * `out[r, j] = x[r, j] - max_r - log Σ_j exp(x[r, j] - max_r)`. Ranges count rows.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * logSoftmaxRange(new Float32Array([0, 0]), out, 2, 0, 1); // [-0.693, -0.693]
 * ```
 */
export function logSoftmaxRange(x: Float32Array, out: Float32Array, cols: number, rowStart: number, rowEnd: number): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const base = r * cols;
    const max = rowMax(x, base, cols);
    let sum = 0;
    for (let j = base, e = base + cols; j < e; j++) sum += Math.exp(x[j]! - max);
    const shift = max + Math.log(sum);
    for (let j = base, e = base + cols; j < e; j++) out[j] = x[j]! - shift;
  }
}

/** The row's maximum (a NaN anywhere reaches every output through exp); 0 for a row of all -inf, which then yields NaN like torch. */
function rowMax(x: Float32Array, base: number, cols: number): number {
  let m = -Infinity;
  for (let j = base, e = base + cols; j < e; j++) {
    const v = x[j]!;
    if (!(v <= m)) m = v;
  }
  return m === -Infinity ? 0 : m;
}

/**
 * Checks the operands of a fused cross-entropy call and returns `[rows, cols]`: `logits` (or the
 * saved probabilities) float32 `[n, c]`, `target` `[n]` (and `dy` `[n]` for the backward); throws
 * naming `op` and the shapes otherwise.
 *
 * @example
 * ```ts
 * crossEntropyShape('crossEntropy', [32, 27], [32]); // [32, 27]
 * ```
 */
export function crossEntropyShape(op: string, logits: readonly number[], target: readonly number[], dy?: readonly number[]): [number, number] {
  const rowsOk = (s: readonly number[] | undefined) => s === undefined || (s.length === 1 && s[0] === logits[0]);
  if (logits.length !== 2 || !rowsOk(target) || !rowsOk(dy)) {
    throw new Error(`${op}: expected ${op === 'crossEntropy' ? 'logits' : 'probs'} [n, c] and target [n]${dy ? ' and dy [n]' : ''}, got [${logits.join(',')}] and [${target.join(',')}]${dy ? ` and [${dy.join(',')}]` : ''}`);
  }
  return [logits[0]!, logits[1]!];
}

/**
 * Rows `[rowStart, rowEnd)` of the fused cross-entropy of `x` (`[rows, cols]`) against class
 * indices `target` (`[rows]`, each in `[0, cols)`): `loss[r] = −(x[r, t] − logsumexp(x[r]))`,
 * rounded as {@link logSoftmaxRange} rounds it, and `probs[r, j] = e^(x[r, j] − max) / Σ_k e^(x[r, k] − max)`.
 *
 * @example
 * ```ts
 * const loss = new Float32Array(1), probs = new Float32Array(2);
 * crossEntropyRange(new Float32Array([0, 0]), new Int32Array([1]), loss, probs, 2, 0, 1); // loss = [ln 2], probs = [0.5, 0.5]
 * ```
 */
export function crossEntropyRange(x: Float32Array, target: Int32Array, loss: Float32Array, probs: Float32Array, cols: number, rowStart: number, rowEnd: number): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const t = target[r]!;
    if (!(t >= 0 && t < cols)) throw new Error(`crossEntropy: target ${t} of row ${r} is out of bounds for ${cols} classes`);
  }
  for (let r = rowStart; r < rowEnd; r++) {
    const base = r * cols;
    const max = rowMax(x, base, cols);
    const shift = max + Math.log(softmaxRow(x, probs, base, cols, max));
    loss[r] = -(x[base + target[r]!]! - shift);
  }
}

/**
 * Rows `[rowStart, rowEnd)` of the gradient of {@link crossEntropyRange} with respect to its
 * logits: `out[r, j] = dy[r] · (probs[r, j] − [j = target[r]])`.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * crossEntropyBackwardRange(new Float32Array([0.5, 0.5]), new Int32Array([1]), new Float32Array([2]), out, 2, 0, 1); // out = [1, -1]
 * ```
 */
export function crossEntropyBackwardRange(probs: Float32Array, target: Int32Array, dy: Float32Array, out: Float32Array, cols: number, rowStart: number, rowEnd: number): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const base = r * cols;
    const g = dy[r]!;
    for (let j = base, e = base + cols; j < e; j++) out[j] = g * probs[j]!;
    const t = base + target[r]!;
    out[t] = g * (probs[t]! - 1);
  }
}
