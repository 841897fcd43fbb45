/**
 * Which gpu.js mode runs: WebGPU (the browser's, or Dawn through the `webgpu` package in Node),
 * WebGL2 and WebGL (browser pages), headless-gl (Node), gpu.js's WebAssembly kernels, or its
 * plain-JS cpu kernels, probed in that order.
 *
 * Nothing here imports a Node module at load time: Dawn is imported lazily, by a specifier
 * bundlers leave alone, and only where `process.versions.node` says this is Node. So a browser
 * bundle of this package needs no aliases.
 */
import { GPU } from 'gpu.js';

/**
 * The gpu.js modes this backend drives. `webasm` is gpu.js's WebAssembly (f32x4 SIMD) backend.
 *
 * @example
 * ```ts
 * const mode: GpujsMode = gpujsBackend().device;
 * ```
 */
export type GpujsMode = 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu';

/**
 * Every mode, in the order `'auto'` tries them.
 *
 * @example
 * ```ts
 * MODES.indexOf(gpujsBackend().device); // 0 on a WebGPU page, 4 (webasm) in Node without a GPU
 * ```
 */
export const MODES: readonly GpujsMode[] = ['webgpu', 'webgl2', 'webgl', 'headlessgl', 'webasm', 'cpu'];

/** A probe's answer: the mode works, or why it does not. */
export type Probe = { ok: true } | { ok: false; reason: string };

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Whether this is Node (not a browser page or a web worker). */
function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { document?: unknown }).document === 'undefined';
}

// a specifier in a variable: bundlers do not follow it into Dawn's Node-only code
const DAWN = 'webgpu';
const importDawn = (): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ DAWN);

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
let adapter = '';

/** The default adapter's vendor, architecture and description, lower-cased (what gpu.js will run on). */
async function describeAdapter(gpu: GpuLike): Promise<string> {
  try {
    const a = await gpu.requestAdapter();
    const info = (a?.info ?? {}) as { vendor?: string; architecture?: string; description?: string; device?: string };
    return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ').toLowerCase();
  } catch {
    return '';
  }
}

/** The WebGPU adapter {@link probeWebGPU} found, described (`''` before a probe succeeded). */
export function adapterDescription(): string {
  return adapter;
}

/**
 * Check that gpu.js runs a WebGPU kernel: on the page's `navigator.gpu`, or in Node on Dawn,
 * installed as `navigator.gpu` once per process. Resolves with the reason when there is no
 * WebGPU, when the `webgpu` package is missing or fails to load (its binary needs glibc
 * 2.38+), or when no adapter answers.
 */
export function probeWebGPU(): Promise<Probe> {
  webgpuProbe ??= (async (): Promise<Probe> => {
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (!g.navigator?.gpu) {
      if (!isNode()) return { ok: false, reason: 'this browser has no navigator.gpu (WebGPU is off or unsupported here)' };
      let dawn: { create(flags: string[]): GpuLike; globals?: Record<string, unknown> };
      try {
        dawn = (await importDawn()) as typeof dawn;
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
      adapter = await describeAdapter(g.navigator!.gpu as GpuLike);
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

/** WebGL2 works where gpu.js can make a WebGL2 context: a browser page or a web worker with OffscreenCanvas. */
export function probeWebGL2(): Probe {
  if (GPU.isWebGL2Supported) return { ok: true };
  return { ok: false, reason: isNode() ? 'WebGL2 needs a browser page (Node has headless-gl instead)' : 'this browser could not create a WebGL2 context' };
}

/** WebGL (1) works where gpu.js can make a WebGL context with the float textures it needs. */
export function probeWebGL(): Probe {
  if (GPU.isWebGLSupported) return { ok: true };
  return { ok: false, reason: isNode() ? 'WebGL needs a browser page (Node has headless-gl instead)' : 'this browser could not create a WebGL context with float textures' };
}

/** headless-gl works in Node when the optional `gl` package is built and makes a context (under a display: Xvfb on a server). */
export function probeHeadlessGL(): Probe {
  if (GPU.isHeadlessGLSupported) return { ok: true };
  if (!isNode()) return { ok: false, reason: 'headless-gl runs in Node only (a page has webgl2)' };
  return {
    ok: false,
    reason: "headless-gl (gpu.js's optional gl package) is not built here or could not create a WebGL context (no display: run under xvfb-run)",
  };
}

/** gpu.js's WebAssembly backend needs WebAssembly (with SIMD it vectorizes). */
export function probeWebAsm(): Probe {
  return GPU.isWebAssemblySupported ? { ok: true } : { ok: false, reason: 'WebAssembly is not available' };
}
