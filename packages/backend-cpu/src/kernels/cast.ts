import type { DType } from '@tensorgrad/core';
import type { ElementArray } from './types';

/**
 * `out[i] = cast(x[i])` for `i` in `[start, end)`, `out` being an array of `dtype`:
 * to bool is `x != 0` (NaN is true), to int32 truncates toward zero (an `Int32Array` store), to float32 rounds.
 *
 * @example
 * ```ts
 * const out = new Int32Array(2);
 * castRange(new Float32Array([-1.7, 2.9]), out, 'int32', 0, 2); // [-1, 2]
 * ```
 */
export function castRange(x: ElementArray, out: ElementArray, dtype: DType, start: number, end: number): void {
  if (x instanceof Uint8Array && out instanceof Float32Array) return boolToFloat(x, out, start, end);
  if (dtype === 'bool') {
    for (let i = start; i < end; i++) out[i] = +(x[i] !== 0);
    return;
  }
  for (let i = start; i < end; i++) out[i] = x[i]!;
}

// masks (relu's gradient, dropout) turned into float32 factors: the hot cast, unrolled by four
function boolToFloat(x: Uint8Array, out: Float32Array, start: number, end: number): void {
  let i = start;
  for (const e4 = end - 3; i < e4; i += 4) {
    out[i] = x[i]!;
    out[i + 1] = x[i + 1]!;
    out[i + 2] = x[i + 2]!;
    out[i + 3] = x[i + 3]!;
  }
  for (; i < end; i++) out[i] = x[i]!;
}
