import type { Conv2dAttrs } from '@tensorgrad/core';
import { wasmConvForward, wasmConvInputGrad, wasmConvWeightGrad } from '../wasm/gemm';
import { gemm } from './gemm';

/**
 * A planned conv2d, plain data: NCHW input `[n, c, h, w]`, OIHW weight `[o, c, kh, kw]`,
 * output `[n, o, oh, ow]` with `oh = ⌊(h + 2·padding − kh) / stride⌋ + 1` (likewise `ow`).
 *
 * @example
 * ```ts
 * conv2dPlan([1, 3, 32, 32], [8, 3, 3, 3], { stride: 1, padding: 1 }); // oh = ow = 32
 * ```
 */
export interface Conv2dPlan {
  /** Batch size: images in the input. */
  readonly n: number;
  /** Input channels (the weight's second dim). */
  readonly c: number;
  /** Input height. */
  readonly h: number;
  /** Input width. */
  readonly w: number;
  /** Output channels (the weight's first dim). */
  readonly o: number;
  /** Kernel height. */
  readonly kh: number;
  /** Kernel width. */
  readonly kw: number;
  /** Output height: `⌊(h + 2·padding − kh) / stride⌋ + 1`. */
  readonly oh: number;
  /** Output width: `⌊(w + 2·padding − kw) / stride⌋ + 1`. */
  readonly ow: number;
  /** Step between kernel positions, the same along height and width. */
  readonly stride: number;
  /** Zeros added on every side of the input, the same along height and width. */
  readonly padding: number;
}

/**
 * Plan a conv2d (and its gradients) from the input and weight shapes.
 *
 * @example
 * ```ts
 * const plan = conv2dPlan([2, 1, 5, 5], [4, 1, 3, 3], { stride: 2, padding: 0 }); // out [2, 4, 2, 2]
 * ```
 */
export function conv2dPlan(xShape: readonly number[], wShape: readonly number[], attrs: Conv2dAttrs): Conv2dPlan {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [o, cw, kh, kw] = wShape as [number, number, number, number];
  const { stride, padding } = attrs;
  if (c !== cw) throw new Error(`conv2d: input [${xShape.join(',')}] has ${c} channels but weight [${wShape.join(',')}] expects ${cw}`);
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - kw) / stride) + 1;
  if (oh <= 0 || ow <= 0) throw new Error(`conv2d: kernel ${kh}x${kw} is larger than the padded input ${h + 2 * padding}x${w + 2 * padding}`);
  return { n, c, h, w, o, kh, kw, oh, ow, stride, padding };
}

/**
 * The output shape `[n, o, oh, ow]` of a plan.
 *
 * @example
 * ```ts
 * conv2dOutShape(conv2dPlan([2, 3, 8, 8], [4, 3, 3, 3], { stride: 2, padding: 1 })); // [2, 4, 4, 4]
 * ```
 */
export function conv2dOutShape(plan: Conv2dPlan): number[] {
  return [plan.n, plan.o, plan.oh, plan.ow];
}

// Reusable im2col matrix: [c*kh*kw, oh*ow] for one image.
let columns = new Float32Array(0);

function columnBuffer(size: number): Float32Array {
  if (columns.length < size) columns = new Float32Array(size);
  return columns;
}

/** A 1×1 kernel with stride 1 and no padding reads the image itself as its column matrix. */
function isPointwise(p: Conv2dPlan): boolean {
  return p.kh === 1 && p.kw === 1 && p.stride === 1 && p.padding === 0;
}

/** The output columns `[lo, hi)` whose input column `ox*stride - padding + kj` lies inside `[0, w)`. */
function validRange(kj: number, p: Conv2dPlan, outLen: number, inLen: number): [number, number] {
  const shift = kj - p.padding;
  const lo = Math.min(outLen, Math.max(0, Math.ceil(-shift / p.stride)));
  const hi = Math.max(lo, Math.min(outLen, Math.floor((inLen - 1 - shift) / p.stride) + 1));
  return [lo, hi];
}

// Runs of one image row, the inner loops of im2col and col2im, unrolled by four (see binary.ts on why).

/** `dst[d + t] = src[s + t]` for `t < n`. */
function copyRun(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  let t = 0;
  for (; t < n - 3; t += 4) {
    dst[d + t] = src[s + t]!;
    dst[d + t + 1] = src[s + t + 1]!;
    dst[d + t + 2] = src[s + t + 2]!;
    dst[d + t + 3] = src[s + t + 3]!;
  }
  for (; t < n; t++) dst[d + t] = src[s + t]!;
}

