/**
 * im2col: the flat positions of every sliding window in an image, so that one `indexSelect`
 * lays the windows out as columns. Conv and pooling are built on it where no fused kernel exists.
 */
import { wrap } from '../op';
import { cat } from '../ops/shape';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';

/** Sizes and steps of a 2-D sliding window. */
export interface Window {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly padding: number;
}

/** Number of window positions along one dim, as PyTorch's floor rule. */
export function outSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** `[a, a]` for a number, the pair itself for a pair; throws unless both are integers ≥ `min`. */
export function pair(op: string, name: string, v: number | readonly number[], min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (p.length !== 2 || p.some((d) => !Number.isInteger(d) || d < min)) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0]!, p[1]!];
}

/** Checks that a 4-D `[N, C, H, W]` input is large enough for the window; returns `[oh, ow]`. */
export function outputSize(op: string, shape: readonly number[], win: Window): [number, number] {
  const oh = outSize(shape[2]!, win.kh, win.sh, win.padding);
  const ow = outSize(shape[3]!, win.kw, win.sw, win.padding);
  if (oh < 1 || ow < 1) {
    throw new Error(
      `${op}: input of shape ${fmt(shape)}${win.padding ? ` padded by ${win.padding}` : ''} is smaller than the ${win.kh}x${win.kw} window (calculated output size ${oh}x${ow}); use a smaller kernel or more padding`,
    );
  }
  return [oh, ow];
}

/**
 * For a `[channels, h, w]` image flattened to one row, the position each window element reads, in
 * the order `[channel, ki, kj, oh, ow]`. Positions in the zero padding read `channels·h·w`, one
 * past the image, where the caller appends a zero.
 */
export function windowIndex(channels: number, h: number, w: number, win: Window, oh: number, ow: number): Int32Array {
  const { kh, kw, sh, sw, padding } = win;
  const outside = channels * h * w;
  const index = new Int32Array(channels * kh * kw * oh * ow);
  let k = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let y = 0; y < oh; y++) {
          const row = y * sh + i - padding;
          for (let x = 0; x < ow; x++) {
            const col = x * sw + j - padding;
            index[k++] = row < 0 || row >= h || col < 0 || col >= w ? outside : (c * h + row) * w + col;
          }
        }
      }
    }
  }
  return index;
}

/**
 * The windows of a `[n, c, h, w]` image as `[n, c·kh·kw, oh·ow]` columns (when `perChannel` is
 * false, for conv) or `[n, c, kh·kw, oh·ow]` (when true, for pooling). Differentiable through
 * `indexSelect`, whose backward sums each column entry back into the pixel it read.
 */
export function unfold(x: Tensor, win: Window, perChannel: boolean): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = outputSize('unfold', x.shape, win);
  const rows = perChannel ? n * c : n;
  const planes = perChannel ? 1 : c;
  let flat = x.reshape([rows, planes * h * w]);
  if (win.padding > 0) flat = cat([flat, x._constant(0, [rows, 1])], 1); // the zero that padded positions read
  const index = windowIndex(planes, h, w, win, oh, ow);
  const b = x._backend();
  const idx = wrap(b, b.write(index, [index.length], 'int32'), [index.length], 'int32');
  const cols = flat.indexSelect(1, idx);
  return perChannel ? cols.reshape([n, c, win.kh * win.kw, oh * ow]) : cols.reshape([n, c * win.kh * win.kw, oh * ow]);
}
