/** Elementwise functions of one tensor, each with its derivative beside it. */
import { isGradEnabled } from '../autograd';
import type { UnaryOp } from '../backend';
import { launch, record } from '../op';
import type { TensorLike } from '../op';
import type { Tensor } from '../tensor';
import { describe } from '../validate';
import { cast } from './cast';
import { where } from './compare';
import { checkTensor } from './operand';

/** Run the `op` kernel (int and bool inputs become float32 first, but for neg/abs on int32); no graph. */
export function unaryKernel(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(op, 'input', x);
  const keepsInt = (op === 'neg' || op === 'abs' || op === 'sign') && x.dtype === 'int32';
  const input = keepsInt || x.dtype === 'float32' ? x : cast(x, 'float32');
  return launch(op, input._backend(), input.shape, input.dtype, (k) => k.unary(op, input._info()));
}

function define(op: UnaryOp, derivative: (x: Tensor, out: Tensor) => Tensor) {
  const fn = (x: Tensor): Tensor => {
    const out = unaryKernel(op, x);
    return record(op, out, [x], (g) => [g.mul(derivative(x, out))]);
  };
  Object.defineProperty(fn, 'name', { value: op });
  return fn;
}

/** `-x`, as `torch.neg`. @example `neg(tensor([1, -2]))` → `[-1, 2]` */
export const neg = (x: Tensor): Tensor => {
  if (x.dtype === 'bool') {
    throw new Error(`neg: a bool tensor (shape [${x.shape.join(',')}]) has no negation; invert a mask with x.eq(0), or negate x.int() or x.float()`);
  }
  const out = unaryKernel('neg', x);
  return record('neg', out, [x], (g) => [g.neg()]);
};
/** `e^x`, as `torch.exp`. @example `exp(zeros([2]))` → `[1, 1]` */
export const exp = define('exp', (_x, out) => out);
/** Natural log, as `torch.log`. @example `log(x)` */
export const log = define('log', (x) => x.reciprocal());
/** Square root, as `torch.sqrt`. @example `sqrt(x)` */
export const sqrt = define('sqrt', (_x, out) => out.mul(2).reciprocal());
/** Absolute value, as `torch.abs` (gradient 0 at 0). @example `abs(x)` */
export const abs = define('abs', (x) => x.sign());
/** Sine, as `torch.sin`. @example `sin(x)` */
export const sin = define('sin', (x) => x.cos());
/** Cosine, as `torch.cos`. @example `cos(x)` */
export const cos = define('cos', (x) => x.sin().neg());
/**
 * tanh, sigmoid or relu: the gradient is the backend's fused `activationBackward` where it has one
 * (and the backward is not itself recorded, `createGraph`), else `composed(g, y)` as tensor ops.
 * `y` is the output for tanh and sigmoid, and the input for relu (`fromInput`): relu's input is
 * above 0 exactly where its output is, and the node checks the input's version.
 */
function defineActivation(op: 'tanh' | 'sigmoid' | 'relu', fromInput: boolean, composed: (g: Tensor, y: Tensor) => Tensor) {
  const fn = (x: Tensor): Tensor => {
    const out = unaryKernel(op, x);
    return record(op, out, [x], (g) => {
      const y = fromInput ? x : out;
      const b = y._backend();
      if (b.kernels.activationBackward && !isGradEnabled() && g.dtype === 'float32' && y.numel() > 0) {
        return [launch('activationBackward', b, y.shape, 'float32', (k) => k.activationBackward!(op, y._info(), g._info()))];
      }
      return [composed(g, y)];
    });
  };
  Object.defineProperty(fn, 'name', { value: op });
  return fn;
}

/** Hyperbolic tangent, as `torch.tanh`. @example `tanh(x)` */
export const tanh = defineActivation('tanh', false, (g, out) => g.mul(out.square().neg().add(1))); // 1 - tanh²
/** Logistic sigmoid, as `torch.sigmoid`. @example `sigmoid(x)` */
export const sigmoid = defineActivation('sigmoid', false, (g, out) => g.mul(out.mul(out.neg().add(1)))); // s(1-s)
/** `max(x, 0)`, as `torch.relu` (gradient 0 at 0). @example `relu(x)` */
export const relu = defineActivation('relu', true, (g, x) => where(x.gt(0), g, 0)); // passes where x > 0, as torch's threshold_backward
/** `x²`, as `torch.square`. @example `square(x)` */
export const square = define('square', (x) => x.mul(2));
/** `1/x`, as `torch.reciprocal`. @example `reciprocal(x)` */
export const reciprocal = define('reciprocal', (_x, out) => out.square().neg()); // -1/x²
/** Error function, as `torch.erf`. @example `erf(x)` */
export const erf = define('erf', (x) => x.square().neg().exp().mul(2 / Math.sqrt(Math.PI)));
/** -1, 0 or 1 by sign, as `torch.sign` (zero gradient). @example `sign(x)` */
export const sign = (x: Tensor): Tensor => {
  const out = unaryKernel('sign', x);
  return record('sign', out, [x], (g) => [g.mul(0)]);
};
/** Round down, as `torch.floor` (zero gradient). @example `floor(x)` */
export const floor = (x: Tensor): Tensor => {
  const out = unaryKernel('floor', x);
  return record('floor', out, [x], (g) => [g.mul(0)]);
};

/**
 * Clamp every element into `[min, max]`, as `torch.clamp`; either bound may be omitted. The
 * gradient passes where `min <= x <= max`.
 *
 * @example
 * ```ts
 * clamp(x, -0.5, 0.7);
 * ```
 */
export function clamp(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  checkTensor('clamp', 'input', x);
  const lo = min ?? null;
  const hi = max ?? null;
  for (const [name, v] of [['min', lo], ['max', hi]] as const) {
    if (v !== null && typeof v !== 'number' && !(typeof v === 'object' && (v as { constructor?: { name?: string } }).constructor?.name === 'Tensor')) {
      throw new Error(`clamp: ${name} must be a number, a Tensor or null, got ${describe(v)}`);
    }
  }
  if (lo === null && hi === null) throw new Error("clamp: at least one of 'min' or 'max' must not be null");
  // forward on a detached view so the graph holds one clamp node, not two
  const inputs = x.requiresGrad ? x.detach() : x;
  let out = inputs;
  if (lo !== null) out = out.maximum(lo);
  if (hi !== null) out = out.minimum(hi);
  if (out === inputs) out = inputs.clone();
  return record('clamp', out, [x], (g) => {
    let mask = g.mul(1);
    if (lo !== null) mask = mask.mul(x.ge(lo).float());
    if (hi !== null) mask = mask.mul(x.le(hi).float());
    return [mask];
  });
}
