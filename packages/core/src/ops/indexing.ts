// STUB: being implemented
import type { Tensor } from '../tensor';
const todo = (): never => { throw new Error('not implemented'); };
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor { return todo(); }
export function gather(x: Tensor, dim: number, index: Tensor): Tensor { return todo(); }
export function scatterAdd(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor { return todo(); }
