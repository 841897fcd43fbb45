/**
 * `gpujsBackend`: the options, the mode that runs, and the `Backend` object assembled from
 * the storage table (`storage.ts`), the dispatcher (`dispatch.ts`: host or device, and how a
 * kernel is launched) and the kernel groups in `kernels/`.
 *
 * An op runs on the host when every input is there and nothing involved reaches
 * `hostThreshold` elements; otherwise on the device, uploading host inputs as needed. On
 * webgpu, kernels and readback are asynchronous: a tensor can be `pending` (its value on its
 * way), and ops on pending tensors queue behind them, so dispatch never blocks.
 */
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { numel, type Backend, type BackendSupports, type DataId, type DeviceTolerance, type KernelTable } from '@tensorgrad/core';
import { Device } from './device';
import { Dispatch } from './dispatch';
import { elementwiseKernels } from './kernels/elementwise';
import { layoutKernels } from './kernels/layout';
import { matmulKernels } from './kernels/matmul';
import { reduceKernels } from './kernels/reduce';
import { scanKernels } from './kernels/scan';
import { probeHeadlessGL, probeWebAsm, probeWebGL, probeWebGL2, probeWebGPU, type GpujsMode, type Probe } from './modes';
import { StorageTable, type Counts, type Placement, type Stored } from './storage';

export type { Placement } from './storage';

/**
 * Options of {@link gpujsBackend}.
 *
 * @example
 * ```ts
 * gpujsBackend({ mode: 'webasm', hostThreshold: 0 }); // every op as a gpu.js WebAssembly kernel
 * ```
 */
export interface GpujsBackendOptions {
  /** The gpu.js mode; `'auto'` (default) takes the best that works: webgpu, webgl2, webgl, headlessgl, webasm, cpu. A named mode that fails throws from `ready()`. */
  readonly mode?: GpujsMode | 'auto';
  /**
   * Ops whose output and inputs all have fewer elements than this, with every input on the
   * host, run on the host (backend-cpu's kernels). 0 sends everything to the device.
   * Default: {@link DEFAULT_HOST_THRESHOLD} for the mode, {@link SOFTWARE_HOST_THRESHOLD} where the
   * device is a GPU emulated on the CPU (SwiftShader, llvmpipe).
   */
  readonly hostThreshold?: number;
  /** WebGPU matmul kernel: `'vec4'` (default, four outputs per thread) or `'scalar'` (one). */
  readonly matmul?: 'vec4' | 'scalar';
}

/**
 * Counters, for tests and benchmarks.
 *
 * @example
 * ```ts
 * const before = backend.stats().compiled;
 * x.mul(2); // a kernel already compiled for this op and rank
 * backend.stats().compiled === before; // true
 * ```
 */
export interface GpujsStats {
  /** gpu.js kernels compiled (one per op, rank and variant). */
  readonly compiled: number;
  /** Kernels run on the device (gpu.js kernel launches). */
  readonly deviceOps: number;
  /** Kernels run on the host by backend-cpu: ops whose inputs are on the host and small, random draws, and the few ops the device leaves to the host (a large scatterAdd, for one). */
  readonly hostOps: number;
  /** Host → device copies: writes of tensors with at least `hostThreshold` elements, and host inputs of device ops. */
  readonly uploads: number;
  /** Device → host copies: reads of device data, and device inputs of host ops. */
  readonly readbacks: number;
}

/**
 * The gpujs backend: a `Backend` plus the mode that really runs.
 *
 * @example
 * ```ts
 * const backend = gpujsBackend();
 * await setBackend(backend);
 * backend.device; // 'webgpu' on a GPU machine with Dawn, else 'headlessgl', 'webasm' or 'cpu'
 * ```
 */
export interface GpujsBackend extends Backend {
  /** The gpu.js mode running the device kernels. */
  readonly device: GpujsMode;
  /**
   * What the device says it is, lower-cased: the GL renderer string or the WebGPU adapter's
   * description (`''` on webasm and cpu). SwiftShader here means a CPU emulation of a GPU.
   */
  readonly renderer: string;
  /** The element count below which ops run on the host. */
  readonly hostThreshold: number;
  /** Kernel and transfer counters. */
  stats(): GpujsStats;
  /** Where the data of `id` lives now. */
  placement(id: DataId): Placement;
}

