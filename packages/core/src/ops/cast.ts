import type { DType } from '../backend';
import { launch, record } from '../op';
import type { Tensor } from '../tensor';

/**
 * Convert to `dtype`, as `x.to(dtype)`: float → int32 truncates toward zero, anything → bool is
 * `x != 0`. Only a float32 → float32 path carries gradients (int and bool carry none).
 *
 * @example
 * ```ts
 * cast(tensor([1.7, -1.7]), 'int32'); // [1, -1]
 * ```
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`to: dtype ${JSON.stringify(dtype)} is not supported: use 'float32', 'int32' or 'bool'`);
  const out = launch('cast', x._backend(), x.shape, dtype, (k) => k.cast(x._info(), dtype));
  return record('cast', out, [x], (g) => [g]);
}
