/**
 * The worker entry, in two roles chosen by `workerData.role`:
 * - `compute`: polls its sequence slot for ~100 µs, then blocks in `Atomics.wait` on it; takes the task posted on its port
 *   with `receiveMessageOnPort`, runs its range with backend-cpu's range kernels, and stores its
 *   state (waking the calling thread). It never returns to its event loop while the pool lives.
 * - `watchdog`: spawns the compute workers and watches them. The calling thread is blocked in
 *   `Atomics.wait` while a task runs and cannot see a worker's `exit` event; the watchdog can, and
 *   turns it into a `DEAD` state in the control array, which wakes the calling thread.
 */
import { isMainThread, receiveMessageOnPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { runTask, type TaskMessage } from './compute';
import { DEAD, EXIT_CODE, HEARTBEAT, HEARTBEAT_MS, SEQ, SHUTDOWN, slot, STATE } from './control';
import { setThreadSlot } from './task';

export type { TaskMessage } from './compute';

/** `workerData` of a compute worker. */
export interface ComputeData {
  readonly role: 'compute';
  readonly ctrl: Int32Array;
  readonly index: number;
  readonly port: MessagePort;
  /** The sequence number already seen: the next bump is this worker's first task. */
  readonly seq: number;
}

/** `workerData` of the watchdog. */
export interface WatchdogData {
  readonly role: 'watchdog';
  readonly ctrl: Int32Array;
  /** This file's URL, for spawning compute workers. */
  readonly url: string;
  /** Requests from the calling thread arrive here; death reports go back on it. */
  readonly port: MessagePort;
}

/** Requests to the watchdog: start compute worker `index` (new or replacing a dead one). */
export interface SpawnRequest {
  readonly spawn: number;
  readonly port: MessagePort;
  readonly seq: number;
}

/** The watchdog's report of a dead worker, posted before its state becomes `DEAD`. */
export interface DeathReport {
  readonly index: number;
  readonly code: number;
  readonly error: string | null;
}

/** Microseconds a worker polls for its next task before sleeping in `Atomics.wait`. */
const SPIN_US = 100;

function compute({ ctrl, index, port, seq }: ComputeData): void {
  setThreadSlot(index + 1); // the calling thread is slot 0 of a shared gemm memory
  const seqAt = slot(index, SEQ);
  let seen = seq;
  // the newest task message received; kept across wake-ups, as it can arrive before its state is set
  let latest: TaskMessage | undefined;
  for (;;) {
    // kernels of a training step come tens of microseconds apart: stay awake a moment before
    // sleeping, as waking a sleeping thread (and, in a VM, its idle vCPU) costs far more
    const until = performance.now() + SPIN_US / 1000;
    for (let s = 1; Atomics.load(ctrl, seqAt) === seen; s++) if ((s & 63) === 0 && performance.now() > until) break;
    Atomics.wait(ctrl, seqAt, seen);
    if (Atomics.load(ctrl, SHUTDOWN) !== 0) break;
    seen = Atomics.load(ctrl, seqAt);
    for (let r = receiveMessageOnPort(port); r !== undefined; r = receiveMessageOnPort(port)) latest = r.message as TaskMessage;
    if (latest === undefined) continue;
    // a message whose task was withdrawn, or whose state is not set yet, is kept for the next wake-up
    if (runTask(ctrl, index, latest, (text) => port.postMessage(text), () => process.exit(1))) latest = undefined;
  }
  port.close();
}

function watchdog({ ctrl, url, port }: WatchdogData): void {
  const workers: (Worker | undefined)[] = [];
  setInterval(() => Atomics.add(ctrl, HEARTBEAT, 1), HEARTBEAT_MS);
  port.on('message', (request: SpawnRequest | { readonly exit: number }) => {
    if ('exit' in request) process.exit(request.exit); // a test stops the watchdog itself
    const { spawn: index, port: workerPort, seq } = request;
    const data: ComputeData = { role: 'compute', ctrl, index, port: workerPort, seq };
    const worker = new Worker(new URL(url), { workerData: data, transferList: [workerPort] });
    workers[index] = worker;
    let error: string | null = null;
    worker.on('error', (e: unknown) => {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    });
    worker.on('exit', (code) => {
      if (workers[index] !== worker || Atomics.load(ctrl, SHUTDOWN) !== 0) return;
      workers[index] = undefined;
      const report: DeathReport = { index, code, error };
      port.postMessage(report);
      Atomics.store(ctrl, slot(index, EXIT_CODE), code);
      Atomics.store(ctrl, slot(index, STATE), DEAD); // a waiting calling thread wakes and fails its task; else the next dispatch replaces the worker
      Atomics.notify(ctrl, slot(index, STATE));
    });
  });
}

if (!isMainThread) {
  const data = workerData as ComputeData | WatchdogData | undefined;
  if (data?.role === 'compute') compute(data);
  else if (data?.role === 'watchdog') watchdog(data);
}
