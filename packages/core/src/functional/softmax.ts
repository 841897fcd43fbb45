// STUB: being implemented
import type { Tensor } from '../tensor';
export function softmax(x: Tensor, dim: number): Tensor { throw new Error('not implemented'); }
export function logSoftmax(x: Tensor, dim: number): Tensor { throw new Error('not implemented'); }
