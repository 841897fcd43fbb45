/** Comparisons (bool results, no gradient) and `where`, which routes gradients by a mask. */
import type { BinaryOp } from '../backend';
import { commonBackend, launch, operands, record, releaseOwned, resultDType, type TensorLike } from '../op';
import { broadcastShapes, fmt } from '../shape';
import type { Tensor } from '../tensor';
import { checkOperands, checkTensor } from './operand';
import { unbroadcast } from './unbroadcast';

function comparison(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  checkOperands(op, [a, b]);
  const [x, y] = operands(op, [a, b]);
  const shape = broadcastShapes(op, x!.shape, y!.shape);
  const out = launch(op, x!._backend(), shape, 'bool', (k) => k.binary(op, x!._info(), y!._info(), shape));
  releaseOwned(out);
  return out;
}

/** Elementwise `a == b` (bool), as `torch.eq`. @example `eq(pred, target).float().mean()` */
export const eq = (a: TensorLike, b: TensorLike): Tensor => comparison('eq', a, b);
/** Elementwise `a != b` (bool), as `torch.ne`. @example `ne(x, 0)` */
export const ne = (a: TensorLike, b: TensorLike): Tensor => comparison('ne', a, b);
/** Elementwise `a < b` (bool), as `torch.lt`. @example `lt(x, 0)` */
export const lt = (a: TensorLike, b: TensorLike): Tensor => comparison('lt', a, b);
/** Elementwise `a <= b` (bool), as `torch.le`. @example `le(x, 0)` */
export const le = (a: TensorLike, b: TensorLike): Tensor => comparison('le', a, b);
/** Elementwise `a > b` (bool), as `torch.gt`. @example `gt(x, 0)` */
export const gt = (a: TensorLike, b: TensorLike): Tensor => comparison('gt', a, b);
/** Elementwise `a >= b` (bool), as `torch.ge`. @example `ge(x, 0)` */
export const ge = (a: TensorLike, b: TensorLike): Tensor => comparison('ge', a, b);

/**
 * `a` where `condition` is true, else `b`, broadcasting all three, as `torch.where`.
 *
 * @example
 * ```ts
 * where(x.gt(0), x, 0); // relu
 * ```
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', 'condition', condition);
  if (condition.dtype !== 'bool') {
    throw new Error(`where: condition must be a bool tensor, got ${condition.dtype} of shape ${fmt(condition.shape)}; build it with a comparison such as x.gt(0)`);
  }
  checkOperands('where', [a, b], ['input', 'other']);
  commonBackend('where', [condition, a, b]);
  const [x, y] = operands('where', [a, b], resultDType([a, b]));
  const shape = broadcastShapes('where', broadcastShapes('where', condition.shape, x!.shape), y!.shape);
  const out = launch('where', x!._backend(), shape, x!.dtype, (k) => k.where(condition._info(), x!._info(), y!._info(), shape));
  return record('where', out, [x!, y!], (g) => {
    return [
      x!.requiresGrad ? unbroadcast(where(condition, g, 0), x!.shape) : null,
      y!.requiresGrad ? unbroadcast(where(condition, 0, g), y!.shape) : null,
    ];
  });
}
