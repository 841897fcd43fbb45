/**
 * @tensorgrad/backend-gpujs: tensorgrad kernels compiled by gpu.js, resident on the GPU where
 * there is one (WebGPU, WebGL2 or WebGL in a page; WebGPU through Dawn or headless-gl in Node), else
 * gpu.js's WebAssembly or cpu kernels. Bundles for the browser as is: no Node module is imported at load time.
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { gpujsBackend } from '@tensorgrad/backend-gpujs';
 * const backend = gpujsBackend();
 * await setBackend(backend);
 * console.log(backend.device); // 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu'
 * ```
 * @packageDocumentation
 */
export {
  gpujsBackend,
  DEFAULT_HOST_THRESHOLD,
  SOFTWARE_HOST_THRESHOLD,
  type GpujsBackend,
  type GpujsBackendOptions,
  type GpujsStats,
  type Placement,
} from './backend';
export { MODES, type GpujsMode } from './modes';
