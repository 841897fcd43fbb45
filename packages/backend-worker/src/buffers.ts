import { checkInt, type DType, type TypedArray } from '@tensorgrad/core';
import { ReusePool } from '@tensorgrad/backend-cpu';

/**
 * Bytes from which a tensor's array is a SharedArrayBuffer from the start. Below it, a plain
 * ArrayBuffer, copied into shared memory only for a split kernel (see `shareTask`). Measured with
 * a 784-64-10 MLP, batch 32, Adam, 10,000 steps that never dispose anything on one thread: all
 * shared, RSS grew 140 MB after step 1,000; plain, 27 MB (V8 does not count shared memory as
 * pressure, so the dropped arrays wait for a major collection). The arrays that die young are
 * a step's activations, mostly small; a split kernel's work dwarfs copying its small operands.
 */
export const SHARE_FROM = 64 * 1024;

/** Buffers are sized in steps of a cache line, so that two threads never write one line of two tensors. */
const LINE = 64;

const BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * `SharedArrayBuffer`s for tensor storage, with a free list by byte size: a training step
 * allocates the same sizes every time, and a fresh buffer costs zeroing and page faults.
 * Only buffers handed back with {@link SharedBuffers.release} (the backend knows they are
 * disposed) are reused.
 *
 * @example
 * ```ts
 * const buffers = new SharedBuffers(64 * 1024 * 1024);
 * const a = buffers.take('float32', 1000); // a Float32Array over a SharedArrayBuffer
 * buffers.release(a);
 * buffers.take('float32', 1000).buffer === a.buffer; // true: reused
 * ```
 */
export class SharedBuffers {
  private readonly free: ReusePool<number, ArrayBufferLike>;

  /** @param limit bytes of released buffers kept for reuse (0: none); when full, the sizes released longest ago make room. */
  constructor(limit: number) {
    this.free = new ReusePool(checkInt('workerBackend', 'poolBytes', limit, 0));
  }

  /** An array of `dtype` and length `n` over shared memory; its contents are garbage when reused. */
  take(dtype: DType, n: number): TypedArray {
    const size = Math.ceil((n * BYTES[dtype]) / LINE) * LINE;
    const reused = this.free.take(size);
    // small arrays stay unshared: V8 counts an ArrayBuffer's memory towards collecting, not a
    // SharedArrayBuffer's, so dropped shared arrays pile up (see SHARE_FROM); split kernels share them on demand
    const buffer = reused ?? (size < SHARE_FROM ? new ArrayBuffer(size) : new SharedArrayBuffer(size));
    return dtype === 'float32' ? new Float32Array(buffer, 0, n) : dtype === 'int32' ? new Int32Array(buffer, 0, n) : new Uint8Array(buffer, 0, n);
  }

  /** Hand back the storage of a disposed tensor. */
  release(values: TypedArray): void {
    this.free.put(values.buffer.byteLength, values.buffer);
  }
}
