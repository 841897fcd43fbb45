/**
 * The shared control array through which the calling thread, the watchdog and the compute
 * workers talk: one `Int32Array` over a `SharedArrayBuffer`, read and written with `Atomics`.
 * Worker `i` (0-based) owns the slots from `slot(i)`.
 */

/** Set to 1 by `close()`: workers leave their loop. */
export const SHUTDOWN = 0;
/** Test-only fault for the next worker that picks up a task: {@link FAULT_EXIT} or {@link FAULT_THROW}. */
export const INJECT = 1;
export const FAULT_NONE = 0;
export const FAULT_EXIT = 1;
export const FAULT_THROW = 2;

/** The next chunk of the running task to claim (`Atomics.add`): threads take chunks until none is left. */
export const NEXT = 2;
/** Chunks run by workers since the pool started (a statistic for tests). */
export const WORKER_CHUNKS = 3;

/** Ticked by the watchdog every {@link HEARTBEAT_MS}: a calling thread that waits long checks it is alive. */
export const HEARTBEAT = 4;
export const HEARTBEAT_MS = 100;

/** Slots per worker, spaced a cache line apart so that workers' slots never share one. */
const STRIDE = 16;
const HEADER = 16;

/** Bumped by the calling thread for each task; the worker waits on it. */
export const SEQ = 0;
/** The worker's state, which the calling thread waits on: one of the states below, or {@link busy}`(seq)`. */
export const STATE = 1;
/** The exit code of a dead worker, written by the watchdog. */
export const EXIT_CODE = 2;

/** No task, or the last task finished (or was withdrawn before the worker took it). */
export const IDLE = 0;
/** The worker took its task and is running it. */
export const RUNNING = 1;
/** The task threw; the worker posted the error on its port and lives on. */
export const FAILED = 2;
/** The worker's thread is gone (the watchdog saw it exit); the pool replaces it. */
export const DEAD = 3;

/**
 * The state of a worker that was given task number `seq` and has not taken it yet. The worker
 * takes it with a compare-and-swap to {@link RUNNING}; the calling thread can withdraw it with a
 * compare-and-swap to {@link IDLE}. The tag carries the task number, so a late worker can never
 * take a newer task with an older message.
 */
export function busy(seq: number): number {
  return (seq & 0x3fffffff) | 0x40000000;
}

/** Index of worker `i`'s slot `field` in the control array. */
export function slot(i: number, field: number): number {
  return HEADER + i * STRIDE + field;
}

/** A control array for `workers` compute workers. */
export function createControl(workers: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer((HEADER + workers * STRIDE) * 4));
}
