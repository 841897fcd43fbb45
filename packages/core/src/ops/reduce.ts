/**
 * Reductions over dims (`sum`, `mean`, `max`, `min`, `logsumexp`, `var`, `argmax`, `argmin`),
 * as their torch namesakes: `dim` is one dim, a list, or omitted for every dim.
 */
import type { DType, ReduceOp, TensorInfo } from '../backend';
import { launch, record } from '../op';
import { fmt, normalizeDim, normalizeDims, reducedShape } from '../shape';
import type { Tensor } from '../tensor';
import { cast } from './cast';

/**
 * The dims a reduction runs over: one, several, or (omitted) all of them.
 *
 * @example
 * ```ts
 * const dim: Dim = [0, -1];
 * sum(x, dim);
 * ```
 */
export type Dim = number | readonly number[] | undefined;

// Normalised, sorted axes; omitted (or `[]`, as torch.sum reads it) means every dim; none for a 0-d tensor.
function axesOf(op: string, x: Tensor, dim: Dim): number[] {
  const every = dim === undefined || (typeof dim === 'object' && dim.length === 0);
  const axes = normalizeDims(op, every ? undefined : dim, x.ndim);
  return x.ndim === 0 ? [] : axes;
}

// The reduce kernel, no graph; a 0-d input (no axes) comes back as itself under a new handle.
function reduceKernel(op: ReduceOp, x: Tensor, axes: readonly number[], keepdim: boolean, dtype: DType): Tensor {
  const shape = reducedShape(x.shape, axes, keepdim);
  if (axes.length === 0) return x.dtype === dtype ? x._view(shape) : cast(x.detach(), dtype);
  return launch(op, x._backend(), shape, dtype, (k) => k.reduce(op, x._info(), axes));
}

// A reduced gradient broadcast back over the dims it was reduced from.
function spread(g: Tensor, shape: readonly number[], axes: readonly number[], keepdim: boolean): Tensor {
  const kept = keepdim ? g : g.reshape(reducedShape(shape, axes, true));
  return kept.expand(shape);
}

function requireFloat(op: string, x: Tensor): void {
  if (x.dtype !== 'float32') {
    throw new Error(`${op}: input dtype must be float32, got ${x.dtype} (shape ${fmt(x.shape)}); convert with .float() first`);
  }
}

function requireNonEmpty(op: string, x: Tensor, axes: readonly number[]): void {
  for (const a of axes) {
    if (x.shape[a] === 0) throw new Error(`${op}: cannot reduce over dimension ${a} of size 0 (shape ${fmt(x.shape)}); the ${op} of no elements is undefined`);
  }
}

/**
 * Sum over `dim` (every dim when omitted), as `torch.sum`; int32 and bool inputs sum to int32.
 *
 * @example
 * ```ts
 * sum(tensor([[1, 2], [3, 4]]), 1); // [3, 7]
 * ```
 */
export function sum(x: Tensor, dim?: Dim, keepdim = false): Tensor {
  const axes = axesOf('sum', x, dim);
  const out = reduceKernel('sum', x, axes, keepdim, x.dtype === 'float32' ? 'float32' : 'int32');
  return record('sum', out, [x], (g) => [spread(g, x.shape, axes, keepdim)]); // d(sum)/dx = 1 everywhere
}

/**
 * Mean over `dim` (every dim when omitted), as `torch.mean`; the input must be float32.
 *
 * @example
 * ```ts
 * mean(tensor([[1, 2], [3, 4]]), 0); // [2, 3]
 * ```
 */
export function mean(x: Tensor, dim?: Dim, keepdim = false): Tensor {
  requireFloat('mean', x);
  const axes = axesOf('mean', x, dim);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  return sum(x, axes, keepdim).div(count);
}

// max/min: values only; the gradient goes to the elements equal to the result, split evenly on ties (as amax).
function extreme(op: 'max' | 'min', x: Tensor, dim: Dim, keepdim: boolean): Tensor {
  const axes = axesOf(op, x, dim);
  requireNonEmpty(op, x, axes);
  const out = reduceKernel(op, x, axes, keepdim, x.dtype);
  return record(op, out, [x], (g) => {
    const kept = reducedShape(x.shape, axes, true);
    const hit = x.eq(out.detach().reshape(kept)).float();
    const share = hit.div(hit.sum(axes, true));
    return [share.mul(g.reshape(kept))];
  });
}

