import type { DType } from '@tensorgrad/core';
import type { ElementArray } from './types';

/**
 * `out[i] = value` for `i` in `[start, end)`, converted to `dtype` as {@link castRange} would.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * fillRange(out, 0.5, 'float32', 0, 4); // [0.5, 0.5, 0.5, 0.5]
 * ```
 */
export function fillRange(out: ElementArray, value: number, dtype: DType, start: number, end: number): void {
  out.fill(dtype === 'bool' ? +(value !== 0) : value, start, end);
}
