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
