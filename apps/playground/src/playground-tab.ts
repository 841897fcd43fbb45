/**
 * The Playground tab: a 2-D data set, an MLP with the chosen layers, activation, optimizer and
 * learning rate on the chosen backend; trained in time slices so the page stays responsive, with
 * the decision boundary and the train/test loss curves redrawn as it goes.
 */
import type { Backend } from '@tensorgrad/core';
import { BACKEND_NAMES, describeDevice, deviceOps, isBackendName, workerChunks, useBackend, type BackendName } from './backends';
import { DATASET_NAMES, makeDataset, type Dataset, type DatasetName } from './datasets';
import { byId } from './dom';
import { clearErrors, showError } from './errors';
import { FrameMonitor, TrainingRun } from './loop';
import { drawChart, drawHeatmap, drawPoints, gridPoints } from './plot';
import { ACTIVATIONS, OPTIMIZERS, Trainer, type Activation, type OptimizerName } from './trainer';

/** Every setting of the tab. */
export interface PlaygroundConfig {
  dataset: DatasetName;
  noise: number;
  seed: number;
  hidden: number[];
  activation: Activation;
  optimizer: OptimizerName;
  lr: number;
  /** Examples per step; `0` means the whole training set. */
  batchSize: number;
  backend: BackendName;
}

/** The tab's settings when the page opens. */
export const DEFAULT_CONFIG: PlaygroundConfig = {
  dataset: 'spirals',
  noise: 0.1,
  seed: 1,
  hidden: [16, 16],
  activation: 'tanh',
  optimizer: 'adam',
  lr: 0.03,
  batchSize: 0,
  backend: 'cpu',
};

/** What a training run gives back. */
export interface PlaygroundResult {
  /** The loss of every step's batch, in order. */
  losses: number[];
  testLoss: number;
  testAccuracy: number;
  backend: string;
  device?: string;
  /** Ops the backend has run on its device (gpujs), when it counts them. */
  deviceOps?: number;
  /** Chunks of split kernels the backend's Web Workers have run (worker). */
  workerChunks?: number;
}

/** Points per side of the heat map's grid. */
const GRID = 40;
/** Least time between two redraws of the heat map while training, in ms. */
const HEATMAP_EVERY_MS = 150;
/** Least time between two evaluations (and redraws of the loss chart) while training, in ms. */
const CHART_EVERY_MS = 100;

/**
 * Read hidden-layer widths from text such as `"8, 8"` (`""` is no hidden layer). Throws naming what is wrong.
 *
 * @example
 * ```ts
 * parseHidden('16,16'); // [16, 16]
 * ```
 */
export function parseHidden(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const widths = parts.map(Number);
  const bad = parts.find((s, i) => !/^\d+$/.test(s) || widths[i]! < 1 || widths[i]! > 256);
  if (bad !== undefined) throw new Error(`hidden layers: ${JSON.stringify(bad)} is not a width from 1 to 256 (write widths separated by commas, e.g. 8, 8)`);
  if (widths.length > 6) throw new Error(`hidden layers: at most 6, got ${widths.length}`);
  return widths;
}

/** The Playground tab's state and its controls. */
export class PlaygroundTab {
  config: PlaygroundConfig = { ...DEFAULT_CONFIG, hidden: [...DEFAULT_CONFIG.hidden] };
  /** Gaps between animation frames during the latest run. */
  readonly frames = new FrameMonitor();
  private trainer: Trainer | null = null;
  private backend: Backend | null = null;
  private data: Dataset | null = null;
  private losses: number[] = [];
  private history: { step: number; train: number; test: number }[] = [];
  private readonly runs = new TrainingRun(this.frames, (on) => (this.el.start.disabled = on));
  private lastHeatmap = 0;
  private lastChart = 0;
  private readonly grid = gridPoints(GRID);
  private pending: Promise<void> = Promise.resolve();
  private readonly el = {
    dataset: byId('pg-dataset', HTMLSelectElement),
    noise: byId('pg-noise', HTMLInputElement),
    noiseValue: byId('pg-noise-value', HTMLOutputElement),
    seed: byId('pg-seed', HTMLInputElement),
    hidden: byId('pg-hidden', HTMLInputElement),
    activation: byId('pg-activation', HTMLSelectElement),
    optimizer: byId('pg-optimizer', HTMLSelectElement),
    lr: byId('pg-lr', HTMLSelectElement),
    batch: byId('pg-batch', HTMLSelectElement),
    backend: byId('pg-backend', HTMLSelectElement),
    start: byId('pg-start', HTMLButtonElement),
    pause: byId('pg-pause', HTMLButtonElement),
    reset: byId('pg-reset', HTMLButtonElement),
    status: byId('pg-status', HTMLElement),
    boundary: byId('pg-boundary', HTMLCanvasElement),
    chart: byId('pg-chart', HTMLCanvasElement),
  };

