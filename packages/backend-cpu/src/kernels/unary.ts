import type { DType, UnaryOp } from '@tensorgrad/core';
import { wasmActivation, wasmRelu } from '../wasm/elementwise';
import { erf } from './erf';
import type { ElementArray } from './types';

const FLOAT_MAX = 3.4028234663852886e38;

/**
 * Output dtype of a unary op: `neg`/`abs` keep int32, `logicalNot` gives bool, the rest float32.
 *
 * @example
 * ```ts
 * unaryOutDType('abs', 'int32'); // 'int32'
 * unaryOutDType('exp', 'int32'); // 'float32'
 * ```
 */
export function unaryOutDType(op: UnaryOp, dtype: DType): DType {
  if (op === 'logicalNot') return 'bool';
  if ((op === 'neg' || op === 'abs') && dtype === 'int32') return 'int32';
  return 'float32';
}

/**
 * `out[i] = f(x[i])` for `i` in `[start, end)`; `x` and `out` have the same number of elements.
 * `out` must have the op's output dtype ({@link unaryOutDType}).
 *
 * @example
 * ```ts
 * const x = new Float32Array([-1, 0, 2]), out = new Float32Array(3);
 * unaryRange('relu', x, out, 0, 3); // out = [0, 0, 2]
 * ```
 */
export function unaryRange(op: UnaryOp, x: ElementArray, out: ElementArray, start: number, end: number): void {
  // a loop per op: nothing is called per element and each loop's loads see one array type
  switch (op) {
    case 'neg':
      for (let i = start; i < end; i++) out[i] = -x[i]!;
      return;
    case 'abs':
      for (let i = start; i < end; i++) out[i] = Math.abs(x[i]!);
      return;
    case 'exp':
      if (x instanceof Float32Array && out instanceof Float32Array && wasmActivation('exp', x, out, start, end)) return;
      for (let i = start; i < end; i++) out[i] = Math.exp(x[i]!);
      return;
    case 'log':
      for (let i = start; i < end; i++) out[i] = Math.log(x[i]!);
      return;
    case 'sqrt':
      for (let i = start; i < end; i++) out[i] = Math.sqrt(x[i]!);
      return;
    case 'sin':
      for (let i = start; i < end; i++) out[i] = Math.sin(x[i]!);
      return;
    case 'cos':
      for (let i = start; i < end; i++) out[i] = Math.cos(x[i]!);
      return;
    case 'tanh':
      if (x instanceof Float32Array && out instanceof Float32Array && wasmActivation('tanh', x, out, start, end)) return;
      for (let i = start; i < end; i++) out[i] = Math.tanh(x[i]!);
      return;
    case 'sigmoid':
      if (x instanceof Float32Array && out instanceof Float32Array && wasmActivation('sigmoid', x, out, start, end)) return;
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        const e = Math.exp(-Math.abs(v)); // never overflows: stable for large |x|
        const r = 1 / (1 + e);
        out[i] = v >= 0 ? r : e * r;
      }
      return;
    case 'relu':
      if (x instanceof Float32Array && out instanceof Float32Array && wasmRelu(x, null, out, start, end)) return;
      for (let i = start; i < end; i++) out[i] = relu(x[i]!);
      return;
    case 'square':
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        out[i] = v * v;
      }
      return;
    case 'reciprocal':
      for (let i = start; i < end; i++) out[i] = 1 / x[i]!;
      return;
    case 'sign':
      for (let i = start; i < end; i++) out[i] = Math.sign(x[i]!);
      return;
    case 'erf':
      for (let i = start; i < end; i++) out[i] = erf(x[i]!);
      return;
    case 'floor':
      for (let i = start; i < end; i++) out[i] = Math.floor(x[i]!);
      return;
    case 'logicalNot':
      for (let i = start; i < end; i++) out[i] = +(x[i] === 0);
      return;
    default:
      throw new Error(`unary: unknown op '${op as string}'`);
  }
}

// branchless for finite v (a mispredicted branch costs 4x on random signs); -inf and NaN take the rare path;
// `+ 0` turns the -0 of a negative v times 0 into +0
function relu(v: number): number {
  return v >= -FLOAT_MAX ? v * +(v > 0) + 0 : v === v ? 0 : v;
}
