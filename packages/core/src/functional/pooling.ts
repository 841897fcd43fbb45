/** Max and average pooling over 2-D windows (no padding, floor output size, as PyTorch's defaults). */
import type { Pool2dAttrs } from '../backend';
import { launch, record } from '../op';
import { scatterAddUnchecked } from '../ops/indexing';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { outputSize, pair, unfold, type Window } from './unfold';

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
  if (padding !== 0 && !(Array.isArray(padding) && padding.every((p) => p === 0))) {
    throw new Error(`maxPool2d: padding ${JSON.stringify(padding)} is not supported yet (only 0); it is not ignored: nothing ran`);
  }
  if (arguments.length > 4) throw new Error(`maxPool2d: takes (x, kernelSize, stride?, padding?), got ${arguments.length} arguments`);
  return pool('maxPool2d', x, kernelSize, stride ?? undefined, (input, win) => {
    const [oh, ow] = outputSize('maxPool2d', input.shape, win);
    const k = input._backend().kernels;
    if (k.maxPool2d && k.maxPool2dIndices) return fusedMaxPool2d(input, { kernelSize: [win.kh, win.kw], stride: [win.sh, win.sw] }, oh, ow);
    const windows = unfold(input, win, true); // [n, c, kh·kw, oh·ow]
    const [n, c] = input.shape as [number, number];
    return windows.gather(2, windows.argmax(2, true)).reshape([n, c, oh, ow]);
  });
}

// The backend's max-pooling kernel; the gradient scatters into each window's first maximum (found by
// the indices kernel), through scatterAdd, whose own gradient (a gather) gives higher orders.
function fusedMaxPool2d(x: Tensor, attrs: Pool2dAttrs, oh: number, ow: number): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const y = launch('maxPool2d', x._backend(), [n, c, oh, ow], 'float32', (k) => k.maxPool2d!(x._info(), attrs));
  return record('maxPool2d', y, [x], (g) => {
    const index = launch('maxPool2d', x._backend(), [n, c, oh, ow], 'int32', (k) => k.maxPool2dIndices!(x._info(), attrs)).reshape([n, c, oh * ow]);
    return [scatterAddUnchecked([n, c, h * w], 2, index, g.reshape([n, c, oh * ow])).reshape(x.shape as number[])];
  });
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
