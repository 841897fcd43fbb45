/**
 * A kernel launch as plain data: the range kernel to run, its arrays (views of
 * `SharedArrayBuffer`s, so posting a task to a worker shares them, never copies) and its plan.
 * The calling thread and the workers run a task's ranges with the same {@link runRange}.
 */
import type { AdamStepAttrs, BinaryOp, DType, ReduceOp, SgdStepAttrs, UnaryOp } from '@tensorgrad/core';
import {
  activationBackwardRange,
  attentionSoftmaxRange,
  adamStepRange,
  binaryRange,
  castRange,
  concatRange,
  crossEntropyBackwardRange,
  crossEntropyRange,
  conv2dBackwardInputRange,
  conv2dBackwardWeightRange,
  conv2dRange,
  cumsumRange,
  fillRange,
  gatherRange,
  geluBackwardRange,
  geluRange,
  layerNormBackwardRange,
  layerNormParamGradRange,
  layerNormRange,
  logSoftmaxRange,
  lstmCellBackwardRange,
  lstmCellRange,
  matmulColumnsRange,
  matmulPrepackedRange,
  matmulRange,
  maxPool2dIndicesRange,
  maxPool2dRange,
  normalRange,
  padRange,
  reduceRange,
  scatterAddRange,
  sgdStepRange,
  softmaxBackwardRange,
  softmaxRange,
  sortRange,
  stridedCopyRange,
  wasmPermute,
  uniformRange,
  unaryRange,
  whereRange,
  type ConcatPlan,
  type Conv2dPlan,
  type ElementArray,
  type GatherPlan,
  type LinePlan,
  type MatmulPlan,
  type PackedB,
  type PadPlan,
  type Pool2dPlan,
  type ReducePlan,
  type SharedGemm,
  type StridedPlan,
} from '@tensorgrad/backend-cpu';

/** Columns per unit of a `matmulColumns` task: 64 bytes of an output row. */
export const MATMUL_COLUMN_GRAIN = 16;