/**
 * Host thresholds per mode, in elements, on a hardware GPU (a software one takes
 * {@link SOFTWARE_HOST_THRESHOLD}). webasm and cpu: measured on the 2-core CI machine with
 * `bench/threshold.mjs` (each side in its own process, resident inputs, median of 15):
 * backend-cpu's kernels beat gpu.js's WebAssembly kernels at every size from 256 to 1M
 * elements for add, exp, sum and matmul (by 1.5-5x), and its plain-JS kernels everywhere but a
 * few sizes within noise, so the host takes every op whose inputs are on the host. The GPU modes
 * (webgpu, webgl2, webgl, headlessgl): a launch costs tens of microseconds, which the host spends
 * on about 16k elementwise elements (27 us per op at 16384 in the sweep below); an estimate until
 * a sweep on a hardware GPU (`gpu-check/check.mjs`) measures it: none was available here.
 *
 * @example
 * ```ts
 * DEFAULT_HOST_THRESHOLD.webasm; // Infinity
 * ```
 */
export const DEFAULT_HOST_THRESHOLD: Readonly<Record<GpujsMode, number>> = {
  webgpu: 16384,
  webgl2: 16384,
  webgl: 16384,
  headlessgl: 16384,
  webasm: Number.POSITIVE_INFINITY,
  cpu: Number.POSITIVE_INFINITY,
};

/**
 * The default host threshold on a software GPU: Infinity, every op whose inputs are on the host
 * stays there. Measured with `apps/gpu-conformance/src/threshold.mjs` (headless Chromium) and
 * `bench/threshold.mjs --mode=headlessgl` (Xvfb's Mesa) on the 2-core CI machine: on SwiftShader
 * (webgl2, webgpu) and llvmpipe the host was faster at every size from 256 to 4M elements for
 * elementwise chains, row sums and products up to 512×512, by 3x to 170x.
 *
 * @example
 * ```ts
 * gpujsBackend({ mode: 'webgl2' }).hostThreshold; // Infinity in headless Chromium (SwiftShader)
 * ```
 */
export const SOFTWARE_HOST_THRESHOLD = Number.POSITIVE_INFINITY;

/** Renderer names of GPUs emulated on the CPU (Chromium's SwiftShader, Mesa's llvmpipe/lavapipe/softpipe, Windows' WARP). */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/;

/** The modes with a synchronous probe, which a named mode checks before it starts. */
const SYNC_PROBES: Partial<Record<GpujsMode, () => Probe>> = { webgl2: probeWebGL2, webgl: probeWebGL, headlessgl: probeHeadlessGL, webasm: probeWebAsm };

/** `'auto'`'s order after webgpu (which needs `ready()`: its probe is asynchronous). */
const SYNC_ORDER: readonly GpujsMode[] = ['webgl2', 'webgl', 'headlessgl', 'webasm'];

/**
 * Where a device's float math is measurably looser than float32's, per op. SwiftShader (the
 * CPU Vulkan/GL implementation Chromium falls back to) computes `sin` and `cos` with an
 * approximation off by up to 1.9e-4 in the conformance cases' range.
 */
function deviceTolerance(renderer: string): Readonly<Record<string, DeviceTolerance>> | undefined {
  if (!renderer.includes('swiftshader')) return undefined;
  const reason = "SwiftShader's sin and cos are approximations, off by up to 1.9e-4 on [-4, 4]";
  return { sin: { atol: 2.5e-4, reason }, cos: { atol: 2.5e-4, reason } };
}

/**
 * A backend whose kernels are compiled by gpu.js 2.24.1: WebGPU (the page's, or Dawn through
 * the `webgpu` package in Node), WebGL2 or WebGL in a page, headless-gl in Node where `gl` is
 * built, else gpu.js's WebAssembly or plain-JS kernels. `backend.device` names the mode that
 * runs; falling back prints one warning with the reason. Device outputs stay on the device
 * between ops.
 *
 * Int32 and bool tensors are stored on the device as floats (exact below 2^24) and converted
 * on read. Random numbers are drawn on the host (their 32-bit integer hash has no exact
 * float form); scatterAdd runs on the device up to 2^27 compare-adds, else on the host.
 *
 * @example
 * ```ts
 * import { setBackend, randn } from '@tensorgrad/core';
 * import { gpujsBackend } from '@tensorgrad/backend-gpujs';
 * const backend = gpujsBackend();
 * await setBackend(backend);
 * const y = randn([512, 512]).matmul(randn([512, 512])); // stays on the device
 * await y.data();                                        // one readback
 * ```
 */
