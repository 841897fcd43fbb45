/**
 * The calling thread's side of the worker pool in a browser (see pool-core.ts): compute workers
 * are module Web Workers that take each task from their `message` event (a browser has no
 * synchronous receive), and the calling thread waits on each helper's state slot with
 * `Atomics.wait` inside a worker, or by polling `Atomics.load` on a page's main thread (where
 * `Atomics.wait` is not allowed). A worker's error text comes back through shared memory, as the
 * blocked calling thread cannot take a message either. There is no watchdog thread: a Web Worker
 * ends only when it is terminated, and a worker that fails to load reports it through its
 * `error` event (turned into the worker's `DEAD` state).
 */
import type { TaskMessage } from './compute';
import { createControl, DEAD, EXIT_CODE, FAULT_EXIT, FAULT_THROW, IDLE, INJECT, SHUTDOWN, slot, STATE } from './control';
import { PoolCore, type Fault } from './pool-core';

/** UTF-16 code units of a worker's error text kept in shared memory (longer texts are cut). */
export const ERROR_CHARS = 1024;

/** The first message to a compute Web Worker. */
export interface BrowserInit {
  readonly init: true;
  readonly ctrl: Int32Array;
  /** Per worker: the text's length at `[w · (ERROR_CHARS + 1)]`, then its code units. */
  readonly errors: Uint16Array;
  readonly index: number;
}

/** What a compute Web Worker posts back: that it runs. */
export interface BrowserOnline {
  readonly online: number;
}

/** The part of a browser's `Worker` used here (the package's TypeScript libs have no DOM). */
interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { readonly message?: string; preventDefault(): void }) => void): void;
}

type WebWorkerConstructor = new (url: URL, options: { type: 'module'; name: string }) => WebWorker;

/**
 * A module Web Worker from `url`, or from the package's own worker entry. The default is written
 * as `new Worker(new URL('./worker.browser.js', import.meta.url), { type: 'module' })` so that
 * bundlers that follow that pattern (Vite, webpack 5, Parcel) bundle the worker with the page.
 */
function startWorker(url: URL | undefined, name: string): WebWorker {
  const Worker = (globalThis as { Worker?: WebWorkerConstructor }).Worker;
  if (Worker === undefined) throw new Error('workerBackend: this thread has no Worker constructor to start Web Workers with');
  if (url !== undefined) return new Worker(url, { type: 'module', name });
  return new Worker(new URL('./worker.browser.js', import.meta.url), { type: 'module', name });
}

/** Whether this thread may block in `Atomics.wait` (a worker may; a page's main thread may not). */
function mayWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A persistent pool of Web Workers plus the calling thread (a page's main thread or a worker).
 *
 * @example
 * ```ts
 * const pool = new BrowserPool(1); // the package's worker entry
 * await pool.online();
 * pool.run('fill', { kind: 'fill', out, value: 1, dtype: 'float32' }, 1024, 256, 1, false);
 * ```
 */
export class BrowserPool extends PoolCore {
  private readonly threads: (WebWorker | undefined)[] = [];
  /** Why each worker died (its `error` event's message), when it did. */
  private readonly errorsSeen: (string | undefined)[] = [];
  private readonly errors: Uint16Array;
  private readonly blocking = mayWait();
  /** Settles when every first worker runs, or rejects when one fails to load. */
  private readonly started: Promise<void>;
  protected readonly stallMs = Infinity;

  constructor(workers: number, private readonly url?: URL) {
    super(workers);
    this.ctrl = createControl(workers);
    this.errors = new Uint16Array(new SharedArrayBuffer(workers * (ERROR_CHARS + 1) * 2));
    const starts: Promise<void>[] = [];
    for (let w = 0; w < workers; w++) starts.push(this.spawn(w));
    this.started = Promise.all(starts).then(() => {});
    this.started.catch(() => {}); // surfaced by online() (and by each run's DEAD state), not as an unhandled rejection
  }

  /** Start compute worker `w` (replacing any old one); resolves once it runs. */
  private spawn(w: number): Promise<void> {
    this.threads[w]?.terminate();
    this.errorsSeen[w] = undefined;
    Atomics.store(this.ctrl, slot(w, STATE), IDLE);
    const worker = startWorker(this.url, `tensorgrad-worker-${w + 1}`);
    this.threads[w] = worker;
    return new Promise<void>((resolve, reject) => {
      worker.addEventListener('message', (e) => {
        if ((e.data as BrowserOnline | undefined)?.online === w) resolve();
      });
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        const text = e.message || `the worker script ${this.url?.href ?? "@tensorgrad/backend-worker's worker.browser.js"} failed to load (is it where the page looks for it, and served with the page's Cross-Origin-Embedder-Policy? workerBackend({ workerUrl }) points at a copy)`;
        if (this.threads[w] !== worker || this.closed) return;
        this.errorsSeen[w] = text;
        this.threads[w] = undefined;
        Atomics.store(this.ctrl, slot(w, EXIT_CODE), 1);
        Atomics.store(this.ctrl, slot(w, STATE), DEAD);
        Atomics.notify(this.ctrl, slot(w, STATE));
        reject(new Error(`workerBackend: Web Worker ${w + 1} failed: ${text}`));
      });
      const init: BrowserInit = { init: true, ctrl: this.ctrl, errors: this.errors, index: w };
      worker.postMessage(init);
    });
  }

  protected post(w: number, message: TaskMessage): void {
    this.threads[w]?.postMessage(message);
  }

  protected respawn(w: number): void {
    void this.spawn(w).catch(() => {});
  }

  protected failure(w: number): string | undefined {
    const at = w * (ERROR_CHARS + 1);
    const length = Atomics.load(this.errors, at);
    if (length === 0) return undefined;
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(this.errors[at + 1 + i]!);
    Atomics.store(this.errors, at, 0);
    return text;
  }

  protected death(w: number): string {
    const text = `Web Worker ${w + 1} ended${this.errorsSeen[w] ? ` (${this.errorsSeen[w]})` : ` with code ${Atomics.load(this.ctrl, slot(w, EXIT_CODE))}`}`;
    this.respawn(w);
    return text;
  }

  protected stalled(w: number): string {
    return `worker ${w + 1} stalled`; // never: a browser pool has no heartbeat to miss (stallMs is Infinity)
  }

  protected wait(at: number, value: number, ms: number): 'ok' | 'not-equal' | 'timed-out' {
    if (this.blocking) return Atomics.wait(this.ctrl, at, value, ms);
    const until = performance.now() + ms;
    for (let s = 1; Atomics.load(this.ctrl, at) === value; s++) if ((s & 255) === 0 && performance.now() > until) return 'timed-out';
    return 'ok';
  }

  /** `'exit'`: the worker marks itself dead and closes; `'throw'`: it throws. There is no watchdog to stop in a browser. */
  injectFault(kind: Fault): void {
    if (kind === 'watchdog') throw new Error(`workerBackend: a browser pool has no watchdog thread to stop`);
    Atomics.store(this.ctrl, INJECT, kind === 'exit' ? FAULT_EXIT : FAULT_THROW);
  }

  online(): Promise<void> {
    return this.started;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, SHUTDOWN, 1);
    for (const worker of this.threads) worker?.terminate();
    this.threads.length = 0;
  }
}