/** Every kernel launch the worker backend splits, one variant per range kernel of backend-cpu. */
export type Task =
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly x: ElementArray; readonly out: ElementArray }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: ElementArray; readonly b: ElementArray; readonly out: ElementArray; readonly plan: StridedPlan }
  | { readonly kind: 'where'; readonly cond: ElementArray; readonly a: ElementArray; readonly b: ElementArray; readonly out: ElementArray; readonly plan: StridedPlan }
  | { readonly kind: 'reduce'; readonly op: ReduceOp; readonly x: ElementArray; readonly out: ElementArray; readonly plan: ReducePlan }
  | { readonly kind: 'matmul'; readonly a: Float32Array; readonly b: Float32Array; readonly out: Float32Array; readonly plan: MatmulPlan }
  /** An unbatched matmul whose `b` the calling thread packed once into `gemm`'s shared memory: each thread packs only its rows of `a`. */
  | { readonly kind: 'matmulPacked'; readonly gemm: SharedGemm; readonly a: Float32Array; readonly packed: PackedB; readonly out: Float32Array; readonly plan: MatmulPlan }
  /**
   * An unbatched matmul with `m` well below `n`, split by columns in units of
   * {@link MATMUL_COLUMN_GRAIN}: each thread packs all of `op(a)` and its columns of `op(b)`.
   */
  | { readonly kind: 'matmulColumns'; readonly gemm: SharedGemm; readonly a: Float32Array; readonly b: Float32Array; readonly out: Float32Array; readonly plan: MatmulPlan }
  | { readonly kind: 'gelu'; readonly x: Float32Array; readonly outY: Float32Array; readonly outSaved: Float32Array; readonly tanh: boolean }
  | { readonly kind: 'geluBackward'; readonly x: Float32Array; readonly saved: Float32Array; readonly dy: Float32Array; readonly out: Float32Array; readonly tanh: boolean }
  /** Rows of a layer norm. */
  | { readonly kind: 'layerNorm'; readonly x: Float32Array; readonly w: Float32Array | null; readonly b: Float32Array | null; readonly eps: number; readonly outY: Float32Array; readonly outMean: Float32Array; readonly outRstd: Float32Array; readonly cols: number }
  /**
   * A layer norm's gradients: unit 0 is the weight and bias gradients (every column summed over
   * every row, in one pass: see layerNormParamGradRange), units 1 to `rows` the input gradient's rows.
   * One task, so that one thread sums the parameters' columns while the others take the rows.
   */
  | {
      readonly kind: 'layerNormBackward';
      readonly x: Float32Array;
      readonly w: Float32Array | null;
      readonly mean: Float32Array;
      readonly rstd: Float32Array;
      readonly dy: Float32Array;
      readonly outDx: Float32Array;
      readonly outDw: Float32Array;
      readonly outDb: Float32Array;
      readonly cols: number;
    }
  | { readonly kind: 'crossEntropy'; readonly x: Float32Array; readonly target: Int32Array; readonly outLoss: Float32Array; readonly outProbs: Float32Array; readonly cols: number }
  | { readonly kind: 'crossEntropyBackward'; readonly probs: Float32Array; readonly target: Int32Array; readonly dy: Float32Array; readonly out: Float32Array; readonly cols: number }
  | { readonly kind: 'activationBackward'; readonly op: 'tanh' | 'sigmoid' | 'relu'; readonly y: Float32Array; readonly dy: Float32Array; readonly out: Float32Array }
  | { readonly kind: 'copy'; readonly x: ElementArray; readonly out: ElementArray; readonly plan: StridedPlan }
  /** A permute that keeps its first dim, split by its blocks (`block` elements each): backend-cpu's WebAssembly copy where it takes the plan, else the loop. */
  | { readonly kind: 'permuteBlocks'; readonly x: ElementArray; readonly out: ElementArray; readonly plan: StridedPlan; readonly block: number }
  | { readonly kind: 'pad'; readonly x: ElementArray; readonly out: ElementArray; readonly plan: PadPlan; readonly value: number }
  | { readonly kind: 'concat'; readonly xs: readonly ElementArray[]; readonly out: ElementArray; readonly plan: ConcatPlan }
  | { readonly kind: 'gather'; readonly x: ElementArray; readonly index: Int32Array; readonly out: ElementArray; readonly plan: GatherPlan }
  | { readonly kind: 'scatterAdd'; readonly index: Int32Array; readonly src: Float32Array; readonly out: Float32Array; readonly plan: GatherPlan }
  | { readonly kind: 'cumsum'; readonly x: ElementArray; readonly out: ElementArray; readonly plan: LinePlan; readonly reverse: boolean }
  /** Both outputs are `out*` fields, so that `shareTask` copies both back. */
  | { readonly kind: 'sort'; readonly x: ElementArray; readonly out: ElementArray; readonly outIndices: Int32Array; readonly plan: LinePlan; readonly descending: boolean }
  | { readonly kind: 'cast'; readonly x: ElementArray; readonly out: ElementArray; readonly dtype: DType }
  | { readonly kind: 'fill'; readonly out: ElementArray; readonly value: number; readonly dtype: DType }
  | { readonly kind: 'randomUniform' | 'randomNormal'; readonly seed: number; readonly out: Float32Array }
  | { readonly kind: 'softmax' | 'logSoftmax'; readonly x: Float32Array; readonly out: Float32Array; readonly cols: number }
  | { readonly kind: 'attentionSoftmax'; readonly x: Float32Array; readonly out: Float32Array; readonly cols: number; readonly scale: number; readonly causal: boolean; readonly l: number }
  | { readonly kind: 'softmaxBackward'; readonly y: Float32Array; readonly dy: Float32Array; readonly out: Float32Array; readonly cols: number; readonly scale: number }
  | { readonly kind: 'conv2d'; readonly x: Float32Array; readonly w: Float32Array; readonly out: Float32Array; readonly plan: Conv2dPlan }
  | { readonly kind: 'conv2dBackwardInput'; readonly dy: Float32Array; readonly w: Float32Array; readonly out: Float32Array; readonly plan: Conv2dPlan }
  | { readonly kind: 'conv2dBackwardWeight'; readonly x: Float32Array; readonly dy: Float32Array; readonly out: Float32Array; readonly plan: Conv2dPlan }
  | { readonly kind: 'maxPool2d'; readonly x: Float32Array; readonly out: Float32Array; readonly plan: Pool2dPlan }
  | { readonly kind: 'maxPool2dIndices'; readonly x: Float32Array; readonly out: Int32Array; readonly plan: Pool2dPlan }
  | {
      readonly kind: 'sgdStep';
      readonly p: Float32Array;
      readonly g: Float32Array;
      readonly buf: Float32Array | null;
      readonly outP: Float32Array;
      readonly outBuf: Float32Array | null;
      readonly attrs: SgdStepAttrs;
    }
  /** Rows of one LSTM step; the outputs are `out*` fields. */
  | {
      readonly kind: 'lstmCell';
      readonly xg: Float32Array;
      readonly hg: Float32Array;
      readonly xb: Float32Array | null;
      readonly hb: Float32Array | null;
      readonly c: Float32Array;
      readonly outH: Float32Array;
      readonly outC: Float32Array;
      readonly outAct: Float32Array;
      readonly hidden: number;
    }
  | {
      readonly kind: 'lstmCellBackward';
      readonly act: Float32Array;
      readonly c: Float32Array;
      readonly cNext: Float32Array;
      readonly dh: Float32Array | null;
      readonly dc: Float32Array | null;
      readonly outGates: Float32Array;
      readonly outC: Float32Array;
      readonly hidden: number;
    }
  | {
      readonly kind: 'adamStep';
      readonly p: Float32Array;
      readonly g: Float32Array;
      readonly m: Float32Array;
      readonly v: Float32Array;
      readonly vMax: Float32Array | null;
      readonly outP: Float32Array;
      readonly outM: Float32Array;
      readonly outV: Float32Array;
      readonly outVMax: Float32Array | null;
      readonly attrs: AdamStepAttrs;
    };