export function gpujsBackend(options: GpujsBackendOptions = {}): GpujsBackend {
  const requested = options.mode ?? 'auto';
  const counts: Counts = { deviceOps: 0, hostOps: 0, uploads: 0, readbacks: 0 };
  let device: Device | null = null;
  let threshold: number | null = options.hostThreshold ?? null;
  let readyPromise: Promise<void> | null = null;

  function start(mode: GpujsMode, fallbackReasons: string[]): Device {
    if (fallbackReasons.length > 0) {
      console.warn(`gpujs backend: running gpu.js in '${mode}' mode: ${fallbackReasons.join('; ')}`);
    }
    device = new Device(mode);
    return device;
  }

  /** The synchronous part of mode selection (everything but webgpu, which needs `ready()`). */
  function chooseSync(reasons: string[]): Device {
    for (const mode of SYNC_ORDER) {
      const p = SYNC_PROBES[mode]!();
      if (p.ok) return start(mode, reasons);
      reasons.push(`${mode} unavailable (${p.reason})`);
    }
    return start('cpu', reasons);
  }

  function dev(): Device {
    if (device) return device;
    if (requested === 'webgpu') throw new Error("gpujs: mode 'webgpu' is chosen asynchronously: call await setBackend(backend) (or await backend.ready()) before using it");
    if (requested === 'auto') return chooseSync(['webgpu not probed (backend used before ready() was awaited)']);
    const probe = SYNC_PROBES[requested];
    if (probe) {
      const p = probe();
      if (!p.ok) throw new Error(`gpujs: mode '${requested}' was requested but ${p.reason}`);
    }
    return start(requested, []);
  }

  /** The threshold given, else the mode's default, or the software one where the renderer is an emulation. */
  function hostThreshold(): number {
    if (threshold !== null) return threshold;
    const d = dev();
    threshold = SOFTWARE_RENDERER.test(d.renderer) ? SOFTWARE_HOST_THRESHOLD : DEFAULT_HOST_THRESHOLD[d.mode];
    return threshold;
  }

  const storage = new StorageTable(cpuBackend(), dev, counts);
  const dispatch = new Dispatch(storage, dev, hostThreshold, counts);
  const elementwise = elementwiseKernels(dispatch);
  const kernels: KernelTable = {
    ...elementwise,
    ...reduceKernels(dispatch, elementwise.fill),
    ...matmulKernels(dispatch, options.matmul !== 'scalar'),
    ...layoutKernels(dispatch),
    ...scanKernels(dispatch),
  };

  const supports: BackendSupports = {
    get syncRead() {
      // before ready() the auto and webgpu modes may still end up on webgpu, which reads asynchronously
      return device ? device.sync : requested !== 'auto' && requested !== 'webgpu';
    },
    fused: [],
    get tolerance() {
      return device ? deviceTolerance(device.renderer) : undefined;
    },
  };

  const backend: GpujsBackend = {
    name: 'gpujs',
    supports,
    get device() {
      return dev().mode;
    },
    get renderer() {
      return dev().renderer;
    },
    get hostThreshold() {
      return hostThreshold();
    },
    ready() {
      readyPromise ??= (async () => {
        if (device) return;
        if (requested === 'webgpu' || requested === 'auto') {
          const p = await probeWebGPU();
          if (p.ok) {
            start('webgpu', []);
            return;
          }
          if (requested === 'webgpu') throw new Error(`gpujs: mode 'webgpu' was requested but ${p.reason}`);
          chooseSync([`webgpu unavailable (${p.reason})`]);
          return;
        }
        dev();
      })();
      return readyPromise;
    },
    write(values, shape, dtype) {
      const n = numel(shape);
      if (values.length !== n) throw new Error(`gpujs.write: ${values.length} values for shape [${shape.join(',')}] of ${n} elements`);
      const d = dev();
      if (dispatch.smallEnough(n)) return storage.fromHost(storage.cpu.write(values, shape, dtype), shape, dtype);
      const s = storage.create(shape, dtype);
      counts.uploads++;
      let up: ReturnType<typeof d.upload>;
      try {
        up = d.upload(Float32Array.from(values));
      } catch (e) {
        storage.dispose(s); // a failed upload leaves nothing counted
        throw e;
      }
      if (up instanceof Promise) storage.settle(s, up, []);
      else s.dev = up;
      return s;
    },
    read(id) {
      return storage.read(id as Stored);
    },
    readSync(id) {
      return storage.readSync(id as Stored);
    },
    dispose(id) {
      storage.dispose(id as Stored);
    },
    lease(id) {
      return storage.lease(id as Stored);
    },
    collected(token) {
      storage.collected(token);
    },
    memory() {
      return storage.memory();
    },
    kernels,
    stats() {
      return { compiled: device?.compiled ?? 0, ...counts };
    },
    placement(id) {
      return (id as Stored).placement;
    },
    async close() {
      await device?.destroy();
    },
  };
  return backend;
}
