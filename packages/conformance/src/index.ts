/**
 * @tensorgrad/conformance: one suite, checked against PyTorch, that every tensorgrad backend runs.
 *
 * @example
 * ```ts
 * import { runConformance } from '@tensorgrad/conformance';
 * import { cpuBackend } from '@tensorgrad/backend-cpu';
 * runConformance({ name: 'cpu', createBackend: () => cpuBackend() });
 * ```
 * @packageDocumentation
 */
export { runConformance, type ConformanceOptions } from './suite';
export { gradcheck, type GradcheckOptions } from './gradcheck';
export { type SupportManifest } from './manifest';
export { type Tolerance, DEFAULT_TOLERANCE, mismatch } from './compare';
export { loadTorchCases, type TorchCase, type TorchFixtures, type TorchPrograms, type CaseTensor } from './cases';
export {
  loadTorchCases2,
  isModuleCase,
  type TorchCase2,
  type TorchOpCase2,
  type TorchModuleCase,
  type TorchFixtures2,
  type IndexEntry,
} from './cases';
export { runLongLoop, type LongLoopOptions, type LongLoopResult } from './long-loop';