/** This thread's slot in a shared gemm memory: 0 on the calling thread, worker `i` (from 0) has `i + 1`. */
let threadSlot = 0;

/**
 * Set this thread's slot in shared gemm memories (a compute worker does, once, as it starts).
 *
 * @example
 * ```ts
 * setThreadSlot(index + 1);
 * ```
 */
export function setThreadSlot(slot: number): void {
  threadSlot = slot;
}

/** What a task's ranges count; see each range kernel's TSDoc. */
export type TaskKind = Task['kind'];

/**
 * Run output units `[start, end)` of `task` (elements, rows, planes or lines, as its range
 * kernel counts them). Any split of a task's units into ranges gives the result of one call.
 *
 * @example
 * ```ts
 * const out = new Float32Array(new SharedArrayBuffer(12));
 * runRange({ kind: 'fill', out, value: 2, dtype: 'float32' }, 0, 3); // out = [2, 2, 2]
 * ```
 */
export function runRange(task: Task, start: number, end: number): void {
  switch (task.kind) {
    case 'unary':
      return unaryRange(task.op, task.x, task.out, start, end);
    case 'binary':
      return binaryRange(task.op, task.a, task.b, task.out, task.plan, start, end);
    case 'where':
      return whereRange(task.cond, task.a, task.b, task.out, task.plan, start, end);
    case 'reduce':
      return reduceRange(task.op, task.x, task.out, task.plan, start, end);
    case 'matmul':
      return matmulRange(task.a, task.b, task.out, task.plan, start, end);
    case 'matmulPacked':
      return matmulPrepackedRange(task.gemm, threadSlot, task.a, task.packed, task.out, task.plan, start, end);
    case 'matmulColumns':
      return matmulColumnsRange(task.gemm, threadSlot, task.a, task.b, task.out, task.plan, start * MATMUL_COLUMN_GRAIN, Math.min(task.plan.n, end * MATMUL_COLUMN_GRAIN));
    case 'copy':
      return stridedCopyRange(task.x, task.out, task.plan, start, end);
    case 'permuteBlocks': {
      const [from, to] = [start * task.block, end * task.block];
      if (!wasmPermute(task.x, task.out, task.plan, from, to)) stridedCopyRange(task.x, task.out, task.plan, from, to);
      return;
    }
    case 'pad':
      return padRange(task.x, task.out, task.plan, task.value, start, end);
    case 'concat':
      return concatRange(task.xs, task.out, task.plan, start, end);
    case 'gather':
      return gatherRange(task.x, task.index, task.out, task.plan, start, end);
    case 'scatterAdd':
      return scatterAddRange(task.index, task.src, task.out, task.plan, start, end);
    case 'cumsum':
      return cumsumRange(task.x, task.out, task.plan, task.reverse, start, end);
    case 'sort':
      return sortRange(task.x, task.out, task.outIndices, task.plan, task.descending, start, end);
    case 'cast':
      return castRange(task.x, task.out, task.dtype, start, end);
    case 'fill':
      return fillRange(task.out, task.value, task.dtype, start, end);
    case 'randomUniform':
      return uniformRange(task.seed, task.out, start, end);
    case 'randomNormal':
      return normalRange(task.seed, task.out, start, end);
    case 'softmax':
      return softmaxRange(task.x, task.out, task.cols, start, end);
    case 'logSoftmax':
      return logSoftmaxRange(task.x, task.out, task.cols, start, end);
    case 'attentionSoftmax':
      return attentionSoftmaxRange(task.x, task.out, task.cols, task.scale, task.causal, task.l, start, end);
    case 'softmaxBackward':
      return softmaxBackwardRange(task.y, task.dy, task.out, task.cols, task.scale, start, end);
    case 'conv2d':
      return conv2dRange(task.x, task.w, task.out, task.plan, start, end);
    case 'conv2dBackwardInput':
      return conv2dBackwardInputRange(task.dy, task.w, task.out, task.plan, start, end);
    case 'conv2dBackwardWeight':
      return conv2dBackwardWeightRange(task.x, task.dy, task.out, task.plan, start, end);
    case 'maxPool2d':
      return maxPool2dRange(task.x, task.out, task.plan, start, end);
    case 'maxPool2dIndices':
      return maxPool2dIndicesRange(task.x, task.out, task.plan, start, end);
    case 'sgdStep':
      return sgdStepRange(task.p, task.g, task.buf, task.outP, task.outBuf, task.attrs, start, end);
    case 'adamStep':
      return adamStepRange(task.p, task.g, task.m, task.v, task.vMax, task.outP, task.outM, task.outV, task.outVMax, task.attrs, start, end);
    case 'gelu':
      return geluRange(task.x, task.outY, task.outSaved, task.tanh, start, end);
    case 'geluBackward':
      return geluBackwardRange(task.x, task.saved, task.dy, task.out, task.tanh, start, end);
    case 'layerNorm':
      return layerNormRange(task.x, task.w, task.b, task.eps, task.outY, task.outMean, task.outRstd, task.cols, start, end);
    case 'layerNormBackward':
      if (start === 0 && end > 0) layerNormParamGradRange(task.x, task.mean, task.rstd, task.dy, task.outDw, task.outDb, task.mean.length, task.cols, 0, task.cols);
      return layerNormBackwardRange(task.x, task.w, task.mean, task.rstd, task.dy, task.outDx, task.cols, Math.max(0, start - 1), end - 1);
    case 'crossEntropy':
      return crossEntropyRange(task.x, task.target, task.outLoss, task.outProbs, task.cols, start, end);
    case 'crossEntropyBackward':
      return crossEntropyBackwardRange(task.probs, task.target, task.dy, task.out, task.cols, start, end);
    case 'activationBackward':
      return activationBackwardRange(task.op, task.y, task.dy, task.out, start, end);
    case 'lstmCell':
      return lstmCellRange(task.xg, task.hg, task.xb, task.hb, task.c, task.outH, task.outC, task.outAct, task.hidden, start, end);
    case 'lstmCellBackward':
      return lstmCellBackwardRange(task.act, task.c, task.cNext, task.dh, task.dc, task.outGates, task.outC, task.hidden, start, end);
    default:
      throw new Error(`worker backend: unknown task kind '${(task as { kind: string }).kind}'`);
  }
}

