/**
 * The MNIST tab: an MLP (784-128-10, ReLU, Adam) trained on the bundled digits in time slices,
 * with the train loss and test accuracy drawn live, and a pad to draw a digit on and have it
 * classified.
 */
import type { Backend } from '@tensorgrad/core';
import { BACKEND_NAMES, describeDevice, isBackendName, useBackend, type BackendName } from './backends';
import { byId } from './dom';
import { clearErrors, showError } from './errors';
import { FrameMonitor, nextFrame, TrainingRun } from './loop';
import { loadMnist, normalizePixels, type MnistSubset } from './mnist-data';
import { drawBars, drawChart, drawDigit, context2d } from './plot';
import { inkFromRgba, preprocessDrawing } from './preprocess';
import { Trainer } from './trainer';

/** What an MNIST run gives back. */
export interface MnistResult {
  /** The loss of every step's batch, in order. */
  losses: number[];
  testLoss: number;
  testAccuracy: number;
  backend: string;
  device?: string;
}

/** Steps between two evaluations on the test digits. */
const EVAL_EVERY = 50;
/** Brush width on the 280×280 pad: about 2 MNIST pixels once the digit is scaled into its 20×20 box. */
const BRUSH = 20;

/** The MNIST tab's state and controls. */
export class MnistTab {
  backendName: BackendName = 'cpu';
  readonly frames = new FrameMonitor();
  private data: MnistSubset | null = null;
  private trainer: Trainer | null = null;
  private backend: Backend | null = null;
  private losses: number[] = [];
  private tests: { step: number; loss: number; accuracy: number }[] = [];
  private readonly runs = new TrainingRun(this.frames, (on) => (this.el.start.disabled = on));
  private pending: Promise<void> = Promise.resolve();
  private drawn = false;
  private readonly el = {
    backend: byId('mn-backend', HTMLSelectElement),
    start: byId('mn-start', HTMLButtonElement),
    pause: byId('mn-pause', HTMLButtonElement),
    reset: byId('mn-reset', HTMLButtonElement),
    status: byId('mn-status', HTMLElement),
    chart: byId('mn-chart', HTMLCanvasElement),
    pad: byId('mn-pad', HTMLCanvasElement),
    clear: byId('mn-clear', HTMLButtonElement),
    preview: byId('mn-preview', HTMLCanvasElement),
    bars: byId('mn-bars', HTMLCanvasElement),
    guess: byId('mn-guess', HTMLElement),
  };

  constructor() {
    const { el } = this;
    el.backend.replaceChildren(...BACKEND_NAMES.map((v) => new Option(v, v)));
    el.backend.value = this.backendName;
    el.backend.addEventListener('change', () => {
      this.backendName = el.backend.value as BackendName;
      void this.reset().catch(() => undefined);
    });
    el.start.addEventListener('click', () => void this.start().catch((e) => showError('mnist', e)));
    el.pause.addEventListener('click', () => this.runs.pause());
    el.reset.addEventListener('click', () => void this.reset().catch(() => undefined));
    el.clear.addEventListener('click', () => this.clearPad());
    this.setUpPad();
    this.clearPad();
    this.drawChart();
    drawBars(el.bars, new Float32Array(10));
  }

  /** Whether a run is going on. */
  get isRunning(): boolean {
    return this.runs.running;
  }

  /** Pause the run after its current step. */
  pause(): void {
    this.runs.pause();
  }

  /** Stop any run; load the digits (once) and make a fresh model on the chosen backend. */
  reset(): Promise<void> {
    const generation = this.runs.supersede();
    const work = this.pending.then(async () => {
      if (!(await this.runs.settled(generation))) return;
      clearErrors();
      this.trainer?.dispose();
      this.trainer = null;
      this.losses = [];
      this.tests = [];
      this.drawChart();
      this.setStatus('loading the digits…');
      this.data ??= await loadMnist();
      this.setStatus(`starting the ${this.backendName} backend…`);
      this.backend = await useBackend(this.backendName).catch((e: unknown) => {
        this.setStatus(`the ${this.backendName} backend failed to start`);
        throw e;
      });
      this.trainer = new Trainer(
        { features: 784, classes: 10, train: this.data.train, test: this.data.test, hidden: [128], activation: 'relu', optimizer: 'adam', lr: 1e-3, batchSize: 64, seed: 1 },
        this.backend,
      );
      await this.evaluate();
      this.setStatus('ready');
    });
    this.pending = work.catch(() => undefined);
    return work.catch((e: unknown) => {
      showError('mnist', e);
      throw e;
    });
  }

  /** Start (or go on) training until paused. */
  async start(): Promise<void> {
    if (this.runs.running) return;
    if (!this.trainer) await this.reset();
    await this.run(Number.POSITIVE_INFINITY);
  }

