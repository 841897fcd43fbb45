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
  if (dtype === 'bool') {
    for (let i = start; i < end; i++) out[i] = +(x[i] !== 0);
    return;
  }
  for (let i = start; i < end; i++) out[i] = x[i]!;
}