/**
 * Run chunks of `task` (chunk `c` is units `[c·chunk, (c+1)·chunk)`): first chunk `home` when it
 * is not -1, then chunks claimed from the shared counter `ctrl[next]` until none is left, so a
 * thread that starts late or runs slow simply takes fewer. With `shrink > 0` the chunks shrink
 * instead (guided scheduling): `ctrl[next]` counts units, and each claim takes `1 / shrink` of what
 * is left, rounded up to a multiple of `chunk` (the smallest claim) and at most `largest` units,
 * so the last chunks, the ones a fast thread waits on, are small, and no thread holds much work at
 * once (a thread whose core stalls keeps the others waiting for at most its claim). Returns the
 * number of chunks run.
 *
 * @example
 * ```ts
 * const ctrl = new Int32Array(new SharedArrayBuffer(16));
 * runChunks(ctrl, 0, { kind: 'fill', out, value: 1, dtype: 'float32' }, out.length, 256, -1);
 * runChunks(ctrl, 1, { kind: 'fill', out, value: 1, dtype: 'float32' }, out.length, 256, -1, 4); // a quarter of what is left each time
 * ```
 */
export function runChunks(ctrl: Int32Array, next: number, task: Task, units: number, chunk: number, home: number, shrink = 0, largest = Infinity): number {
  let ran = 0;
  if (shrink > 0) {
    let start = Atomics.load(ctrl, next);
    while (start < units) {
      const size = Math.max(chunk, Math.min(largest, Math.ceil((units - start) / shrink / chunk) * chunk));
      const end = Math.min(units, start + size);
      const seen = Atomics.compareExchange(ctrl, next, start, end);
      if (seen !== start) {
        start = seen; // another thread claimed first: try again from where it left off
        continue;
      }
      runRange(task, start, end);
      ran++;
      start = Atomics.load(ctrl, next);
    }
    return ran;
  }
  if (home >= 0) {
    runRange(task, home * chunk, Math.min(units, (home + 1) * chunk));
    ran++;
  }
  for (;;) {
    const start = Atomics.add(ctrl, next, 1) * chunk;
    if (start >= units) return ran;
    runRange(task, start, Math.min(units, start + chunk));
    ran++;
  }
}
