// STUB: being implemented
import type { Tensor } from '../tensor';
export function matmul(a: Tensor, b: Tensor): Tensor { throw new Error('not implemented'); }
