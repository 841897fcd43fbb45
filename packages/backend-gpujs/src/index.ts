/**
 * @tensorgrad/backend-gpujs: tensorgrad kernels compiled by gpu.js, resident on the GPU where
 * there is one (WebGPU through Dawn, or headless-gl), else gpu.js's WebAssembly or cpu kernels.
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { gpujsBackend } from '@tensorgrad/backend-gpujs';
 * const backend = gpujsBackend();
 * await setBackend(backend);
 * console.log(backend.device); // 'webgpu' | 'headlessgl' | 'webasm' | 'cpu'
 * ```
 * @packageDocumentation
 */
export {
  gpujsBackend,
  DEFAULT_HOST_THRESHOLD,
  type GpujsBackend,
  type GpujsBackendOptions,
  type GpujsStats,
  type Placement,
} from './backend';
export { type GpujsMode } from './modes';