/**
 * Maximum values over `dim` (every dim when omitted), as `torch.amax`: values only, no indices.
 * Tied maxima share the gradient evenly.
 *
 * @example
 * ```ts
 * max(tensor([[1, 5], [3, 4]]), 1); // [5, 4]
 * ```
 */
export function max(x: Tensor, dim?: Dim, keepdim = false): Tensor {
  return extreme('max', x, dim, keepdim);
}

/**
 * Minimum values over `dim` (every dim when omitted), as `torch.amin`: values only, no indices.
 * Tied minima share the gradient evenly.
 *
 * @example
 * ```ts
 * min(tensor([[1, 5], [3, 4]]), 1); // [1, 3]
 * ```
 */
export function min(x: Tensor, dim?: Dim, keepdim = false): Tensor {
  return extreme('min', x, dim, keepdim);
}

/**
 * `log(sum(exp(x)))` over `dim`, as `torch.logsumexp`, computed stably by subtracting the maximum.
 *
 * @example
 * ```ts
 * logsumexp(tensor([1000, 1000]), 0); // 1000.6931
 * ```
 */
export function logsumexp(x: Tensor, dim?: Dim, keepdim = false): Tensor {
  const axes = axesOf('logsumexp', x, dim);
  const xf = x.dtype === 'float32' ? x : cast(x, 'float32');
  const empty = axes.some((a) => x.shape[a] === 0);
  // the shift is a constant (its gradient cancels); an infinite max shifts by 0 so inf - inf never appears
  const peak = empty ? xf._constant(0, reducedShape(x.shape, axes, true)) : reduceKernel('max', xf, axes, true, 'float32');
  const shift = peak.where(peak.abs().lt(Infinity), 0);
  const lse = xf.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepdim ? lse : lse.reshape(reducedShape(x.shape, axes, false));
}

/**
 * Variance over `dim` (every dim when omitted), as `torch.var`: the sum of squared deviations
 * divided by `N - correction` (Bessel's correction, 1, by default).
 *
 * @example
 * ```ts
 * variance(tensor([1, 2, 3, 4])); // 1.6667
 * variance(tensor([1, 2, 3, 4]), 0, false, { correction: 0 }); // 1.25
 * ```
 */
export function variance(x: Tensor, dim?: Dim, keepdim = false, options: { correction?: number } = {}): Tensor {
  requireFloat('var', x);
  const correction = options.correction ?? 1;
  const axes = axesOf('var', x, dim);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const centered = x.sub(x.mean(axes, true));
  return centered.square().sum(axes, keepdim).div(Math.max(0, count - correction));
}

// argmax/argmin: int32 indices, no gradient; without `dim`, an index into the flattened tensor.
function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) {
    if (x.numel() === 0) throw new Error(`${op}: cannot take the ${op} of an empty tensor (shape ${fmt(x.shape)}); pass a dim`);
    const flat: TensorInfo = { ...x._info(), shape: [x.numel()] };
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return launch(op, x._backend(), shape, 'int32', (k) => k.reduce(op, flat, [0]));
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim === 0) return x._constant(0, [], 'int32');
  requireNonEmpty(op, x, [d]);
  return reduceKernel(op, x, [d], keepdim, 'int32');
}

/**
 * Index of the maximum along `dim` (of the flattened tensor when omitted), as `torch.argmax`:
 * int32, no gradient, the first index on ties.
 *
 * @example
 * ```ts
 * argmax(tensor([[1, 5], [3, 4]]), 1); // [1, 1]
 * ```
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('argmax', x, dim, keepdim);
}

/**
 * Index of the minimum along `dim` (of the flattened tensor when omitted), as `torch.argmin`:
 * int32, no gradient, the first index on ties.
 *
 * @example
 * ```ts
 * argmin(tensor([[1, 5], [3, 4]])); // 0
 * ```
 */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('argmin', x, dim, keepdim);
}
