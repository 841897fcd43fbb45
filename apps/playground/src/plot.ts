/** Canvas drawing of the page: the decision boundary, the points, line charts and probability bars. */
import type { Points } from './datasets';

/** Colours of class 0 and class 1, as [r, g, b]. */
export const CLASS_RGB: readonly [readonly [number, number, number], readonly [number, number, number]] = [
  [245, 147, 34],
  [8, 119, 189],
];

const css = (rgb: readonly number[]) => `rgb(${rgb.join(',')})`;

/**
 * A 2-D context of `canvas`, or an error saying that there is none. Software-rendered
 * (`willReadFrequently`): the page's canvases are small and redrawn often, which a CPU canvas
 * does at once where a GPU-backed one (worse, one on an emulated GPU) pays to upload every frame.
 */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error(`canvas #${canvas.id}: no 2-D context`);
  return ctx;
}

/**
 * The points of a `grid × grid` lattice over [-1, 1]², row by row from the top (y = 1), as
 * `[x, y]` pairs: the inputs whose predictions make the heat map.
 */
export function gridPoints(grid: number): Float32Array {
  if (!Number.isInteger(grid) || grid < 2) throw new Error(`gridPoints: grid must be an integer of at least 2, got ${String(grid)}`);
  const xy = new Float32Array(2 * grid * grid);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      xy[2 * (r * grid + c)] = -1 + (2 * (c + 0.5)) / grid;
      xy[2 * (r * grid + c) + 1] = 1 - (2 * (r + 0.5)) / grid;
    }
  }
  return xy;
}

/** The heat map's own small canvas, reused from one redraw to the next. */
let heatCanvas: HTMLCanvasElement | null = null;

/**
 * Paint the decision boundary: `probs` are the class-1 probabilities of {@link gridPoints}(grid),
 * shaded from class 0's colour through white to class 1's, scaled smoothly to the canvas.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, probs: Float32Array, grid: number): void {
  if (probs.length !== grid * grid) throw new Error(`drawHeatmap: ${probs.length} probabilities for a ${grid} × ${grid} grid`);
  if (!heatCanvas || heatCanvas.width !== grid) {
    heatCanvas = document.createElement('canvas');
    heatCanvas.width = grid;
    heatCanvas.height = grid;
  }
  const small = heatCanvas;
  const sctx = context2d(small);
  const image = sctx.createImageData(grid, grid);
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    const [rgb, t] = p < 0.5 ? [CLASS_RGB[0], (0.5 - p) * 2] : [CLASS_RGB[1], (p - 0.5) * 2];
    const strength = 0.65 * t; // never fully saturated, so the points stand out
    for (let k = 0; k < 3; k++) image.data[4 * i + k] = Math.round(255 + (rgb[k]! - 255) * strength);
    image.data[4 * i + 3] = 255;
  }
  sctx.putImageData(image, 0, 0);
  const ctx = context2d(canvas);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/** Draw points over [-1, 1]² on `canvas`: filled with their class's colour, white-ringed for training points, black-ringed for test points. */
export function drawPoints(canvas: HTMLCanvasElement, points: Points, ring: 'white' | 'black'): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  ctx.lineWidth = 1;
  ctx.strokeStyle = ring;
  for (let i = 0; i < points.size; i++) {
    const x = ((points.xy[2 * i]! + 1) / 2) * width;
    const y = ((1 - points.xy[2 * i + 1]!) / 2) * height;
    ctx.beginPath();
    ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = css(CLASS_RGB[points.labels[i]! === 1 ? 1 : 0]);
    ctx.fill();
    ctx.stroke();
  }
}

/** One line of a {@link drawChart}: `[x, y]` points, its colour and its legend. */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  /** Which y axis: `'left'` (default, 0 to the largest value of the left series) or `'right'` (0 to 1). */
  readonly axis?: 'left' | 'right';
}

/**
 * A small line chart: x from 0 to the largest x, left axis from 0 to the largest left value,
 * right axis 0 to 1 (for accuracies), a legend with each series' last value.
 */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], xLabel = 'step'): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  const pad = { l: 40, r: series.some((s) => s.axis === 'right') ? 36 : 10, t: 20, b: 22 };
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  let xMax = 1;
  let yMax = 0;
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (x > xMax) xMax = x;
      if (s.axis !== 'right' && Number.isFinite(y) && y > yMax) yMax = y;
    }
  }
  yMax = yMax > 0 ? yMax * 1.05 : 1;
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const px = (x: number) => pad.l + (x / xMax) * w;
  const py = (y: number, right: boolean) => pad.t + h - (Math.max(0, y) / (right ? 1 : yMax)) * h;
  // axes and labels
  ctx.strokeStyle = '#999';
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.l, pad.t, w, h);
  ctx.fillStyle = '#444';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.fillText(yMax.toPrecision(2), pad.l - 4, pad.t + 9);
  ctx.fillText('0', pad.l - 4, pad.t + h);
  if (pad.r > 10) {
    ctx.textAlign = 'left';
    ctx.fillText('1', pad.l + w + 4, pad.t + 9);
    ctx.fillText('0', pad.l + w + 4, pad.t + h);
  }
  ctx.textAlign = 'center';
  ctx.fillText(`${xLabel} ${Math.round(xMax)}`, pad.l + w / 2, height - 6);
  // lines
  for (const s of series) {
    const right = s.axis === 'right';
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    // at most one vertex per pixel column: long runs stay cheap to draw
    const stride = Math.max(1, Math.floor(s.points.length / w));
    s.points.forEach(([x, y], i) => {
      if (i % stride !== 0 && i !== s.points.length - 1) return;
      if (i === 0) ctx.moveTo(px(x), py(y, right));
      else ctx.lineTo(px(x), py(y, right));
    });
    ctx.stroke();
  }
  // legend
  ctx.textAlign = 'left';
  let lx = pad.l + 4;
  for (const s of series) {
    const last = s.points.at(-1);
    const text = `${s.label}${last ? ` ${last[1].toFixed(3)}` : ''}`;
    ctx.fillStyle = s.color;
    ctx.fillRect(lx, 6, 10, 3);
    ctx.fillStyle = '#333';
    ctx.fillText(text, lx + 14, 12);
    lx += 22 + ctx.measureText(text).width;
  }
}

/** Ten bars of class probabilities, the largest highlighted. */
export function drawBars(canvas: HTMLCanvasElement, probs: ArrayLike<number>): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const n = probs.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (probs[i]! > probs[best]!) best = i;
  const slot = width / n;
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    const bh = p * (height - 34);
    ctx.fillStyle = i === best ? '#0877bd' : '#9cc3e0';
    ctx.fillRect(i * slot + 4, height - 18 - bh, slot - 8, bh);
    ctx.fillStyle = '#222';
    ctx.fillText(String(i), i * slot + slot / 2, height - 4);
    ctx.fillText(`${Math.round(p * 100)}`, i * slot + slot / 2, height - 22 - bh);
  }
}

/** Show a 28×28 image (values in [0, 1], 1 = ink) on `canvas`, white ink on black, pixels as squares. */
export function drawDigit(canvas: HTMLCanvasElement, image: Float32Array): void {
  const ctx = context2d(canvas);
  const side = Math.round(Math.sqrt(image.length));
  const cell = canvas.width / side;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (let i = 0; i < image.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, image[i]!)) * 255);
    if (v === 0) continue;
    ctx.fillStyle = `rgb(${v},${v},${v})`;
    ctx.fillRect((i % side) * cell, Math.floor(i / side) * cell, Math.ceil(cell), Math.ceil(cell));
  }
}
