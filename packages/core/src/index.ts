/**
 * @tensorgrad/core: tensors, reverse-mode autograd, ops, `functional`, `nn` and `optim`,
 * and the kernel contract that backends implement.
 *
 * @example
 * ```ts
 * import { tensor, setBackend } from '@tensorgrad/core';
 * import { cpuBackend } from '@tensorgrad/backend-cpu';
 * await setBackend(cpuBackend());
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad = [2, 4, 6]
 * ```
 * @packageDocumentation
 */
export * from './backend';
export { Tensor, type NestedArray } from './tensor';
export type { TensorLike } from './op';
export { setBackend, getBackend, listBackends, registerBackend, setDefaultBackend, type BackendFactory } from './registry';
export { noGrad, grad, isGradEnabled, type BackwardOptions, type GradOptions } from './autograd';
export { tidy, keep, memory } from './memory';
/** For backends and apps: the refusal of a misspelled option that core's own functions give. */
export { checkBool, checkInt, checkOptions } from './validate';
/** For backends: a V8 flag on while a module that needs its feature compiles (Node). */
export { withV8Flag } from './engine';
export * from './creation';
export * from './ops/index';
export * as functional from './functional/index';
export * as nn from './nn/index';
export * as optim from './optim/index';
export * as data from './data/index';
export * from './serialize/index';
