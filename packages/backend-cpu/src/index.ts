export { cpuBackend, type CpuBackendOptions, type CpuData } from './backend';
export { HostStorage, ReusePool } from './storage';
/**
 * Every range kernel of this package, with its plans and helpers, under one name (each is also
 * exported on its own). A range kernel writes output elements (or rows, planes, lines: each
 * says which) `[start, end)` into a caller-given array, so a thread pool can split one kernel
 * across workers over shared memory and call the same code.
 *
 * @example
 * ```ts
 * import { rangeKernels } from '@tensorgrad/backend-cpu';
 * const x = new Float32Array([1, -2, 3, -4]), out = new Float32Array(4);
 * rangeKernels.unaryRange('neg', x, out, 0, 2); // first half here: out = [-1, 2, 0, 0]
 * rangeKernels.unaryRange('neg', x, out, 2, 4); // second half on another thread: [-1, 2, -3, 4]
 * ```
 */
export * as rangeKernels from './kernels';
export * from './kernels';
export { createSharedGemm, gemmProbe, gemmVariant, releaseSharedGemm, wasmGemm, wasmGemmAvailable, type GemmVariant, type PackedB, type SharedGemm } from './wasm/gemm';
export { elementwiseProbe, wasmActivationAvailable, wasmBinary, wasmPermute, type RowsLayout } from './wasm/elementwise';
