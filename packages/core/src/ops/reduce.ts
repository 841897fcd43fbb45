/**
 * Reductions over dims (`sum`, `mean`, `max`, `min`, `logsumexp`, `var`, `argmax`, `argmin`),
 * as their torch namesakes: `dim` is one dim, a list, or omitted for every dim.
 */
import type { DType, ReduceOp, TensorInfo } from '../backend';
import { launch, record } from '../op';
import { fmt, normalizeDim, normalizeDims, reducedShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkBool, checkNumber, checkOptions, describe, isOptions } from '../validate';
import { cast } from './cast';
import { checkTensor } from './operand';

/**
 * The dims a reduction runs over: one, several, or (omitted) all of them.
 *
 * @example
 * ```ts
 * const dim: Dim = [0, -1];
 * sum(x, dim);
 * ```
 */
export type Dim = number | readonly number[] | null | undefined;

// `dim` as a JavaScript caller may pass it: an integer, a list of them, or omitted/null (every dim)
function checkDim(op: string, x: unknown, dim: unknown): void {
  checkTensor(op, 'input', x);
  if (dim === undefined || dim === null || typeof dim === 'number') return;
  if (Array.isArray(dim) && dim.every((d) => typeof d === 'number')) return;
  throw new Error(`${op}: dim must be an integer, an array of integers, or omitted for every dim; got ${describe(dim)}`);
}

// `keepdim` given positionally (a boolean) or as `{ keepdim }` (PyTorch's keyword), with the op's other options
function keepdimOf(op: string, keepdim: unknown, options: unknown = undefined, keys: readonly string[] = []): [boolean, Record<string, unknown>] {
  if (isOptions(keepdim)) {
    if (options !== undefined && !(isOptions(options) && Object.keys(options).length === 0)) {
      throw new Error(`${op}: got an options object in place of keepdim and another after it (${describe(options)}); pass one options object`);
    }
    checkOptions(op, keepdim, ['keepdim', ...keys]);
    const kd = keepdim.keepdim ?? false;
    checkBool(op, 'keepdim', kd);
    return [kd as boolean, keepdim];
  }
  const kd = keepdim ?? false;
  if (typeof kd !== 'boolean') throw new Error(`${op}: keepdim must be true or false (or { keepdim }), got ${describe(kd)}`);
  checkOptions(op, options, keys);
  return [kd, (options ?? {}) as Record<string, unknown>];
}

// Normalised, sorted axes; omitted (or `[]`, as torch.sum reads it) means every dim; none for a 0-d tensor.
function axesOf(op: string, x: Tensor, dim: Dim): number[] {
  checkDim(op, x, dim);
  const every = dim === undefined || dim === null || (typeof dim === 'object' && dim.length === 0);
  const axes = normalizeDims(op, every ? undefined : (dim as number | readonly number[]), x.ndim);
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

/** @internal Throws naming `op` unless `x` is float32 (the reductions that average, and std and norm). */
export function requireFloat(op: string, x: Tensor): void {
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
export function sum(x: Tensor, dim?: Dim, keepdim: boolean | { keepdim?: boolean } = false): Tensor {
  const axes = axesOf('sum', x, dim);
  [keepdim] = keepdimOf('sum', keepdim);
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
export function mean(x: Tensor, dim?: Dim, keepdim: boolean | { keepdim?: boolean } = false): Tensor {
  checkTensor('mean', 'input', x);
  requireFloat('mean', x);
  const axes = axesOf('mean', x, dim);
  [keepdim] = keepdimOf('mean', keepdim);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  return sum(x, axes, keepdim).div(count);
}

// max/min: values only; the gradient goes to the elements equal to the result, split evenly on ties (as amax).
function extreme(op: 'max' | 'min', x: Tensor, dim: Dim, kd: boolean | { keepdim?: boolean }): Tensor {
  const axes = axesOf(op, x, dim);
  const [keepdim] = keepdimOf(op, kd);
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
export function max(x: Tensor, dim?: Dim, keepdim: boolean | { keepdim?: boolean } = false): Tensor {
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
export function min(x: Tensor, dim?: Dim, keepdim: boolean | { keepdim?: boolean } = false): Tensor {
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
export function logsumexp(x: Tensor, dim?: Dim, keepdim: boolean | { keepdim?: boolean } = false): Tensor {
  const axes = axesOf('logsumexp', x, dim);
  [keepdim] = keepdimOf('logsumexp', keepdim);
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
 * variance(tensor([1, 2, 3, 4]), 0, { correction: 0 });        // the same
 * ```
 */
export function variance(
  x: Tensor,
  dim?: Dim,
  keepdim: boolean | { keepdim?: boolean; correction?: number } = false,
  options: { correction?: number } = {},
): Tensor {
  checkTensor('var', 'input', x);
  requireFloat('var', x);
  const axes = axesOf('var', x, dim);
  const [kd, opts] = keepdimOf('var', keepdim, options, ['correction']);
  const correction = checkNumber('var', 'correction', opts.correction ?? 1);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const centered = x.sub(x.mean(axes, true));
  return centered.square().sum(axes, kd).div(Math.max(0, count - correction));
}

// argmax/argmin: int32 indices, no gradient; without `dim`, an index into the flattened tensor.
function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | null | undefined, kd: boolean | { keepdim?: boolean }): Tensor {
  checkTensor(op, 'input', x);
  if (dim !== undefined && dim !== null && typeof dim !== 'number') throw new Error(`${op}: dim must be an integer or omitted, got ${describe(dim)}`);
  const [keepdim] = keepdimOf(op, kd);
  if (dim === undefined || dim === null) {
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
export function argmax(x: Tensor, dim?: number | null, keepdim: boolean | { keepdim?: boolean } = false): Tensor {
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
export function argmin(x: Tensor, dim?: number | null, keepdim: boolean | { keepdim?: boolean } = false): Tensor {
  return argExtreme('argmin', x, dim, keepdim);
}
