/**
 * Where an op runs and how it is launched: on the host (backend-cpu's kernels over host
 * copies) when every input is there and everything is small, else as a gpu.js kernel on the
 * device, uploading host inputs once. On webgpu a launch waits for pending inputs without
 * blocking: the output is pending until its kernel has been queued.
 */
import { numel, type DataId, type DType, type Shape, type TensorInfo } from '@tensorgrad/core';
import type { Device, DeviceValue } from './device';
import { divisors, type StridedPlan } from './plan';
import * as src from './sources';
import type { Counts, Stored, StorageTable } from './storage';

/** A tensor as an op sees it: its storage, and the shape of this view of it (views share storage). */
export interface In {
  readonly s: Stored;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A kernel argument: a tensor (becomes its device value), an integer, or a small constant array. */
export type Arg = In | number | Float32Array;

const isIn = (a: Arg): a is In => typeof a === 'object' && !(a instanceof Float32Array);

/** The launcher shared by every kernel group of one backend. */
export class Dispatch {
  constructor(
    readonly storage: StorageTable,
    /** The device, started on first use. */
    readonly device: () => Device,
    /** Ops with fewer elements than this (all inputs on the host) run on the host. */
    private readonly threshold: () => number,
    private readonly counts: Counts,
  ) {}

  /** An op's view of tensor `t`. */
  input(t: TensorInfo): In {
    return { s: t.id as Stored, shape: t.shape, dtype: t.dtype };
  }

  /** A storage made by this backend, seen whole (or under `shape`). */
  own(s: Stored, shape: Shape = s.shape): In {
    return { s, shape, dtype: s.dtype };
  }

  /** Whether an op runs on the host: every input there and everything small, or something empty. */
  onHostSide(inputs: readonly In[], outSize: number): boolean {
    if (outSize === 0 || inputs.some((x) => x.s.size === 0)) return true;
    if (!inputs.every((x) => x.s.host !== null)) return false;
    const threshold = this.threshold();
    return outSize < threshold && inputs.every((x) => x.s.size < threshold);
  }

  /** Whether a new tensor of `n` elements with no inputs (a fill, a write) stays on the host. */
  smallEnough(n: number): boolean {
    return n === 0 || n < this.threshold();
  }

  /** Run `compute` on backend-cpu over host copies of the inputs (read back from the device where needed). */
  host(shape: Shape, dtype: DType, inputs: readonly In[], op: string, compute: (infos: TensorInfo[]) => DataId): Stored {
    this.counts.hostOps++;
    const d = this.device();
    const st = this.storage;
    if (d.sync || inputs.every((x) => x.s.host !== null)) {
      const infos = inputs.map((x) => ({ id: st.toHostSync(x.s, op), shape: x.shape, dtype: x.dtype }));
      return st.fromHost(compute(infos), shape, dtype);
    }
    // webgpu: read the device inputs back first
    const out = st.create(shape, dtype);
    const work = Promise.all(inputs.map((x) => st.toHost(x.s, op))).then((ids) => {
      out.host = compute(ids.map((id, i) => ({ id, shape: inputs[i]!.shape, dtype: inputs[i]!.dtype })));
    });
    st.pendOn(
      out,
      work,
      inputs.map((x) => x.s),
    );
    return out;
  }

  /**
   * {@link Dispatch.host} for an op with several outputs (`outs`, in the order `compute` returns
   * their ids): backend-cpu runs once for all of them.
   */
  hostMany(outs: readonly { shape: Shape; dtype: DType }[], inputs: readonly In[], op: string, compute: (infos: TensorInfo[]) => DataId[]): Stored[] {
    this.counts.hostOps++;
    const d = this.device();
    const st = this.storage;
    if (d.sync || inputs.every((x) => x.s.host !== null)) {
      const infos = inputs.map((x) => ({ id: st.toHostSync(x.s, op), shape: x.shape, dtype: x.dtype }));
      const ids = compute(infos);
      return outs.map((o, k) => st.fromHost(ids[k]!, o.shape, o.dtype));
    }
    // webgpu: read the device inputs back first
    const stored = outs.map((o) => st.create(o.shape, o.dtype));
    const work = Promise.all(inputs.map((x) => st.toHost(x.s, op))).then((ids) => {
      const results = compute(ids.map((id, i) => ({ id, shape: inputs[i]!.shape, dtype: inputs[i]!.dtype })));
      stored.forEach((s, k) => {
        s.host = results[k]!;
      });
    });
    for (const s of stored) {
      st.pendOn(
        s,
        work,
        inputs.map((x) => x.s),
      );
    }
    return stored;
  }

