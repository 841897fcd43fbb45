/**
 * Reductions (sum, max, min, argmax, argmin) over any set of axes: the reduced dims are made
 * one run `[A, R, C]` (moved last first when they are not adjacent), then reduced in one pass,
 * or in two past 2048 terms (chunks of about √R: parallel on the GPU, and pairwise-accurate).
 */
import { numel, stridesOf, type DType, type KernelTable, type ReduceOp, type Shape } from '@tensorgrad/core';
import type { Dispatch, In } from '../dispatch';
import { collapse } from '../plan';
import * as src from '../sources';
import type { Stored } from '../storage';

// reductions longer than this run in two passes (chunks of about sqrt(R))
const REDUCE_CHUNKED = 2048;

/** The reduction part of the kernel table; `fill` makes the argmax of size-1 axes. */
export function reduceKernels(d: Dispatch, fill: KernelTable['fill']): Pick<KernelTable, 'reduce'> {
  const cpu = d.storage.cpu.kernels;

  /** One reduction pass over [A, R, C] (chunked by CH), output [A, ceil(R/CH), C] flat. */
  function pass(op: ReduceOp, x: In, A: number, R: number, C: number, CH: number, shape: Shape, dtype: DType): Stored {
    const NC = Math.ceil(R / CH);
    return d.kernel(`reduce:${op}`, () => src.reduceSource(op), [A * NC * C], shape, dtype, [x, NC * C, C, R, CH], 'reduce');
  }

  function reduceRun(op: ReduceOp, x: In, A: number, R: number, C: number, outShape: Shape, dtype: DType): Stored {
    if (R <= REDUCE_CHUNKED) return pass(op, x, A, R, C, Math.max(R, 1), outShape, dtype);
    const CH = Math.ceil(Math.sqrt(R));
    const NC = Math.ceil(R / CH);
    const arg = op === 'argmax' || op === 'argmin';
    const partial = d.own(pass(op, x, A, R, C, CH, [A, NC, C], arg ? 'int32' : dtype));
    const out = arg
      ? d.kernel(`argfinal:${op}`, () => src.argFinalSource(op), [A * C], outShape, 'int32', [x, partial, C, R, NC], 'reduce')
      : reduceRun(op, partial, A, NC, C, outShape, dtype);
    d.drop(partial);
    return out;
  }

  return {
    reduce(op: ReduceOp, xi, axes) {
      const x = d.input(xi);
      if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) throw new Error(`reduce: ${op} takes exactly one axis, got [${axes.join(',')}]`);
      const outShape = x.shape.filter((_, dim) => !axes.includes(dim));
      const dtype: DType = op === 'argmax' || op === 'argmin' ? 'int32' : op === 'sum' && x.dtype !== 'float32' ? 'int32' : x.dtype;
      const n = numel(outShape);
      if (d.onHostSide([x], n)) return d.host(outShape, dtype, [x], `reduce ${op}`, ([a]) => cpu.reduce(op, a!, axes));
      // the dims that matter (size 1 never moves an offset); one run of reduced dims is [A, R, C]
      const dims = x.shape.map((len, dim) => ({ len, reduced: axes.includes(dim) })).filter((g) => g.len !== 1);
      const first = dims.findIndex((g) => g.reduced);
      const last = dims.length - 1 - [...dims].reverse().findIndex((g) => g.reduced);
      const prod = (gs: typeof dims) => gs.reduce((p, g) => p * g.len, 1);
      if (first < 0) {
        // only size-1 axes reduced: values unchanged (argmax/argmin of one element is 0)
        if (op === 'argmax' || op === 'argmin') return fill(outShape, 0, 'int32');
        return d.copy(x, outShape, dtype, 'reduce');
      }
      if (dims.slice(first, last + 1).every((g) => g.reduced)) {
        return reduceRun(op, x, prod(dims.slice(0, first)), prod(dims.slice(first, last + 1)), prod(dims.slice(last + 1)), outShape, dtype);
      }
      // reduced dims in several runs: move them last, then reduce one run
      const kept = x.shape.map((_, dim) => dim).filter((dim) => !axes.includes(dim));
      const perm = [...kept, ...axes];
      const xs = stridesOf(x.shape);
      const permShape = perm.map((p) => x.shape[p]!);
      const moved = d.own(d.strided(x, collapse(permShape, [perm.map((p) => xs[p]!)], [0]), permShape, 'reduce'));
      const out = reduceRun(op, moved, n, numel(x.shape) / n, 1, outShape, dtype);
      d.drop(moved);
      return out;
    },
  };
}