  constructor() {
    const { el } = this;
    fill(el.dataset, DATASET_NAMES);
    fill(el.activation, ACTIVATIONS);
    fill(el.optimizer, OPTIMIZERS);
    fill(el.backend, BACKEND_NAMES);
    this.showConfig();
    for (const input of [el.dataset, el.seed, el.hidden, el.activation, el.optimizer, el.lr, el.batch, el.backend, el.noise]) {
      input.addEventListener('change', () => this.fromControls());
    }
    el.noise.addEventListener('input', () => (el.noiseValue.value = Number(el.noise.value).toFixed(2)));
    el.start.addEventListener('click', () => void this.start().catch((e) => showError('playground', e)));
    el.pause.addEventListener('click', () => this.pause());
    el.reset.addEventListener('click', () => void this.reset().catch((e) => showError('playground', e)));
  }

  /** Whether a run is going on. */
  get isRunning(): boolean {
    return this.runs.running;
  }

  /** Put {@link config} into the controls. */
  private showConfig(): void {
    const { el, config } = this;
    el.dataset.value = config.dataset;
    el.noise.value = String(config.noise);
    el.noiseValue.value = config.noise.toFixed(2);
    el.seed.value = String(config.seed);
    el.hidden.value = config.hidden.join(', ');
    el.activation.value = config.activation;
    el.optimizer.value = config.optimizer;
    if (![...el.lr.options].some((o) => Number(o.value) === config.lr)) el.lr.add(new Option(String(config.lr), String(config.lr)));
    el.lr.value = [...el.lr.options].find((o) => Number(o.value) === config.lr)!.value;
    if (![...el.batch.options].some((o) => Number(o.value) === config.batchSize)) el.batch.add(new Option(String(config.batchSize), String(config.batchSize)));
    el.batch.value = String(config.batchSize);
    el.backend.value = config.backend;
  }

  /** Read the controls into the settings and reset; a bad value is shown and leaves the settings as they were. */
  private fromControls(): void {
    const { el } = this;
    try {
      this.setConfig({
        dataset: el.dataset.value as DatasetName,
        noise: Number(el.noise.value),
        seed: Number(el.seed.value),
        hidden: parseHidden(el.hidden.value),
        activation: el.activation.value as Activation,
        optimizer: el.optimizer.value as OptimizerName,
        lr: Number(el.lr.value),
        batchSize: Number(el.batch.value),
        backend: el.backend.value as BackendName,
      });
    } catch (e) {
      showError('playground', e);
      return;
    }
    void this.reset().catch((e) => showError('playground', e));
  }

  /**
   * Check and take new settings (shown in the controls); they apply from the next reset. Throws
   * naming a bad setting.
   */
  setConfig(update: Partial<PlaygroundConfig>): void {
    const known = Object.keys(DEFAULT_CONFIG);
    for (const key of Object.keys(update)) if (!known.includes(key)) throw new Error(`playground: unknown setting ${JSON.stringify(key)}; expected one of ${known.join(', ')}`);
    const next = { ...this.config, ...update };
    if (!(DATASET_NAMES as readonly string[]).includes(next.dataset)) throw new Error(`playground: dataset must be one of ${DATASET_NAMES.join(', ')}, got ${JSON.stringify(next.dataset)}`);
    if (!isBackendName(next.backend)) throw new Error(`playground: backend must be one of ${BACKEND_NAMES.join(', ')}, got ${JSON.stringify(next.backend)}`);
    if (!(ACTIVATIONS as readonly string[]).includes(next.activation)) throw new Error(`playground: activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(next.activation)}`);
    if (!(OPTIMIZERS as readonly string[]).includes(next.optimizer)) throw new Error(`playground: optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(next.optimizer)}`);
    if (!(next.lr > 0 && next.lr <= 10)) throw new Error(`playground: lr must be in (0, 10], got ${String(next.lr)}`);
    if (!(next.noise >= 0 && next.noise <= 1)) throw new Error(`playground: noise must be in [0, 1], got ${String(next.noise)}`);
    if (!Number.isInteger(next.seed)) throw new Error(`playground: seed must be an integer, got ${String(next.seed)}`);
    if (!Number.isInteger(next.batchSize) || next.batchSize < 0) throw new Error(`playground: batchSize must be 0 (all) or a positive integer, got ${String(next.batchSize)}`);
    if (!Array.isArray(next.hidden)) throw new Error(`playground: hidden must be a list of widths, got ${JSON.stringify(next.hidden)}`);
    parseHidden(next.hidden.join(','));
    this.config = { ...next, hidden: [...next.hidden] };
    this.showConfig();
  }

