/**
 * @tensorgrad/backend-worker in a browser: the same backend and protocol as in Node, with the
 * threads as module Web Workers (picked by bundlers and browsers through the `browser` export
 * condition). The page must be cross-origin isolated for `SharedArrayBuffer`.
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { workerBackend } from '@tensorgrad/backend-worker';
 * await setBackend(workerBackend()); // resolves once the Web Workers run
 * ```
 * @packageDocumentation
 */
import { createWorkerBackend, type WorkerBackend, type WorkerBackendOptions } from './backend';
import { BrowserPool } from './pool.browser';

export type { WorkerBackend, WorkerBackendOptions } from './backend';

/**
 * What `workerBackend` says where `SharedArrayBuffer` is missing (a page that is not cross-origin isolated).
 *
 * @example
 * ```ts
 * try { workerBackend(); } catch (e) { if ((e as Error).message === NOT_ISOLATED) useCpuInstead(); }
 * ```
 */
export const NOT_ISOLATED =
  "workerBackend: SharedArrayBuffer is not available here, so the worker backend's threads cannot share tensors: " +
  'a browser provides it only to cross-origin isolated pages. Serve the page with the headers ' +
  "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' (or 'credentialless'), " +
  'or use cpuBackend() from @tensorgrad/backend-cpu, which needs neither.';

/**
 * The worker backend in a browser: backend-cpu's kernels split across a pool of Web Workers over
 * `SharedArrayBuffer` storage (see the Node build's `workerBackend` for the rest). Throws where
 * the page is not cross-origin isolated, naming the two headers it needs. The workers start
 * asynchronously: `await setBackend(backend)` (or `await backend.ready()`) before the first op,
 * or the first ops run on the calling thread alone.
 *
 * @example
 * ```ts
 * import { setBackend, randn } from '@tensorgrad/core';
 * import { workerBackend } from '@tensorgrad/backend-worker';
 * await setBackend(workerBackend({ threads: navigator.hardwareConcurrency }));
 * randn([512, 512]).matmul(randn([512, 512])); // split across the Web Workers
 * ```
 */
export function workerBackend(options: WorkerBackendOptions = {}): WorkerBackend {
  return createWorkerBackend(options, {
    parallelism: () => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2,
    check() {
      const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
      if (typeof SharedArrayBuffer === 'undefined' || isolated === false) throw new Error(NOT_ISOLATED);
    },
    pool(workers, url) {
      if (url === undefined) return new BrowserPool(workers);
      const base = (globalThis as { location?: { href: string } }).location?.href;
      let resolved: URL;
      try {
        resolved = new URL(url, base);
      } catch {
        throw new Error(`workerBackend: workerUrl '${String(url)}' is not a URL`);
      }
      return new BrowserPool(workers, resolved);
    },
  });
}
