/**
 * The calling thread's side of the worker pool: hands a task to each helper (`postMessage` of
 * the task, whose arrays are shared, then a bump of the worker's sequence slot and
 * `Atomics.notify`), runs chunks itself, then blocks in `Atomics.wait` on each helper's state
 * slot. Measured on the 2-core development machine: 17–21 µs per Atomics round trip, 24–30 µs
 * with the task message; piscina 5 and tinypool 2 cost 95–110 µs per (asynchronous) task, so
 * they are not used.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import {
  busy,
  createControl,
  DEAD,
  EXIT_CODE,
  FAILED,
  FAULT_EXIT,
  FAULT_THROW,
  HEARTBEAT,
  IDLE,
  INJECT,
  NEXT,
  SEQ,
  SHUTDOWN,
  slot,
  STATE,
  WORKER_CHUNKS,
} from './control';
import { runChunks, runRange, type Task } from './task';
import type { DeathReport, SpawnRequest, TaskMessage, WatchdogData } from './worker';

/** The built worker entry: beside this file once built, or in `dist/` when this file runs from `src/` (tests). */
function workerUrl(): URL {
  const candidates = [new URL('./worker.js', import.meta.url), new URL('../dist/worker.js', import.meta.url)];
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (found === undefined) throw new Error(`workerBackend: cannot find the worker entry (looked for ${candidates.map((u) => fileURLToPath(u)).join(', ')}): build @tensorgrad/backend-worker first`);
  return found;
}

/**
 * Microseconds the calling thread polls a worker's state before blocking in `Atomics.wait`: a
 * worker finishing its last chunk is usually that close, and a futex wake-up costs ~20–30 µs.
 * The calling thread has nothing else to do meanwhile, and the worker runs on the other core.
 */
const SPIN_US = 50;
/** A long wait wakes this often to check the watchdog's heartbeat. */
const SLICE_MS = 250;
/** A task not taken by its worker for this long is withdrawn and done by the calling thread. */
const PATIENCE_MS = 10_000;
/** No heartbeat for this long means the watchdog is gone (and its workers with it): the op fails, the pool restarts. */
const STALL_MS = 5_000;

/** Flags a worker inherits that would stop it from loading a file (`node --input-type=module -e ...`). */
function workerExecArgv(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!;
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=')) out.push(arg);
  }
  return out;
}

/**
 * `new Worker(url, options)` with the parent's flags, less those a Worker refuses: V8 and
 * process-wide flags (`--expose-gc`, `--max-old-space-size=4096`, `--stack-size`, `--jitless`,
 * `--title`, ...) throw ERR_WORKER_INVALID_EXEC_ARGV, whose message names them. Each refused flag
 * (and its value, when given as the next argument) is dropped and the Worker made again; the
 * flags that matter for loading the worker's file (loaders, `--conditions`) are kept.
 */
export function spawnWorker(url: URL, options: Omit<WorkerOptions, 'execArgv'>): Worker {
  let argv = workerExecArgv();
  for (;;) {
    try {
      return new Worker(url, { ...options, execArgv: argv });
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      const listed = String((e as Error).message).split('flags:')[1] ?? '';
      const refused = new Set(listed.split(',').map((f) => f.trim()).filter((f) => f !== ''));
      const kept = withoutFlags(argv, refused);
      if (kept.length < argv.length) argv = kept;
      else if (argv.length > 0) argv = []; // nothing recognisable to drop: start with no flags rather than not at all
      else throw e;
    }
  }
}

/** `argv` less the flags in `refused` (as `--flag`, `--flag=value`, or `--flag value`). */
export function withoutFlags(argv: readonly string[], refused: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (refused.has(arg)) {
      const next = argv[i + 1];
      if (!arg.includes('=') && next !== undefined && !next.startsWith('-')) i++; // its value
      continue;
    }
    const name = arg.split('=')[0]!;
    if (arg.includes('=') && refused.has(name)) continue;
    out.push(arg);
  }
  return out;
}

/** What {@link WorkerPool.await} returns when the watchdog's heartbeat stalled (not a state any thread stores). */
const STALLED = -1;

const finished = (state: number): boolean => state === IDLE || state === FAILED || state === DEAD;

/**
 * A persistent pool of compute workers plus the calling thread.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool(1);
 * pool.run('fill', { kind: 'fill', out, value: 1, dtype: 'float32' }, 1024, 256, 1, false);
 * ```
 */
export class WorkerPool {
  private ctrl!: Int32Array;
  private ports: MessagePort[] = [];
  private watchdog!: Worker;
  /** The calling thread's end of the watchdog channel: spawn requests out, death reports in. */
  private reports!: MessagePort;
  private readonly deaths = new Map<number, DeathReport>();
  /** Settles when the watchdog thread starts or fails to. */
  private started!: Promise<void>;
  /** Tasks withdrawn after {@link PATIENCE_MS} without their worker taking them (a statistic for tests). */
  late = 0;
  /** Chunks run by workers of earlier (restarted) pools. */
  private chunksBefore = 0;
  private closed = false;
  /**
   * Set when a run gave up on a worker that may still be running (the watchdog stopped): its
   * output must never be reused, as that worker could still write to it.
   */
  abandoned = false;

  constructor(readonly workers: number) {
    this.start();
  }

