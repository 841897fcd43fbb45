/**
 * The gpu.js side: one `GPU` instance in one mode, a cache of compiled kernels, and the four
 * things done with device values (run a kernel on them, upload, read back, free).
 *
 * Device values are what gpu.js pipelines produce: a `WebGPUBufferResult` (webgpu), a
 * `Texture` (headlessgl), or a `Float32Array` (webasm and cpu, whose "device" is host memory).
 * Every output is 1-D (`[numel]`): int32 and bool values are stored as exact floats.
 */
import * as gpujs from 'gpu.js';
import { adapterDescription, type GpujsMode } from './modes';
import { copySource, type KernelSource } from './sources';

/** A pipelined kernel result: a WebGPU buffer handle, a GL texture, or a typed array. */
export type DeviceValue = object;

/** gpu.js's run shortcut, typed as far as this backend uses it. */
interface KernelFn {
  (...args: unknown[]): unknown;
  setOutput(output: number[]): KernelFn;
  destroy(removeCanvasReferences?: boolean): void;
  readonly kernel: { constructor: { mode: string }; fallbackReason?: string | null };
}

/** A WebGPU pipeline handle (gpu.js's `WebGPUBufferResult`). */
interface BufferHandle {
  readonly buffer: { _refs?: number };
  readonly output: number[];
  readonly componentCount: number;
  readonly context: unknown;
  readonly kernel: unknown;
  toArray(): Promise<Float32Array>;
  delete(): void;
}

/** The part of a WebGL context that names the renderer. */
interface GLLike {
  readonly RENDERER: number;
  getParameter(name: number): unknown;
  getExtension(name: string): unknown;
}

/** A GL texture (gpu.js's `Texture`). */
interface TextureLike {
  toArray(): Float32Array | number[];
  delete(): void;
}

/**
 * One compiled gpu.js kernel: a source run with one fixed list of argument types. gpu.js
 * switches a kernel to another compilation when an argument's type changes, and a kernel it
 * switches back to keeps the output and texture sizes of its own last run (2.24.1): so no
 * gpu.js kernel here ever sees two argument signatures.
 */
interface Variant {
  readonly fn: KernelFn;
  /** gpu.js fell back to its cpu kernel for this one (warned once). */
  degraded: boolean;
  /** WebGPU: the first call, which builds the kernel; later calls wait for it so each sets its own output. */
  first: Promise<unknown> | null;
  built: boolean;
}

/** A kernel source and its compilations, one per argument signature (see {@link Variant}). */
export interface Entry {
  readonly key: string;
  readonly source: KernelSource;
  readonly variants: Map<string, Variant>;
}

const WebGPUBufferResult = (gpujs as unknown as { WebGPUBufferResult: new (settings: object) => BufferHandle }).WebGPUBufferResult;

/** The shared kernel settings: resident outputs, each call its own output, one compile per shape family. */
const SETTINGS = {
  pipeline: true,
  immutable: true,
  precision: 'single',
  dynamicOutput: true,
  dynamicArguments: true,
  // loops run to arguments (K, R, ...): gpu.js caps non-constant loops at this count
  loopMaxIterations: 1 << 30,
  tactic: 'precision',
} as const;

/**
 * One gpu.js `GPU` in one mode with its kernel cache.
 *
 * @example
 * ```ts
 * const device = new Device('webasm');
 * const k = device.kernel('copy', copySource);
 * device.run(k, [3], [new Float32Array([1, 2, 3])]); // Float32Array [1, 2, 3]
 * ```
 */
export class Device {
  /** Kernels compiled so far (cache misses). */
  compiled = 0;
  private readonly gpu: gpujs.GPU;
  private readonly cache = new Map<string, Entry>();

  constructor(readonly mode: GpujsMode) {
    this.gpu = new gpujs.GPU({ mode });
  }

  /**
   * What the device says it is, lower-cased: the GL renderer (e.g. `'angle (google, vulkan 1.3.0
   * (swiftshader device ...'`, `'llvmpipe (llvm 15.0.6, 256 bits)'`), the WebGPU adapter's
   * vendor, architecture and description, or `''` where the mode has no device (webasm, cpu).
   */
  get renderer(): string {
    this.rendererName ??= this.describe();
    return this.rendererName;
  }
  private rendererName: string | undefined;

  private describe(): string {
    if (this.mode === 'webgpu') return adapterDescription();
    if (this.mode === 'webasm' || this.mode === 'cpu') return '';
    // gpu.js makes its GL context with its first kernel
    if (!this.gpu.context) this.gpu.createKernel(copySource().source, { output: [1] });
    const gl = this.gpu.context as unknown as GLLike | null;
    if (!gl?.getParameter) return '';
    const info = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
    const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    return String(renderer ?? '').toLowerCase();
  }

