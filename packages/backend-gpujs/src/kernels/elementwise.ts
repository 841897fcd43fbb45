/**
 * Elementwise kernels: unary functions, broadcasting binary ops and `where`, casts, fills,
 * and the random draws (on the host: their 32-bit integer hash has no exact float form).
 */
import { numel, type BinaryOp, type DType, type KernelTable, type UnaryOp } from '@tensorgrad/core';
import { padPlan, rankOf, type Dispatch } from '../dispatch';
import { broadcastPlan, divisors } from '../plan';
import * as src from '../sources';

const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** The elementwise part of the kernel table. */
export function elementwiseKernels(
  d: Dispatch,
): Pick<KernelTable, 'unary' | 'binary' | 'where' | 'cast' | 'fill' | 'randomUniform' | 'randomNormal'> {
  const cpu = d.storage.cpu.kernels;
  return {
    unary(op: UnaryOp, xi) {
      const x = d.input(xi);
      const dtype: DType = op === 'logicalNot' ? 'bool' : (op === 'neg' || op === 'abs') && x.dtype === 'int32' ? 'int32' : 'float32';
      const n = numel(x.shape);
      if (d.onHostSide([x], n)) return d.host(x.shape, dtype, [x], op, ([a]) => cpu.unary(op, a!));
      return d.kernel(`unary:${op}`, () => src.unarySource(op), [n], x.shape, dtype, [x], op);
    },

    binary(op: BinaryOp, ai, bi, outShape) {
      const a = d.input(ai);
      const b = d.input(bi);
      const dtype: DType = COMPARISONS.has(op) ? 'bool' : a.dtype;
      const n = numel(outShape);
      if (d.onHostSide([a, b], n)) return d.host(outShape, dtype, [a, b], op, ([x, y]) => cpu.binary(op, x!, y!, outShape));
      const plan = padPlan(broadcastPlan(outShape, [a.shape, b.shape]));
      const rank = rankOf(plan);
      const intDivision = op === 'div' && a.dtype !== 'float32';
      return d.kernel(
        `binary:${op}:${rank}:${intDivision ? 'int' : 'float'}`,
        () => src.binarySource(op, rank, intDivision),
        [n],
        outShape,
        dtype,
        [a, b, ...divisors(plan.shape), ...plan.strides[0]!, ...plan.strides[1]!],
        op,
      );
    },

    where(ci, ai, bi, outShape) {
      const [c, a, b] = [d.input(ci), d.input(ai), d.input(bi)];
      const n = numel(outShape);
      if (d.onHostSide([c, a, b], n)) return d.host(outShape, a.dtype, [c, a, b], 'where', ([x, y, z]) => cpu.where(x!, y!, z!, outShape));
      const plan = padPlan(broadcastPlan(outShape, [c.shape, a.shape, b.shape]));
      const rank = rankOf(plan);
      return d.kernel(`where:${rank}`, () => src.whereSource(rank), [n], outShape, a.dtype, [c, a, b, ...divisors(plan.shape), ...plan.strides.flat()], 'where');
    },

    cast(xi, dtype) {
      const x = d.input(xi);
      if (d.onHostSide([x], numel(x.shape))) return d.host(x.shape, dtype, [x], 'cast', ([a]) => cpu.cast(a!, dtype));
      // int32 and bool are exact floats on the device: to float32 (or bool to int32) the values stay
      if (dtype === 'float32' || dtype === x.dtype || (dtype === 'int32' && x.dtype === 'bool')) return d.copy(x, x.shape, dtype, 'cast');
      return d.kernel(`cast:${dtype}`, () => src.castSource(dtype), [numel(x.shape)], x.shape, dtype, [x], 'cast');
    },

    fill(shape, value, dtype) {
      const n = numel(shape);
      if (d.smallEnough(n)) return d.host(shape, dtype, [], 'fill', () => cpu.fill(shape, value, dtype));
      const v = dtype === 'bool' ? +(value !== 0) : dtype === 'int32' ? Math.trunc(value) | 0 : value;
      return d.kernel('fill', src.fillSource, [n], shape, dtype, [new Float32Array([v])], 'fill');
    },

    // the stream is a 32-bit integer hash: drawn on the host, uploaded when a device op needs it
    randomUniform(shape, seed) {
      return d.host(shape, 'float32', [], 'randomUniform', () => cpu.randomUniform(shape, seed));
    },

    randomNormal(shape, seed) {
      return d.host(shape, 'float32', [], 'randomNormal', () => cpu.randomNormal(shape, seed));
    },
  };
}
