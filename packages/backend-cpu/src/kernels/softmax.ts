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
  for (let r = rowStart; r < rowEnd; r++) {
    const base = r * cols;
    const max = rowMax(x, base, cols);
    let sum = 0;
    for (let j = base, e = base + cols; j < e; j++) {
      const v = Math.exp(x[j]! - max);
      out[j] = v;
      sum += v;
    }
    const scale = 1 / sum;
    for (let j = base, e = base + cols; j < e; j++) out[j] = out[j]! * scale;
  }
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
