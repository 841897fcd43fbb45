/**
 * Marking tensors as a module's parameters or buffers. A module finds them by walking its own
 * properties, so `this.weight = Parameter(randn([3, 4]))` is all it takes to register one.
 */
import { keep } from '../memory';
import { Tensor } from '../tensor';
import { checkBool } from '../validate';

const parameters = new WeakSet<Tensor>();
const buffers = new WeakSet<Tensor>();

/**
 * Mark `t` as a learnable parameter and return it, as `torch.nn.Parameter`: it requires grad
 * (unless `requiresGrad` is false), survives every `tidy`, and a {@link Module} holding it in a
 * property lists it in `parameters()` and `stateDict()`. A non-leaf tensor is detached first.
 *
 * @example
 * ```ts
 * class Affine extends nn.Module {
 *   scale = nn.Parameter(ones([4]));
 *   shift = nn.Parameter(zeros([4]));
 *   forward(x: Tensor) { return x.mul(this.scale).add(this.shift); }
 * }
 * ```
 */
export function Parameter(t: Tensor, requiresGrad = true): Tensor {
  if (!(t instanceof Tensor)) throw new Error('Parameter: expected a Tensor, e.g. nn.Parameter(zeros([3]))');
  checkBool('Parameter', 'requiresGrad', requiresGrad);
  const p = t.isLeaf ? t : t.detach();
  p.requiresGrad_(requiresGrad);
  parameters.add(p);
  buffers.delete(p);
  return keep(p);
}

/**
 * Mark `t` as a buffer and return it: state that is saved in `stateDict()` and moved by
 * `to(backend)` but not trained (running statistics, fixed masks), as `torch.nn.Buffer`.
 *
 * @example
 * ```ts
 * this.runningMean = nn.Buffer(zeros([features]));
 * ```
 */
export function Buffer(t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new Error('Buffer: expected a Tensor, e.g. nn.Buffer(zeros([3]))');
  buffers.add(t);
  parameters.delete(t);
  return keep(t);
}

/** Whether `t` was marked with {@link Parameter}. @example `nn.isParameter(linear.weight)` // true */
export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && parameters.has(t);
}

/** Whether `t` was marked with {@link Buffer}. @example `nn.isBuffer(t)` */
export function isBuffer(t: unknown): t is Tensor {
  return t instanceof Tensor && buffers.has(t);
}
