/** Max and average pooling over 2-D windows (floor output size, as PyTorch's defaults), and adaptive average pooling. */
import type { Pool2dAttrs } from '../backend';
import { isGradEnabled } from '../autograd';
import { launch, wrap } from '../op';
import { gatherUnchecked } from '../ops/indexing';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { outputSize, pair, unfold, type Window } from './unfold';
import { pad } from './pad';
import { checkTensor } from '../ops/operand';
import { checkArity, describe } from '../validate';

function pool(op: string, x: Tensor, kernelSize: number | readonly number[], stride: number | readonly number[] | undefined, body: (x: Tensor, win: Window) => Tensor): Tensor {
  const [kh, kw] = pair(op, 'kernelSize', kernelSize, 1);
  const [sh, sw] = pair(op, 'stride', stride ?? kernelSize, 1);
  if (x.ndim === 3) return pool(op, x.unsqueeze(0), kernelSize, stride, body).squeeze(0);
  if (x.ndim !== 4) throw new Error(`${op}: expected input of shape [N, C, H, W] or [C, H, W], got ${fmt(x.shape)}`);
  const win: Window = { kh, kw, sh, sw, ph: 0, pw: 0, dh: 1, dw: 1 };
  outputSize(op, x.shape, win);
  return body(x.float(), win);
}

/**
 * The maximum of each `kernelSize` window, stepping by `stride` (default: `kernelSize`), over an
 * NCHW input, as `torch.nn.functional.max_pool2d`. The gradient goes to the first maximum of each
 * window, as PyTorch's does.
 *
 * @example
 * ```ts
 * F.maxPool2d(randn([1, 3, 8, 8]), 2); // [1, 3, 4, 4]
 * ```
 */
export function maxPool2d(x: Tensor, kernelSize: number | readonly number[], stride?: number | readonly number[] | null, padding: number | readonly number[] = 0): Tensor {
  checkArity('maxPool2d', arguments.length, 4, 'x, kernelSize, stride?, padding?');
  checkTensor('maxPool2d', 'input', x);
  const [kh, kw] = pair('maxPool2d', 'kernelSize', kernelSize, 1);
  const [ph, pw] = pair('maxPool2d', 'padding', padding, 0);
  if (ph > kh / 2 || pw > kw / 2) {
    throw new Error(`maxPool2d: padding ${describe(padding)} should be at most half of kernelSize ${describe(kernelSize)}`);
  }
  // −∞ padding never wins a window (each window holds at least one input element, as padding ≤ kernel / 2)
  const input = ph > 0 || pw > 0 ? pad(x.float(), [pw, pw, ph, ph], { value: Number.NEGATIVE_INFINITY }) : x;
  return pool('maxPool2d', input, kernelSize, stride ?? undefined, (input, win) => {
    const [oh, ow] = outputSize('maxPool2d', input.shape, win);
    const k = input._backend().kernels;
    if (k.maxPool2d && k.maxPool2dIndices) return fusedMaxPool2d(input, { kernelSize: [win.kh, win.kw], stride: [win.sh, win.sw] }, oh, ow);
    const windows = unfold(input, win, true); // [n, c, kh·kw, oh·ow]
    const [n, c] = input.shape as [number, number];
    return windows.gather(2, windows.argmax(2, true)).reshape([n, c, oh, ow]);
  });
}

// The backend's max-pooling kernels. Where a gradient will be wanted, one scan finds each window's
// first maximum (the indices kernel) and the values are a gather of those elements, bit for bit the
// maxima the values kernel gives (both take the first maximum, a NaN counting as one); the gather's
// gradient scatters into those elements, and its own gradient (a gather) gives higher orders. A
// training step so scans the input once, not twice. Without one, the values kernel alone.
function fusedMaxPool2d(x: Tensor, attrs: Pool2dAttrs, oh: number, ow: number): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (!x.requiresGrad || !isGradEnabled()) return launch('maxPool2d', x._backend(), [n, c, oh, ow], 'float32', (k) => k.maxPool2d!(x._info(), attrs));
  const index = launch('maxPool2d', x._backend(), [n, c, oh, ow], 'int32', (k) => k.maxPool2dIndices!(x._info(), attrs));
  return gatherUnchecked(x.reshape([n, c, h * w]), 2, index.reshape([n, c, oh * ow])).reshape([n, c, oh, ow]); // in range by construction
}

/**
 * The mean of each `kernelSize` window, stepping by `stride` (default: `kernelSize`), over an
 * NCHW input, as `torch.nn.functional.avg_pool2d`.
 *
 * @example
 * ```ts
 * F.avgPool2d(randn([1, 3, 8, 8]), 2); // [1, 3, 4, 4]
 * ```
 */
export function avgPool2d(x: Tensor, kernelSize: number | readonly number[], stride?: number | readonly number[]): Tensor {
  return pool('avgPool2d', x, kernelSize, stride, (input, win) => {
    const [n, c, h, w] = input.shape as [number, number, number, number];
    const [oh, ow] = outputSize('avgPool2d', input.shape, win);
    if (win.sh === win.kh && win.sw === win.kw && h % win.kh === 0 && w % win.kw === 0) {
      // windows tile the image exactly: a reshape exposes them, no gather needed
      return input.reshape([n, c, oh, win.kh, ow, win.kw]).mean([3, 5]);
    }
    return unfold(input, win, true).mean(2).reshape([n, c, oh, ow]);
  });
}

/**
 * Average pooling to a fixed output size `[oh, ow]` (a number for both), as
 * `torch.nn.functional.adaptive_avg_pool2d`: output cell `i` averages input rows
 * `⌊i·H/oh⌋` to `⌈(i+1)·H/oh⌉ − 1` (and likewise for columns), over `[N, C, H, W]` or `[C, H, W]`.
 *
 * @example
 * ```ts
 * F.adaptiveAvgPool2d(randn([2, 3, 5, 7]), [3, 4]); // [2, 3, 3, 4]
 * F.adaptiveAvgPool2d(randn([1, 8, 6, 6]), 1);      // global average, [1, 8, 1, 1]
 * ```
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly number[]): Tensor {
  checkArity('adaptiveAvgPool2d', arguments.length, 2, 'x, outputSize');
  checkTensor('adaptiveAvgPool2d', 'input', x);
  const [oh, ow] = pair('adaptiveAvgPool2d', 'outputSize', outputSize, 1);
  if (x.ndim === 3) return adaptiveAvgPool2d(x.unsqueeze(0), [oh, ow]).squeeze(0);
  if (x.ndim !== 4) throw new Error(`adaptiveAvgPool2d: expected input of shape [N, C, H, W] or [C, H, W], got ${fmt(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const input = x.float();
  if (h % oh === 0 && w % ow === 0) return input.reshape([n, c, oh, h / oh, ow, w / ow]).mean([3, 5]); // equal tiles
  // rows then columns: each output cell is a weighted sum, so two small averaging matrices do it
  const b = input._backend();
  const matrix = (data: Float32Array, shape: [number, number]) => wrap(b, b.write(data, shape, 'float32'), shape, 'float32');
  const rows = matrix(averaging(oh, h, false), [oh, h]);
  const cols = matrix(averaging(ow, w, true), [w, ow]);
  return rows.matmul(input).matmul(cols);
}

// [out, size] (or its transpose): row i holds 1/len over PyTorch's adaptive window i
function averaging(out: number, size: number, transposed: boolean): Float32Array {
  const data = new Float32Array(out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) data[transposed ? j * out + i : i * size + j] = 1 / (end - start);
  }
  return data;
}
