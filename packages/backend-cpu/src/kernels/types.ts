/**
 * Element arrays the range kernels read and write: float32, int32 and bool (0/1 bytes) storage.
 *
 * @example
 * ```ts
 * const mask: ElementArray = new Uint8Array([1, 0, 1]);
 * ```
 */
export type ElementArray = Float32Array | Int32Array | Uint8Array;
