/**
 * 2-D convolution. With the backend's fused `conv2d`, `conv2dBackwardInput` and
 * `conv2dBackwardWeight` kernels it runs on those (each gradient is itself a differentiable op,
 * so higher-order gradients work); otherwise it is im2col (`indexSelect`) followed by `matmul`.
 */
import type { Conv2dAttrs, Shape } from '../backend';
import { launch, record } from '../op';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor, optionalTensor } from '../ops/operand';
import { outputSize, single, unfold, type Window } from './unfold';
import { checkArity, checkInt, checkOptions, checkPair } from '../validate';

/** Options of {@link conv2d}: each a number (both dims) or a pair `[h, w]`. */
export interface Conv2dOptions {
  /** Step between windows. Default 1. */
  stride?: number | readonly [number, number];
  /** Zeros added before and after each spatial dim. Default 0. */
  padding?: number | readonly [number, number];
  /** Spacing between kernel elements (1: adjacent). Default 1. */
  dilation?: number | readonly [number, number];
  /** Blocked connections: input and output channels split into this many groups. Default 1. */
  groups?: number;
}

/** Options of {@link conv1d}: each a number or a one-element array. */
export interface Conv1dOptions {
  /** Step between windows. Default 1. */
  stride?: number | readonly [number];
  /** Zeros added at both ends. Default 0. */
  padding?: number | readonly [number];
  /** Spacing between kernel elements. Default 1. */
  dilation?: number | readonly [number];
  /** Blocked connections: input and output channels split into this many groups. Default 1. */
  groups?: number;
}

const CONV_OPTIONS = ['stride', 'padding', 'dilation', 'groups'];

/**
 * Cross-correlation of an NCHW input `[N, C, H, W]` (or unbatched `[C, H, W]`) with an OIHW weight
 * `[O, C / groups, kH, kW]`, plus an optional bias `[O]`, as `torch.nn.functional.conv2d`. The
 * output is `[N, O, ⌊(H + 2p − d·(kH − 1) − 1)/s⌋ + 1, …]`. `groups: C` with `O = m·C` is a
 * depthwise convolution.
 *
 * @example
 * ```ts
 * F.conv2d(randn([1, 3, 8, 8]), randn([4, 3, 3, 3]), zeros([4]), { stride: 1, padding: 1 }); // [1, 4, 8, 8]
 * F.conv2d(randn([1, 4, 8, 8]), randn([4, 1, 3, 3]), null, { groups: 4, dilation: 2 });     // depthwise, [1, 4, 4, 4]
 * ```
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkArity('conv2d', arguments.length, 4, 'x, weight, bias?, { stride, padding, dilation, groups }');
  checkOptions('conv2d', options, CONV_OPTIONS);
  const [sh, sw] = checkPair('conv2d', 'stride', options.stride ?? 1, 1);
  const [ph, pw] = checkPair('conv2d', 'padding', options.padding ?? 0, 0);
  const [dh, dw] = checkPair('conv2d', 'dilation', options.dilation ?? 1, 1);
  const groups = checkInt('conv2d', 'groups', options.groups ?? 1, 1);
  return convNd('conv2d', x, w, b ?? null, { sh, sw, ph, pw, dh, dw }, groups, 2);
}

/**
 * Cross-correlation of an NCL input `[N, C, L]` (or unbatched `[C, L]`) with a weight
 * `[O, C / groups, k]`, plus an optional bias `[O]`, as `torch.nn.functional.conv1d`; it runs as
 * a conv2d of height 1.
 *
 * @example
 * ```ts
 * F.conv1d(randn([2, 4, 9]), randn([6, 4, 3]), zeros([6]), { stride: 2, padding: 1 }); // [2, 6, 5]
 * F.conv1d(randn([2, 4, 8]), randn([8, 1, 3]), null, { groups: 4 });                   // depthwise, [2, 8, 6]
 * ```
 */
