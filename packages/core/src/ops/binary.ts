/** Elementwise arithmetic of two operands with NumPy broadcasting; gradients are unbroadcast to each input. */
import type { BinaryOp } from '../backend';
import { launch, operands, record, resultDType, type TensorLike } from '../op';
import { broadcastShapes } from '../shape';
import type { Tensor } from '../tensor';
import { checkNumber, checkOptions } from '../validate';
import { checkOperands } from './operand';
import { unbroadcast } from './unbroadcast';

/** Options of {@link add} and {@link sub}. */
export interface AlphaOptions {
  /** The factor `b` is multiplied by first, as PyTorch's `alpha` (default 1). */
  alpha?: number;
}

function alphaOf(op: string, options: AlphaOptions | undefined): number {
  checkOptions(op, options, ['alpha']);
  return checkNumber(op, 'alpha', options?.alpha ?? 1);
}

/**
 * Run the `op` kernel on two operands (numbers allowed), broadcasting; no graph. Throws naming
 * the op and the argument where an operand is neither a Tensor nor a number.
 */
export function binaryKernel(op: BinaryOp, a: TensorLike, b: TensorLike, dtype?: 'float32'): [Tensor, Tensor, Tensor] {
  checkOperands(op, [a, b]);
  const [x, y] = operands(op, [a, b], dtype);
  const shape = broadcastShapes(op, x!.shape, y!.shape);
  const out = launch(op, x!._backend(), shape, x!.dtype, (k) => k.binary(op, x!._info(), y!._info(), shape));
  return [out, x!, y!];
}

/**
 * Elementwise sum with broadcasting, as `torch.add`.
 *
 * @example
 * ```ts
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // [[11, 22], [13, 24]]
 * add(x, y, { alpha: 2 });                          // x + 2·y
 * ```
 */
export function add(a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor {
  const alpha = alphaOf('add', options);
  if (alpha !== 1) return add(a, mul(b, alpha));
  const [out, x, y] = binaryKernel('add', a, b);
  return record('add', out, [x, y], (g) => [unbroadcast(g, x.shape), unbroadcast(g, y.shape)]);
}

/**
 * Elementwise difference with broadcasting, as `torch.sub`.
 *
 * @example
 * ```ts
 * sub(x, 1);
 * sub(x, y, { alpha: 0.5 }); // x - 0.5·y
 * ```
 */
export function sub(a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor {
  checkOperands('sub', [a, b]);
  const alpha = alphaOf('sub', options);
  if (resultDType([a, b]) === 'bool') {
    throw new Error('sub: subtraction of two bool tensors is not supported (as in PyTorch); for the logical xor use a.ne(b), or subtract after .int() or .float()');
  }
  if (alpha !== 1) return sub(a, mul(b, alpha));
  const [out, x, y] = binaryKernel('sub', a, b);
  return record('sub', out, [x, y], (g) => [unbroadcast(g, x.shape), unbroadcast(g.neg(), y.shape)]);
}

/**
 * Elementwise product with broadcasting, as `torch.mul`.
 *
 * @example
 * ```ts
 * mul(x, y);
 * ```
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [out, x, y] = binaryKernel('mul', a, b);
  return record('mul', out, [x, y], (g) => [
    x.requiresGrad ? unbroadcast(g.mul(y), x.shape) : null, // d(xy)/dx = y
    y.requiresGrad ? unbroadcast(g.mul(x), y.shape) : null, // d(xy)/dy = x
  ]);
}

/**
 * Elementwise true division with broadcasting, as `torch.div` (integers divide to float).
 *
 * @example
 * ```ts
 * div(x, 2);
 * ```
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [out, x, y] = binaryKernel('div', a, b, 'float32');
  return record('div', out, [x, y], (g) => [
    x.requiresGrad ? unbroadcast(g.div(y), x.shape) : null, // 1/y
    y.requiresGrad ? unbroadcast(g.mul(out).div(y).neg(), y.shape) : null, // -x/y² = -out/y
  ]);
}

/**
 * Elementwise power with broadcasting, as `torch.pow`.
 *
 * @example
 * ```ts
 * pow(x, 2); pow(2, x);
 * ```
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  checkOperands('pow', [a, b], ['input', 'exponent']);
  if (typeof a !== 'number' && a.dtype !== 'float32' && typeof b === 'number' && Number.isInteger(b) && b < 0) {
    throw new Error(`pow: ${a.dtype} tensors have no negative integer powers (got ${b}), as in PyTorch; cast first with .float()`);
  }
  const [out, x, y] = binaryKernel('pow', a, b, 'float32');
  return record('pow', out, [x, y], (g) => [
    // d(x^y)/dx = y·x^(y-1), and 0 where y = 0 (as PyTorch: 0·0^-1 would be NaN)
    x.requiresGrad ? unbroadcast(g.mul(y).mul(x.pow(y.sub(1))).where(y.ne(0), 0), x.shape) : null,
    // d(x^y)/dy = x^y·ln x, taken as 0 where x = 0 (as PyTorch does)
    y.requiresGrad ? unbroadcast(g.mul(out).mul(x.log()).where(x.ne(0), 0), y.shape) : null,
  ]);
}

/**
 * Elementwise maximum with broadcasting, as `torch.maximum`; a tie splits the gradient evenly.
 *
 * @example
 * ```ts
 * maximum(x, 0);
 * ```
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [out, x, y] = binaryKernel('maximum', a, b);
  return record('maximum', out, [x, y], (g) => selectGrad(g, x, y, x.gt(y)));
}

/**
 * Elementwise minimum with broadcasting, as `torch.minimum`; a tie splits the gradient evenly.
 *
 * @example
 * ```ts
 * minimum(x, y);
 * ```
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [out, x, y] = binaryKernel('minimum', a, b);
  return record('minimum', out, [x, y], (g) => selectGrad(g, x, y, x.lt(y)));
}

// gradient of max/min: to the winner, half each on a tie
function selectGrad(g: Tensor, x: Tensor, y: Tensor, xWins: Tensor): [Tensor, Tensor] {
  const tie = x.eq(y).float().mul(0.5);
  const wx = xWins.float().add(tie);
  const wy = wx.neg().add(1);
  return [unbroadcast(g.mul(wx), x.shape), unbroadcast(g.mul(wy), y.shape)];
}
