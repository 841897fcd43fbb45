import { normalAt, uniformAt } from '@tensorgrad/core';

/**
 * `out[i] = uniformAt(seed, i)` for `i` in `[start, end)`: the same numbers on every backend,
 * however the range is split.
 *
 * @example
 * ```ts
 * const out = new Float32Array(8);
 * uniformRange(42, out, 0, 8);
 * ```
 */
export function uniformRange(seed: number, out: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) out[i] = uniformAt(seed, i);
}

/**
 * `out[i] = normalAt(seed, i)` for `i` in `[start, end)`.
 *
 * @example
 * ```ts
 * const out = new Float32Array(8);
 * normalRange(42, out, 0, 8);
 * ```
 */
export function normalRange(seed: number, out: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) out[i] = normalAt(seed, i);
}