/** `dst[d + t] += src[s + t]` for `t < n`. */
function addRun(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  let t = 0;
  for (; t < n - 3; t += 4) {
    dst[d + t] += src[s + t]!;
    dst[d + t + 1] += src[s + t + 1]!;
    dst[d + t + 2] += src[s + t + 2]!;
    dst[d + t + 3] += src[s + t + 3]!;
  }
  for (; t < n; t++) dst[d + t] += src[s + t]!;
}

/** Unfold channels `[c0, c1)` of one image at `xOff` into rows `(ch − c0)·kh·kw + ki·kw + kj` of `cols`. */
function im2col(x: Float32Array, xOff: number, p: Conv2dPlan, cols: Float32Array, c0: number, c1: number): void {
  const { h, w, kh, kw, oh, ow, stride, padding } = p;
  const ohw = oh * ow;
  const kk = kh * kw;
  for (let ki = 0; ki < kh; ki++) {
    const [yLo, yHi] = validRange(ki, p, oh, h);
    for (let kj = 0; kj < kw; kj++) {
      const [xLo, xHi] = validRange(kj, p, ow, w);
      const run = xHi - xLo;
      for (let ch = c0; ch < c1; ch++) {
        const base = ((ch - c0) * kk + ki * kw + kj) * ohw;
        const plane = xOff + ch * h * w;
        if (yLo > 0) cols.fill(0, base, base + yLo * ow);
        if (yHi < oh) cols.fill(0, base + yHi * ow, base + ohw);
        for (let oy = yLo; oy < yHi; oy++) {
          const d = base + oy * ow;
          const src = plane + (oy * stride - padding + ki) * w - padding + kj;
          for (let ox = 0; ox < xLo; ox++) cols[d + ox] = 0;
          for (let ox = xHi; ox < ow; ox++) cols[d + ox] = 0;
          if (stride !== 1) {
            for (let ox = xLo; ox < xHi; ox++) cols[d + ox] = x[src + ox * stride]!;
            continue;
          }
          // the run, unrolled by four (written here, not called: this is the hot loop of conv)
          let t = 0;
          const dd = d + xLo;
          const ss = src + xLo;
          for (; t < run - 3; t += 4) {
            cols[dd + t] = x[ss + t]!;
            cols[dd + t + 1] = x[ss + t + 1]!;
            cols[dd + t + 2] = x[ss + t + 2]!;
            cols[dd + t + 3] = x[ss + t + 3]!;
          }
          for (; t < run; t++) cols[dd + t] = x[ss + t]!;
        }
      }
    }
  }
}

/** Fold rows of `cols` back onto channels `[c0, c1)` of one image at `dxOff`, adding overlaps: the adjoint of im2col. */
function col2im(cols: Float32Array, p: Conv2dPlan, dx: Float32Array, dxOff: number, c0: number, c1: number): void {
  const { h, w, kh, kw, oh, ow, stride, padding } = p;
  const ohw = oh * ow;
  let row = 0;
  for (let ch = c0; ch < c1; ch++) {
    const plane = dxOff + ch * h * w;
    for (let ki = 0; ki < kh; ki++) {
      const [yLo, yHi] = validRange(ki, p, oh, h);
      for (let kj = 0; kj < kw; kj++, row++) {
        const [xLo, xHi] = validRange(kj, p, ow, w);
        const base = row * ohw;
        for (let oy = yLo; oy < yHi; oy++) {
          const d = base + oy * ow;
          const dst = plane + (oy * stride - padding + ki) * w - padding + kj;
          if (stride === 1) addRun(cols, d + xLo, dx, dst + xLo, xHi - xLo);
          else for (let ox = xLo; ox < xHi; ox++) dx[dst + ox * stride] += cols[d + ox]!;
        }
      }
    }
  }
}

/**
 * conv2d output planes `[start, end)`: plane `t` is `(image, channel) = (⌊t / o⌋, t % o)`, i.e.
 * `out[t·oh·ow ... (t+1)·oh·ow)`. Total planes: `n · o`. Each image is unfolded once per call
 * (im2col into a reused buffer) and multiplied by the weight rows of its planes. `wasm = false`
 * keeps the products on the TypeScript kernel (see {@link gemm}); likewise for the gradients.
 *
 * @example
 * ```ts
 * const plan = conv2dPlan([1, 1, 3, 3], [1, 1, 2, 2], { stride: 1, padding: 0 });
 * const out = new Float32Array(4);
 * conv2dRange(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), new Float32Array([1, 0, 0, 1]), out, plan, 0, 1); // [6, 8, 12, 14]
 * ```
 */
