/**
 * Which gpu.js mode runs: WebGPU through Dawn (the `webgpu` package), headless-gl, gpu.js's
 * WebAssembly kernels, or its plain-JS cpu kernels, probed in that order.
 */
import { createRequire } from 'node:module';
import { GPU } from 'gpu.js';

/**
 * The gpu.js modes this backend drives. `webasm` is gpu.js's WebAssembly (f32x4 SIMD) backend.
 *
 * @example
 * ```ts
 * const mode: GpujsMode = gpujsBackend().device;
 * ```
 */
export type GpujsMode = 'webgpu' | 'headlessgl' | 'webasm' | 'cpu';

/** A probe's answer: the mode works, or why it does not. */
export type Probe = { ok: true } | { ok: false; reason: string };

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

// Resolve optional packages from this file (so the optional dependency of this package is found)
// and from gpu.js (whose headless-gl lives there), whichever package format this is built to.
function requireFrom(base: string): NodeRequire {
  return createRequire(base);
}

function packageRequire(): NodeRequire {
  // __filename exists in the CommonJS build, import.meta.url in the ESM one
  const here = typeof __filename === 'string' ? __filename : (import.meta as { url: string }).url;
  return requireFrom(here);
}

/**
 * gpu.js's WebGPU backend wants `navigator.gpu`. Dawn's Node binding provides the API, but
 * gpu.js assigns `device.onuncapturederror = ...` and Dawn's setter rejects that: the device
 * handed to gpu.js gets a plain own accessor instead, which also forwards Dawn's
 * `uncapturederror` events where the binding dispatches them.
 */
function wrapDawn(dawnGpu: GpuLike): GpuLike {
  const wrapDevice = (device: DeviceLike): DeviceLike => {
    let handler: ((e: unknown) => void) | null = null;
    Object.defineProperty(device, 'onuncapturederror', {
      configurable: true,
      enumerable: true,
      get: () => handler,
      set: (fn: ((e: unknown) => void) | null) => {
        handler = fn;
      },
    });
    try {
      device.addEventListener?.('uncapturederror', (e: unknown) => handler?.(e));
    } catch {
      // a binding without events: errors still surface through popErrorScope and device.lost
    }
    return device;
  };
  const wrapAdapter = (adapter: AdapterLike): AdapterLike => ({
    get limits() {
      return adapter.limits;
    },
    get features() {
      return adapter.features;
    },
    get info() {
      return adapter.info;
    },
    requestDevice: async (descriptor?: unknown) => wrapDevice(await adapter.requestDevice(descriptor)),
  });
  return {
    requestAdapter: async (options?: unknown) => {
      const adapter = await dawnGpu.requestAdapter(options);
      return adapter ? wrapAdapter(adapter) : null;
    },
    getPreferredCanvasFormat: () => 'rgba8unorm',
    get wgslLanguageFeatures() {
      return dawnGpu.wgslLanguageFeatures;
    },
  };
}

interface DeviceLike {
  addEventListener?(type: string, fn: (e: unknown) => void): void;
}
interface AdapterLike {
  readonly limits: unknown;
  readonly features: unknown;
  readonly info?: unknown;
  requestDevice(descriptor?: unknown): Promise<DeviceLike>;
}
interface GpuLike {
  requestAdapter(options?: unknown): Promise<AdapterLike | null>;
  getPreferredCanvasFormat?(): string;
  readonly wgslLanguageFeatures?: unknown;
}

let webgpuProbe: Promise<Probe> | null = null;

/**
 * Install Dawn as `navigator.gpu` (once per process) and check that gpu.js runs a kernel on it.
 * Resolves with the reason when the `webgpu` package is missing or fails to load (its
 * binary needs glibc 2.38+), or when no adapter answers.
 */
export function probeWebGPU(): Promise<Probe> {
  webgpuProbe ??= (async (): Promise<Probe> => {
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (!g.navigator?.gpu) {
      let dawn: { create(flags: string[]): GpuLike; globals?: Record<string, unknown> };
      try {
        dawn = (await import('webgpu')) as unknown as typeof dawn;
      } catch (e) {
        return { ok: false, reason: `the webgpu package (Dawn) did not load: ${message(e)}` };
      }
      try {
        if (dawn.globals) for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
        const gpu = wrapDawn(dawn.create([]));
        if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
        Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
      } catch (e) {
        return { ok: false, reason: `Dawn loaded but navigator.gpu could not be set up: ${message(e)}` };
      }
    }
    try {
      if (!(await GPU.isWebGPUAvailable())) return { ok: false, reason: 'navigator.gpu is present but no WebGPU adapter answered (no GPU or no Vulkan driver)' };
      const gpu = new GPU({ mode: 'webgpu' });
      const k = gpu.createKernel('function(x) { return x[this.thread.x] * 2; }', { output: [4], precision: 'single' });
      const out = (await (k(new Float32Array([1, 2, 3, 4])) as unknown as Promise<Float32Array>)) as Float32Array;
      k.destroy();
      if (out[3] !== 8) return { ok: false, reason: `a WebGPU test kernel returned ${Array.from(out).join(',')} instead of 2,4,6,8` };
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: `a WebGPU test kernel failed: ${message(e)}` };
    }
  })();
  return webgpuProbe;
}

/** headless-gl works when gpu.js can load `gl` and make a context with it. */
export function probeHeadlessGL(): Probe {
  if (GPU.isHeadlessGLSupported) return { ok: true };
  try {
    const fromGpujs = requireFrom(packageRequire().resolve('gpu.js'));
    fromGpujs('gl');
  } catch (e) {
    return { ok: false, reason: `headless-gl (the gl package) is not built here: ${message(e)}` };
  }
  return { ok: false, reason: 'headless-gl loaded but could not create a WebGL context (no GPU or no display driver)' };
}

/** gpu.js's WebAssembly backend needs WebAssembly (with SIMD it vectorizes). */
export function probeWebAsm(): Probe {
  return GPU.isWebAssemblySupported ? { ok: true } : { ok: false, reason: 'WebAssembly is not available' };
}
