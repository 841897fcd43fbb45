/** Finite-difference gradient check for any function of tensors, on any backend. */
import { type Tensor, grad, noGrad, tensor, tidy, uniformAt } from '@tensorgrad/core';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Half-width of the central difference. 1e-2 suits float32: smaller steps drown in rounding. */
  eps?: number;
  /** Absolute tolerance on each gradient element. */
  atol?: number;
  /** Relative tolerance, against the numerical gradient. */
  rtol?: number;
  /** Throw a report on mismatch (the default), or return false. */
  raiseException?: boolean;
  /** Seed of the random weights that project the output to a scalar. */
  seed?: number;
}

const toFloat64 = async (t: Tensor): Promise<Float64Array> => Float64Array.from(await t.data());

/**
 * Check the gradients of `fn` at `inputs` against central finite differences, as
 * `torch.autograd.gradcheck` (in its fast form: the output is projected onto fixed random
 * weights `u`, and the gradient of `sum(fn(...inputs) * u)` is checked for every element of
 * every input that requires grad). Differences are taken in float32 on the backend and summed in
 * float64 on the host, with the step actually representable in float32.
 *
 * An element passes when `|analytic - numerical| <= atol + rtol * |numerical|`. Keep inputs
 * further than `eps` from kinks (relu at 0, abs at 0, max ties), as with PyTorch's gradcheck.
 *
 * @returns true when every element agrees; otherwise throws a report naming the input, the
 *   element and both values (or returns false with `raiseException: false`).
 *
 * @example
 * ```ts
 * const x = tensor([[0.3, -1.2], [0.8, 2.0]], { requiresGrad: true });
 * await gradcheck((x) => x.tanh().mul(x), [x]); // true
 * ```
 */
export async function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): Promise<boolean> {
  const { eps = 1e-2, atol = 1e-3, rtol = 1e-2, raiseException = true, seed = 0x5eed } = options;
  const checked = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (checked.length === 0) throw new Error('gradcheck: no input requires grad; create the inputs to check with requiresGrad: true');

  // analytic: gradient of sum(out * u) through the engine, on fresh leaves (the inputs' .grad stay untouched)
  let u = new Float64Array(0);
  let outShape: readonly number[] = [];
  const analyticTensors = tidy(() => {
    const leaves = inputs.map((x) => (x.requiresGrad ? x.detach().requiresGrad_(true) : x));
    const out = fn(...leaves);
    if (out.dtype !== 'float32') throw new Error(`gradcheck: fn returned a ${out.dtype} tensor; it must return float32`);
    outShape = out.shape;
    u = Float64Array.from({ length: out.numel() }, (_, i) => 2 * uniformAt(seed, i) - 1);
    const weights = tensor(Float32Array.from(u), { shape: out.shape as number[] });
    if (!out.requiresGrad) return checked.map(() => null);
    return grad(out.mul(weights).sum(), checked.map((i) => leaves[i]!), { allowUnused: true });
  });
  const analytic: Float64Array[] = [];
  for (const [k, i] of checked.entries()) {
    const g = analyticTensors[k];
    analytic.push(g ? await toFloat64(g) : new Float64Array(inputs[i]!.numel()));
    g?.dispose();
  }

  // numerical: central differences, one element at a time
  const project = async (args: Tensor[]): Promise<number> => {
    const out = tidy(() => noGrad(() => fn(...args)));
    const values = await out.data();
    out.dispose();
    if (values.length !== u.length) throw new Error(`gradcheck: fn's output changed size under perturbation (${u.length} → ${values.length})`);
    let s = 0;
    for (let j = 0; j < values.length; j++) s += values[j]! * u[j]!;
    return s;
  };
  const problems: string[] = [];
  for (const [k, i] of checked.entries()) {
    const x = inputs[i]!;
    const base = await toFloat64(x);
    const shape = x.shape as number[];
    for (let j = 0; j < base.length; j++) {
      const plus = Math.fround(base[j]! + eps);
      const minus = Math.fround(base[j]! - eps);
      const evalAt = async (v: number): Promise<number> => {
        const values = Float32Array.from(base);
        values[j] = v;
        const perturbed = tensor(values, { shape });
        const args = inputs.map((t, m) => (m === i ? perturbed : t));
        try {
          return await project(args);
        } finally {
          perturbed.dispose();
        }
      };
      const numerical = ((await evalAt(plus)) - (await evalAt(minus))) / (plus - minus);
      const a = analytic[k]![j]!;
      const err = Math.abs(a - numerical);
      const allowed = atol + rtol * Math.abs(numerical);
      if (!(err <= allowed)) {
        problems.push(`input ${i} (shape [${shape.join(',')}]) element ${j}: analytic ${a.toPrecision(6)}, numerical ${numerical.toPrecision(6)}`);
      }
    }
  }
  if (problems.length === 0) return true;
  if (!raiseException) return false;
  throw new Error(
    `gradcheck: backward disagrees with finite differences (eps ${eps}, atol ${atol}, rtol ${rtol}) for ${problems.length} element(s) of the gradient of sum(out * u), out of shape [${outShape.join(',')}]: ` +
      problems.slice(0, 6).join('; ') +
      (problems.length > 6 ? '; …' : ''),
  );
}
