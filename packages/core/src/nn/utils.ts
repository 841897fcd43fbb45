/** Gradient clipping, as `torch.nn.utils`. */
import { noGrad } from '../autograd';
import { tensor } from '../creation';
import { tidy } from '../memory';
import { div } from '../ops/binary';
import { Tensor } from '../tensor';
import { checkBool, checkNumber, describe, positionalOptions } from '../validate';

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  if (!(params instanceof Tensor) && (params === null || typeof params !== 'object' || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== 'function')) {
    throw new Error(`${op}: parameters must be a Tensor or an iterable of Tensors (e.g. model.parameters()), got ${describe(params)}`);
  }
  const list = params instanceof Tensor ? [params] : [...params];
  for (const p of list) if (!(p instanceof Tensor)) throw new Error(`${op}: parameters must be Tensors (e.g. model.parameters())`);
  return list.map((p) => p._gradInternal()).filter((g): g is Tensor => g !== null);
}

/** Options of {@link clipGradNorm_}, PyTorch's keyword arguments. */
export interface ClipGradNormOptions {
  /** The p of the norm: a positive number, or `Infinity` / `'inf'` for the largest absolute value (default 2). */
  normType?: number | 'inf';
  /** Throw when the total norm is NaN or infinite (reads the norm back, so it waits for the backend). */
  errorIfNonfinite?: boolean;
}

/**
 * Scale the gradients of `params` in place so that their joint `normType`-norm is at most
 * `maxNorm`, as `torch.nn.utils.clip_grad_norm_`: every gradient is multiplied by
 * `min(1, maxNorm / (total + 1e-6))`. Returns the total norm before clipping as a 0-d tensor,
 * as PyTorch does (`.item()` reads it; returning a tensor keeps the backend from waiting).
 * `normType` may be `Infinity` (the largest absolute value). Parameters without a gradient are skipped.
 * `normType` and `errorIfNonfinite` are PyTorch's positional arguments after `maxNorm`, or options.
 *
 * @example
 * ```ts
 * loss.backward();
 * const total = nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * optimizer.step();
 * console.log(total.item());
 * nn.utils.clipGradNorm_(model.parameters(), 1.0, { normType: Infinity });
 * ```
 */
export function clipGradNorm_(params: Iterable<Tensor> | Tensor, maxNorm: number, options?: ClipGradNormOptions): Tensor;
export function clipGradNorm_(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  normType: number | 'inf',
  errorIfNonfinite?: boolean | ClipGradNormOptions,
  options?: ClipGradNormOptions,
): Tensor;
export function clipGradNorm_(params: Iterable<Tensor> | Tensor, maxNorm: number, ...rest: unknown[]): Tensor {
  checkNumber('clipGradNorm_', 'maxNorm', maxNorm);
  const o = positionalOptions('clipGradNorm_', rest, ['normType', 'errorIfNonfinite']);
  const normType = o.normType === 'inf' ? Infinity : checkNumber('clipGradNorm_', 'normType', o.normType ?? 2);
  const options = { errorIfNonfinite: checkBool('clipGradNorm_', 'errorIfNonfinite', o.errorIfNonfinite ?? false) };
  if (!(normType > 0)) throw new Error(`clipGradNorm_: normType must be positive or Infinity, got ${normType}`);
  const grads = gradsOf('clipGradNorm_', params);
  if (grads.length === 0) return tensor(0);
  const total = noGrad(() =>
    tidy(() => {
      let t: Tensor;
      if (normType === Infinity) {
        t = grads.map((g) => g.abs().max()).reduce((a, b) => a.maximum(b));
      } else {
        // g·g rather than g.square(): the same numbers, and backends run products of long tensors on their SIMD path
        const powered = grads.map((g) => (normType === 2 ? g.mul(g).sum() : g.abs().pow(normType).sum()));
        const sum = powered.reduce((a, b) => a.add(b));
        t = normType === 2 ? sum.sqrt() : normType === 1 ? sum : sum.pow(1 / normType);
      }
      const coef = div(maxNorm, t.add(1e-6)).clamp(null, 1);
      for (const g of grads) g._assign(g.mul(coef)); // in place: every holder of the grad sees it
      return t;
    }),
  );
  if (options.errorIfNonfinite && !Number.isFinite(total.item())) {
    throw new Error(
      `clipGradNorm_: the total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped; set errorIfNonfinite: false to skip this check`,
    );
  }
  return total;
}

/**
 * Clamp every gradient of `params` into `[-clipValue, clipValue]` in place, as
 * `torch.nn.utils.clip_grad_value_`.
 *
 * @example
 * ```ts
 * loss.backward();
 * nn.utils.clipGradValue_(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue_(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (arguments.length > 2) throw new Error(`clipGradValue_: takes (parameters, clipValue), got ${arguments.length} arguments`);
  checkNumber('clipGradValue_', 'clipValue', clipValue);
  const grads = gradsOf('clipGradValue_', params);
  noGrad(() =>
    tidy(() => {
      for (const g of grads) g._assign(g.clamp(-clipValue, clipValue));
    }),
  );
}
