/** Run one op on the current backend from host data: forward, backward, read back, free everything. */
import { type DType, type Tensor, tensor, tidy } from '@tensorgrad/core';

/** Host values of a tensor: row-major `data` with its `shape` and dtype (float32 when absent). */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number | boolean>;
  readonly dtype?: DType;
}

/** What came back: the output and the gradient of each input (null for non-float inputs). */
export interface Evaluation {
  readonly output: { shape: number[]; dtype: DType; data: ArrayLike<number> };
  /** `grads[i]` is null for an int32/bool input, or a float input no gradient reached. */
  readonly grads: ({ shape: number[]; data: Float32Array } | null)[];
}

/** A tensor on the current backend from host values; float inputs require grad when `requiresGrad`. */
export function toTensor(h: HostTensor, requiresGrad = false): Tensor {
  const dtype = h.dtype ?? 'float32';
  const values = Array.from(h.data, Number);
  return tensor(values, { shape: h.shape as number[], dtype, requiresGrad: requiresGrad && dtype === 'float32' });
}

/**
 * Create `inputs` (float ones requiring grad), run `op`, backpropagate `sum(output * upstream)`
 * when `upstream` is given (or a function of the output's shape that gives it), and read the
 * output and every input's `.grad`. Everything the evaluation created is freed before it
 * returns: intermediates by `tidy`, the rest explicitly.
 *
 * @example
 * ```ts
 * const r = await evaluate([{ shape: [2], data: [1, 2] }], ([x]) => x!.exp(), { shape: [2], data: [1, 1] });
 * ```
 */
export async function evaluate(
  inputs: readonly HostTensor[],
  op: (inputs: Tensor[]) => Tensor,
  upstream: HostTensor | ((outputShape: readonly number[]) => HostTensor) | null,
): Promise<Evaluation> {
  const { out, grads } = tidy(() => {
    const xs = inputs.map((h) => toTensor(h, true));
    const y = op(xs);
    if (upstream) {
      if (!y.requiresGrad) {
        throw new Error(`the output (shape [${y.shape.join(',')}], ${y.dtype}) does not require grad although its float inputs do: the op recorded no backward`);
      }
      const up = typeof upstream === 'function' ? upstream(y.shape) : upstream;
      y.mul(toTensor(up)).sum().backward();
    }
    // detached: tidy keeps alive whatever a returned tensor's graph reads, and we want all of it freed
    return { out: y.detach(), grads: xs.map((x) => x.grad) };
  });
  try {
    const data = await out.data();
    const gradValues = await Promise.all(
      grads.map(async (g) => (g ? { shape: g.shape.slice(), data: Float32Array.from(await g.data()) } : null)),
    );
    return { output: { shape: out.shape.slice(), dtype: out.dtype, data }, grads: gradValues };
  } finally {
    out.dispose();
    for (const g of grads) g?.dispose();
  }
}

/** Host values of one result of {@link evaluateMany}. */
export interface HostResult {
  readonly shape: number[];
  readonly dtype: DType;
  readonly data: ArrayLike<number>;
}

/** What came back from {@link evaluateMany}: every output, and the gradient of each input. */
export interface MultiEvaluation {
  /** The op's results, in order (one entry for an op returning a single tensor). */
  readonly outputs: HostResult[];
  /** `grads[i]` is null for an input created without `requiresGrad`, or one no gradient reached. */
  readonly grads: ({ shape: number[]; data: Float32Array } | null)[];
}

/**
 * {@link evaluate} for ops with several results and constant inputs: create `inputs` (float
 * input `i` requires grad only where `requiresGrad[i]`; the others, such as running statistics
 * and masks, are constants), run `op` (a tensor or an array of tensors), backpropagate
 * `sum_j sum(outputs[j] * upstreams[j])` over the non-null upstreams (none when `upstreams` is
 * null or all null), and read every output and every input's `.grad`. An output may be an input
 * the op changed in place (`batchNorm`'s running statistics): it is read after the call. Everything
 * the evaluation made is freed before it returns, inputs included.
 *
 * @example
 * ```ts
 * const r = await evaluateMany([{ shape: [4], data: [3, 1, 2, 0] }], [true], ([x]) => { const s = x!.sort(); return [s.values, s.indices]; },
 *   [{ shape: [4], data: [1, 2, 3, 4] }, null]);
 * r.outputs[1]!.data; // [3, 1, 2, 0]
 * ```
 */
export async function evaluateMany(
  inputs: readonly HostTensor[],
  requiresGrad: readonly boolean[],
  op: (inputs: Tensor[]) => Tensor | Tensor[],
  upstreams: readonly (HostTensor | null)[] | null,
): Promise<MultiEvaluation> {
  const { outs, grads } = tidy(() => {
    const xs = inputs.map((h, i) => toTensor(h, requiresGrad[i] ?? false));
    const result = op(xs);
    const ys = Array.isArray(result) ? result : [result];
    if (ys.some((y) => !(y && typeof y === 'object' && 'shape' in y && 'dtype' in y))) {
      throw new Error(`the op returned ${Array.isArray(result) ? `an array holding a non-tensor` : String(result)}, expected a tensor or an array of tensors`);
    }
    if (upstreams && upstreams.length !== ys.length) {
      throw new Error(`the op returned ${ys.length} result(s), the case has ${upstreams.length} (one upstream each)`);
    }
    let loss: Tensor | null = null;
    upstreams?.forEach((up, j) => {
      if (!up) return;
      const y = ys[j]!;
      if (!y.requiresGrad) {
        throw new Error(`output ${j} (shape [${y.shape.join(',')}], ${y.dtype}) does not require grad although it has an upstream and float inputs require grad: the op recorded no backward`);
      }
      const term = y.mul(toTensor(up)).sum();
      loss = loss ? loss.add(term) : term;
    });
    if (loss) (loss as Tensor).backward();
    // detached: tidy keeps alive whatever a returned tensor's graph reads, and we want all of it freed
    return { outs: ys.map((y) => y.detach()), grads: xs.map((x) => x.grad) };
  });
  try {
    const outputs = await Promise.all(outs.map(async (o) => ({ shape: o.shape.slice(), dtype: o.dtype, data: await o.data() })));
    const gradValues = await Promise.all(
      grads.map(async (g) => (g ? { shape: g.shape.slice(), data: Float32Array.from(await g.data()) } : null)),
    );
    return { outputs, grads: gradValues };
  } finally {
    for (const o of outs) o.dispose();
    for (const g of grads) g?.dispose();
  }
}

/**
 * Create `inputs` (constants), run `op`, and return the Error it threw, or null when it returned
 * normally. Whatever the attempt made is freed either way.
 *
 * @example
 * ```ts
 * const e = thrownBy([{ shape: [3, 4], data: new Float32Array(12) }], ([x]) => x!.index(5));
 * e?.message; // 'index: index 5 is out of range for dim 0 of size 3 ...'
 * ```
 */
export function thrownBy(inputs: readonly HostTensor[], op: (inputs: Tensor[]) => unknown): unknown {
  try {
    tidy(() => {
      const xs = inputs.map((h) => toTensor(h));
      op(xs);
    });
  } catch (e) {
    return e;
  }
  return null;
}
