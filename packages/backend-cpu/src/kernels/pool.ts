import type { Pool2dAttrs } from '@tensorgrad/core';

/**
 * A planned 2-D pooling, plain data: NCHW input `[n, c, h, w]`, windows `kh × kw` stepping by
 * `sh`, `sw` (no padding), output `[n, c, oh, ow]` with `oh = ⌊(h − kh) / sh⌋ + 1` (likewise `ow`).
 *
 * @example
 * ```ts
 * pool2dPlan([1, 3, 8, 8], { kernelSize: [2, 2], stride: [2, 2] }); // oh = ow = 4
 * ```
 */
export interface Pool2dPlan {
  /** Planes: images times channels, pooled independently. */
  readonly planes: number;
  /** Input height. */
  readonly h: number;
  /** Input width. */
  readonly w: number;
  /** Window height. */
  readonly kh: number;
  /** Window width. */
  readonly kw: number;
  /** Step along height. */
  readonly sh: number;
  /** Step along width. */
  readonly sw: number;
  /** Output height. */
  readonly oh: number;
  /** Output width. */
  readonly ow: number;
}

/**
 * Plan a pooling of an input of `xShape` (`[n, c, h, w]`). Throws when the window does not fit.
 *
 * @example
 * ```ts
 * const plan = pool2dPlan([2, 8, 28, 28], { kernelSize: [2, 2], stride: [2, 2] });
 * ```
 */
export function pool2dPlan(xShape: readonly number[], attrs: Pool2dAttrs): Pool2dPlan {
  if (xShape.length !== 4) throw new Error(`maxPool2d: expected an input of shape [N, C, H, W], got [${xShape.join(',')}]`);
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [kh, kw] = attrs.kernelSize;
  const [sh, sw] = attrs.stride;
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  if (oh <= 0 || ow <= 0) throw new Error(`maxPool2d: the ${kh}x${kw} window is larger than the ${h}x${w} input`);
  return { planes: n * c, h, w, kh, kw, sh, sw, oh, ow };
}

/**
 * The maximum of each window for planes `[planeStart, planeEnd)`: `out` is `[planes, oh, ow]`,
 * `x` is `[planes, h, w]`. A NaN in a window is its maximum, as in PyTorch. Ranges count planes.
 *
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * maxPool2dRange(new Float32Array([1, 4, 3, 2]), out, pool2dPlan([1, 1, 2, 2], { kernelSize: [2, 2], stride: [2, 2] }), 0, 1); // [4]
 * ```
 */
export function maxPool2dRange(x: Float32Array, out: Float32Array, plan: Pool2dPlan, planeStart: number, planeEnd: number): void {
  const { h, w, kh, kw, sh, sw, oh, ow } = plan;
  if (kh === 2 && kw === 2) {
    // the common 2×2 window, written out: no inner loops for four elements
    for (let p = planeStart; p < planeEnd; p++) {
      const base = p * h * w;
      let o = p * oh * ow;
      for (let y = 0; y < oh; y++) {
        for (let z = 0, at = base + y * sh * w; z < ow; z++, o++, at += sw) {
          let best = x[at]!;
          const b = x[at + 1]!;
          const c = x[at + w]!;
          const d = x[at + w + 1]!;
          if (!(b <= best) && best === best) best = b; // larger, or NaN; a NaN already there stays
          if (!(c <= best) && best === best) best = c;
          if (!(d <= best) && best === best) best = d;
          out[o] = best;
        }
      }
    }
    return;
  }
  for (let p = planeStart; p < planeEnd; p++) {
    const base = p * h * w;
    let o = p * oh * ow;
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++, o++) {
        const at = base + y * sh * w + z * sw;
        let best = x[at]!;
        for (let i = 0; i < kh && best === best; i++) {
          for (let j = 0, r = at + i * w; j < kw; j++) {
            const v = x[r + j]!;
            if (!(v <= best)) {
              best = v; // larger, or NaN (which then ends the window)
              if (v !== v) break;
            }
          }
        }
        out[o] = best;
      }
    }
  }
}

/**
 * Where each window's maximum is, for planes `[planeStart, planeEnd)`: `out[p, y, z]` is the flat
 * position `row · w + col` inside plane `p` of the window's first maximum (row-major order; the
 * first NaN counts as the maximum), the index that routes the gradient. Ranges count planes.
 *
 * @example
 * ```ts
 * const out = new Int32Array(1);
 * maxPool2dIndicesRange(new Float32Array([1, 4, 3, 2]), out, pool2dPlan([1, 1, 2, 2], { kernelSize: [2, 2], stride: [2, 2] }), 0, 1); // [1]
 * ```
 */
export function maxPool2dIndicesRange(x: Float32Array, out: Int32Array, plan: Pool2dPlan, planeStart: number, planeEnd: number): void {
  const { h, w, kh, kw, sh, sw, oh, ow } = plan;
  if (kh === 2 && kw === 2) {
    for (let p = planeStart; p < planeEnd; p++) {
      const base = p * h * w;
      let o = p * oh * ow;
      for (let y = 0; y < oh; y++) {
        for (let z = 0, first = y * sh * w; z < ow; z++, o++, first += sw) {
          const at = base + first;
          let best = x[at]!;
          let where = first;
          const b = x[at + 1]!;
          const c = x[at + w]!;
          const d = x[at + w + 1]!;
          if (!(b <= best) && best === best) {
            best = b;
            where = first + 1;
          }
          if (!(c <= best) && best === best) {
            best = c;
            where = first + w;
          }
          if (!(d <= best) && best === best) where = first + w + 1;
          out[o] = where;
        }
      }
    }
    return;
  }
  for (let p = planeStart; p < planeEnd; p++) {
    const base = p * h * w;
    let o = p * oh * ow;
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++, o++) {
        const first = y * sh * w + z * sw;
        let best = x[base + first]!;
        let where = first;
        for (let i = 0; i < kh && best === best; i++) {
          for (let j = 0, r = first + i * w; j < kw; j++) {
            const v = x[base + r + j]!;
            if (!(v <= best)) {
              best = v;
              where = r + j;
              if (v !== v) break;
            }
          }
        }
        out[o] = where;
      }
    }
  }
}
