/**
 * The part of a compute worker that does not depend on how tasks reach it (a `MessagePort` read
 * synchronously in Node, a Web Worker's `message` event in a browser): the message it gets, and
 * taking and running one task under the control array's protocol (see control.ts).
 */
import { busy, FAILED, FAULT_EXIT, FAULT_NONE, FAULT_THROW, IDLE, INJECT, NEXT, RUNNING, slot, STATE, WORKER_CHUNKS } from './control';
import { runChunks, type Task } from './task';

/** What the calling thread posts to a compute worker for task number `seq`; see {@link runChunks}. */
export interface TaskMessage {
  readonly seq: number;
  readonly task: Task;
  readonly units: number;
  readonly chunk: number;
  /** The chunk this worker runs first, or -1 (then it only claims). */
  readonly home: number;
  /** Guided scheduling's divisor (each claim takes `1 / shrink` of what is left), or 0 for chunks of one size. */
  readonly shrink: number;
  /** The largest guided claim, in units. */
  readonly largest: number;
}

/**
 * Take task `message` if the calling thread still waits for exactly it (a compare-and-swap of the
 * worker's state from `busy(seq)` to `RUNNING`: an older message was withdrawn, a newer one has
 * not had its state set yet), run its chunks, and store the worker's state (`IDLE`, or `FAILED`
 * after `report` got the error's text), waking the calling thread. Returns false when the task
 * was not taken. An injected `'exit'` fault calls `exit` instead of running the task.
 *
 * @example
 * ```ts
 * runTask(ctrl, index, message, (text) => port.postMessage(text), () => process.exit(1));
 * ```
 */
export function runTask(ctrl: Int32Array, index: number, message: TaskMessage, report: (text: string) => void, exit: () => void): boolean {
  const stateAt = slot(index, STATE);
  const tag = busy(message.seq);
  if (Atomics.compareExchange(ctrl, stateAt, tag, RUNNING) !== tag) return false;
  const fault = Atomics.load(ctrl, INJECT) === FAULT_NONE ? FAULT_NONE : Atomics.exchange(ctrl, INJECT, FAULT_NONE);
  if (fault === FAULT_EXIT) {
    exit(); // Node's never returns; a Web Worker's marks it dead and closes it
    return true;
  }
  let state = IDLE;
  try {
    if (fault === FAULT_THROW) throw new Error('injected fault');
    const ran = runChunks(ctrl, NEXT, message.task, message.units, message.chunk, message.home, message.shrink, message.largest);
    if (ran > 0) Atomics.add(ctrl, WORKER_CHUNKS, ran);
  } catch (e) {
    report(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    state = FAILED;
  }
  Atomics.store(ctrl, stateAt, state);
  Atomics.notify(ctrl, stateAt);
  return true;
}
