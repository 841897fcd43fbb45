/**
 * Batched matmul with transpose flags and batch broadcasting. WebGPU runs a vec4 kernel (four
 * outputs per thread, operands addressed in 3-D) where N is a multiple of 4; every other case
 * and mode runs the portable one-output-per-thread kernel.
 */
import { numel, stridesOf, type KernelTable } from '@tensorgrad/core';
import type { Dispatch, In } from '../dispatch';
import { broadcastStrides, collapse } from '../plan';
import * as src from '../sources';
import type { Stored } from '../storage';

/** The matmul part of the kernel table; `vec4` chooses the WebGPU kernel where it applies. */
export function matmulKernels(d: Dispatch, vec4: boolean): Pick<KernelTable, 'matmul'> {
  const cpu = d.storage.cpu.kernels;

  /** `x` materialised with its batch dims broadcast to `batch`. */
  function expandBatch(x: In, batch: readonly number[]): In {
    const shape = [...batch, ...x.shape.slice(-2)];
    return d.own(d.strided(x, collapse(shape, [broadcastStrides(x.shape, shape)], [0]), shape, 'matmul'), shape);
  }

  return {
    matmul(ai, bi, transposeA, transposeB, outShape) {
      let a = d.input(ai);
      let b = d.input(bi);
      const r = outShape.length;
      const M = outShape[r - 2]!;
      const N = outShape[r - 1]!;
      const K = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
      const n = numel(outShape);
      if (d.onHostSide([a, b], n) || K === 0) return d.host(outShape, 'float32', [a, b], 'matmul', ([x, y]) => cpu.matmul(x!, y!, transposeA, transposeB, outShape));
      const batch = outShape.slice(0, -2);
      const B = numel(batch);
      // batch strides in matrices: 0 for a broadcast operand; operands broadcast over several dims are materialised first
      const batchPlan = () => collapse(batch, [broadcastStrides(a.shape.slice(0, -2), batch), broadcastStrides(b.shape.slice(0, -2), batch)], [0, 0]);
      let plan = batchPlan();
      const temps: In[] = [];
      if (plan.shape.length > 1) {
        const contiguous = stridesOf(plan.shape);
        if (plan.strides[0]!.some((s, dim) => s !== contiguous[dim])) temps.push((a = expandBatch(a, batch)));
        if (plan.strides[1]!.some((s, dim) => s !== contiguous[dim])) temps.push((b = expandBatch(b, batch)));
        plan = batchPlan();
      }
      const sa = plan.shape.length === 0 ? 0 : plan.strides[0]![0]!;
      const sb = plan.shape.length === 0 ? 0 : plan.strides[1]![0]!;
      const t = `${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`;
      let out: Stored;
      if (vec4 && d.device().mode === 'webgpu' && N % 4 === 0) {
        const aMats = numel(a.shape) / (M * K);
        const bMats = numel(b.shape) / (K * N);
        const views = new Map<number, number[]>([
          [0, transposeA ? [M, K, aMats] : [K, M, aMats]],
          [1, transposeB ? [K, N, bMats] : [N, K, bMats]],
        ]);
        const unroll = K % 4 === 0;
        const raw = d.kernel(
          `matmul4:${t}:${unroll ? 'unrolled' : 'plain'}`,
          () => src.matmulVec4Source(transposeA, transposeB, unroll),
          [N / 4, M, B],
          outShape,
          'float32',
          [a, b, unroll ? K / 4 : K, sa, sb],
          'matmul',
          views,
        );
        out = d.viewFlat(raw, outShape);
      } else {
        out = d.kernel(`matmul:${t}`, () => src.matmulSource(transposeA, transposeB), [n], outShape, 'float32', [a, b, M * N, N, M, K, sa * M * K, sb * K * N], 'matmul');
      }
      for (const tmp of temps) d.drop(tmp);
      return out;
    },
  };
}
