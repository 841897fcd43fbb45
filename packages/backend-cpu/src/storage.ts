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

/**
 * Released arrays (or buffers) kept for reuse by later allocations of the same key (dtype and
 * length, say), up to `limit` bytes. When a release would go over the limit, the key released
 * longest ago gives up its arrays first, so a program that allocated big arrays once (loading
 * data, a large evaluation batch) and then loops over small ones keeps reusing the small ones.
 *
 * @example
 * ```ts
 * const pool = new ReusePool<string, Float32Array>(1024);
 * pool.put('float32:4', new Float32Array(4));
 * pool.take('float32:4'); // that array
 * pool.take('float32:4'); // undefined: allocate a fresh one
 * ```
 */
export class ReusePool<K, V extends TypedArray | ArrayBufferLike> {
  /** Arrays by key. */
  private readonly lists = new Map<K, V[]>();
  /**
   * Each key's latest release, by a counter. Not the map's order: moving a key to the back of a
   * Map (delete, set) on every release makes V8 rebuild the map's table in the old generation
   * now and then, garbage that only a full collection frees.
   */
  private readonly released = new Map<K, number>();
  private bytes = 0;
  private clock = 0;

  /** @param limit bytes of released arrays to keep (0: none; the caller checks it) */
  constructor(private readonly limit: number) {}

  /** A released array of `key`, or undefined when there is none. */
  take(key: K): V | undefined {
    const v = this.lists.get(key)?.pop();
    if (v !== undefined) this.bytes -= v.byteLength;
    return v;
  }

  /** Keep `value` for a later `take(key)`, dropping the arrays of the keys released longest ago as far as the limit needs. */
  put(key: K, value: V): void {
    const size = value.byteLength;
    if (size === 0 || size > this.limit) return; // the garbage collector frees it
    let list = this.lists.get(key);
    if (list === undefined) this.lists.set(key, (list = []));
    this.released.set(key, ++this.clock);
    list.push(value);
    this.bytes += size;
    if (this.bytes <= this.limit) return;
    // the arrays of one key are interchangeable, so which of a key's arrays goes does not matter
    for (const [k] of [...this.released].sort((a, b) => a[1] - b[1])) {
      const l = this.lists.get(k)!;
      while (this.bytes > this.limit && l.length > 0) this.bytes -= l.pop()!.byteLength;
      if (l.length === 0) {
        this.lists.delete(k);
        this.released.delete(k);
      }
      if (this.bytes <= this.limit) return;
    }
  }

  /** Bytes of arrays held for reuse. */
  get heldBytes(): number {
    return this.bytes;
  }
}
