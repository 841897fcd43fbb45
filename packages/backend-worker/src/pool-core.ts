/**
 * The calling thread's side of the worker pool, on any platform: hands a task to each helper
 * (a message with the task, whose arrays are shared, then a bump of the worker's sequence slot
 * and `Atomics.notify`), runs chunks itself, then waits on each helper's state slot. How a
 * message reaches a worker, how the calling thread blocks, and how a failed or dead worker is
 * reported are the platform's (`pool.ts` for Node's `worker_threads`, `pool.browser.ts` for Web
 * Workers); the control array's protocol (control.ts) is the same for both.
 */
import type { TaskMessage } from './compute';
import { busy, DEAD, FAILED, HEARTBEAT, IDLE, INJECT, NEXT, SEQ, slot, STATE, WORKER_CHUNKS } from './control';
import { runChunks, runRange, type Task } from './task';

/**
 * Microseconds the calling thread polls a worker's state before blocking: a worker finishing its
 * last chunk is usually that close, and a futex wake-up costs ~20–30 µs. The calling thread has
 * nothing else to do meanwhile, and the worker runs on the other core.
 */
const SPIN_US = 50;
/** A long wait wakes this often to check the heartbeat and the patience. */
const SLICE_MS = 250;
/** A task not taken by its worker for this long is withdrawn and done by the calling thread. */
const PATIENCE_MS = 10_000;

/** What {@link PoolCore.await} returns when the heartbeat stalled (not a state any thread stores). */
const STALLED = -1;

const finished = (state: number): boolean => state === IDLE || state === FAILED || state === DEAD;

/** The faults a test can inject (see {@link PoolCore.injectFault}). */
export type Fault = 'exit' | 'throw' | 'watchdog';

/**
 * A persistent pool of compute workers plus the calling thread; a platform's pool extends it.
 *
 * @example
 * ```ts
 * const pool: PoolCore = new WorkerPool(1); // Node's; BrowserPool in a page
 * pool.run('fill', { kind: 'fill', out, value: 1, dtype: 'float32' }, 1024, 256, 1, false);
 * ```
 */
export abstract class PoolCore {
  protected ctrl!: Int32Array;
  /** Tasks withdrawn after {@link PATIENCE_MS} without their worker taking them (a statistic for tests). */
  late = 0;
  /** Chunks run by workers of earlier (restarted) pools. */
  protected chunksBefore = 0;
  protected closed = false;
  /**
   * Set when a run gave up on a worker that may still be running (the watchdog stopped): its
   * output must never be reused, as that worker could still write to it.
   */
  abandoned = false;

  constructor(readonly workers: number) {}

  /** Post task `message` to worker `w`. */
  protected abstract post(w: number, message: TaskMessage): void;
  /** Replace worker `w`, found dead (its state is `DEAD`). */
  protected abstract respawn(w: number): void;
  /** The text of worker `w`'s error, after it stored `FAILED`. */
  protected abstract failure(w: number): string | undefined;
  /** Why worker `w` died (and replace it). */
  protected abstract death(w: number): string;
  /** Milliseconds without a heartbeat after which the watchdog is taken for gone (Infinity: there is none). */
  protected abstract readonly stallMs: number;
  /** Restart the pool after the heartbeat stalled; returns what to tell the caller. */
  protected abstract stalled(w: number): string;
  /** Block until `ctrl[at]` is no longer `value` or `ms` passed; 'timed-out' when it did not change. */
  protected abstract wait(at: number, value: number, ms: number): 'ok' | 'not-equal' | 'timed-out';

