/** Dropout: zero random elements during training and rescale the rest. */
import { nextSeed } from '../creation';
import { launch } from '../op';
import type { Tensor } from '../tensor';

/**
 * Zero each element with probability `p` and scale the others by `1 / (1 - p)`, as
 * `torch.nn.functional.dropout`; the identity when `training` is false or `p` is 0. The mask
 * comes from the seeded generator, so `manualSeed` makes it repeatable on every backend.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * F.dropout(x, 0.2);          // training
 * F.dropout(x, 0.2, false);   // evaluation: x itself
 * ```
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const shape = x.shape;
  const u = launch('dropout', x._backend(), shape, 'float32', (k) => k.randomUniform(shape, nextSeed()));
  const mask = u.ge(p).float().mul(1 / (1 - p)); // kept with probability 1 - p
  return x.mul(mask);
}
