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
