/**
 * `gpujsBackend`: tensors resident on a gpu.js device, small ones computed on the host.
 *
 * Storage is a union: a tensor's data lives on the host (a backend-cpu `DataId`), on the
 * device (a gpu.js pipeline value), or both (a cached copy; storage never changes once
 * written). An op runs on the host when every input is there and nothing involved reaches
 * `hostThreshold` elements; otherwise on the device, uploading host inputs as needed. On
 * webgpu, kernels and readback are asynchronous: a tensor can be `pending` (its value on its
 * way), and ops on pending tensors queue behind them, so dispatch never blocks.
 */
import { cpuBackend, type CpuData } from '@tensorgrad/backend-cpu';
import {
  numel,
  stridesOf,
  type Backend,
  type BackendSupports,
  type BinaryOp,
  type DataId,
  type DType,
  type KernelTable,
  type ReduceOp,
  type Shape,
  type TensorInfo,
  type TypedArray,
  type UnaryOp,
} from '@tensorgrad/core';
import { Device, type DeviceValue } from './device';
import { probeHeadlessGL, probeWebAsm, probeWebGPU, type GpujsMode, type Probe } from './modes';
import { broadcastPlan, broadcastStrides, collapse, divisors, type StridedPlan } from './plan';
import * as src from './sources';

/**
 * Options of {@link gpujsBackend}.
 *
 * @example
 * ```ts
 * gpujsBackend({ mode: 'webasm', hostThreshold: 0 }); // every op as a gpu.js WebAssembly kernel
 * ```
 */
export interface GpujsBackendOptions {
  /** The gpu.js mode; `'auto'` (default) takes the best that works: webgpu, headlessgl, webasm, cpu. A named mode that fails throws from `ready()`. */
  readonly mode?: GpujsMode | 'auto';
  /**
   * Ops whose output and inputs all have fewer elements than this, with every input on the
   * host, run on the host (backend-cpu's kernels). 0 sends everything to the device.
   * Default: {@link DEFAULT_HOST_THRESHOLD} for the mode.
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
 * Where a tensor's data is: `pending` while a webgpu result is on its way.
 *
 * @example
 * ```ts
 * backend.placement(t._info().id); // 'device'
 * ```
 */
export type Placement = 'host' | 'device' | 'both' | 'pending';

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
  /** The element count below which ops run on the host. */
  readonly hostThreshold: number;
  /** Kernel and transfer counters. */
  stats(): GpujsStats;
  /** Where the data of `id` lives now. */
  placement(id: DataId): Placement;
}

/**
 * Host thresholds per mode, in elements. webasm and cpu: measured on the 2-core CI machine with
 * `bench/threshold.mjs` (each side in its own process, resident inputs, median of 15):
 * backend-cpu's kernels beat gpu.js's WebAssembly kernels at every size from 256 to 1M
 * elements for add, exp, sum and matmul (by 1.5-5x), and its plain-JS kernels everywhere but a
 * few sizes within noise, so the host takes every op whose inputs are on the host. The GPU modes:
 * a launch costs tens of microseconds, which the host spends on about 16k elementwise elements;
 * an estimate until the GPU check (`gpu-check/check.mjs`, its threshold sweep) measures it.
 *
 * @example
 * ```ts
 * DEFAULT_HOST_THRESHOLD.webasm; // Infinity
 * ```
 */
export const DEFAULT_HOST_THRESHOLD: Readonly<Record<GpujsMode, number>> = {
  webgpu: 16384,
  headlessgl: 16384,
  webasm: Number.POSITIVE_INFINITY,
  cpu: Number.POSITIVE_INFINITY,
};

/** One tensor's storage: on the host, on the device, both, or pending (webgpu). */
class Stored {
  host: DataId | null = null;
  dev: DeviceValue | null = null;
  /** Settles when `host` or `dev` is set (or `error`). */
  pending: Promise<void> | null = null;
  error: unknown = null;
  /** Ops queued on this tensor's pending value: freeing waits for them. */
  holds = 0;
  disposed = false;
  freed = false;
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    readonly size: number,
  ) {}
}

