/**
 * Keeping the page responsive while it trains: work in time slices of a few milliseconds, each
 * followed by a yield to the browser (an animation frame), and a monitor of the gaps between
 * animation frames, which the tests read.
 */

/** Milliseconds of training per slice before the page yields to the browser. */
export const SLICE_MS = 10;

/**
 * Resolve at the next animation frame, or after 100 ms where frames do not come (a hidden tab,
 * which the browser gives no frames), so training goes on in the background.
 *
 * @example
 * ```ts
 * await nextFrame(); // the browser has painted (or 100 ms went by)
 * ```
 */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(finish, 100);
    requestAnimationFrame(finish);
  });
}

/**
 * Records the gaps between consecutive animation frames while recording is on.
 *
 * @example
 * ```ts
 * const monitor = new FrameMonitor();
 * monitor.start(); // … train …
 * Math.max(...monitor.gaps()); // the longest frame gap, in ms
 * ```
 */
export class FrameMonitor {
  private recorded: number[] = [];
  private last: number | null = null;
  private recording = false;
  private handle = 0;

  /** Clear the gaps recorded so far and record from the next frame on. */
  start(): void {
    this.recorded = [];
    this.last = null;
    if (this.recording) return;
    this.recording = true;
    const tick = (t: number) => {
      if (!this.recording) return;
      if (this.last !== null) this.recorded.push(t - this.last);
      this.last = t;
      this.handle = requestAnimationFrame(tick);
    };
    this.handle = requestAnimationFrame(tick);
  }

  /** Stop recording; the gaps stay readable until the next {@link FrameMonitor.start}. */
  stop(): void {
    this.recording = false;
    cancelAnimationFrame(this.handle);
  }

  /** The gaps between frames, in milliseconds, since the last {@link FrameMonitor.start}. */
  gaps(): number[] {
    return [...this.recorded];
  }
}

/** The parts of one sliced training run, for {@link trainInSlices}. */
export interface SlicedRun {
  /** Whether the run goes on: not paused, not reset, its target not reached. */
  going(): boolean;
  /** Whether a reset replaced this run: then it ends without drawing again. */
  replaced(): boolean;
  /** One training step; true ends the slice early (an evaluation is due, say). */
  step(): Promise<boolean>;
  /** After each slice, before the page gets its frame: redraw, status. */
  afterSlice(): Promise<void>;
}

/**
 * Train while `run.going()`: steps for up to {@link SLICE_MS} ms, then `run.afterSlice()`, then
 * {@link nextFrame}, so the browser paints and handles input between slices.
 *
 * @example
 * ```ts
 * await trainInSlices({ going: () => steps < 300, replaced: () => false, step: async () => (steps++, false), afterSlice: async () => draw() });
 * ```
 */
export async function trainInSlices(run: SlicedRun): Promise<void> {
  while (run.going()) {
    const t0 = performance.now();
    while (run.going() && performance.now() - t0 < SLICE_MS) if (await run.step()) break;
    if (run.replaced()) return;
    await run.afterSlice();
    await nextFrame();
  }
}

/** What a tab's run does, for {@link TrainingRun.run}. */
export interface RunHooks {
  /** The trainer's steps so far. */
  steps(): number;
  /** One training step; true ends the slice early (an evaluation is due, say). */
  step(): Promise<boolean>;
  /** After each slice, before the page gets its frame: redraw and status; `rate` is steps per second since the run began. */
  afterSlice(rate: number): Promise<void>;
}

/**
 * A tab's training runs through {@link trainInSlices}: one at a time, paused after the step that is
 * going on, and superseded by a reset, which waits for the run to stop. While a run goes on,
 * `frames` records the frame gaps and `busy(true)` has been called (the Start button disabled).
 *
 * @example
 * ```ts
 * const runs = new TrainingRun(frames, (on) => (startButton.disabled = on));
 * await runs.run(Infinity, { steps: () => trainer.steps, step: async () => (await trainer.step(), false), afterSlice: async () => draw() });
 * ```
 */
export class TrainingRun {
  private going = false;
  /** Bumped by every {@link TrainingRun.supersede}: a run of an older generation stops. */
  private generation = 0;
  /** The run going on (settled when none). */
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly frames: FrameMonitor,
    private readonly busy: (on: boolean) => void,
  ) {}

  /** Whether a run is going on. */
  get running(): boolean {
    return this.going;
  }

  /** Stop the run after its current step. */
  pause(): void {
    this.going = false;
  }

  /** Stop the run and start a new generation; {@link TrainingRun.settled} then tells whether it is still the latest. */
  supersede(): number {
    this.going = false;
    return ++this.generation;
  }

  /** Wait for the run to stop; true when `generation` (from {@link TrainingRun.supersede}) is still the latest. */
  async settled(generation: number): Promise<boolean> {
    await this.current;
    return generation === this.generation;
  }

  /** Train until `target` steps, a pause or a reset; nothing when a run is going on already. */
  run(target: number, hooks: RunHooks): Promise<void> {
    if (this.going) return Promise.resolve();
    const run = this.loop(target, hooks);
    this.current = run.catch(() => undefined);
    return run;
  }

  private async loop(target: number, hooks: RunHooks): Promise<void> {
    const generation = this.generation;
    this.going = true;
    this.frames.start();
    this.busy(true);
    const began = performance.now();
    const first = hooks.steps();
    try {
      await trainInSlices({
        going: () => this.going && generation === this.generation && hooks.steps() < target,
        replaced: () => generation !== this.generation,
        step: () => hooks.step(),
        afterSlice: () => hooks.afterSlice(((hooks.steps() - first) / (performance.now() - began)) * 1000),
      });
    } finally {
      if (generation === this.generation) this.going = false;
      this.frames.stop();
      this.busy(false);
    }
  }
}
