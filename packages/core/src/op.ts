/**
 * What every op does around its kernel: find the operands' common backend, turn numbers into
 * tensors, promote dtypes, launch the kernel, and record the backward closure.
 */
import type { Backend, DataId, DType, KernelTable, Shape } from './backend';
import { type BackwardFn, isGradEnabled, savesOutput } from './autograd';
import { Storage, onBackend } from './memory';
import { getBackend } from './registry';
import { Tensor } from './tensor';

/** A tensor or a plain number, accepted wherever an op takes a tensor. */
export type TensorLike = Tensor | number;

/** The backend every tensor operand lives on; throws naming both backends when two differ. */
export function commonBackend(op: string, xs: readonly TensorLike[]): Backend {
  let b: Backend | null = null;
  for (const x of xs) {
    if (!(x instanceof Tensor)) continue;
    const xb = x._backend();
    if (b && xb !== b) {
      throw new Error(
        `${op}: operands on two backends, '${b.name}' and '${xb.name}'; move one with .to('${b.name}')`,
      );
    }
    b = xb;
  }
  return b ?? getBackend();
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

/** The dtype two or more operands promote to, as torch's type promotion (numbers are weak). */
export function resultDType(xs: readonly TensorLike[]): DType {
  let t: DType = 'bool';
  let sawTensor = false;
  for (const x of xs) {
    if (x instanceof Tensor) {
      sawTensor = true;
      if (rank[x.dtype] > rank[t]) t = x.dtype;
    }
  }
  for (const x of xs) {
    if (typeof x === 'number') {
      const d: DType = Number.isInteger(x) ? 'int32' : 'float32';
      if (!sawTensor || rank[d] > rank[t]) t = rank[d] > rank[t] ? d : t;
    }
  }
  return t;
}

/** A new tensor around a kernel's result. */
export function wrap(b: Backend, id: DataId, shape: Shape, dtype: DType): Tensor {
  return new Tensor(new Storage(b, id), shape, dtype);
}

/** Run `kernel` on backend `b` and wrap its result; a kernel's error is rethrown naming the op. */
export function launch(op: string, b: Backend, shape: Shape, dtype: DType, kernel: (k: KernelTable) => DataId): Tensor {
  return wrap(b, run(op, b, kernel), shape, dtype);
}

// `kernel` on `b`; its error is rethrown naming `op`, and the operands made for the op go with it
function run<T>(op: string, b: Backend, kernel: (k: KernelTable) => T): T {
  try {
    return onBackend(b, () => kernel(b.kernels));
  } catch (e) {
    releaseOwned(null);
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(msg.startsWith(`${op}:`) ? msg : `${op}: ${msg}`, { cause: e });
  }
}

/**
 * Run a kernel with several outputs and wrap them; errors name the op. Each output has `shape`,
 * or with `shapes` output `i` has `shapes[i]`; all have `dtype`. Outputs from index `saved` on are
 * what the op keeps for its backward (gelu's slope, layer norm's row statistics): they belong to
 * the op like the operands it made, so the next `record` keeps them with the graph node (freed
 * with it once backward ran) or frees them at once when it records nothing (noGrad, eval).
 */
export function launchMany(op: string, b: Backend, shape: Shape, dtype: DType, kernel: (k: KernelTable) => DataId[], shapes?: readonly Shape[], saved = Infinity): Tensor[] {
  const out = run(op, b, kernel).map((id, i) => wrap(b, id, shapes?.[i] ?? shape, dtype));
  owned.push(...out.slice(saved));
  return out;
}

/** A tensor of `value` with `shape` and `dtype` on backend `b`. */
export function constant(b: Backend, value: number, shape: Shape, dtype: DType = 'float32'): Tensor {
  return wrap(b, b.kernels.fill(shape, value, dtype), shape, dtype);
}

// tensors `operands` made for the op being dispatched (number constants, casts): the op's own,
// handed to the next `record` (which keeps them with the graph node, or frees them at once)
let owned: Tensor[] = [];

/**
 * Operands as tensors on one backend and of one dtype: numbers become 0-d tensors, and
 * tensors of a lower dtype are cast (casts carry gradients). What it makes belongs to the op:
 * `record` frees it with the graph (or at once when there is none), {@link releaseOwned} for ops
 * that record nothing.
 */
export function operands(op: string, xs: readonly TensorLike[], dtype: DType = resultDType(xs)): Tensor[] {
  const b = commonBackend(op, xs);
  const made: Tensor[] = [];
  const out = xs.map((x) => {
    if (x instanceof Tensor && x.dtype === dtype) return x;
    // a cast is an op of its own: its `record` frees what is in `owned`, so this op's go there after
    const t = x instanceof Tensor ? x.to(dtype) : constant(b, x, [], dtype);
    made.push(t);
    return t;
  });
  owned.push(...made);
  return out;
}

/**
 * Take the tensors `operands` just made, for an op that runs other ops before its own kernel
 * (their `record` would free them under it): the caller disposes them when it is done.
 */
export function takeOwned(): Tensor[] {
  const mine = owned;
  owned = [];
  return mine;
}

/** Free the tensors `operands` made for an op that records no graph (its kernel has run), except `out`. */
export function releaseOwned(out: Tensor | null): void {
  if (owned.length === 0) return;
  const mine = owned;
  owned = [];
  for (const t of mine) if (t !== out) t.dispose();
}

/**
 * Attach `backward` to `out` when grad mode is on and a float input requires grad: the
 * closure sits beside the forward formula in each op, and is written with tensor ops.
 */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  if (isGradEnabled() && out.dtype === 'float32') {
    for (const x of inputs) {
      if (x.requiresGrad) {
        // the operands the op made live as long as the graph needs them (freed with it)
        const mine = owned.filter((t) => t !== out);
        owned = [];
        const versions = inputs.map((t) => t._version);
        out._setNode(savesOutput(op) ? { op, inputs, backward, owned: mine, versions, output: out, outVersion: out._version } : { op, inputs, backward, owned: mine, versions });
        return out;
      }
    }
  }
  releaseOwned(out);
  return out;
}

/** Whether any input would make `record` keep a graph (lets ops skip building saved values). */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const x of inputs) if (x.requiresGrad) return true;
  return false;
}
