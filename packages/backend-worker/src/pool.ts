/**
 * The calling thread's side of the worker pool in Node (see pool-core.ts): tasks go to each
 * helper with `postMessage` on its own `MessagePort`, which the worker reads synchronously, and
 * the calling thread blocks in `Atomics.wait` on each helper's state slot.
 * Measured on the 2-core development machine: 17–21 µs per Atomics round trip, 24–30 µs with
 * the task message; piscina 5 and tinypool 2 cost 95–110 µs per (asynchronous) task, so
 * they are not used.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import type { TaskMessage } from './compute';
import { createControl, EXIT_CODE, FAULT_EXIT, FAULT_THROW, IDLE, INJECT, SEQ, SHUTDOWN, slot, STATE, WORKER_CHUNKS } from './control';
import { PoolCore, type Fault } from './pool-core';
import type { DeathReport, SpawnRequest, WatchdogData } from './worker';

/** The built worker entry: beside this file once built, or in `dist/` when this file runs from `src/` (tests). */
function workerUrl(): URL {
  const candidates = [new URL('./worker.js', import.meta.url), new URL('../dist/worker.js', import.meta.url)];
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (found === undefined) throw new Error(`workerBackend: cannot find the worker entry (looked for ${candidates.map((u) => fileURLToPath(u)).join(', ')}): build @tensorgrad/backend-worker first`);
  return found;
}

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

/**
 * A persistent pool of `worker_threads` compute workers plus the calling thread, with a watchdog
 * thread that spawns the workers and reports their deaths.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool(1);
 * pool.run('fill', { kind: 'fill', out, value: 1, dtype: 'float32' }, 1024, 256, 1, false);
 * ```
 */
export class WorkerPool extends PoolCore {
  private ports: MessagePort[] = [];
  private watchdog!: Worker;
  /** The calling thread's end of the watchdog channel: spawn requests out, death reports in. */
  private reports!: MessagePort;
  private readonly deaths = new Map<number, DeathReport>();
  /** Settles when the watchdog thread starts or fails to. */
  private started!: Promise<void>;
  protected readonly stallMs = STALL_MS;

  constructor(workers: number, private readonly url: URL = workerUrl()) {
    super(workers);
    this.start();
  }

  private start(): void {
    this.ctrl = createControl(this.workers);
    const { port1, port2 } = new MessageChannel();
    this.reports = port1;
    const data: WatchdogData = { role: 'watchdog', ctrl: this.ctrl, url: this.url.href, port: port2 };
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

  protected post(w: number, message: TaskMessage): void {
    this.ports[w]!.postMessage(message);
  }

  protected respawn(w: number): void {
    this.spawn(w);
  }

  protected failure(w: number): string | undefined {
    return receiveMessageOnPort(this.ports[w]!)?.message as string | undefined;
  }

  protected death(w: number): string {
    const text = this.describeDeath(w);
    this.spawn(w);
    return text;
  }

  protected stalled(w: number): string {
    this.restart();
    return `the pool's watchdog thread stopped (no heartbeat for ${STALL_MS / 1000} s while worker ${w + 1} ran); the pool was restarted`;
  }

  protected wait(at: number, value: number, ms: number): 'ok' | 'not-equal' | 'timed-out' {
    return Atomics.wait(this.ctrl, at, value, ms);
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

  /**
   * Test hook: the next worker that picks up a task exits (`'exit'`) or throws (`'throw'`);
   * `'watchdog'` stops the watchdog thread itself (and with it every worker).
   */
  injectFault(kind: Fault): void {
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
