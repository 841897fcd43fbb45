/**
 * The page's backends: cpu, worker and gpujs, created on demand and made current with
 * `setBackend`. The worker and gpujs packages are loaded only when chosen, so a failure in one
 * of them (e.g. the worker backend before it runs on Web Workers) leaves the others working and
 * reaches the page as an error that names the backend.
 */
import { setBackend, type Backend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';

/** The backend names the page offers. */
export const BACKEND_NAMES = ['cpu', 'worker', 'gpujs', 'gpujs-webgpu'] as const;
/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Whether `name` is one of {@link BACKEND_NAMES}. */
export function isBackendName(name: unknown): name is BackendName {
  return typeof name === 'string' && (BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * Create the backend `name` and wait until it is ready: cpu is `cpuBackend()`; worker is
 * `workerBackend()` (Web Workers over SharedArrayBuffer, so the page must be cross-origin
 * isolated; every kernel split with `?worker=split` in the page's URL); gpujs is
 * `gpujsBackend({ mode: 'webgl2' })` and gpujs-webgpu `gpujsBackend({ mode: 'webgpu' })` (every op
 * on the GPU with `?gpujs=device`). Rejects with an error naming the backend when its package
 * fails to load or the backend fails to start.
 *
 * @example
 * ```ts
 * const backend = await makeBackend('gpujs');
 * await setBackend(backend);
 * ```
 */
export async function makeBackend(name: BackendName): Promise<Backend> {
  if (!isBackendName(name)) throw new Error(`makeBackend: unknown backend ${JSON.stringify(name)}; expected one of ${BACKEND_NAMES.join(', ')}`);
  let backend: Backend;
  try {
    if (name === 'cpu') {
      backend = cpuBackend();
    } else if (name === 'worker') {
      const { workerBackend } = await import('@tensorgrad/backend-worker');
      // ?worker=split splits every kernel across the threads (splitThreshold 0); by default only
      // kernels large enough to gain from it are split (none of the playground's small models)
      const split = new URLSearchParams(globalThis.location?.search ?? '').get('worker') === 'split';
      backend = workerBackend(split ? { splitThreshold: 0 } : {});
    } else {
      const { gpujsBackend } = await import('@tensorgrad/backend-gpujs');
      // ?gpujs=device puts every op on the GPU (hostThreshold 0); by default the backend measures
      // where small ops run faster (on SwiftShader, a CPU rasterizer, that is the host)
      const onDevice = new URLSearchParams(globalThis.location?.search ?? '').get('gpujs') === 'device';
      backend = gpujsBackend({ mode: name === 'gpujs-webgpu' ? 'webgpu' : 'webgl2', ...(onDevice ? { hostThreshold: 0 } : {}) });
    }
    if (backend.ready) await backend.ready();
  } catch (e) {
    throw new Error(`the ${name} backend failed to start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return backend;
}

const made = new Map<BackendName, Promise<Backend>>();

/**
 * Make `name` the current backend, creating it on first use and reusing it after (a page holds
 * one worker pool and one WebGL context per backend, however often the user switches). A
 * backend that failed to start is tried afresh next time.
 *
 * @example
 * ```ts
 * await useBackend('cpu'); // tensors created from here on live on cpu
 * ```
 */
export async function useBackend(name: BackendName): Promise<Backend> {
  if (!isBackendName(name)) throw new Error(`useBackend: unknown backend ${JSON.stringify(name)}; expected one of ${BACKEND_NAMES.join(', ')}`);
  let pending = made.get(name);
  if (!pending) {
    pending = makeBackend(name);
    made.set(name, pending);
    pending.catch(() => made.delete(name));
  }
  const backend = await pending;
  await setBackend(backend);
  return backend;
}

/** Ops the backend ran on its device so far, where it counts them (gpujs), else undefined. */
export function deviceOps(backend: Backend): number | undefined {
  const b = backend as Backend & { stats?: () => { deviceOps?: unknown } };
  const n = typeof b.stats === 'function' ? b.stats().deviceOps : undefined;
  return typeof n === 'number' ? n : undefined;
}

/** Chunks of split kernels the backend's workers ran so far (worker), else undefined. */
export function workerChunks(backend: Backend): number | undefined {
  const b = backend as Backend & { _stats?: () => { workerChunks?: unknown } };
  const n = typeof b._stats === 'function' ? b._stats().workerChunks : undefined;
  return typeof n === 'number' ? n : undefined;
}

/** What the backend runs on, where it says: gpujs's mode (`webgl2`, …) or a worker pool's thread count. */
export function describeDevice(backend: Backend): string | undefined {
  const b = backend as Backend & { device?: unknown; renderer?: unknown; threads?: unknown };
  if (typeof b.device === 'string') return typeof b.renderer === 'string' && b.renderer ? `${b.device} (${b.renderer})` : b.device;
  if (typeof b.threads === 'number') return `${b.threads} threads`;
  return undefined;
}