export function conv1d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  checkArity('conv1d', arguments.length, 4, 'x, weight, bias?, { stride, padding, dilation, groups }');
  checkOptions('conv1d', options, CONV_OPTIONS);
  const s = single('conv1d', 'stride', options.stride ?? 1, 1);
  const p = single('conv1d', 'padding', options.padding ?? 0, 0);
  const d = single('conv1d', 'dilation', options.dilation ?? 1, 1);
  const groups = checkInt('conv1d', 'groups', options.groups ?? 1, 1);
  return convNd('conv1d', x, w, b ?? null, { sh: 1, sw: s, ph: 0, pw: p, dh: 1, dw: d }, groups, 1);
}

type Steps = Omit<Window, 'kh' | 'kw'>;

// shared by conv1d (spatial = 1: a conv2d of height 1) and conv2d
function convNd(op: string, x: Tensor, w: Tensor, b: Tensor | null, steps: Steps, groups: number, spatial: 1 | 2): Tensor {
  const layout = spatial === 2 ? ['[N, C, H, W]', '[C, H, W]', '[outChannels, inChannels / groups, kH, kW]'] : ['[N, C, L]', '[C, L]', '[outChannels, inChannels / groups, k]'];
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', w);
  optionalTensor(op, 'bias', b);
  if (x.ndim === spatial + 1) return convNd(op, x.unsqueeze(0), w, b, steps, groups, spatial).squeeze(0);
  if (x.ndim !== spatial + 2) throw new Error(`${op}: expected input of shape ${layout[0]} or ${layout[1]}, got ${fmt(x.shape)}`);
  if (w.ndim !== spatial + 2) throw new Error(`${op}: expected weight of shape ${layout[2]}, got ${fmt(w.shape)}`);
  const c = x.shape[1]!;
  const o = w.shape[0]!;
  const wc = w.shape[1]!;
  if (c % groups !== 0 || o % groups !== 0) {
    throw new Error(`${op}: groups ${groups} must divide both the input's ${c} channels and the weight's ${o} output channels (input ${fmt(x.shape)}, weight ${fmt(w.shape)})`);
  }
  if (c !== wc * groups) {
    throw new Error(
      `${op}: input of shape ${fmt(x.shape)} has ${c} channels but weight of shape ${fmt(w.shape)}${groups > 1 ? ` with groups ${groups}` : ''} expects ${wc * groups}; the weight is ${layout[2]}`,
    );
  }
  if (b && (b.ndim !== 1 || b.shape[0] !== o)) throw new Error(`${op}: bias of shape ${fmt(b.shape)} must be [${o}] for weight of shape ${fmt(w.shape)}`);
  const input = spatial === 2 ? x.float() : x.float().unsqueeze(2);
  const weight = spatial === 2 ? w.float() : w.float().unsqueeze(2);
  const n = input.shape[0]!;
  const [, , kh, kw] = weight.shape as [number, number, number, number];
  const win: Window = { kh, kw, ...steps };
  let oh: number, ow: number;
  try {
    [oh, ow] = outputSize(op, input.shape, win);
  } catch (e) {
    if (spatial === 2) throw e;
    throw new Error(`${op}: input of shape ${fmt(x.shape)} padded by ${win.pw} is smaller than the kernel of size ${kw} (dilation ${win.dw}); use a smaller kernel or more padding`);
  }
  const k = input._backend().kernels;
  const fusable = groups === 1 && win.sh === win.sw && win.ph === win.pw && win.dh === 1 && win.dw === 1;
  let y: Tensor;
  if (fusable && k.conv2d && k.conv2dBackwardInput && k.conv2dBackwardWeight) {
    y = fusedConv2d(input, weight, { stride: win.sh, padding: win.ph });
  } else {
    const cg = c / groups;
    const cols = unfold(input, win, false); // [n, c·kh·kw, oh·ow], channel-major, so each group's rows are contiguous
    const grouped = groups === 1 ? cols : cols.reshape([n, groups, cg * kh * kw, oh * ow]);
    const wm = groups === 1 ? weight.reshape([o, cg * kh * kw]) : weight.reshape([groups, o / groups, cg * kh * kw]);
    y = wm.matmul(grouped).reshape([n, o, oh, ow]); // [g, o/g, K] @ [n, g, K, L] → [n, g, o/g, L]
  }
  if (b) y = y.add(b.reshape([1, o, 1, 1]));
  return spatial === 2 ? y : y.squeeze(2);
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
