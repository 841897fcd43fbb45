// STUB: being implemented
import type { Tensor } from '../tensor';
const todo = (): never => { throw new Error('not implemented'); };
export function reshape(x: Tensor, shape: readonly number[]): Tensor { return todo(); }
export function view(x: Tensor, shape: readonly number[]): Tensor { return todo(); }
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor { return todo(); }
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor { return todo(); }
export function permute(x: Tensor, dims: readonly number[]): Tensor { return todo(); }
export function unsqueeze(x: Tensor, dim: number): Tensor { return todo(); }
export function squeeze(x: Tensor, dim?: number): Tensor { return todo(); }
export function expand(x: Tensor, shape: readonly number[]): Tensor { return todo(); }
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor { return todo(); }
export function cat(tensors: readonly Tensor[], dim = 0): Tensor { return todo(); }
export function stack(tensors: readonly Tensor[], dim = 0): Tensor { return todo(); }
