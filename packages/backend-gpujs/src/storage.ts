/**
 * Tensor storage: each tensor's data on the host (a backend-cpu `DataId`), on the device (a
 * gpu.js pipeline value), or both (a cached copy; storage never changes once written). On
 * webgpu a tensor can be `pending` (its value on its way) and ops on it queue behind it.
 * The table counts live tensors and bytes, frees what is disposed once nothing queued holds
 * it, and moves data between host and device.
 */
import type { CpuData } from '@tensorgrad/backend-cpu';
import { numel, type Backend, type DataId, type DType, type Shape, type TypedArray } from '@tensorgrad/core';
import type { Device, DeviceValue } from './device';

/** Bytes per element of each dtype, for `memory().bytes`. */
const BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Where a tensor's data is: `pending` while a webgpu result is on its way.
 *
 * @example
 * ```ts
 * backend.placement(t._info().id); // 'device'
 * ```
 */
export type Placement = 'host' | 'device' | 'both' | 'pending';

/** The transfer and launch counters that {@link GpujsStats} reports. */
export interface Counts {
  deviceOps: number;
  hostOps: number;
  uploads: number;
  readbacks: number;
}

/**
 * What the table keeps of a leased storage whose device value needs an explicit free (a texture
 * or buffer): the handle, its bytes, and the storage itself only while ops queued on it (or its
 * own value, on its way) still need it. Never the host data.
 */
interface Lease {
  handle: DeviceValue | null;
  readonly bytes: number;
  pin: Stored | null;
  /** Its tensors were collected: free at unpin. */
  dead: boolean;
}

/** One tensor's storage: on the host, on the device, both, or pending (webgpu). */
export class Stored {
  host: DataId | null = null;
  private value: DeviceValue | null = null;
  /** @internal Set by `StorageTable.lease` in modes whose device values need an explicit free. */
  lease: Lease | null = null;
  /** Settles when `host` or `dev` is set (or `error`). */
  pending: Promise<void> | null = null;
  error: unknown = null;
  /** Ops queued on this tensor's pending value: freeing waits for them. */
  holds = 0;
  disposed = false;
  freed = false;
  /** @internal The key of its lease in the table. */
  leaseKey = 0;
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    readonly size: number,
  ) {}

  /** The device value, if any. */
  get dev(): DeviceValue | null {
    return this.value;
  }

  set dev(v: DeviceValue | null) {
    this.value = v;
    if (this.lease) this.lease.handle = v instanceof Float32Array ? null : v;
  }

  /** Where the data is now. */
  get placement(): Placement {
    if (this.pending) return 'pending';
    return this.host && this.dev ? 'both' : this.host ? 'host' : 'device';
  }
}

/** The storage of every live tensor of one backend. */
export class StorageTable {
  private live = 0;
  private liveBytes = 0;
  private readonly leases = new Map<number, Lease>();
  private leaseKeys = 0;

  constructor(
    /** The host side: backend-cpu's storage and kernels. */
    readonly cpu: Backend,
    private readonly device: () => Device,
    private readonly counts: Counts,
  ) {}

  /** Live tensors and their bytes. */
  memory(): { tensors: number; bytes: number } {
    return { tensors: this.live, bytes: this.liveBytes };
  }

  /**
   * The token for `s` (see `Backend.lease`). Where device values are typed arrays (webasm, cpu)
   * it is the byte count: all there is to release once the tensors are collected, the arrays
   * being the garbage collector's. Elsewhere it names a {@link Lease} that holds the device
   * handle to free (a negative number: the leases' key, never reused).
   */
  lease(s: Stored): number {
    const bytes = s.size * BYTES[s.dtype];
    if (!this.explicitFree()) return bytes;
    const key = ++this.leaseKeys;
    const lease: Lease = { handle: null, bytes, pin: null, dead: false };
    s.lease = lease;
    s.dev = s.dev; // records a handle it already has
    this.leases.set(key, lease);
    s.leaseKey = key;
    this.pin(s);
    return -key;
  }

  /** The tensors of a leased storage were collected: stop counting it, free its device value (now, or once queued ops are done). */
  collected(token: number): void {
    this.live--;
    if (token >= 0) {
      this.liveBytes -= token;
      return;
    }
    const lease = this.leases.get(-token);
    if (!lease) return;
    this.leases.delete(-token);
    this.liveBytes -= lease.bytes;
    lease.dead = true;
    if (lease.pin) return; // freed when its queued ops are done (unpin)
    const h = lease.handle;
    lease.handle = null;
    if (h) this.device().free(h);
  }

  /** Whether device values in this mode need an explicit free (textures, buffers; not typed arrays). */
  private explicitFree(): boolean {
    const mode = this.device().mode;
    return mode !== 'webasm' && mode !== 'cpu';
  }

  // a leased storage still needed by queued work is held here (through its lease) until unpin()
  private pin(s: Stored): void {
    if (s.lease && (s.pending || s.holds > 0)) s.lease.pin = s;
  }

  private unpin(s: Stored): void {
    const lease = s.lease;
    if (!lease || lease.pin !== s || s.pending || s.holds > 0) return;
    lease.pin = null;
    if (lease.dead) this.free(s);
  }

  /** A new storage, counted as live. */
  create(shape: Shape, dtype: DType): Stored {
    if (BYTES[dtype] === undefined) throw new Error(`gpujs: dtype '${String(dtype)}' is not supported: use float32, int32 or bool`);
    const s = new Stored(shape, dtype, numel(shape));
    this.live++;
    this.liveBytes += s.size * BYTES[dtype];
    return s;
  }

