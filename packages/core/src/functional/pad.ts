/** Constant padding (and cropping, for negative amounts) of the trailing dims, as `torch.nn.functional.pad`. */
import { cat } from '../ops/shape';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor } from '../ops/operand';
import { checkArity, checkChoice, checkNumber, checkOptions, describe } from '../validate';

/** Options of {@link pad}. */
export interface PadOptions {
  /** Only `'constant'` is built; `'reflect'`, `'replicate'` and `'circular'` throw. Default `'constant'`. */
  mode?: 'constant';
  /** The value written into the padding. Default 0. */
  value?: number;
}

/**
 * Pads `x` with `value`: `pads` is PyTorch's flat list `[left, right]` for the last dim, then
 * `[left, right]` for the one before it, and so on (even length, at most twice `x.ndim`). A
 * negative amount crops that side instead. The gradient is the un-padded part of the upstream.
 *
 * @example
 * ```ts
 * F.pad(ones([2, 3]), [1, 2]);                       // [2, 6]: one column before, two after
 * F.pad(ones([1, 2, 3, 4]), [1, 1, 2, 0], { value: -1 }); // [1, 2, 5, 6]
 * F.pad(ones([3, 5]), [-1, 2]);                      // [3, 6]: first column cropped
 * ```
 */
export function pad(x: Tensor, pads: readonly number[], options: PadOptions = {}): Tensor {
  checkArity('pad', arguments.length, 3, 'x, pads, { mode, value }');
  checkTensor('pad', 'input', x);
  checkOptions('pad', options, ['mode', 'value']);
  checkChoice('pad', 'mode', options.mode ?? 'constant', ['constant']);
  const value = checkNumber('pad', 'value', options.value ?? 0);
  if (!Array.isArray(pads) || pads.some((p) => typeof p !== 'number' || !Number.isInteger(p))) {
    throw new Error(`pad: pads must be an array of integers [left, right, top, bottom, ...], got ${describe(pads)}`);
  }
  if (pads.length % 2 !== 0) {
    throw new Error(`pad: pads must have an even length ([before, after] for each padded dim, last dim first), got ${pads.length}: ${describe(pads)}`);
  }
  if (pads.length / 2 > x.ndim) {
    throw new Error(`pad: pads ${describe(pads)} pad ${pads.length / 2} dims but the input of shape ${fmt(x.shape)} has only ${x.ndim}`);
  }
  let y = x;
  for (let i = 0; i < pads.length / 2; i++) {
    const dim = x.ndim - 1 - i;
    const before = pads[2 * i]!;
    const after = pads[2 * i + 1]!;
    const size = y.shape[dim]!;
    if (size + before + after < 0) {
      throw new Error(`pad: pads ${describe(pads)} leave dim ${dim} of the input of shape ${fmt(x.shape)} with size ${size + before + after}; the padded size must be non-negative`);
    }
    // crops first (negative amounts), then the constant blocks
    const start = Math.max(0, -before);
    const kept = size - start - Math.max(0, -after);
    if (start > 0 || kept < size) y = y.narrow(dim, start, Math.max(0, kept));
    if (before > 0 || after > 0) {
      const block = (n: number) => y._constant(value, y.shape.map((d, j) => (j === dim ? n : d)));
      const parts = [...(before > 0 ? [block(before)] : []), y, ...(after > 0 ? [block(after)] : [])];
      y = cat(parts, dim);
    }
  }
  return y === x ? x.clone() : y;
}
