import type { Backend } from '../backend';
import { wrap, record } from '../op';
import { findBackend, isBackend, listBackends, rememberBackend } from '../registry';
import type { Tensor } from '../tensor';
import { checkDType, describe } from '../validate';

// names that read as a dtype (float64, int64, double, long, half, uint8, ...): an unknown dtype, not a backend
const DTYPE_LIKE = /^(torch\.)?((u?int|float|bfloat|complex)\d*|double|long|half|short|byte|char|cfloat|cdouble)$/;

/**
 * Copy a tensor to another backend; gradients flow back through the move to the source backend.
 *
 * @example
 * ```ts
 * const y = moveTo(x, 'worker'); // same as x.to('worker')
 * ```
 */
export function moveTo(x: Tensor, target: string | Backend): Tensor {
  if (typeof target === 'string' && DTYPE_LIKE.test(target) && !listBackends().includes(target)) checkDType('to', target);
  if (typeof target !== 'string' && !isBackend(target)) {
    throw new Error(`to: expected a dtype ('float32', 'int32', 'bool'), a backend name or a backend, got ${describe(target)}`);
  }
  const dest = typeof target === 'string' ? findBackend(target) : target;
  if (typeof target !== 'string') rememberBackend(target);
  const src = x._backend();
  if (dest === src) return x;
  if (!src.readSync || !src.supports.syncRead) {
    throw new Error(`to: backend '${src.name}' cannot read synchronously, so x.to('${dest.name}') cannot move it; read it with await x.data() and create the tensor on '${dest.name}'`);
  }
  const values = src.readSync(x._storage().id);
  const out = wrap(dest, dest.write(values, x.shape, x.dtype), x.shape, x.dtype);
  return record('to', out, [x], (g) => [moveTo(g, src)]);
}
