/**
 * @tensorgrad/backend-worker: backend-cpu's kernels split across threads over
 * `SharedArrayBuffer` storage: `worker_threads` in Node, Web Workers in a browser (this is the
 * Node build; bundlers and browsers pick the other through the `browser` export condition).
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { workerBackend } from '@tensorgrad/backend-worker';
 * await setBackend(workerBackend());
 * ```
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createWorkerBackend, type WorkerBackend, type WorkerBackendOptions } from './backend';
import { WorkerPool } from './pool';

export type { WorkerBackend, WorkerBackendOptions } from './backend';

/**
 * The worker backend: backend-cpu's range kernels, split by output range across a persistent
 * pool of worker threads over `SharedArrayBuffer` storage, with the calling thread taking a
 * share; kernels below a measured size run inline. Synchronous (the calling thread blocks in
 * `Atomics.wait`), so `readSync` works. In Node the threads are `worker_threads`, unref'd, so a
 * script exits by itself; in a browser they are Web Workers, and the page must be cross-origin
 * isolated (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy:
 * require-corp`) for `SharedArrayBuffer` to exist: elsewhere this throws, naming those headers.
 *
 * @example
 * ```ts
 * import { randn, setBackend } from '@tensorgrad/core';
 * import { workerBackend } from '@tensorgrad/backend-worker';
 * await setBackend(workerBackend({ threads: 2 })); // awaits the threads' start
 * const y = randn([1024, 1024]).matmul(randn([1024, 1024])); // split across 2 threads
 * ```
 */
export function workerBackend(options: WorkerBackendOptions = {}): WorkerBackend {
  return createWorkerBackend(options, {
    parallelism: availableParallelism,
    check() {},
    pool(workers, url) {
      if (url === undefined) return new WorkerPool(workers);
      let resolved: URL;
      try {
        resolved = typeof url === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(url) ? pathToFileURL(url) : new URL(url);
      } catch {
        throw new Error(`workerBackend: workerUrl '${String(url)}' is neither a URL nor a file path`);
      }
      if (resolved.protocol === 'file:' && !existsSync(fileURLToPath(resolved))) throw new Error(`workerBackend: workerUrl: there is no file at ${fileURLToPath(resolved)}; point it at a copy of @tensorgrad/backend-worker/worker (dist/worker.js)`);
      return new WorkerPool(workers, resolved);
    },
  });
}
