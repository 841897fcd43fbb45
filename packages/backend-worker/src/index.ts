/**
 * @tensorgrad/backend-worker: backend-cpu's kernels split across `worker_threads` over
 * `SharedArrayBuffer` storage.
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { workerBackend } from '@tensorgrad/backend-worker';
 * await setBackend(workerBackend());
 * ```
 * @packageDocumentation
 */
export { workerBackend, type WorkerBackend, type WorkerBackendOptions } from './backend';