  private start(): void {
    this.ctrl = createControl(this.workers);
    const { port1, port2 } = new MessageChannel();
    this.reports = port1;
    const data: WatchdogData = { role: 'watchdog', ctrl: this.ctrl, url: workerUrl().href, port: port2 };
    this.watchdog = spawnWorker(new URL(data.url), { workerData: data, transferList: [port2] });
    this.watchdog.unref(); // a script that only uses the backend exits by itself
    const watchdog = this.watchdog;
    this.started = new Promise<void>((resolve, reject) => {
      watchdog.once('online', resolve);
      // also keeps a failed start from becoming an uncaught error: runs then fail by the heartbeat
      watchdog.on('error', (e) => reject(new Error(`workerBackend: the pool's watchdog thread failed: ${e.message}`)));
    });
    this.started.catch(() => {}); // surfaced by ready() and by the heartbeat check, not as an unhandled rejection
    this.ports = [];
    this.deaths.clear();
    for (let i = 0; i < this.workers; i++) this.spawn(i);
  }

  /** Replace the watchdog and every worker (after the watchdog stopped). */
  private restart(): void {
    this.chunksBefore += Atomics.load(this.ctrl, WORKER_CHUNKS);
    Atomics.store(this.ctrl, SHUTDOWN, 1);
    for (const port of this.ports) port.close();
    this.reports.close();
    void this.watchdog.terminate();
    this.start();
  }

  /** Ask the watchdog for a new compute worker `i`, on a fresh channel. */
  private spawn(i: number): void {
    this.ports[i]?.close();
    const { port1, port2 } = new MessageChannel();
    this.ports[i] = port1;
    Atomics.store(this.ctrl, slot(i, STATE), IDLE);
    const request: SpawnRequest = { spawn: i, port: port2, seq: Atomics.load(this.ctrl, slot(i, SEQ)) };
    this.reports.postMessage(request, [port2]);
  }

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
      if (Atomics.load(ctrl, slot(w, STATE)) === DEAD) this.spawn(w); // died since its last task
      const seq = (Atomics.load(ctrl, slot(w, SEQ)) + 1) | 0;
      const message: TaskMessage = { seq, task, units, chunk, home: fixed ? w + 1 : -1, shrink: fixed ? 0 : shrink, largest };
      this.ports[w]!.postMessage(message);
      Atomics.store(ctrl, slot(w, STATE), busy(seq));
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
        const message = receiveMessageOnPort(this.ports[w]!)?.message as string | undefined;
        Atomics.store(ctrl, at, IDLE);
        failures.push(`worker ${w + 1} threw ${message ?? 'an unknown error'}`);
      } else if (state === DEAD) {
        failures.push(this.describeDeath(w));
        this.spawn(w); // the next op finds a fresh worker
      } else if (state === STALLED) {
        failures.push(`the pool's watchdog thread stopped (no heartbeat for ${STALL_MS / 1000} s while worker ${w + 1} ran); the pool was restarted`);
        this.abandoned = true;
        this.restart();
        break;
      }
    }
    if (own !== null) throw own;
    if (failures.length > 0) throw new Error(`worker backend: ${op} failed: ${failures.join('; ')}`);
  }

  /**
   * Block until the state at `at` is finished, or is still `tag` (the task not taken) after
   * {@link PATIENCE_MS}, or the watchdog's heartbeat stalls ({@link STALLED}); returns the last state seen.
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
      const woke = Atomics.wait(ctrl, at, state, SLICE_MS);
      state = Atomics.load(ctrl, at);
      if (woke !== 'timed-out') continue;
      const now = performance.now();
      const next = Atomics.load(ctrl, HEARTBEAT);
      if (next !== beat) {
        beat = next;
        beatAt = now;
      } else if (now - beatAt > STALL_MS) return STALLED;
      if (state === tag && now - since > PATIENCE_MS) return state;
    }
    return state;
  }

  private describeDeath(w: number): string {
    for (let r = receiveMessageOnPort(this.reports); r !== undefined; r = receiveMessageOnPort(this.reports)) {
      const report = r.message as DeathReport;
      this.deaths.set(report.index, report);
    }
    const report = this.deaths.get(w);
    this.deaths.delete(w);
    const code = report?.code ?? Atomics.load(this.ctrl, slot(w, EXIT_CODE));
    return `worker ${w + 1} exited with code ${code}${report?.error ? ` (${report.error})` : ''}`;
  }

  /** Chunks run by workers so far (the calling thread's are not counted). */
  workerChunks(): number {
    return this.chunksBefore + Atomics.load(this.ctrl, WORKER_CHUNKS);
  }

  /**
   * Test hook: the next worker that picks up a task exits (`'exit'`) or throws (`'throw'`);
   * `'watchdog'` stops the watchdog thread itself (and with it every worker).
   */
  injectFault(kind: 'exit' | 'throw' | 'watchdog'): void {
    if (kind === 'watchdog') this.reports.postMessage({ exit: 1 });
    else Atomics.store(this.ctrl, INJECT, kind === 'exit' ? FAULT_EXIT : FAULT_THROW);
  }

  /** Resolves once the watchdog thread runs; rejects if it failed to start. */
  async online(): Promise<void> {
    const watchdog = this.watchdog;
    watchdog.ref(); // an unref'd thread's events would not keep the process waiting for them
    try {
      await this.started;
    } finally {
      watchdog.unref();
    }
  }

  /** Stop every worker; later runs throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, SHUTDOWN, 1);
    for (let w = 0; w < this.workers; w++) {
      Atomics.add(this.ctrl, slot(w, SEQ), 1);
      Atomics.notify(this.ctrl, slot(w, SEQ));
      this.ports[w]?.close();
    }
    this.reports.close();
    await this.watchdog.terminate();
  }
}