  /**
   * Stop any run, make the data set and a fresh model on the chosen backend, and draw them.
   * Rejects (after showing it) when the backend fails to start.
   */
  reset(): Promise<void> {
    const generation = this.runs.supersede();
    const work = this.pending.then(async () => {
      // the run sees the new generation and stops after its step; a later reset supersedes this one
      if (!(await this.runs.settled(generation))) return;
      clearErrors();
      this.trainer?.dispose();
      this.trainer = null;
      this.losses = [];
      this.history = [];
      const { config } = this;
      this.data = makeDataset(config.dataset, { noise: config.noise, seed: config.seed });
      this.drawBoundary(null);
      this.drawChart();
      this.setStatus(`starting the ${config.backend} backend…`);
      this.backend = await useBackend(config.backend).catch((e: unknown) => {
        this.setStatus(`the ${config.backend} backend failed to start`);
        throw e;
      });
      const { train, test } = this.data;
      this.trainer = new Trainer(
        {
          features: 2,
          classes: 2,
          train: { inputs: train.xy, labels: train.labels, size: train.size },
          test: { inputs: test.xy, labels: test.labels, size: test.size },
          hidden: config.hidden,
          activation: config.activation,
          optimizer: config.optimizer,
          lr: config.lr,
          batchSize: config.batchSize === 0 ? train.size : config.batchSize,
          seed: config.seed,
        },
        this.backend,
      );
      await this.record();
      await this.refreshBoundary();
      this.drawChart();
      this.setStatus('ready');
    });
    this.pending = work.catch(() => undefined);
    return work.catch((e: unknown) => {
      showError('playground', e);
      throw e;
    });
  }

  /** Start (or go on) training until paused; a UI run records frame gaps. */
  async start(): Promise<void> {
    if (this.runs.running) return;
    if (!this.trainer) await this.reset();
    await this.run(Number.POSITIVE_INFINITY);
  }

  /** Pause the run after the current step. */
  pause(): void {
    this.runs.pause();
  }

  /**
   * Reset with `update` applied, train `steps` steps through the same sliced loop as the Start
   * button, and resolve with the losses.
   */
  async train(update: Partial<PlaygroundConfig>, steps: number): Promise<PlaygroundResult> {
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`playground.train: steps must be a positive integer, got ${String(steps)}`);
    this.setConfig(update);
    await this.reset();
    await this.run(steps);
    const trainer = this.trainer!;
    if (trainer.steps < steps) throw new Error(`playground.train: stopped after ${trainer.steps} of ${steps} steps (paused or reset)`);
    const test = await trainer.evaluate('test');
    return { losses: [...this.losses], testLoss: test.loss, testAccuracy: test.accuracy, backend: trainer.backend.name, device: describeDevice(trainer.backend), deviceOps: deviceOps(trainer.backend), workerChunks: workerChunks(trainer.backend) };
  }

  /** Train until `target` steps or a pause/reset, in slices of steps each followed by a redraw and a frame (`TrainingRun`). */
  private run(target: number): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return Promise.resolve();
    return this.runs.run(target, {
      steps: () => trainer.steps,
      step: async () => {
        this.losses.push(await trainer.step());
        return false;
      },
      afterSlice: async (rate) => {
        // at most one redraw per frame, so a frame's work stays near the slice's
        const done = trainer.steps >= target;
        if (done || performance.now() - this.lastChart > CHART_EVERY_MS) {
          await this.record();
          this.drawChart();
          this.lastChart = performance.now();
        }
        if (done || (performance.now() - this.lastHeatmap > HEATMAP_EVERY_MS && performance.now() - this.lastChart > 20)) await this.refreshBoundary();
        this.setStatus(`${rate.toFixed(0)} steps/s`);
      },
    });
  }

  /** Evaluate the full train and test losses now, for the chart. */
  private async record(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    const [train, test] = [await trainer.evaluate('train'), await trainer.evaluate('test')];
    this.history.push({ step: trainer.steps, train: train.loss, test: test.loss });
  }

  private async refreshBoundary(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    const probs = await trainer.predict(this.grid, GRID * GRID);
    const class1 = new Float32Array(GRID * GRID);
    for (let i = 0; i < class1.length; i++) class1[i] = probs[2 * i + 1]!;
    this.drawBoundary(class1);
    this.lastHeatmap = performance.now();
  }

  private drawBoundary(class1: Float32Array | null): void {
    const canvas = this.el.boundary;
    drawHeatmap(canvas, class1 ?? new Float32Array(GRID * GRID).fill(0.5), GRID);
    if (this.data) {
      drawPoints(canvas, this.data.train, 'white');
      drawPoints(canvas, this.data.test, 'black');
    }
  }

  private drawChart(): void {
    drawChart(this.el.chart, [
      { label: 'train loss', color: '#0877bd', points: this.history.map((h) => [h.step, h.train] as const) },
      { label: 'test loss', color: '#f59322', points: this.history.map((h) => [h.step, h.test] as const) },
    ]);
  }

  private setStatus(extra: string): void {
    const last = this.history.at(-1);
    const where = this.backend ? `${this.backend.name}${describeDevice(this.backend) ? ` (${describeDevice(this.backend)})` : ''}` : this.config.backend;
    this.el.status.textContent = `step ${this.trainer?.steps ?? 0} · train loss ${last ? last.train.toFixed(4) : '–'} · test loss ${last ? last.test.toFixed(4) : '–'} · ${where} · ${extra}`;
  }
}

/** Fill a `<select>` with `values` (as both value and text). */
function fill(select: HTMLSelectElement, values: readonly string[]): void {
  select.replaceChildren(...values.map((v) => new Option(v, v)));
}