  /**
   * Run kernel `key` over `output` (gpu.js order) with `args`: tensors become their device
   * values, numbers stay integers, Float32Arrays go as small constant arrays. `views` re-dims
   * tensor arguments by position (WebGPU 3-D addressing).
   */
  kernel(
    key: string,
    make: () => src.KernelSource,
    output: number[],
    shape: Shape,
    dtype: DType,
    args: readonly Arg[],
    op: string,
    views?: ReadonlyMap<number, number[]>,
  ): Stored {
    const d = this.device();
    const st = this.storage;
    this.counts.deviceOps++;
    const entry = d.kernel(key, make);
    const tensors = args.filter(isIn).map((a) => a.s);
    for (const t of tensors) st.check(t, op);
    const values = args.map((a) => (isIn(a) ? st.onDevice(a.s) : a));
    const out = st.create(shape, dtype);
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
      try {
        out.dev = launch(values) as DeviceValue;
      } catch (e) {
        st.dispose(out); // a failed launch (too large, lost context) leaves nothing counted
        throw e;
      }
      return out;
    }
    const ready = values.some((v) => v instanceof Promise) ? Promise.all(values).then(launch) : launch(values);
    st.settle(out, Promise.resolve(ready), tensors);
    return out;
  }

  /** A temporary made by one op for another: freed once its consumer is dispatched (or, on webgpu, has run). */
  drop(x: In): void {
    this.storage.dispose(x.s);
  }

  /** out[i] = x[off + Σ c_d s_d] over a collapsed plan: permute, expand, slice. */
  strided(x: In, plan0: StridedPlan, shape: Shape, op: string): Stored {
    const plan = padPlan(plan0);
    const rank = rankOf(plan);
    return this.kernel(`strided:${rank}`, () => src.stridedSource(rank), [numel(shape)], shape, x.dtype, [x, ...divisors(plan.shape), ...plan.strides[0]!, plan.offsets[0]!], op);
  }

  /** A copy of `x`'s elements under another shape or dtype (int32 and bool are floats on the device). */
  copy(x: In, shape: Shape, dtype: DType, op: string): Stored {
    return this.kernel('copy', src.copySource, [x.s.size], shape, dtype, [x], op);
  }

  /** WebGPU: a vec4 matmul result re-viewed as flat floats (same buffer, one reference moved). */
  viewFlat(raw: Stored, shape: Shape): Stored {
    const d = this.device();
    const st = this.storage;
    const out = st.create(shape, 'float32');
    const swap = (v: DeviceValue): DeviceValue => {
      const flat = d.view(v, [numel(shape)]);
      d.free(v);
      return flat;
    };
    // hand raw's value over to out, then forget raw without freeing the value twice
    st.handOver(raw);
    if (raw.dev) {
      out.dev = swap(raw.dev);
      return out;
    }
    st.settle(
      out,
      raw.pending!.then(() => {
        if (raw.error) throw raw.error;
        return swap(raw.dev!);
      }),
      [],
    );
    return out;
  }
}

/** The rank a kernel is compiled for: the collapsed plan's, at least 1. */
export const rankOf = (plan: StridedPlan): number => Math.max(plan.shape.length, 1);

/** A plan with at least one dim (a scalar walks one element). */
export const padPlan = (plan: StridedPlan): StridedPlan =>
  plan.shape.length > 0 ? plan : { shape: [1], strides: plan.strides.map(() => [0]), offsets: plan.offsets };
