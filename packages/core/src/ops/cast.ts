import type { DType } from '../backend';
import { launch, record } from '../op';
import type { Tensor } from '../tensor';
import { checkDType } from '../validate';

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
  if (dtype === undefined) throw new Error("to: expected a dtype ('float32', 'int32' or 'bool') or a backend, got undefined");
  checkDType('to', dtype);
  if (x.dtype === dtype) return x;
  const out = launch('cast', x._backend(), x.shape, dtype, (k) => k.cast(x._info(), dtype));
  return record('cast', out, [x], (g) => [g]);
}
