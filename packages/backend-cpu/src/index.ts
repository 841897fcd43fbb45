export { cpuBackend, type CpuBackendOptions, type CpuData } from './backend';
export * as rangeKernels from './kernels';
export * from './kernels';
export { wasmGemmAvailable } from './wasm/gemm';
