/**
 * Kernels along one axis: cumsum (a prefix loop per output element) and a stable sort in three
 * gather-style passes (each element's rank in its line, the position holding each rank, the
 * values there): O(n²) per line of n, which a GPU spreads over every element at once. NaN is
 * not ordered on the device (GPU comparisons with NaN are false): where NaN must sort last, the
 * host path (backend-cpu) does it.
 */
import { numel, type DataId, type KernelTable, type Shape } from '@tensorgrad/core';
import type { Dispatch } from '../dispatch';
import * as src from '../sources';

function lines(shape: Shape, axis: number): { n: number; inner: number } {
  if (shape.length === 0) return { n: 1, inner: 1 };
  return { n: shape[axis]!, inner: numel(shape.slice(axis + 1)) };
}

/** The along-axis part of the kernel table. */
export function scanKernels(d: Dispatch): Pick<KernelTable, 'cumsum' | 'sort'> {
  const cpu = d.storage.cpu;
  return {
    cumsum(xi, axis, reverse) {
      const x = d.input(xi);
      const size = numel(x.shape);
      if (d.onHostSide([x], size) || size === 0) return d.host(x.shape, x.dtype, [x], 'cumsum', ([a]) => cpu.kernels.cumsum(a!, axis, reverse));
      const { n, inner } = lines(x.shape, axis);
      return d.kernel('cumsum', () => src.cumsumSource(), [size], x.shape, x.dtype, [x, n * inner, inner, n, reverse ? 1 : 0], 'cumsum');
    },

    sort(xi, axis, descending) {
      const x = d.input(xi);
      const size = numel(x.shape);
      if (d.onHostSide([x], size) || size === 0) {
        // one host sort per output (the host path is for small tensors)
        const pick = (k: number) => (infos: { id: DataId; shape: Shape; dtype: 'float32' | 'int32' | 'bool' }[]): DataId => {
          const both = cpu.kernels.sort(infos[0]!, axis, descending);
          cpu.dispose(both[1 - k]!);
          return both[k]!;
        };
        return [d.host(x.shape, x.dtype, [x], 'sort', pick(0)), d.host(x.shape, 'int32', [x], 'sort', pick(1))];
      }
      const { n, inner } = lines(x.shape, axis);
      const rank = d.own(d.kernel('sortRank', () => src.sortRankSource(), [size], x.shape, 'int32', [x, n * inner, inner, n, descending ? 1 : 0], 'sort'));
      const indices = d.kernel('sortIndex', () => src.sortIndexSource(), [size], x.shape, 'int32', [rank, n * inner, inner, n], 'sort');
      d.drop(rank);
      const values = d.kernel('lineGather', () => src.lineGatherSource(), [size], x.shape, x.dtype, [x, d.own(indices), n * inner, inner], 'sort');
      return [values, indices];
    },
  };
}
