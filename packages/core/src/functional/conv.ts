/**
 * 2-D convolution. With the backend's fused `conv2d`, `conv2dBackwardInput` and
 * `conv2dBackwardWeight` kernels it runs on those (each gradient is itself a differentiable op,
 * so higher-order gradients work); otherwise it is im2col (`indexSelect`) followed by `matmul`.
 */
import type { Conv2dAttrs, Shape } from '../backend';
import { launch, record } from '../op';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { outputSize, unfold, type Window } from './unfold';
import { checkOptions } from '../validate';

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step between windows, in both dims. Default 1. */
  stride?: number;
  /** Zeros added on every side, in both dims. Default 0. */
  padding?: number;
  /** Spacing between kernel elements; only 1 is built so far (other values throw). */
  dilation?: number;
  /** Blocked connections from input to output channels; only 1 is built so far (other values throw). */
  groups?: number;
}

/**
 * Cross-correlation of an NCHW input `[N, C, H, W]` (or unbatched `[C, H, W]`) with an OIHW weight
 * `[O, C, kH, kW]`, plus an optional bias `[O]`, as `torch.nn.functional.conv2d` (groups = 1,
 * dilation = 1). The output is `[N, O, ⌊(H + 2p − kH)/s⌋ + 1, ⌊(W + 2p − kW)/s⌋ + 1]`.
 *
 * @example
 * ```ts
 * F.conv2d(randn([1, 3, 8, 8]), randn([4, 3, 3, 3]), zeros([4]), { stride: 1, padding: 1 }); // [1, 4, 8, 8]
 * ```
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', options, ['stride', 'padding', 'dilation', 'groups']);
  for (const key of ['dilation', 'groups'] as const) {
    const v = options[key] ?? 1;
    if (v !== 1) throw new Error(`conv2d: ${key} ${JSON.stringify(v)} is not supported yet (only 1); it is not ignored: nothing ran`);
  }
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 0;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`conv2d: stride must be a positive integer, got ${stride}`);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`conv2d: padding must be a non-negative integer, got ${padding}`);
  if (x.ndim === 3) return conv2d(x.unsqueeze(0), w, b, options).squeeze(0);
  if (x.ndim !== 4) throw new Error(`conv2d: expected input of shape [N, C, H, W] or [C, H, W], got ${fmt(x.shape)}`);
  if (w.ndim !== 4) throw new Error(`conv2d: expected weight of shape [outChannels, inChannels, kH, kW], got ${fmt(w.shape)}`);
  const [, c] = x.shape as [number, number];
  const [o, wc, kh, kw] = w.shape as [number, number, number, number];
  if (c !== wc) {
    throw new Error(`conv2d: input of shape ${fmt(x.shape)} has ${c} channels but weight of shape ${fmt(w.shape)} expects ${wc}; the weight is [outChannels, inChannels, kH, kW]`);
  }
  if (b && (b.ndim !== 1 || b.shape[0] !== o)) throw new Error(`conv2d: bias of shape ${fmt(b.shape)} must be [${o}] for weight of shape ${fmt(w.shape)}`);
  const win: Window = { kh, kw, sh: stride, sw: stride, ph: padding, pw: padding, dh: 1, dw: 1 };
  const [oh, ow] = outputSize('conv2d', x.shape, win);
  const input = x.float();
  const weight = w.float();
  const k = input._backend().kernels;
  const y =
    k.conv2d && k.conv2dBackwardInput && k.conv2dBackwardWeight
      ? fusedConv2d(input, weight, { stride, padding })
      : weight.reshape([o, c * kh * kw]).matmul(unfold(input, win, false)).reshape([x.shape[0]!, o, oh, ow]);
  return b ? y.add(b.reshape([1, o, 1, 1])) : y;
}

// The three fused ops are bilinear and adjoint to one another, so each one's backward is the other two:
// <G, conv(x, w)> is linear in x and w, and so on round the triangle.

function fusedConv2d(x: Tensor, w: Tensor, attrs: Conv2dAttrs): Tensor {
  const win: Window = { kh: w.shape[2]!, kw: w.shape[3]!, sh: attrs.stride, sw: attrs.stride, ph: attrs.padding, pw: attrs.padding, dh: 1, dw: 1 };
  const shape = [x.shape[0]!, w.shape[0]!, ...outputSize('conv2d', x.shape, win)];
  const y = launch('conv2d', x._backend(), shape, 'float32', (k) => k.conv2d!(x._info(), w._info(), attrs));
  return record('conv2d', y, [x, w], (g) => [
    x.requiresGrad ? conv2dInputGrad(g, w, x.shape, attrs) : null,
    w.requiresGrad ? conv2dWeightGrad(x, g, w.shape, attrs) : null,
  ]);
}

/** d conv2d / d input applied to `dy` (a transposed convolution), as a differentiable op. */
function conv2dInputGrad(dy: Tensor, w: Tensor, xShape: Shape, attrs: Conv2dAttrs): Tensor {
  const dx = launch('conv2dBackwardInput', dy._backend(), xShape, 'float32', (k) => k.conv2dBackwardInput!(dy._info(), w._info(), xShape, attrs));
  return record('conv2dBackwardInput', dx, [dy, w], (g) => [
    dy.requiresGrad ? fusedConv2d(g, w, attrs) : null, // <g, dx(dy, w)> = <conv(g, w), dy>
    w.requiresGrad ? conv2dWeightGrad(g, dy, w.shape, attrs) : null,
  ]);
}

/** d conv2d / d weight applied to `dy`, as a differentiable op. */
function conv2dWeightGrad(x: Tensor, dy: Tensor, wShape: Shape, attrs: Conv2dAttrs): Tensor {
  const dw = launch('conv2dBackwardWeight', x._backend(), wShape, 'float32', (k) => k.conv2dBackwardWeight!(x._info(), dy._info(), wShape, attrs));
  return record('conv2dBackwardWeight', dw, [x, dy], (g) => [
    x.requiresGrad ? conv2dInputGrad(dy, g, x.shape, attrs) : null, // <g, dw(x, dy)> = <conv(x, g), dy>
    dy.requiresGrad ? fusedConv2d(x, g, attrs) : null,
  ]);
}
