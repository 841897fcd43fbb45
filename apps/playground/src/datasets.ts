/**
 * The Playground tab's 2-D data sets: two classes of points in the square [-1, 1]², generated
 * from a seed with a noise level, and split into train and test points.
 */
import { gaussian, seededRandom } from './random';

/** The data sets the Playground tab offers. */
export const DATASET_NAMES = ['spirals', 'circles', 'xor', 'blobs'] as const;
/** One of {@link DATASET_NAMES}. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Points (`x`, `y` interleaved: `[x0, y0, x1, y1, …]`) and their class, 0 or 1. */
export interface Points {
  readonly xy: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

/** Options of {@link makeDataset}. */
export interface DatasetOptions {
  /** Points in all, train and test together (default 400). */
  readonly count?: number;
  /** Noise in [0, 1] (default 0.1): how far points stray from their class's shape. */
  readonly noise?: number;
  /** Fraction of the points used for training, in (0, 1) (default 0.5). */
  readonly trainFraction?: number;
  /** Seed of the generator (default 1). */
  readonly seed?: number;
}

/** A generated data set, split. */
export interface Dataset {
  readonly name: DatasetName;
  readonly train: Points;
  readonly test: Points;
}

const clamp = (v: number) => Math.max(-1, Math.min(1, v));

/**
 * Generate `name` with `options`, shuffle it and split it into train and test points.
 * Throws for an unknown name or an option out of range.
 *
 * @example
 * ```ts
 * const { train, test } = makeDataset('spirals', { count: 400, noise: 0.1, seed: 3 });
 * train.size; // 200
 * ```
 */
export function makeDataset(name: DatasetName, options: DatasetOptions = {}): Dataset {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new Error(`makeDataset: unknown data set ${JSON.stringify(name)}; expected one of ${DATASET_NAMES.join(', ')}`);
  }
  for (const key of Object.keys(options)) {
    if (!['count', 'noise', 'trainFraction', 'seed'].includes(key)) throw new Error(`makeDataset: unknown option ${JSON.stringify(key)}; expected count, noise, trainFraction or seed`);
  }
  const { count = 400, noise = 0.1, trainFraction = 0.5, seed = 1 } = options;
  if (!Number.isInteger(count) || count < 4 || count > 100_000) throw new Error(`makeDataset: count must be an integer in [4, 100000], got ${String(count)}`);
  if (!(noise >= 0 && noise <= 1)) throw new Error(`makeDataset: noise must be in [0, 1], got ${String(noise)}`);
  if (!(trainFraction > 0 && trainFraction < 1)) throw new Error(`makeDataset: trainFraction must be in (0, 1), got ${String(trainFraction)}`);
  if (!Number.isFinite(seed)) throw new Error(`makeDataset: seed must be a finite number, got ${String(seed)}`);

  const random = seededRandom(seed);
  const xy = new Float32Array(2 * count);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const [x, y] = POINT[name](label, random, noise);
    xy[2 * i] = clamp(x);
    xy[2 * i + 1] = clamp(y);
    labels[i] = label;
  }
  // shuffle, then cut
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const trainSize = Math.min(count - 1, Math.max(1, Math.round(count * trainFraction)));
  const pick = (from: number, to: number): Points => {
    const n = to - from;
    const p = { xy: new Float32Array(2 * n), labels: new Int32Array(n), size: n };
    for (let k = 0; k < n; k++) {
      const i = order[from + k]!;
      p.xy[2 * k] = xy[2 * i]!;
      p.xy[2 * k + 1] = xy[2 * i + 1]!;
      p.labels[k] = labels[i]!;
    }
    return p;
  };
  return { name, train: pick(0, trainSize), test: pick(trainSize, count) };
}

type PointOf = (label: number, random: () => number, noise: number) => [number, number];

/** One point of class `label` for each data set. */
const POINT: Record<DatasetName, PointOf> = {
  // two interleaved arms, 1.75 turns each, radius growing from 0 to 0.9
  spirals(label, random, noise) {
    const t = random();
    const r = 0.9 * t;
    const angle = 1.75 * 2 * Math.PI * t + label * Math.PI;
    return [r * Math.sin(angle) + 0.25 * noise * gaussian(random), r * Math.cos(angle) + 0.25 * noise * gaussian(random)];
  },
  // a disc (class 0) inside a ring (class 1)
  circles(label, random, noise) {
    const r = label === 0 ? 0.45 * random() : 0.6 + 0.3 * random();
    const angle = 2 * Math.PI * random();
    return [r * Math.sin(angle) + 0.25 * noise * gaussian(random), r * Math.cos(angle) + 0.25 * noise * gaussian(random)];
  },
  // class 1 where x and y have the same sign; a small margin keeps the axes clear
  xor(label, random, noise) {
    const margin = 0.05;
    let x = margin + (1 - margin) * random();
    let y = margin + (1 - margin) * random();
    if (random() < 0.5) x = -x;
    if ((x > 0) !== (label === 1)) y = -y;
    return [x + 0.5 * noise * gaussian(random), y + 0.5 * noise * gaussian(random)];
  },
  // two Gaussian clusters on the diagonal
  blobs(label, random, noise) {
    const c = label === 0 ? -0.45 : 0.45;
    const s = 0.12 + 0.45 * noise;
    return [c + s * gaussian(random), c + s * gaussian(random)];
  },
};
