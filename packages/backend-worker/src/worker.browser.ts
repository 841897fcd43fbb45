/**
 * The compute worker's entry in a browser (a module Web Worker started by pool.browser.ts): the
 * first message gives it the control array and its index; each later one is a task, taken and
 * run as in Node (compute.ts) as it arrives. Errors go back as text in shared memory, since the
 * calling thread is blocked and cannot receive a message.
 */
import { runTask, type TaskMessage } from './compute';
import { DEAD, EXIT_CODE, slot, STATE } from './control';
import { ERROR_CHARS, type BrowserInit, type BrowserOnline } from './pool.browser';
import { setThreadSlot } from './task';

interface WorkerScope {
  postMessage(message: BrowserOnline): void;
  close(): void;
  onmessage: ((event: { readonly data: BrowserInit | TaskMessage }) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
let ctrl: Int32Array | null = null;
let errors: Uint16Array | null = null;
let index = -1;

function report(text: string): void {
  const at = index * (ERROR_CHARS + 1);
  const length = Math.min(text.length, ERROR_CHARS);
  for (let i = 0; i < length; i++) errors![at + 1 + i] = text.charCodeAt(i);
  Atomics.store(errors!, at, length);
}

/** An injected `'exit'` fault: say so in the control array (a browser has no watchdog to see it), then close. */
function exit(): void {
  Atomics.store(ctrl!, slot(index, EXIT_CODE), 1);
  Atomics.store(ctrl!, slot(index, STATE), DEAD);
  Atomics.notify(ctrl!, slot(index, STATE));
  scope.close();
}

scope.onmessage = ({ data }) => {
  if ('init' in data) {
    ({ ctrl, errors, index } = data);
    setThreadSlot(index + 1); // the calling thread is slot 0 of a shared gemm memory
    scope.postMessage({ online: index });
    return;
  }
  if (ctrl !== null) runTask(ctrl, index, data, report, exit);
};