  /**
   * Run `task`'s `units` in chunks of `chunk` units on the calling thread and up to `helpers`
   * workers, returning when all are done; with `shrink > 0`, in shrinking chunks of at least
   * `chunk` and at most `largest` units (see {@link runChunks}). With `fixed`, thread `j` (the calling thread is 0)
   * first runs chunk `j` and every helper is waited for (the tests' way to make workers run
   * tiny kernels); otherwise threads claim chunks as they come, and a helper that has not woken
   * by the time the calling thread ran out of chunks is withdrawn rather than waited for.
   * Throws (after every live worker has finished, so no thread still writes the output) if any
   * part failed, naming `op` and the worker.
   */
  run(op: string, task: Task, units: number, chunk: number, helpers: number, fixed: boolean, shrink = 0, largest = Infinity): void {
    if (this.closed) throw new Error(`worker backend: ${op}: the backend was closed`);
    this.abandoned = false;
    const ctrl = this.ctrl;
    const given = Math.min(helpers, this.workers);
    // an injected fault must reach a worker: never withdraw then
    const withdraw = !fixed && Atomics.load(ctrl, INJECT) === 0;
    Atomics.store(ctrl, NEXT, fixed ? given + 1 : 0);
    for (let w = 0; w < given; w++) {
      if (Atomics.load(ctrl, slot(w, STATE)) === DEAD) this.respawn(w); // died since its last task
      const seq = (Atomics.load(ctrl, slot(w, SEQ)) + 1) | 0;
      // the state first: a worker that reads its messages as they come (a Web Worker) finds it set
      Atomics.store(ctrl, slot(w, STATE), busy(seq));
      this.post(w, { seq, task, units, chunk, home: fixed ? w + 1 : -1, shrink: fixed ? 0 : shrink, largest });
      Atomics.store(ctrl, slot(w, SEQ), seq);
      Atomics.notify(ctrl, slot(w, SEQ));
    }
    let own: unknown = null;
    try {
      runChunks(ctrl, NEXT, task, units, chunk, fixed ? 0 : -1, fixed ? 0 : shrink, largest);
    } catch (e) {
      own = e;
      Atomics.store(ctrl, NEXT, units); // helpers stop claiming
    }
    const failures: string[] = [];
    for (let w = 0; w < given; w++) {
      const at = slot(w, STATE);
      const tag = busy(Atomics.load(ctrl, slot(w, SEQ)));
      if (withdraw && Atomics.compareExchange(ctrl, at, tag, IDLE) === tag) continue; // it never started: nothing to wait for
      let state = this.await(at, tag);
      if (state === tag) {
        // not taken for PATIENCE_MS (a worker still starting on a loaded machine): withdraw it and do its part here
        if (Atomics.compareExchange(ctrl, at, tag, IDLE) === tag) {
          this.late++;
          if (fixed && own === null) runRange(task, (w + 1) * chunk, Math.min(units, (w + 2) * chunk));
          continue;
        }
        state = this.await(at, tag);
      }
      if (state === FAILED) {
        const message = this.failure(w);
        Atomics.store(ctrl, at, IDLE);
        failures.push(`worker ${w + 1} threw ${message ?? 'an unknown error'}`);
      } else if (state === DEAD) {
        failures.push(this.death(w)); // the next op finds a fresh worker
      } else if (state === STALLED) {
        failures.push(this.stalled(w));
        this.abandoned = true;
        break;
      }
    }
    if (own !== null) throw own;
    if (failures.length > 0) throw new Error(`worker backend: ${op} failed: ${failures.join('; ')}`);
  }

  /**
   * Block until the state at `at` is finished, or is still `tag` (the task not taken) after
   * {@link PATIENCE_MS}, or the heartbeat stalls ({@link STALLED}); returns the last state seen.
   */
  private await(at: number, tag: number): number {
    const ctrl = this.ctrl;
    let state = Atomics.load(ctrl, at);
    if (!finished(state)) {
      const until = performance.now() + SPIN_US / 1000;
      for (let s = 1; !finished(state); s++) {
        state = Atomics.load(ctrl, at);
        if ((s & 63) === 0 && performance.now() > until) break;
      }
    }
    const since = performance.now();
    let beat = Atomics.load(ctrl, HEARTBEAT);
    let beatAt = since;
    while (!finished(state)) {
      const woke = this.wait(at, state, SLICE_MS);
      state = Atomics.load(ctrl, at);
      if (woke !== 'timed-out') continue;
      const now = performance.now();
      const next = Atomics.load(ctrl, HEARTBEAT);
      if (next !== beat) {
        beat = next;
        beatAt = now;
      } else if (now - beatAt > this.stallMs) return STALLED;
      if (state === tag && now - since > PATIENCE_MS) return state;
    }
    return state;
  }

  /** Chunks run by workers so far (the calling thread's are not counted). */
  workerChunks(): number {
    return this.chunksBefore + Atomics.load(this.ctrl, WORKER_CHUNKS);
  }

  /**
   * Test hook: the next worker that picks up a task exits (`'exit'`) or throws (`'throw'`);
   * `'watchdog'` stops the watchdog thread itself (and with it every worker).
   */
  abstract injectFault(kind: Fault): void;
  /** Resolves once every thread of the pool can take tasks; rejects if one failed to start. */
  abstract online(): Promise<void>;
  /** Stop every worker; later runs throw. */
  abstract close(): Promise<void>;
}
