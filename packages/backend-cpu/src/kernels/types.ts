/** Element arrays the range kernels read and write: float32, int32 and bool (0/1 bytes) storage. */
export type ElementArray = Float32Array | Int32Array | Uint8Array;