const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 1 };
// past this many compare-adds a device scatterAdd (written gather-style) costs more than the host loop
const SCATTER_BUDGET = 1 << 27;
// reductions longer than this run in two passes (chunks of about sqrt(R)): parallel on the GPU, and pairwise-accurate
const REDUCE_CHUNKED = 2048;

/**
 * A backend whose kernels are compiled by gpu.js 2.24.1: WebGPU through Dawn where the `webgpu`
 * package loads and finds an adapter, headless-gl where `gl` is built, else gpu.js's
 * WebAssembly or plain-JS kernels. `backend.device` names the mode that runs; falling back
 * prints one warning with the reason. Device outputs stay on the device between ops.
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
  const cpu = cpuBackend();
  const counts = { deviceOps: 0, hostOps: 0, uploads: 0, readbacks: 0 };
  let device: Device | null = null;
  let threshold = options.hostThreshold ?? Number.POSITIVE_INFINITY;
  let live = 0;
  let liveBytes = 0;
  let readyPromise: Promise<void> | null = null;

  function start(mode: GpujsMode, fallbackReasons: string[]): Device {
    if (fallbackReasons.length > 0) {
      console.warn(`gpujs backend: running gpu.js in '${mode}' mode: ${fallbackReasons.join('; ')}`);
    }
    device = new Device(mode);
    threshold = options.hostThreshold ?? DEFAULT_HOST_THRESHOLD[mode];
    return device;
  }

  /** The synchronous part of mode selection (everything but webgpu, which needs `ready()`). */
  function chooseSync(reasons: string[]): Device {
    const probes: [GpujsMode, () => Probe][] = [
      ['headlessgl', probeHeadlessGL],
      ['webasm', probeWebAsm],
    ];
    for (const [mode, probe] of probes) {
      const p = probe();
      if (p.ok) return start(mode, reasons);
      reasons.push(`${mode} unavailable (${p.reason})`);
    }
    return start('cpu', reasons);
  }

  function dev(): Device {
    if (device) return device;
    if (requested === 'webgpu') throw new Error("gpujs: mode 'webgpu' is chosen asynchronously: call await setBackend(backend) (or await backend.ready()) before using it");
    if (requested === 'auto') return chooseSync(['webgpu not probed (backend used before ready() was awaited)']);
    if (requested === 'headlessgl') {
      const p = probeHeadlessGL();
      if (!p.ok) throw new Error(`gpujs: mode 'headlessgl' was requested but ${p.reason}`);
    }
    return start(requested, []);
  }

  // ---- storage

  function track(s: Stored): Stored {
    live++;
    liveBytes += s.size * BYTES[s.dtype];
    return s;
  }

  function fromHost(id: DataId, shape: Shape, dtype: DType): Stored {
    const s = track(new Stored(shape, dtype, numel(shape)));
    s.host = id;
    return s;
  }

  function free(s: Stored): void {
    if (s.freed) return;
    if (s.pending) {
      void s.pending.then(() => free(s));
      return;
    }
    s.freed = true;
    if (s.host) cpu.dispose(s.host);
    if (s.dev) device!.free(s.dev);
    s.host = null;
    s.dev = null;
  }

  function dispose(s: Stored): void {
    if (s.disposed) return;
    s.disposed = true;
    live--;
    liveBytes -= s.size * BYTES[s.dtype];
    if (s.holds === 0) free(s);
  }

  /** Settle `s` from a promise of its device value (webgpu). */
  function settle(s: Stored, value: Promise<DeviceValue>, inputs: readonly Stored[]): void {
    for (const x of inputs) x.holds++;
    s.pending = value.then(
      (v) => {
        s.dev = v;
      },
      (e: unknown) => {
        s.error = e;
      },
    );
    void s.pending.then(() => {
      s.pending = null;
      for (const x of inputs) if (--x.holds === 0 && x.disposed) free(x);
    });
  }

  function check(s: Stored, op: string): void {
    if (s.freed || (s.disposed && s.holds === 0)) throw new Error(`gpujs: ${op}: a tensor of shape [${s.shape.join(',')}] was used after dispose`);
    if (s.error) throw s.error;
  }

  /** Host floats of a host-resident tensor (no copy: read only). */
  function hostValues(s: Stored): TypedArray {
    return (s.host as CpuData).values;
  }

  /** The device value of `s` (uploading a host copy once), or a promise of it on webgpu. */
  function onDevice(s: Stored): DeviceValue | Promise<DeviceValue> {
    if (s.dev) return s.dev;
    if (s.error) throw s.error;
    if (s.pending) return s.pending.then(() => onDevice(s));
    const d = dev();
    const values = hostValues(s);
    // webasm/cpu keep the array itself as the device value: copy it, the cpu pool reuses freed arrays
    const floats = values instanceof Float32Array && d.mode !== 'webasm' && d.mode !== 'cpu' ? values : Float32Array.from(values);
    counts.uploads++;
    const up = d.upload(floats);
    if (up instanceof Promise) {
      settle(s, up, []);
      return s.pending!.then(() => onDevice(s));
    }
    s.dev = up;
    return up;
  }

  /** Make sure `s` has a host copy (synchronous modes only). */
  function toHostSync(s: Stored, op: string): DataId {
    check(s, op);
    if (s.host) return s.host;
    if (s.pending || !s.dev) throw new Error(`gpujs: ${op}: this tensor is still on its way from the webgpu device; read it with await t.data()`);
    counts.readbacks++;
    s.host = cpu.write(dev().readSync(s.dev), s.shape, s.dtype);
    return s.host;
  }

  async function toHost(s: Stored, op: string): Promise<DataId> {
    if (s.pending) await s.pending;
    check(s, op);
    if (s.host) return s.host;
    counts.readbacks++;
    const values = await dev().read(s.dev!);
    s.host ??= cpu.write(values, s.shape, s.dtype);
    return s.host;
  }

  // ---- placing and running ops

  /** A tensor as an op sees it: its storage, and the shape of this view of it (views share storage). */
  interface In {
    readonly s: Stored;
    readonly shape: Shape;
    readonly dtype: DType;
  }
  const inp = (t: TensorInfo): In => ({ s: t.id as Stored, shape: t.shape, dtype: t.dtype });
  const own = (s: Stored, shape: Shape = s.shape): In => ({ s, shape, dtype: s.dtype });

  /** Whether an op runs on the host: every input there and everything small, or something empty. */
  function onHostSide(inputs: readonly In[], outSize: number): boolean {
    if (outSize === 0 || inputs.some((x) => x.s.size === 0)) return true;
    if (!inputs.every((x) => x.s.host !== null)) return false;
    return outSize < threshold && inputs.every((x) => x.s.size < threshold);
  }

  /** Run `compute` on backend-cpu over host copies of the inputs. */
  function host(shape: Shape, dtype: DType, inputs: readonly In[], op: string, compute: (infos: TensorInfo[]) => DataId): Stored {
    counts.hostOps++;
    const d = dev();
    if (d.sync || inputs.every((x) => x.s.host !== null)) {
      const infos = inputs.map((x) => ({ id: toHostSync(x.s, op), shape: x.shape, dtype: x.dtype }));
      return fromHost(compute(infos), shape, dtype);
    }
    // webgpu: read the device inputs back first
    const out = track(new Stored(shape, dtype, numel(shape)));
    for (const x of inputs) x.s.holds++;
    out.pending = Promise.all(inputs.map((x) => toHost(x.s, op))).then(
      (ids) => {
        out.host = compute(ids.map((id, i) => ({ id, shape: inputs[i]!.shape, dtype: inputs[i]!.dtype })));
      },
      (e: unknown) => {
        out.error = e;
      },
    );
    void out.pending.then(() => {
      out.pending = null;
      for (const x of inputs) if (--x.s.holds === 0 && x.s.disposed) free(x.s);
    });
    return out;
  }

  type Arg = In | number | Float32Array;
  const isIn = (a: Arg): a is In => typeof a === 'object' && !(a instanceof Float32Array);

  /**
   * Run kernel `key` over `output` with `args` (tensors become their device values, numbers
   * stay integers, Float32Arrays go as small constant arrays). `views` re-dims tensor
   * arguments by position (WebGPU 3-D addressing).
   */
  function kernel(
    key: string,
    make: () => src.KernelSource,
    output: number[],
    shape: Shape,
    dtype: DType,
    args: readonly Arg[],
    op: string,
    views?: ReadonlyMap<number, number[]>,
  ): Stored {
    const d = dev();
    counts.deviceOps++;
    const entry = d.kernel(key, make);
    const tensors = args.filter(isIn).map((a) => a.s);
    for (const t of tensors) check(t, op);
    const out = track(new Stored(shape, dtype, numel(shape)));
    const values = args.map((a) => (isIn(a) ? onDevice(a.s) : a));
    const launch = (resolved: unknown[]): DeviceValue | Promise<DeviceValue> => {
      const viewed = views ? resolved.map((v, i) => (views.has(i) ? d.view(v as DeviceValue, views.get(i)!) : v)) : resolved;
      const release = () => {
        if (views) for (const i of views.keys()) d.free(viewed[i] as DeviceValue);
      };
      const result = d.run(entry, output, viewed);
      if (result instanceof Promise) return result.finally(release);
      release();
      return result;
    };
    if (d.sync) {
      out.dev = launch(values);
      return out;
    }
    const ready = values.some((v) => v instanceof Promise) ? Promise.all(values).then(launch) : launch(values);
    settle(out, Promise.resolve(ready), tensors);
    return out;
  }

  /** A temporary made by one op for another: freed once its consumer is dispatched (or, on webgpu, has run). */
  function drop(x: In): void {
    dispose(x.s);
  }

  const rankOf = (plan: StridedPlan): number => Math.max(plan.shape.length, 1);
  const padPlan = (plan: StridedPlan): StridedPlan =>
    plan.shape.length > 0 ? plan : { shape: [1], strides: plan.strides.map(() => [0]), offsets: plan.offsets };

  /** out[i] = x[off + Σ c_d s_d] over a collapsed plan: permute, expand, slice. */
  function strided(x: In, plan0: StridedPlan, shape: Shape, op: string): Stored {
    const plan = padPlan(plan0);
    const rank = rankOf(plan);
    const n = numel(shape);
    return kernel(`strided:${rank}`, () => src.stridedSource(rank), [n], shape, x.dtype, [x, ...divisors(plan.shape), ...plan.strides[0]!, plan.offsets[0]!], op);
  }

  function copy(x: In, shape: Shape, dtype: DType, op: string): Stored {
    return kernel('copy', src.copySource, [x.s.size], shape, dtype, [x], op);
  }

  /** `x` materialised with its batch dims broadcast to `batch` (matmul operands). */
  function expandBatch(x: In, batch: readonly number[], op: string): In {
    const shape = [...batch, ...x.shape.slice(-2)];
    return own(strided(x, collapse(shape, [broadcastStrides(x.shape, shape)], [0]), shape, op), shape);
  }

  /** One reduction pass over [A, R, C] (chunked by CH), output [A, ceil(R/CH), C] flat. */
  function reducePass(op: ReduceOp, x: In, A: number, R: number, C: number, CH: number, shape: Shape, dtype: DType): Stored {
    const NC = Math.ceil(R / CH);
    return kernel(`reduce:${op}`, () => src.reduceSource(op), [A * NC * C], shape, dtype, [x, NC * C, C, R, CH], 'reduce');
  }

  function reduceDevice(op: ReduceOp, x: In, A: number, R: number, C: number, outShape: Shape, dtype: DType): Stored {
    if (R <= REDUCE_CHUNKED) return reducePass(op, x, A, R, C, Math.max(R, 1), outShape, dtype);
    const CH = Math.ceil(Math.sqrt(R));
    const NC = Math.ceil(R / CH);
    const arg = op === 'argmax' || op === 'argmin';
    const partial = own(reducePass(op, x, A, R, C, CH, [A, NC, C], arg ? 'int32' : dtype));
    const out = arg
      ? kernel(`argfinal:${op}`, () => src.argFinalSource(op), [A * C], outShape, 'int32', [x, partial, C, R, NC], 'reduce')
      : reduceDevice(op, partial, A, NC, C, outShape, dtype);
    drop(partial);
    return out;
  }

  // ---- the kernel table

  const kernels: KernelTable = {
    unary(op: UnaryOp, xi) {
      const x = inp(xi);
      const dtype: DType = op === 'logicalNot' ? 'bool' : (op === 'neg' || op === 'abs') && x.dtype === 'int32' ? 'int32' : 'float32';
      const n = numel(x.shape);
      if (onHostSide([x], n)) return host(x.shape, dtype, [x], op, ([a]) => cpu.kernels.unary(op, a!));
      return kernel(`unary:${op}`, () => src.unarySource(op), [n], x.shape, dtype, [x], op);
    },

    binary(op: BinaryOp, ai, bi, outShape) {
      const a = inp(ai);
      const b = inp(bi);
      const dtype: DType = COMPARISONS.has(op) ? 'bool' : a.dtype;
      const n = numel(outShape);
      if (onHostSide([a, b], n)) return host(outShape, dtype, [a, b], op, ([x, y]) => cpu.kernels.binary(op, x!, y!, outShape));
      const plan = padPlan(broadcastPlan(outShape, [a.shape, b.shape]));
      const rank = rankOf(plan);
      const intDivision = op === 'div' && a.dtype !== 'float32';
      return kernel(
        `binary:${op}:${rank}:${intDivision ? 'int' : 'float'}`,
        () => src.binarySource(op, rank, intDivision),
        [n],
        outShape,
        dtype,
        [a, b, ...divisors(plan.shape), ...plan.strides[0]!, ...plan.strides[1]!],
        op,
      );
    },

    where(ci, ai, bi, outShape) {
      const [c, a, b] = [inp(ci), inp(ai), inp(bi)];
      const n = numel(outShape);
      if (onHostSide([c, a, b], n)) return host(outShape, a.dtype, [c, a, b], 'where', ([x, y, z]) => cpu.kernels.where(x!, y!, z!, outShape));
      const plan = padPlan(broadcastPlan(outShape, [c.shape, a.shape, b.shape]));
      const rank = rankOf(plan);
      return kernel(`where:${rank}`, () => src.whereSource(rank), [n], outShape, a.dtype, [c, a, b, ...divisors(plan.shape), ...plan.strides.flat()], 'where');
    },

    reduce(op: ReduceOp, xi, axes) {
      const x = inp(xi);
      if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) throw new Error(`reduce: ${op} takes exactly one axis, got [${axes.join(',')}]`);
      const outShape = x.shape.filter((_, d) => !axes.includes(d));
      const dtype: DType = op === 'argmax' || op === 'argmin' ? 'int32' : op === 'sum' && x.dtype !== 'float32' ? 'int32' : x.dtype;
      const n = numel(outShape);
      if (onHostSide([x], n)) return host(outShape, dtype, [x], `reduce ${op}`, ([a]) => cpu.kernels.reduce(op, a!, axes));
      // the dims that matter (size 1 never moves an offset); one run of reduced dims is [A, R, C]
      const dims = x.shape.map((len, d) => ({ len, reduced: axes.includes(d) })).filter((g) => g.len !== 1);
      const first = dims.findIndex((g) => g.reduced);
      const last = dims.length - 1 - [...dims].reverse().findIndex((g) => g.reduced);
      const prod = (gs: typeof dims) => gs.reduce((p, g) => p * g.len, 1);
      if (first < 0) {
        // only size-1 axes reduced: values unchanged (argmax/argmin of one element is 0)
        if (op === 'argmax' || op === 'argmin') return kernels.fill(outShape, 0, 'int32');
        return copy(x, outShape, dtype, 'reduce');
      }
      if (dims.slice(first, last + 1).every((g) => g.reduced)) {
        return reduceDevice(op, x, prod(dims.slice(0, first)), prod(dims.slice(first, last + 1)), prod(dims.slice(last + 1)), outShape, dtype);
      }
      // reduced dims in several runs: move them last, then reduce one run
      const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
      const perm = [...kept, ...axes];
      const xs = stridesOf(x.shape);
      const permShape = perm.map((p) => x.shape[p]!);
      const moved = own(strided(x, collapse(permShape, [perm.map((p) => xs[p]!)], [0]), permShape, 'reduce'));
      const out = reduceDevice(op, moved, n, numel(x.shape) / n, 1, outShape, dtype);
      drop(moved);
      return out;
    },

    matmul(ai, bi, transposeA, transposeB, outShape) {
      let a = inp(ai);
      let b = inp(bi);
      const r = outShape.length;
      const M = outShape[r - 2]!;
      const N = outShape[r - 1]!;
      const K = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
      const n = numel(outShape);
      if (onHostSide([a, b], n) || K === 0) return host(outShape, 'float32', [a, b], 'matmul', ([x, y]) => cpu.kernels.matmul(x!, y!, transposeA, transposeB, outShape));
      const batch = outShape.slice(0, -2);
      const B = numel(batch);
      // batch strides in matrices: 0 for a broadcast operand; operands broadcast over several dims are materialised first
      const batchPlan = () => collapse(batch, [broadcastStrides(a.shape.slice(0, -2), batch), broadcastStrides(b.shape.slice(0, -2), batch)], [0, 0]);
      let plan = batchPlan();
      const temps: In[] = [];
      if (plan.shape.length > 1) {
        const contiguous = stridesOf(plan.shape);
        if (plan.strides[0]!.some((s, d) => s !== contiguous[d])) temps.push((a = expandBatch(a, batch, 'matmul')));
        if (plan.strides[1]!.some((s, d) => s !== contiguous[d])) temps.push((b = expandBatch(b, batch, 'matmul')));
        plan = batchPlan();
      }
      const sa = plan.shape.length === 0 ? 0 : plan.strides[0]![0]!;
      const sb = plan.shape.length === 0 ? 0 : plan.strides[1]![0]!;
      const t = `${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`;
      let out: Stored;
      if (dev().mode === 'webgpu' && options.matmul !== 'scalar' && N % 4 === 0) {
        const aMats = numel(a.shape) / (M * K);
        const bMats = numel(b.shape) / (K * N);
        const views = new Map<number, number[]>([
          [0, transposeA ? [M, K, aMats] : [K, M, aMats]],
          [1, transposeB ? [K, N, bMats] : [N, K, bMats]],
        ]);
        const unroll = K % 4 === 0;
        const raw = kernel(
          `matmul4:${t}:${unroll ? 'unrolled' : 'plain'}`,
          () => src.matmulVec4Source(transposeA, transposeB, unroll),
          [N / 4, M, B],
          outShape,
          'float32',
          [a, b, unroll ? K / 4 : K, sa, sb],
          'matmul',
          views,
        );
        out = viewFlat(raw, outShape);
      } else {
        out = kernel(`matmul:${t}`, () => src.matmulSource(transposeA, transposeB), [n], outShape, 'float32', [a, b, M * N, N, M, K, sa * M * K, sb * K * N], 'matmul');
      }
      for (const tmp of temps) drop(tmp);
      return out;
    },

    permute(xi, perm) {
      const x = inp(xi);
      const shape = perm.map((p) => x.shape[p]!);
      if (onHostSide([x], numel(shape))) return host(shape, x.dtype, [x], 'permute', ([a]) => cpu.kernels.permute(a!, perm));
      const xs = stridesOf(x.shape);
      return strided(x, collapse(shape, [perm.map((p) => xs[p]!)], [0]), shape, 'permute');
    },

    expand(xi, shape) {
      const x = inp(xi);
      if (onHostSide([x], numel(shape))) return host(shape, x.dtype, [x], 'expand', ([a]) => cpu.kernels.expand(a!, shape));
      return strided(x, collapse(shape, [broadcastStrides(x.shape, shape)], [0]), shape, 'expand');
    },

    slice(xi, begin, size) {
      const x = inp(xi);
      if (onHostSide([x], numel(size))) return host(size, x.dtype, [x], 'slice', ([a]) => cpu.kernels.slice(a!, begin, size));
      const xs = stridesOf(x.shape);
      const off = begin.reduce((o, b, d) => o + b * xs[d]!, 0);
      return strided(x, collapse(size, [xs], [off]), size, 'slice');
    },

    pad(xi, padding, value) {
      const x = inp(xi);
      const shape = x.shape.map((len, d) => len + padding[d]![0] + padding[d]![1]);
      const n = numel(shape);
      if (onHostSide([x], n) || x.shape.length === 0) return host(shape, x.dtype, [x], 'pad', ([a]) => cpu.kernels.pad(a!, padding, value));
      const rank = x.shape.length;
      return kernel(
        `pad:${rank}`,
        () => src.padSource(rank),
        [n],
        shape,
        x.dtype,
        [x, new Float32Array([value]), ...divisors(shape), ...padding.map((p) => p[0]), ...x.shape, ...stridesOf(x.shape)],
        'pad',
      );
    },

    concat(xis, axis) {
      const xs = xis.map(inp);
      const dtype = xs[0]!.dtype;
      const shape = [...xs[0]!.shape];
      shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
      const n = numel(shape);
      if (onHostSide(xs, n)) return host(shape, dtype, xs, 'concat', (infos) => cpu.kernels.concat(infos, axis));
      const outer = numel(shape.slice(0, axis));
      // [tensor, width] pairs, empty inputs left out, joined four at a time
      let parts = xs.filter((x) => numel(x.shape) > 0).map((x) => ({ x, w: numel(x.shape) / outer, temp: false }));
      while (parts.length > 4) {
        const group = parts.slice(0, 4);
        const w = group.reduce((s, p) => s + p.w, 0);
        const joined = kernel('concat:4', () => src.concatSource(4), [outer * w], [outer, w], dtype, [...group.map((p) => p.x), w, ...group.map((p) => p.w)], 'concat');
        for (const p of group) if (p.temp) drop(p.x);
        parts = [{ x: own(joined), w, temp: true }, ...parts.slice(4)];
      }
      const k = parts.length;
      const out =
        k === 1
          ? copy(parts[0]!.x, shape, dtype, 'concat')
          : kernel(`concat:${k}`, () => src.concatSource(k), [n], shape, dtype, [...parts.map((p) => p.x), numel(shape.slice(axis)), ...parts.map((p) => p.w)], 'concat');
      for (const p of parts) if (p.temp) drop(p.x);
      return out;
    },

    gather(xi, axis, ii) {
      const x = inp(xi);
      const index = inp(ii);
      const n = numel(index.shape);
      if (onHostSide([x, index], n) || x.shape.length === 0) {
        return host(index.shape, x.dtype, [x, index], 'gather', ([a, i]) => cpu.kernels.gather(a!, axis, i!));
      }
      const rank = x.shape.length;
      const xs = stridesOf(x.shape);
      const s = xs.map((v, d) => (d === axis ? 0 : v));
      return kernel(`gather:${rank}`, () => src.gatherSource(rank), [n], index.shape, x.dtype, [x, index, ...divisors(index.shape), ...s, xs[axis]!], 'gather');
    },

    scatterAdd(shape, axis, ii, si) {
      const index = inp(ii);
      const source = inp(si);
      const n = numel(shape);
      const J = index.shape[axis] ?? 1;
      if (onHostSide([index, source], n) || shape.length === 0 || n * J > SCATTER_BUDGET) {
        return host(shape, 'float32', [index, source], 'scatterAdd', ([i, s]) => cpu.kernels.scatterAdd(shape, axis, i!, s!));
      }
      const rank = shape.length;
      const is = stridesOf(index.shape);
      const args: Arg[] = [
        index,
        source,
        ...divisors(shape),
        ...shape.map((_, d) => (d === axis ? 1 : 0)),
        ...index.shape.map((len, d) => (d === axis ? 1 << 30 : len)),
        ...is.map((v, d) => (d === axis ? 0 : v)),
        is[axis]!,
        J,
      ];
      return kernel(`scatterAdd:${rank}`, () => src.scatterAddSource(rank), [n], shape, 'float32', args, 'scatterAdd');
    },

    cast(xi, dtype) {
      const x = inp(xi);
      if (onHostSide([x], numel(x.shape))) return host(x.shape, dtype, [x], 'cast', ([a]) => cpu.kernels.cast(a!, dtype));
      if (dtype === 'float32' || dtype === x.dtype || (dtype === 'int32' && x.dtype === 'bool')) return copy(x, x.shape, dtype, 'cast');
      return kernel(`cast:${dtype}`, () => src.castSource(dtype), [numel(x.shape)], x.shape, dtype, [x], 'cast');
    },

    fill(shape, value, dtype) {
      const n = numel(shape);
      if (n < threshold || n === 0) return host(shape, dtype, [], 'fill', () => cpu.kernels.fill(shape, value, dtype));
      const v = dtype === 'bool' ? +(value !== 0) : dtype === 'int32' ? Math.trunc(value) | 0 : value;
      return kernel('fill', src.fillSource, [n], shape, dtype, [new Float32Array([v])], 'fill');
    },

    // the stream is a 32-bit integer hash: drawn on the host, uploaded when a device op needs it
    randomUniform(shape, seed) {
      return host(shape, 'float32', [], 'randomUniform', () => cpu.kernels.randomUniform(shape, seed));
    },

    randomNormal(shape, seed) {
      return host(shape, 'float32', [], 'randomNormal', () => cpu.kernels.randomNormal(shape, seed));
    },
  };

  /** WebGPU: a vec4 matmul result re-viewed as flat floats (same buffer, one reference moved). */
  function viewFlat(raw: Stored, shape: Shape): Stored {
    const d = dev();
    const out = track(new Stored(shape, 'float32', numel(shape)));
    const swap = (v: DeviceValue): DeviceValue => {
      const flat = d.view(v, [numel(shape)]);
      d.free(v);
      return flat;
    };
    // hand raw's value over to out, then forget raw without freeing the value twice
    live--;
    liveBytes -= raw.size * BYTES[raw.dtype];
    raw.disposed = true;
    raw.freed = true;
    if (raw.dev) {
      out.dev = swap(raw.dev);
      return out;
    }
    settle(
      out,
      raw.pending!.then(() => {
        if (raw.error) throw raw.error;
        return swap(raw.dev!);
      }),
      [],
    );
    return out;
  }

  const supports: BackendSupports = {
    get syncRead() {
      // before ready() the auto and webgpu modes may still end up on webgpu, which reads asynchronously
      return device ? device.sync : requested !== 'auto' && requested !== 'webgpu';
    },
    fused: [],
  };

  const backend: GpujsBackend = {
    name: 'gpujs',
    supports,
    get device() {
      return dev().mode;
    },
    get hostThreshold() {
      dev();
      return threshold;
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
      if (n < threshold || n === 0) return fromHost(cpu.write(values, shape, dtype), shape, dtype);
      const s = track(new Stored(shape, dtype, n));
      counts.uploads++;
      const up = d.upload(Float32Array.from(values));
      if (up instanceof Promise) settle(s, up, []);
      else s.dev = up;
      return s;
    },
    async read(id) {
      const s = id as Stored;
      if (s.pending) await s.pending;
      check(s, 'read');
      if (s.host) return cpu.read(s.host);
      counts.readbacks++;
      return convert(await dev().read(s.dev!), s.dtype);
    },
    readSync(id) {
      const s = id as Stored;
      check(s, 'readSync');
      if (s.host) return cpu.readSync!(s.host);
      if (s.pending || !dev().sync) throw new Error("gpujs: the webgpu device reads back asynchronously: use await t.data() instead of dataSync()/item()");
      counts.readbacks++;
      return convert(dev().readSync(s.dev!), s.dtype);
    },
    dispose(id) {
      dispose(id as Stored);
    },
    memory() {
      return { tensors: live, bytes: liveBytes };
    },
    kernels,
    stats() {
      return { compiled: device?.compiled ?? 0, ...counts };
    },
    placement(id) {
      const s = id as Stored;
      if (s.pending) return 'pending';
      return s.host && s.dev ? 'both' : s.host ? 'host' : 'device';
    },
    async close() {
      await device?.destroy();
    },
  };
  return backend;
}

/** Device floats as a fresh array of `dtype`. */
function convert(values: Float32Array, dtype: DType): TypedArray {
  if (dtype === 'float32') return values.slice();
  if (dtype === 'int32') return Int32Array.from(values);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  return out;
}
