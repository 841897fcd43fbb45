/**
 * tensorgrad: PyTorch-style tensors, autograd, `nn` and `optim` for TypeScript, with the pure
 * TypeScript CPU backend as the default. Everything from `@tensorgrad/core` is re-exported.
 *
 * @example
 * ```ts
 * import { tensor, nn, optim } from 'tensorgrad';
 * const x = tensor([[1], [2]]);
 * const model = new nn.Linear(1, 1);
 * model.forward(x);
 * ```
 * @packageDocumentation
 */
import { setDefaultBackend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';

// the one side effect of this convenience package: CPU is the backend until setBackend says otherwise
setDefaultBackend(() => cpuBackend());

export * from '@tensorgrad/core';
export { cpuBackend } from '@tensorgrad/backend-cpu';
