// STUB: being implemented
import type { Tensor } from '../tensor';
type Dim = number | readonly number[] | undefined;
const todo = (): never => { throw new Error('not implemented'); };
export function sum(x: Tensor, dim?: Dim, keepdim = false): Tensor { return todo(); }
export function mean(x: Tensor, dim?: Dim, keepdim = false): Tensor { return todo(); }
export function max(x: Tensor, dim?: Dim, keepdim = false): Tensor { return todo(); }
export function min(x: Tensor, dim?: Dim, keepdim = false): Tensor { return todo(); }
export function logsumexp(x: Tensor, dim?: Dim, keepdim = false): Tensor { return todo(); }
export function variance(x: Tensor, dim?: Dim, keepdim = false, options: { correction?: number } = {}): Tensor { return todo(); }
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor { return todo(); }
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor { return todo(); }
