/**
 * A drawn digit made to look like an MNIST one: MNIST's digits were scaled (keeping their aspect
 * ratio) to fit a 20×20 box, anti-aliased, and placed in a 28×28 field with their centre of mass
 * at its centre. This does the same to a drawing, at whatever size it was drawn.
 */

/** Side of an MNIST image, in pixels. */
export const SIDE = 28;
/** Side of the box the digit's larger dimension is scaled to. */
export const BOX = 20;
/** Ink below this (in [0, 1]) counts as background when finding the digit's bounds. */
const INK = 0.05;

/**
 * Turn `ink` (`width × height` values in [0, 1], row-major, 1 = full ink) into a 28×28 MNIST-like
 * image (784 values in [0, 1]): crop to the ink, scale the larger side to 20 pixels with area
 * averaging, and centre by mass. An empty drawing gives all zeros.
 *
 * @example
 * ```ts
 * const image = preprocessDrawing(inkFromCanvas, 280, 280); // Float32Array(784)
 * ```
 */
export function preprocessDrawing(ink: ArrayLike<number>, width: number, height: number): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`preprocessDrawing: width and height must be positive integers, got ${String(width)} × ${String(height)}`);
  }
  if (!ink || ink.length !== width * height) throw new Error(`preprocessDrawing: expected ${width * height} ink values for ${width} × ${height}, got ${ink ? ink.length : String(ink)}`);
  const out = new Float32Array(SIDE * SIDE);
  // the ink's bounds
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  // area-average the cropped ink into tw × th: each source pixel adds its overlap with each target pixel
  const box = new Float32Array(tw * th);
  for (let y = y0; y <= y1; y++) {
    const ty0 = (y - y0) * scale;
    const ty1 = ty0 + scale;
    for (let x = x0; x <= x1; x++) {
      const v = ink[y * width + x]!;
      if (v <= 0) continue;
      const tx0 = (x - x0) * scale;
      const tx1 = tx0 + scale;
      for (let ty = Math.floor(ty0); ty < Math.min(th, Math.ceil(ty1)); ty++) {
        const oy = Math.min(ty1, ty + 1) - Math.max(ty0, ty);
        if (oy <= 0) continue;
        for (let tx = Math.floor(tx0); tx < Math.min(tw, Math.ceil(tx1)); tx++) {
          const ox = Math.min(tx1, tx + 1) - Math.max(tx0, tx);
          if (ox > 0) box[ty * tw + tx]! += v * ox * oy;
        }
      }
    }
  }
  // centre of mass of the box, then place it so that the mass sits at the field's centre
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = box[y * tw + x]!;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const ox = Math.round((SIDE - 1) / 2 - mx / mass);
  const oy = Math.round((SIDE - 1) / 2 - my / mass);
  for (let y = 0; y < th; y++) {
    const fy = y + oy;
    if (fy < 0 || fy >= SIDE) continue;
    for (let x = 0; x < tw; x++) {
      const fx = x + ox;
      if (fx >= 0 && fx < SIDE) out[fy * SIDE + fx] = Math.min(1, box[y * tw + x]!);
    }
  }
  return out;
}

/**
 * The ink of an RGBA image drawn white on black (a canvas's `getImageData().data`): its red channel in [0, 1].
 *
 * @example
 * ```ts
 * const ink = inkFromRgba(ctx.getImageData(0, 0, 280, 280).data);
 * ```
 */
export function inkFromRgba(rgba: ArrayLike<number>): Float32Array {
  if (!rgba || rgba.length % 4 !== 0) throw new Error(`inkFromRgba: expected RGBA bytes (a multiple of 4), got ${rgba ? rgba.length : String(rgba)}`);
  const ink = new Float32Array(rgba.length / 4);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i]! / 255;
  return ink;
}