  /** A new storage holding the host data `id`. */
  fromHost(id: DataId, shape: Shape, dtype: DType): Stored {
    const s = this.create(shape, dtype);
    s.host = id;
    return s;
  }

  /** The user (or an op, for its temporaries) is done with `s`: freed now, or once the ops queued on it have run. */
  dispose(s: Stored): void {
    if (s.disposed) return;
    s.disposed = true;
    this.live--;
    this.liveBytes -= s.size * BYTES[s.dtype];
    if (s.lease) {
      this.leases.delete(s.leaseKey);
      s.lease.pin = null;
      s.lease = null;
    }
    if (s.holds === 0) this.free(s);
  }

  /**
   * Stop counting `s` without freeing its value: its device value now belongs to another
   * storage (a webgpu view of the same buffer).
   */
  handOver(s: Stored): void {
    this.live--;
    this.liveBytes -= s.size * BYTES[s.dtype];
    s.disposed = true;
    s.freed = true;
  }

  private free(s: Stored): void {
    if (s.freed) return;
    if (s.pending) {
      void s.pending.then(() => this.free(s));
      return;
    }
    s.freed = true;
    if (s.host) this.cpu.dispose(s.host);
    if (s.dev) this.device().free(s.dev);
    s.host = null;
    s.dev = null;
  }

  /** Settle `s` from a promise of its device value (webgpu); `inputs` stay allocated until it has. */
  settle(s: Stored, value: Promise<DeviceValue>, inputs: readonly Stored[]): void {
    this.pendOn(
      s,
      value.then((v) => {
        s.dev = v;
      }),
      inputs,
    );
  }

  /** Mark `s` pending until `work` settles (an error is kept for whoever reads `s`); `inputs` stay allocated until then. */
  pendOn(s: Stored, work: Promise<void>, inputs: readonly Stored[]): void {
    for (const x of inputs) {
      x.holds++;
      this.pin(x);
    }
    s.pending = work.then(
      () => {},
      (e: unknown) => {
        s.error = e;
      },
    );
    void s.pending.then(() => {
      s.pending = null;
      this.unpin(s);
      for (const x of inputs) {
        if (--x.holds === 0 && x.disposed) this.free(x);
        this.unpin(x);
      }
    });
  }

  /** Throw if `s` cannot be used by `op`: freed, or its computation failed. */
  check(s: Stored, op: string): void {
    if (s.freed || (s.disposed && s.holds === 0)) throw new Error(`gpujs: ${op}: a tensor of shape [${s.shape.join(',')}] was used after dispose`);
    if (s.error) throw s.error;
  }

  /** Host values of a host-resident tensor (no copy: read only). */
  hostValues(s: Stored): TypedArray {
    return (s.host as CpuData).values;
  }

  /** The device value of `s` (uploading a host copy once), or a promise of it on webgpu. */
  onDevice(s: Stored): DeviceValue | Promise<DeviceValue> {
    if (s.dev) return s.dev;
    if (s.error) throw s.error;
    if (s.pending) return s.pending.then(() => this.onDevice(s));
    const d = this.device();
    const values = this.hostValues(s);
    // webasm/cpu keep the array itself as the device value: copy it, the cpu pool reuses freed arrays
    const floats = values instanceof Float32Array && d.mode !== 'webasm' && d.mode !== 'cpu' ? values : Float32Array.from(values);
    this.counts.uploads++;
    const up = d.upload(floats);
    if (up instanceof Promise) {
      this.settle(s, up, []);
      return s.pending!.then(() => this.onDevice(s));
    }
    s.dev = up;
    return up;
  }

  /** Make sure `s` has a host copy (synchronous modes only). */
  toHostSync(s: Stored, op: string): DataId {
    this.check(s, op);
    if (s.host) return s.host;
    if (s.pending || !s.dev) throw new Error(`gpujs: ${op}: this tensor is still on its way from the webgpu device; read it with await t.data()`);
    this.counts.readbacks++;
    s.host = this.cpu.write(this.device().readSync(s.dev), s.shape, s.dtype);
    return s.host;
  }

  /** Make sure `s` has a host copy, waiting for the device where it must. */
  async toHost(s: Stored, op: string): Promise<DataId> {
    if (s.pending) await s.pending;
    this.check(s, op);
    if (s.host) return s.host;
    this.counts.readbacks++;
    const values = await this.device().read(s.dev!);
    s.host ??= this.cpu.write(values, s.shape, s.dtype);
    return s.host;
  }

  /** The values of `s` as a fresh typed array of its dtype. */
  async read(s: Stored): Promise<TypedArray> {
    if (s.pending) await s.pending;
    this.check(s, 'read');
    if (s.host) return this.cpu.read(s.host);
    this.counts.readbacks++;
    return convert(await this.device().read(s.dev!), s.dtype);
  }

  /** The values of `s`, synchronously (every mode but webgpu). */
  readSync(s: Stored): TypedArray {
    this.check(s, 'readSync');
    if (s.host) return this.cpu.readSync!(s.host);
    if (s.pending || !this.device().sync) throw new Error('gpujs: the webgpu device reads back asynchronously: use await t.data() instead of dataSync()/item()');
    this.counts.readbacks++;
    return convert(this.device().readSync(s.dev!), s.dtype);
  }
}

/** Device floats as a fresh array of `dtype`. */
function convert(values: Float32Array, dtype: DType): TypedArray {
  if (dtype === 'float32') return values.slice();
  if (dtype === 'int32') return Int32Array.from(values);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  return out;
}
