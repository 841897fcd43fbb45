/**
 * im2col: the flat positions of every sliding window in an image, so that one `indexSelect`
 * lays the windows out as columns. Conv and pooling are built on it where no fused kernel exists.
 */
import { wrap } from '../op';
import { cat } from '../ops/shape';
import { fmt } from '../shape';
import type { Tensor } from '../tensor';
import { describe } from '../validate';

/** Sizes, steps, zero padding and dilation of a 2-D sliding window. */
export interface Window {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  /** Zeros before and after the height dim. */
  readonly ph: number;
  /** Zeros before and after the width dim. */
  readonly pw: number;
  /** Spacing between window elements along the height dim (1: adjacent). */
  readonly dh: number;
  /** Spacing between window elements along the width dim. */
  readonly dw: number;
}

/** A window from its sizes and steps, with the padding and dilation given (default 0 and 1). */
export function windowOf(kh: number, kw: number, sh: number, sw: number, ph = 0, pw = 0, dh = 1, dw = 1): Window {
  return { kh, kw, sh, sw, ph, pw, dh, dw };
}

/** Number of window positions along one dim, as PyTorch's floor rule. */
export function outSize(size: number, kernel: number, stride: number, padding: number, dilation = 1): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** `[a, a]` for a number, the pair itself for a pair; throws unless both are integers ≥ `min`. */
export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) ? (v as unknown[]) : null;
  if (!p || p.length !== 2 || p.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < min)) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${describe(v)}`);
  }
  return [p[0] as number, p[1] as number];
}

/** `a` for a number or a one-element array `[a]`; throws unless it is an integer ≥ `min`. */
export function single(op: string, name: string, v: unknown, min: number): number {
  const a = Array.isArray(v) && v.length === 1 ? (v[0] as unknown) : v;
  if (typeof a !== 'number' || !Number.isInteger(a) || a < min) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a 1-tuple of one, got ${describe(v)}`);
  }
  return a;
}

/** Checks that a 4-D `[N, C, H, W]` input is large enough for the window; returns `[oh, ow]`. */
export function outputSize(op: string, shape: readonly number[], win: Window): [number, number] {
  const oh = outSize(shape[2]!, win.kh, win.sh, win.ph, win.dh);
  const ow = outSize(shape[3]!, win.kw, win.sw, win.pw, win.dw);
  if (oh < 1 || ow < 1) {
    const padded = win.ph || win.pw ? ` padded by ${win.ph === win.pw ? win.ph : `[${win.ph}, ${win.pw}]`}` : '';
    const dilated = win.dh > 1 || win.dw > 1 ? ` (dilated by ${win.dh === win.dw ? win.dh : `[${win.dh}, ${win.dw}]`})` : '';
    throw new Error(
      `${op}: input of shape ${fmt(shape)}${padded} is smaller than the ${win.kh}x${win.kw} window${dilated} (calculated output size ${oh}x${ow}); use a smaller kernel or more padding`,
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
  const { kh, kw, sh, sw, ph, pw, dh, dw } = win;
  const outside = channels * h * w;
  const index = new Int32Array(channels * kh * kw * oh * ow);
  let k = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let y = 0; y < oh; y++) {
          const row = y * sh + i * dh - ph;
          for (let x = 0; x < ow; x++) {
            const col = x * sw + j * dw - pw;
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
  if (win.ph > 0 || win.pw > 0) flat = cat([flat, x._constant(0, [rows, 1])], 1); // the zero that padded positions read
  const index = windowIndex(planes, h, w, win, oh, ow);
  const b = x._backend();
  const idx = wrap(b, b.write(index, [index.length], 'int32'), [index.length], 'int32');
  const cols = flat.indexSelect(1, idx);
  return perChannel ? cols.reshape([n, c, win.kh * win.kw, oh * ow]) : cols.reshape([n, c * win.kh * win.kw, oh * ow]);
}
