/** Bookkeeping shared by the backends that keep tensors in host typed arrays (cpu, and worker over SharedArrayBuffers). */
import type { Backend, DataId, DType, Shape, TensorInfo, TypedArray } from '@tensorgrad/core';
import type { CpuData } from './backend';

const EMPTY: Record<DType, TypedArray> = { float32: new Float32Array(0), int32: new Int32Array(0), bool: new Uint8Array(0) };

/**
 * Live-tensor accounting, use-after-dispose checks and dtype guards for host-array storage.
 * The arrays themselves (plain or shared, pooled or fresh) are the owning backend's business.
 *
 * @example
 * ```ts
 * const host = new HostStorage('cpu');
 * const id = host.store(new Float32Array([1, 2]), [2], 'float32');
 * host.float32('exp', { id, shape: [2], dtype: 'float32' }); // Float32Array [1, 2]
 * host.release(id);  // the array, to pool or drop
 * host.memory();     // { tensors: 0, bytes: 0 }
 * ```
 */
export class HostStorage {
  private tensors = 0;
  private bytes = 0;

  /** @param name the backend's name, used in error messages */
  constructor(private readonly name: string) {}

  /** Wrap `values` as a new live tensor's storage. */
  store = (values: TypedArray, shape: Shape, dtype: DType): CpuData => {
    this.tensors++;
    this.bytes += values.byteLength;
    return { values, shape: [...shape], dtype, disposed: false };
  };

  /** The storage behind an id; throws if it was disposed. */
  data = (id: DataId): CpuData => {
    const d = id as CpuData;
    if (d.disposed) throw new Error(`${this.name}: a tensor of shape [${d.shape.join(',')}] was used after dispose`);
    return d;
  };

  /** The array behind a kernel input. */
  values = (t: TensorInfo): TypedArray => this.data(t.id).values;

  /** The array behind a kernel input that must be float32; throws naming the op otherwise. */
  float32 = (op: string, t: TensorInfo): Float32Array => {
    const v = this.values(t);
    if (!(v instanceof Float32Array)) throw new Error(`${op}: expects float32, got ${t.dtype} [${t.shape.join(',')}]: cast it first`);
    return v;
  };

  /** The array behind an index input that must be int32; throws naming the op otherwise. */
  int32 = (op: string, t: TensorInfo): Int32Array => {
    const v = this.values(t);
    if (!(v instanceof Int32Array)) throw new Error(`${op}: index must be int32, got ${t.dtype} [${t.shape.join(',')}]`);
    return v;
  };

  /** Mark an id disposed and stop counting it; returns its array, or null if it was already disposed. */
  release(id: DataId): TypedArray | null {
    const d = id as CpuData;
    if (d.disposed) return null;
    d.disposed = true;
    this.tensors--;
    this.bytes -= d.values.byteLength;
    const freed = d.values;
    d.values = EMPTY[d.dtype];
    return freed;
  }

  /**
   * The token for `id` (see `Backend.lease`): its byte count, all there is to release once its
   * tensors are collected. The array itself is the garbage collector's: nothing here keeps it,
   * and it never goes back to a pool, which reuses only what dispose() handed back.
   */
  lease(id: DataId): number {
    return (id as CpuData).values.byteLength;
  }

  /** The tensors of a leased storage of `bytes` bytes were collected: stop counting it. */
  collected(bytes: number): void {
    this.tensors--;
    this.bytes -= bytes;
  }

  /** Live tensors and their bytes. */
  memory(): ReturnType<Backend['memory']> {
    return { tensors: this.tensors, bytes: this.bytes };
  }
}