  /** Whether kernels and readback complete synchronously (everything but webgpu). */
  get sync(): boolean {
    return this.mode !== 'webgpu';
  }

  /** The kernel family for `key`, its source made by `make()` on first use (compiled per argument signature when run). */
  kernel(key: string, make: () => KernelSource): Entry {
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { key, source: make(), variants: new Map() };
      this.cache.set(key, entry);
    }
    return entry;
  }

  /** The compilation of `entry` for the argument types of `args`, compiled on first use. */
  private variant(entry: Entry, args: readonly unknown[]): Variant {
    const declared = Object.values(entry.source.argumentTypes);
    const types = args.map((a, i) => argumentType(a, declared[i]!));
    const signature = types.join(',');
    let v = entry.variants.get(signature);
    if (!v) {
      const names = Object.keys(entry.source.argumentTypes);
      const argumentTypes = Object.fromEntries(names.map((name, i) => [name, types[i]]));
      const fn = this.gpu.createKernel(entry.source.source, {
        ...SETTINGS,
        output: [1],
        argumentTypes,
        returnType: entry.source.returnType,
      } as unknown as gpujs.IGPUKernelSettings) as unknown as KernelFn;
      v = { fn, degraded: false, first: null, built: this.mode !== 'webgpu' };
      entry.variants.set(signature, v);
      this.compiled++;
    }
    return v;
  }

  /**
   * Run a kernel over `output` (gpu.js order: `[x]`, `[x, y]` or `[x, y, z]`). Synchronous modes
   * return the value; webgpu returns a promise of the handle (the work is queued at once
   * after the kernel's first build).
   */
  run(entry: Entry, output: number[], args: readonly unknown[]): DeviceValue | Promise<DeviceValue> {
    const v = this.variant(entry, args);
    const call = (): DeviceValue | Promise<DeviceValue> => {
      v.fn.setOutput(output);
      return v.fn(...args) as DeviceValue | Promise<DeviceValue>;
    };
    if (this.mode !== 'webgpu') {
      const out = call();
      // gpu.js degrades a kernel it cannot compile to its cpu kernel: still right, but say so once
      const ran = v.fn.kernel.constructor.mode;
      if (ran === 'cpu' && this.mode !== 'cpu' && !v.degraded) {
        v.degraded = true;
        console.warn(`gpujs backend: gpu.js ran kernel '${entry.key}' on its cpu fallback instead of ${this.mode}: ${v.fn.kernel.fallbackReason ?? 'no reason given'}`);
      }
      return out;
    }
    if (v.built) return call();
    if (!v.first) {
      const first = Promise.resolve(call()).then((h) => {
        v.built = true;
        return h;
      });
      v.first = first;
      return first as Promise<DeviceValue>;
    }
    return v.first.then(call);
  }

  /** Host floats into a device value (a copy). */
  upload(values: Float32Array): DeviceValue | Promise<DeviceValue> {
    if (this.mode === 'webasm' || this.mode === 'cpu') return values;
    return this.run(this.kernel('upload', copySource), [values.length], [values]);
  }

  /** Read a device value synchronously (not on webgpu). The result may share memory with the value. */
  readSync(value: DeviceValue): Float32Array {
    if (value instanceof Float32Array) return value;
    if (this.mode === 'webgpu') throw new Error('gpujs: webgpu reads back asynchronously only');
    const a = (value as TextureLike).toArray();
    return a instanceof Float32Array ? a : Float32Array.from(a);
  }

  /** Read a device value back to the host. */
  async read(value: DeviceValue): Promise<Float32Array> {
    if (this.mode === 'webgpu') return (value as BufferHandle).toArray();
    return this.readSync(value);
  }

  /** Free a device value (a texture or buffer; typed arrays are left to the garbage collector). */
  free(value: DeviceValue): void {
    if (value instanceof Float32Array) return;
    (value as TextureLike | BufferHandle).delete();
  }

  /**
   * WebGPU: the same buffer seen with other dims (`[x, y, z]`) and one component per element,
   * sharing its reference count. Used to address matmul operands in 3-D and to read a vec4
   * matmul output as flat floats.
   */
  view(value: DeviceValue, output: number[]): DeviceValue {
    const h = value as BufferHandle;
    return new WebGPUBufferResult({ buffer: h.buffer, output, componentCount: 1, context: h.context, kernel: h.kernel });
  }

  /** Free every kernel and the gpu.js instance. */
  async destroy(): Promise<void> {
    this.cache.clear();
    await this.gpu.destroy();
  }
}

/**
 * The gpu.js argument type of one value: integers as declared, host arrays `'Array'`, device
 * values their own type (a GL texture's `'ArrayTexture(1)'`, a WebGPU buffer's).
 */
function argumentType(value: unknown, declared: string): string {
  if (typeof value === 'number') return declared;
  if (value instanceof Float32Array) return 'Array';
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? type : declared;
}
