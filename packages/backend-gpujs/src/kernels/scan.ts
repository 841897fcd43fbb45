/**
 * Kernels along one axis: cumsum (a compensated prefix loop per output element) and a stable sort
 * in three gather-style passes (each element's rank in its line, the position holding each rank,
 * the values there), O(n²) per line of n, which a GPU spreads over every element at once. Past
 * {@link LINE_BUDGET} steps the O(n log n) host sort (and the O(n) host cumsum) costs less, and
 * runs instead; small inputs on the host run there too (backend-cpu's kernels).
 */
import { numel, type KernelTable, type Shape } from '@tensorgrad/core';
import type { Dispatch } from '../dispatch';
import * as src from '../sources';

/** Past this many loop steps (elements × line length) a device cumsum or sort costs more than the host's, which runs instead. */
export const LINE_BUDGET = 1 << 27;

/** The tensor as `[outer, n, inner]` around `axis` (a 0-d tensor is one line of one element). */
function lines(shape: Shape, axis: number): { n: number; inner: number } {
  if (shape.length === 0) return { n: 1, inner: 1 };
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) throw new Error(`linePlan: axis ${axis} is out of range for shape [${shape.join(',')}] (accepts 0 to ${shape.length - 1})`);
  return { n: shape[axis]!, inner: numel(shape.slice(axis + 1)) };
}

/** The along-axis part of the kernel table. */
export function scanKernels(d: Dispatch): Pick<KernelTable, 'cumsum' | 'sort'> {
  const cpu = d.storage.cpu.kernels;
  return {
    cumsum(xi, axis, reverse) {
      const x = d.input(xi);
      if (x.dtype === 'bool') throw new Error('cumsum: expects a float32 or int32 tensor (core casts bool first)');
      const size = numel(x.shape);
      const { n, inner } = lines(x.shape, axis);
      if (d.onHostSide([x], size) || size * n > LINE_BUDGET) return d.host(x.shape, x.dtype, [x], 'cumsum', ([a]) => cpu.cumsum(a!, axis, reverse));
      return d.kernel('cumsum', src.cumsumSource, [size], x.shape, x.dtype, [x, n * inner, inner, n, reverse ? 1 : 0], 'cumsum');
    },

    sort(xi, axis, descending) {
      const x = d.input(xi);
      if (x.dtype === 'bool') throw new Error('sort: expects a float32 or int32 tensor (core casts bool first)');
      const size = numel(x.shape);
      const { n, inner } = lines(x.shape, axis);
      if (d.onHostSide([x], size) || size * n > LINE_BUDGET) {
        const outs = [
          { shape: x.shape, dtype: x.dtype },
          { shape: x.shape, dtype: 'int32' as const },
        ];
        return d.hostMany(outs, [x], 'sort', ([a]) => cpu.sort(a!, axis, descending));
      }
      const rank = d.own(d.kernel('sortRank', src.sortRankSource, [size], x.shape, 'int32', [x, n * inner, inner, n, descending ? 1 : 0], 'sort'));
      const indices = d.kernel('sortIndex', src.sortIndexSource, [size], x.shape, 'int32', [rank, n * inner, inner, n], 'sort');
      d.drop(rank);
      const values = d.kernel('lineGather', src.lineGatherSource, [size], x.shape, x.dtype, [x, d.own(indices), n * inner, inner], 'sort');
      return [values, indices];
    },
  };
}