export function conv2dRange(x: Float32Array, weight: Float32Array, out: Float32Array, plan: Conv2dPlan, start: number, end: number, wasm = true): void {
  const { c, h, w, o, kh, kw, oh, ow } = plan;
  const ohw = oh * ow;
  const ckk = c * kh * kw;
  let t = start;
  while (t < end) {
    const img = Math.floor(t / o);
    const o0 = t - img * o;
    const o1 = Math.min(o, o0 + (end - t));
    const pointwise = isPointwise(plan);
    if (pointwise || !wasm || !wasmConvForward(x, img * c * h * w, plan, weight, o, out, img * o * ohw, o0, o1)) {
      const cols = pointwise ? x : columnBuffer(ckk * ohw);
      if (!pointwise) im2col(x, img * c * h * w, plan, cols, 0, c);
      gemm(weight, 0, false, cols, pointwise ? img * c * h * w : 0, false, out, img * o * ohw, o, ohw, ckk, o0, o1, false, wasm);
    }
    t += o1 - o0;
  }
}

/**
 * Input-gradient planes `[start, end)` of conv2d: plane `t` is `(image, channel) = (⌊t / c⌋, t % c)`,
 * i.e. `dx[t·h·w ... (t+1)·h·w)`. Total planes: `n · c`. A plane depends only on its own
 * channel's rows of `wᵀ·dy`, so ranges are race-free.
 *
 * @example
 * ```ts
 * const plan = conv2dPlan([1, 1, 3, 3], [1, 1, 2, 2], { stride: 1, padding: 0 });
 * const dx = new Float32Array(9);
 * conv2dBackwardInputRange(new Float32Array([1, 1, 1, 1]), new Float32Array([1, 0, 0, 1]), dx, plan, 0, 1);
 * ```
 */
export function conv2dBackwardInputRange(dy: Float32Array, weight: Float32Array, dx: Float32Array, plan: Conv2dPlan, start: number, end: number, wasm = true): void {
  const { c, h, w, o, kh, kw, oh, ow } = plan;
  const ohw = oh * ow;
  const kk = kh * kw;
  let t = start;
  while (t < end) {
    const img = Math.floor(t / c);
    const c0 = t - img * c;
    const c1 = Math.min(c, c0 + (end - t));
    const dxOff = img * c * h * w;
    if (isPointwise(plan)) {
      // the column matrix is the image: wᵀ·dy lands straight in dx
      gemm(weight, 0, true, dy, img * o * ohw, false, dx, dxOff, c, ohw, o, c0, c1, false, wasm);
    } else if (!(wasm && wasmConvInputGrad(dy, img * o * ohw, plan, weight, o, dx, dxOff, c0, c1))) {
      const cols = columnBuffer((c1 - c0) * kk * ohw);
      // rows [c0·kk, c1·kk) of wᵀ·dy, written from the buffer's start
      gemm(weight, 0, true, dy, img * o * ohw, false, cols, -c0 * kk * ohw, c * kk, ohw, o, c0 * kk, c1 * kk, false, wasm);
      dx.fill(0, dxOff + c0 * h * w, dxOff + c1 * h * w);
      col2im(cols, plan, dx, dxOff, c0, c1);
    }
    t += c1 - c0;
  }
}

/**
 * Weight-gradient rows `[start, end)` of conv2d: row `t` is output channel `t`, i.e.
 * `dw[t·c·kh·kw ... (t+1)·c·kh·kw)`. Total rows: `o`. Sums `dy[img] · im2col(x[img])ᵀ` over
 * every image; each call unfolds every image again, so split it only when `o` is large.
 *
 * @example
 * ```ts
 * const plan = conv2dPlan([1, 1, 3, 3], [1, 1, 2, 2], { stride: 1, padding: 0 });
 * const dw = new Float32Array(4);
 * conv2dBackwardWeightRange(new Float32Array(9).fill(1), new Float32Array([1, 1, 1, 1]), dw, plan, 0, 1); // [4, 4, 4, 4]
 * ```
 */
export function conv2dBackwardWeightRange(x: Float32Array, dy: Float32Array, dw: Float32Array, plan: Conv2dPlan, start: number, end: number, wasm = true): void {
  const { n, c, h, w, o, kh, kw, oh, ow } = plan;
  const ohw = oh * ow;
  const ckk = c * kh * kw;
  if (start >= end) return;
  if (n === 0) {
    dw.fill(0, start * ckk, end * ckk);
    return;
  }
  const pointwise = isPointwise(plan);
  for (let img = 0; img < n; img++) {
    // on WebAssembly the column matrix is built inside the module, block by block
    if (!pointwise && wasm && wasmConvWeightGrad(x, img * c * h * w, plan, dy, img * o * ohw, o, dw, start, end, img > 0)) continue;
    const cols = pointwise ? x : columnBuffer(ckk * ohw);
    if (!pointwise) im2col(x, img * c * h * w, plan, cols, 0, c);
    gemm(dy, img * o * ohw, false, cols, pointwise ? img * c * h * w : 0, true, dw, 0, o, ckk, ohw, start, end, img > 0, wasm);
  }
}
