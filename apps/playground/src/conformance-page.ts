/**
 * conformance.html: the conformance suite of @tensorgrad/conformance run inside the page, on ONE
 * long-lived backend named by `?backend=` (cpu, worker, gpujs or gpujs-webgpu), with backend-cpu as the
 * differential reference. The worker backend runs on Web Workers with every kernel of two or more
 * output units split (`splitThreshold: 0`); gpujs runs in its WebGL2 mode (gpujs-webgpu in its
 * WebGPU mode) with every op on the device (`hostThreshold: 0`). The result lands in `window.__conformance` for the browser tests.
 */
import type { Backend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { runConformance, runRegistered } from '@tensorgrad/conformance/standalone';
import { isBackendName, type BackendName } from './backends';

/** What the page reports. */
export interface ConformanceResult {
  readonly backend: string;
  readonly passed?: number;
  readonly failed?: number;
  readonly skipped?: number;
  readonly failures?: readonly { readonly name: string; readonly error: string }[];
  /** What the backend says it ran on: worker threads and chunks the workers ran, or gpujs's device and counters. */
  readonly ranOn?: Record<string, unknown>;
  readonly ms: number;
  /** A run that could not start or threw outside a test. */
  readonly error?: string;
}

declare global {
  interface Window {
    __conformance?: ConformanceResult;
  }
}

const status = document.getElementById('status')!;

/** The suite's backend `name`, configured to exercise its own path (split kernels, device kernels). */
async function suiteBackend(name: BackendName): Promise<Backend> {
  if (name === 'cpu') return cpuBackend();
  if (name === 'worker') {
    const { workerBackend } = await import('@tensorgrad/backend-worker');
    return workerBackend({ threads: 2, splitThreshold: 0 });
  }
  const { gpujsBackend } = await import('@tensorgrad/backend-gpujs');
  return gpujsBackend({ mode: name === 'gpujs-webgpu' ? 'webgpu' : 'webgl2', hostThreshold: 0 });
}

/** What `backend` ran on, from its counters, before the suite closes it. */
function ranOn(backend: Backend): Record<string, unknown> {
  const b = backend as Backend & { _stats?: () => Record<string, unknown>; stats?: () => Record<string, unknown>; device?: unknown; threads?: unknown };
  if (typeof b._stats === 'function') return { threads: b.threads, ...b._stats() };
  if (typeof b.stats === 'function') return { device: b.device, ...b.stats() };
  return {};
}

async function main(): Promise<ConformanceResult> {
  const started = performance.now();
  const name = new URLSearchParams(location.search).get('backend') ?? 'cpu';
  if (!isBackendName(name)) return { backend: name, error: `unknown backend ${JSON.stringify(name)}: use ?backend=cpu, worker, gpujs or gpujs-webgpu`, ms: 0 };
  let backend: Backend | null = null;
  let counters: Record<string, unknown> = {};
  try {
    runConformance({
      name: `browser-${name}`,
      createBackend: async () => {
        backend = await suiteBackend(name);
        if (backend.ready) await backend.ready();
        return backend;
      },
      reference: () => cpuBackend(),
    });
    let done = 0;
    const r = await runRegistered((test, outcome, error) => {
      done++;
      if (backend) counters = ranOn(backend); // as the last test left them, before afterAll closes the backend
      if (outcome === 'fail') console.info(`[conformance] FAIL ${test}: ${error ?? ''}`);
      if (done % 25 === 0) status.textContent = `${name}: ${done} tests run`;
    });
    return { backend: name, passed: r.passed, failed: r.failed, skipped: r.skipped, failures: r.failures, ranOn: counters, ms: performance.now() - started };
  } catch (e) {
    return { backend: name, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), ms: performance.now() - started };
  }
}

void main().then((result) => {
  status.textContent = result.error ? `${result.backend}: ${result.error}` : `${result.backend}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped in ${(result.ms / 1000).toFixed(1)} s`;
  window.__conformance = result;
});