  /** Reset on `backend`, train `steps` steps through the sliced loop, and resolve with the results. */
  async train(backend: BackendName, steps: number): Promise<MnistResult> {
    if (!isBackendName(backend)) throw new Error(`mnist.train: backend must be one of ${BACKEND_NAMES.join(', ')}, got ${JSON.stringify(backend)}`);
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`mnist.train: steps must be a positive integer, got ${String(steps)}`);
    this.backendName = backend;
    this.el.backend.value = backend;
    await this.reset();
    await this.run(steps);
    const trainer = this.trainer!;
    if (trainer.steps < steps) throw new Error(`mnist.train: stopped after ${trainer.steps} of ${steps} steps (paused or reset)`);
    await this.evaluate();
    const last = this.tests.at(-1)!;
    return { losses: [...this.losses], testLoss: last.loss, testAccuracy: last.accuracy, backend: trainer.backend.name, device: describeDevice(trainer.backend) };
  }

  private async run(target: number): Promise<void> {
    const trainer = this.trainer;
    if (!trainer || this.runs.running) return;
    try {
      await this.runs.run(target, {
        steps: () => trainer.steps,
        step: async () => {
          this.losses.push(await trainer.step());
          return trainer.steps % EVAL_EVERY === 0; // an evaluation takes a slice of its own
        },
        afterSlice: async (rate) => {
          if (trainer.steps % EVAL_EVERY === 0) {
            await nextFrame();
            await this.evaluate();
          }
          this.drawChart();
          this.setStatus(`${rate.toFixed(0)} steps/s`);
        },
      });
    } finally {
      if (this.drawn) void this.classify().catch((e) => showError('mnist', e));
    }
  }

  private async evaluate(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    if (this.tests.at(-1)?.step === trainer.steps) return;
    const { loss, accuracy } = await trainer.evaluate('test');
    this.tests.push({ step: trainer.steps, loss, accuracy });
  }

  private drawChart(): void {
    // the batch losses, averaged over 10 steps so the line is readable
    const smooth: [number, number][] = [];
    for (let i = 9; i < this.losses.length; i += 10) {
      let s = 0;
      for (let k = i - 9; k <= i; k++) s += this.losses[k]!;
      smooth.push([i + 1, s / 10]);
    }
    drawChart(this.el.chart, [
      { label: 'train loss', color: '#0877bd', points: smooth },
      { label: 'test loss', color: '#f59322', points: this.tests.map((t) => [t.step, t.loss] as const) },
      { label: 'test accuracy', color: '#2a9d3a', points: this.tests.map((t) => [t.step, t.accuracy] as const), axis: 'right' },
    ]);
  }

  private setStatus(extra: string): void {
    const last = this.tests.at(-1);
    const where = this.backend ? `${this.backend.name}${describeDevice(this.backend) ? ` (${describeDevice(this.backend)})` : ''}` : this.backendName;
    const data = this.data ? `${this.data.train.size} train / ${this.data.test.size} test digits` : 'digits not loaded';
    this.el.status.textContent = `step ${this.trainer?.steps ?? 0} · test accuracy ${last ? (last.accuracy * 100).toFixed(1) + '%' : '–'} · ${data} · ${where} · ${extra}`;
  }

  private clearPad(): void {
    const ctx = context2d(this.el.pad);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.el.pad.width, this.el.pad.height);
    this.drawn = false;
    drawDigit(this.el.preview, new Float32Array(784));
    drawBars(this.el.bars, new Float32Array(10));
    this.el.guess.textContent = 'draw a digit';
  }

  /** Pointer drawing (mouse, pen and touch alike), white strokes on black. */
  private setUpPad(): void {
    const pad = this.el.pad;
    const ctx = context2d(pad);
    let last: [number, number] | null = null;
    let lastClassified = 0;
    const at = (e: PointerEvent): [number, number] => {
      const r = pad.getBoundingClientRect();
      return [((e.clientX - r.left) / r.width) * pad.width, ((e.clientY - r.top) / r.height) * pad.height];
    };
    const stroke = (from: [number, number], to: [number, number]) => {
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = BRUSH;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      ctx.moveTo(...from);
      ctx.lineTo(...to);
      ctx.stroke();
      this.drawn = true;
    };
    pad.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      pad.setPointerCapture(e.pointerId);
      last = at(e);
      stroke(last, last);
    });
    pad.addEventListener('pointermove', (e) => {
      if (!last) return;
      const p = at(e);
      stroke(last, p);
      last = p;
      if (performance.now() - lastClassified > 120) {
        lastClassified = performance.now();
        void this.classify().catch((err) => showError('mnist', err));
      }
    });
    const end = () => {
      if (!last) return;
      last = null;
      void this.classify().catch((err) => showError('mnist', err));
    };
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
  }

  /** Classify the pad's drawing with the current model (an untrained one guesses). */
  async classify(): Promise<Float32Array | null> {
    const pad = this.el.pad;
    const image = preprocessDrawing(inkFromRgba(context2d(pad).getImageData(0, 0, pad.width, pad.height).data), pad.width, pad.height);
    drawDigit(this.el.preview, image);
    const trainer = this.trainer;
    if (!trainer) {
      this.el.guess.textContent = 'press start (or reset) to make a model first';
      return null;
    }
    const probs = await trainer.predict(normalizePixels(image), 1);
    drawBars(this.el.bars, probs);
    let best = 0;
    for (let i = 1; i < 10; i++) if (probs[i]! > probs[best]!) best = i;
    this.el.guess.textContent = `${best} (${(probs[best]! * 100).toFixed(0)}%)${trainer.steps === 0 ? ' — untrained model' : ''}`;
    return probs;
  }
}
