import { checkOptions, numel, type Backend, type DataId, type DType, type KernelTable, type Pool2dAttrs, type Shape, type TensorInfo, type TypedArray } from '@tensorgrad/core';
import * as k from '@tensorgrad/backend-cpu';
import { SharedBuffers } from './buffers';
import type { PoolCore } from './pool-core';
import { MATMUL_COLUMN_GRAIN, runRange, type Task } from './task';

// Where splitting a kernel across two threads starts to pay, measured on the 2-core development
// machine with apps/bench (`pnpm --filter @tensorgrad/bench thresholds`: the same op inline and
// split, alternating; inline/split time, > 1 means the split is faster). Below these a kernel runs
// inline on the calling thread: handing a task over costs ~20 µs and the worker wakes ~30 µs later.
/**
 * Elementwise kernels, in elements written. With add [n] + [n] on JavaScript loops: 0.98 at 16K,
 * 1.24 at 32K, 1.49 at 64K, 1.74 at 1M. Float32 arithmetic now runs on WebAssembly SIMD (backend-cpu)
 * and crosses later: 0.91 at 32K, 1.19 at 64K, 1.64 at 128K; the kernels still on loops (relu,
 * where, the unary ops) keep the earlier crossing, so the threshold stays between the two.
 */
const ELEMENTWISE_SPLIT = 32_768;
/**
 * Elements of an optimizer update worth splitting. It is memory-bound, and it runs on the
 * WebAssembly SIMD kernel, which is fast enough that sharing it does not pay below this size.
 * Adam, inline/split, 2,000 runs warm: 16,384 floats 0.71, 24,576 1.02, 32,768 1.22, 65,536 1.47,
 * 98,304 1.57 (when the pool handed a task over more slowly, 65,536 took 83 µs inline and 221
 * split). The GPT iteration, whose weights are 16K–65K floats each, 69.4 → 67.3 and 68.0 → 65.8 ms.
 */
const OPTIMIZER_SPLIT = 32_768;
/**
 * Reductions, in elements read. sum over dim 0 of [64, n/64]: 0.97–1.21 at 32K, 1.05–1.41 at 64K,
 * 1.39–1.61 at 128K, 1.68–1.83 at 1M (row sums of [n/64, 64] gained nothing up to 1M on this machine).
 */
const REDUCE_SPLIT = 65_536;
/**
 * conv2d and its gradients, in multiply-adds, and the size at which a product takes two chunks
 * per thread. Measured on square matmul before products packed once: 0.73 at 96³ (0.9M), 0.93 at
 * 128³ (2.1M), 1.04–1.48 at 192³ (7.1M); [64, 256] @ [256, 64] (1M): 0.74–0.98.
 */
const MATMUL_SPLIT = 4_194_304;
/**
 * The matmul kernel's own threshold, in multiply-adds, now that a split product packs its right
 * operand once or splits `x @ wᵀ` by columns: inline/split, 2,000 runs warm on this machine,
 * 128³ 1.19–1.28 (every transpose), [64, 256] @ [128, 256]ᵀ 1.27, [128, 64]ᵀ @ [64, 256] 1.12,
 * [64, 128] @ [128, 256] 1.02 (2.1M each); 112³ (1.4M) 0.81, [64, 256] @ [256, 64] (1M) 0.83.
 * The MLP step at batch 64, whose three middle products are 2.1M, 1.27 → 1.22 ms.
 */
const GEMM_SPLIT = 2_097_152;
/** Cost of one `exp`/`log`/`pow`/random draw relative to an add: exp [n] is 1.04 at 2K, 1.15 at 4K, 1.29 at 8K elements. */
const TRANSCENDENTAL = 8;

/**
 * Chunks per thread of a matrix product: every chunk packs all of its other operand again (a
 * few % of the work at 4 chunks of 1024³), but with two chunks per thread a thread that runs
 * slow (this machine's two vCPUs are at times 20–35% apart) hands its second chunk to the other.
 */
function productChunks(work: number): number {
  return work >= 2 * MATMUL_SPLIT ? 2 : 1;
}

/**
 * Guided scheduling (kernels whose chunks cost nothing extra: elementwise, reductions, and matmuls
 * whose right operand is packed once): each claim takes 1 / (GUIDED_SHRINK · threads) of what is
 * left, so the first chunks are large and the last ones, which a fast thread waits on, small. 4
 * rather than 2 (first claims of 1/8 rather than 1/4 on two threads): as fast in paired runs, and
 * a thread whose core slows down (this VM's cores at times run at half speed, or nearly stall) holds less work.
 */
const GUIDED_SHRINK = 4;
/**
 * The most work (adds, or multiply-adds) one guided claim takes: about half a millisecond here. A
 * core of this VM at times runs at half speed or nearly stalls; the others then wait at most for its
 * claim. In paired runs (the same op alternating with and without the cap): matmul 1024 3% faster,
 * 512 and the MLP step unchanged; a cap of 4M was no better.
 */
const LARGEST_CHUNK_WORK = 8_388_608;
/** The least work (in adds, or multiply-adds) of a guided chunk: about 5–10 µs here, well above a claim's cost. */
const SMALLEST_CHUNK_WORK = 8192;

/** Cost of one comparison of a sort (a comparator call on gathered float64 values) relative to an add; a line of n costs about n·log2(n) of them. */
const SORT_WEIGHT = 4;

/**
 * Lines per grain of an along-axis kernel: lines along an outer axis are `inner` apart and
 * neighbours in memory, so chunks take 16 of them (64 bytes) at a time and no two threads write
 * one cache line; lines along the last axis are whole rows already.
 */
function lineGrain(plan: k.LinePlan): number {
  return plan.inner === 1 ? 1 : 16;
}

const CHEAP_UNARY: ReadonlySet<string> = new Set(['neg', 'abs', 'relu', 'square', 'reciprocal', 'sign', 'floor', 'logicalNot']);
/**
 * Unary ops on backend-cpu's WebAssembly SIMD kernel, relative to an add: tanh [32, 200] costs 16 µs
 * there against 6 µs for an add of the same size (`Math.tanh` took 62 µs, hence
 * {@link TRANSCENDENTAL} before): weighted 8, the makemore MLP's tanh was split, and the hand-over
 * cost more than it saved (96 µs against 25 µs inline).
 */
const SIMD_UNARY: ReadonlySet<string> = new Set(['tanh', 'sigmoid', 'exp']);
const SIMD_UNARY_WEIGHT = 3;
/** GELU's forward relative to an add: its SIMD kernel takes about 4–5.5 ns an element against ~1 for an add (the backward is one multiply, an add's cost). */
const GELU_WEIGHT = 6;

const FUSED = ['softmax', 'logSoftmax', 'softmaxBackward', 'attentionSoftmax', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'maxPool2d', 'maxPool2dIndices', 'sgdStep', 'adamStep', 'lstmCell', 'lstmCellBackward', 'activationBackward', 'crossEntropy', 'crossEntropyBackward', 'gelu', 'geluBackward', 'layerNorm', 'layerNormBackward'] as const;

/**
 * Options of {@link workerBackend}.
 *
 * @example
 * ```ts
 * workerBackend({ threads: 4, splitThreshold: 0 }); // four threads, every kernel split (for tests)
 * ```
 */
export interface WorkerBackendOptions {
  /**
   * Threads that compute a split kernel, the calling thread included: the pool holds
   * `threads - 1` workers. Default one per core (`os.availableParallelism()` in Node,
   * `navigator.hardwareConcurrency` in a browser); 1 runs everything inline.
   */
  readonly threads?: number;
  /**
   * Work above which a kernel is split across the threads, overriding the measured thresholds
   * (work is elements for elementwise kernels and reductions, multiply-adds for matrix products).
   * 0 is for tests: every kernel with at least two output units is cut into one chunk per thread
   * and every thread runs its chunk, however small (normally a worker that has not woken by the
   * time the calling thread has done all the chunks is withdrawn, not waited for).
   */
  readonly splitThreshold?: number;
  /** Bytes of disposed shared buffers kept for reuse (default 256 MiB, as backend-cpu's; 0 turns reuse off); when it is full, the sizes released longest ago make room. */
  readonly poolBytes?: number;
  /**
   * Where the worker entry is: by default the package's own (`dist/worker.js` in Node,
   * `dist/worker.browser.js` in a browser, found beside the module). Set it when a bundler
   * moved the package's files without that worker: point it at a copy of
   * `@tensorgrad/backend-worker/worker` (Node) or `@tensorgrad/backend-worker/browser-worker`.
   */
  readonly workerUrl?: string | URL;
}

/**
 * What differs between Node and a browser: the default thread count, whether shared memory is
 * there, and the pool of workers.
 * @internal
 */
export interface Platform {
  /** Threads when the caller names none: one per core. */
  parallelism(): number;
  /** Throws (saying what to do) where the worker backend cannot run: no `SharedArrayBuffer`. */
  check(): void;
  /** A pool of `workers` compute workers, started from `url` (the package's worker when undefined). */
  pool(workers: number, url: string | URL | undefined): PoolCore;
}

/**
 * The worker backend: a {@link Backend} named `'worker'` with shared storage and a thread pool.
 *
 * @example
 * ```ts
 * const backend = workerBackend();
 * await setBackend(backend);
 * // ...
 * await backend.close();
 * ```
 */
export interface WorkerBackend extends Backend {
  /** Threads that compute a split kernel, the calling thread included. */
  readonly threads: number;
  /** Terminate the pool. Kernels throw afterwards; reading and disposing still work. */
  close(): Promise<void>;
  /**
   * Test hook: the next worker that picks up a task exits with code 1 (`'exit'`) or throws
   * (`'throw'`); `'watchdog'` stops the thread that watches the workers (and so every worker).
   * @internal
   */
  _injectFault(kind: 'exit' | 'throw' | 'watchdog'): void;
  /**
   * Test statistics: kernels run inline and split (and of those, matmuls whose right operand was
   * packed once in shared memory, and matmuls split by columns), chunks that workers ran, and tasks that no
   * worker took within 10 s (the calling thread then did them).
   * @internal
   */
  _stats(): { inline: number; split: number; packed: number; columns: number; workerChunks: number; lateWorkers: number };
}

/**
 * `task` with every array on shared memory, for the pool: small tensors' arrays are plain (see
 * `SHARE_FROM`) and are copied into shared ones; `done()` copies the outputs (`out*` fields)
 * back once the kernel has run. Arrays already shared are used as they are.
 *
 * @example
 * ```ts
 * const shared = shareTask(task);
 * try { pool.run(op, shared.task, ...); } finally { shared.done(); }
 * ```
 */
export function shareTask(task: Task): { task: Task; done(): void } {
  const back: [TypedArray, TypedArray][] = [];
  const share = (a: TypedArray, output: boolean): TypedArray => {
    if (a.buffer instanceof SharedArrayBuffer || a.length === 0) return a;
    const Ctor = a.constructor as new (b: SharedArrayBuffer) => TypedArray;
    const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
    copy.set(a); // outputs too: a kernel may read what it writes over (accumulations)
    if (output) back.push([copy, a]);
    return copy;
  };
  let copied: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(task)) {
    let next: unknown = value;
    if (ArrayBuffer.isView(value)) next = share(value as TypedArray, key.startsWith('out'));
    else if (Array.isArray(value) && value.some((v) => ArrayBuffer.isView(v))) next = value.map((v: unknown) => (ArrayBuffer.isView(v) ? share(v as TypedArray, false) : v));
    if (next !== value) {
      copied ??= { ...task };
      copied[key] = next;
    }
  }
  return {
    task: (copied ?? task) as Task,
    done() {
      for (const [copy, original] of back) original.set(copy);
    },
  };
}

/** What a worker `DataId` holds: `numel(shape)` elements of `dtype` over a `SharedArrayBuffer`. */
interface SharedData {
  values: TypedArray;
  readonly shape: Shape;
  readonly dtype: DType;
  disposed: boolean;
}

/**
 * The worker backend on `platform` (see `workerBackend` in index.ts and index.browser.ts).
 * @internal
 */
export function createWorkerBackend(options: WorkerBackendOptions, platform: Platform): WorkerBackend {
  if (options === null || typeof options !== 'object') throw new Error(`workerBackend: options must be an object, got ${options === null ? 'null' : typeof options}`);
  checkOptions('workerBackend', options, ['threads', 'splitThreshold', 'poolBytes', 'workerUrl']);
  const url = options.workerUrl;
  if (url !== undefined && typeof url !== 'string' && !(url instanceof URL)) throw new Error(`workerBackend: workerUrl must be a string or a URL, got ${typeof url}`);
  platform.check();
  const threads = options.threads ?? platform.parallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`workerBackend: threads must be a positive integer, got ${threads}`);
  const forced = options.splitThreshold;
  if (forced !== undefined && !(forced >= 0)) throw new Error(`workerBackend: splitThreshold must be a number >= 0, got ${forced}`);
  const buffers = new SharedBuffers(options.poolBytes ?? 256 * 1024 * 1024);
  const pool = threads > 1 ? platform.pool(threads - 1, url) : null;
  let closed = false;
  const stats = { inline: 0, split: 0, packed: 0, columns: 0 };
  const host = new k.HostStorage('worker');
  /** The shared WebAssembly memory of split matmuls (made on the first one; null: unavailable here). */
  let gemm: k.SharedGemm | null | undefined;
  const { store, data, values, float32, int32 } = host;

  /**
   * Run `task` over its `units` output units: split across the pool when its `work` reaches
   * `threshold` (or the forced `splitThreshold`), else inline. Split kernels run in chunks of a
   * multiple of `grain` units: given `smallest`, in guided chunks (each claim an eighth of what is
   * left on two threads, down to `smallest` units), for kernels whose chunks cost nothing extra;
   * else about `perThread` equal chunks per thread (kernels that repeat work per chunk). Either way
   * a late or slow thread takes fewer. With `splitThreshold: 0`, in exactly one chunk per thread,
   * each run by its thread.
   */
  function launch(op: string, task: Task, units: number, work: number, threshold: number, grain: number, perThread: number, smallest?: number): void {
    if (closed) throw new Error(`worker backend: ${op}: the backend was closed`);
    if (pool === null || units < 2 || work < (forced ?? threshold)) {
      stats.inline++;
      runRange(task, 0, units);
      return;
    }
    stats.split++;
    const shared = shareTask(task);
    try {
      split(op, shared.task, units, work, grain, perThread, smallest);
    } finally {
      shared.done();
    }
  }

  function split(op: string, task: Task, units: number, work: number, grain: number, perThread: number, smallest?: number): void {
    const pool_ = pool!;
    if (forced === 0) {
      const chunk = Math.ceil(units / threads);
      pool_.run(op, task, units, chunk, Math.ceil(units / chunk) - 1, true);
      return;
    }
    if (smallest !== undefined) {
      const chunk = Math.max(grain, Math.ceil(smallest / grain) * grain);
      // the largest claim: about LARGEST_CHUNK_WORK of work, in whole grains
      const largest = Math.max(chunk, Math.floor((LARGEST_CHUNK_WORK * units) / work / grain) * grain);
      pool_.run(op, task, units, chunk, Math.min(threads - 1, Math.ceil(units / chunk) - 1), false, GUIDED_SHRINK * threads, largest);
      return;
    }
    const chunk = Math.ceil(units / (threads * perThread) / grain) * grain;
    pool_.run(op, task, units, chunk, Math.min(threads - 1, Math.ceil(units / chunk) - 1), false);
  }

  /** Output units of a kernel that costs `perUnit` adds per unit, in the smallest guided chunk. */
  function smallestChunk(perUnit: number): number {
    return Math.max(1, Math.ceil(SMALLEST_CHUNK_WORK / Math.max(1, perUnit)));
  }

  /** Allocate the output, build its task, launch it, store it. */
  function output(shape: Shape, dtype: DType, run: (out: TypedArray, n: number) => void): SharedData {
    const n = numel(shape);
    const out = buffers.take(dtype, n);
    try {
      run(out, n);
    } catch (e) {
      if (!pool?.abandoned) buffers.release(out); // every thread has finished with it, even when the op failed
      else if (gemm) {
        // a worker given up on may still run in its slot of the shared gemm memory: the next product gets a fresh one
        k.releaseSharedGemm(gemm);
        gemm = undefined;
      }
      throw e;
    }
    return store(out, shape, dtype);
  }

  /** Allocate `count` float32 outputs of `shape`, run `fill` over them, store them all (the fused optimizer steps). */
  function outputs(shape: Shape, count: number, run: (outs: Float32Array[], n: number) => void): DataId[] {
    const n = numel(shape);
    const outs = Array.from({ length: count }, () => buffers.take('float32', n) as Float32Array);
    try {
      run(outs, n);
    } catch (e) {
      if (!pool?.abandoned) for (const o of outs) buffers.release(o);
      throw e;
    }
    return outs.map((o) => store(o, shape, 'float32'));
  }

  /** `b` of an unbatched matmul packed into the shared gemm memory, or null (batched, too large, no WebAssembly threads). */
  function prepack(b: Float32Array, plan: k.MatmulPlan): { gemm: k.SharedGemm; b: k.PackedB } | null {
    const g = sharedGemm();
    if (g === null) return null;
    const packed = k.matmulPrepack(g, b, plan);
    return packed === null ? null : { gemm: g, b: packed };
  }

  /** The shared WebAssembly memory of split matmuls, made on the first one; null where WebAssembly threads are missing. */
  function sharedGemm(): k.SharedGemm | null {
    if (gemm === undefined) gemm = k.createSharedGemm(threads);
    return gemm;
  }

  /** An elementwise kernel over `n` output elements, `weight` times the cost of an add each. */
  function elementwise(op: string, task: Task, n: number, weight = 1): void {
    launch(op, task, n, n * weight, ELEMENTWISE_SPLIT, 64, 4, smallestChunk(weight)); // 64 elements: threads never write one cache line
  }

  function softmaxLike(x: TensorInfo, kind: 'softmax' | 'logSoftmax'): DataId {
    const xs = float32(kind, x);
    const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1]!;
    return output(x.shape, 'float32', (out, n) => {
      if (cols > 0) launch(kind, { kind, x: xs, out: out as Float32Array, cols }, n / cols, n * TRANSCENDENTAL, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(cols * TRANSCENDENTAL));
    });
  }

  function pool2d(x: TensorInfo, attrs: Pool2dAttrs, kind: 'maxPool2d' | 'maxPool2dIndices'): DataId {
    const plan = k.pool2dPlan(x.shape, attrs);
    const xv = float32(kind, x);
    const shape = [x.shape[0]!, x.shape[1]!, plan.oh, plan.ow];
    const work = plan.planes * plan.oh * plan.ow * plan.kh * plan.kw;
    return output(shape, kind === 'maxPool2d' ? 'float32' : 'int32', (out) =>
      launch(kind, kind === 'maxPool2d' ? { kind, x: xv, out: out as Float32Array, plan } : { kind, x: xv, out: out as Int32Array, plan }, plan.planes, work, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(work / plan.planes)),
    );
  }

  /** Float32 outputs of the given shapes, run `fill` over them, store them all (the fused LSTM cell). */
  function shapedOutputs(shapes: readonly Shape[], run: (outs: Float32Array[]) => void): DataId[] {
    const outs = shapes.map((s) => buffers.take('float32', numel(s)) as Float32Array);
    try {
      run(outs);
    } catch (e) {
      if (!pool?.abandoned) for (const o of outs) buffers.release(o);
      throw e;
    }
    return outs.map((o, i) => store(o, shapes[i]!, 'float32'));
  }

  const kernels: KernelTable = {
    unary(op, x) {
      return output(x.shape, k.unaryOutDType(op, x.dtype), (out, n) => elementwise(op, { kind: 'unary', op, x: values(x), out }, n, CHEAP_UNARY.has(op) ? 1 : SIMD_UNARY.has(op) && k.wasmActivationAvailable() ? SIMD_UNARY_WEIGHT : TRANSCENDENTAL));
    },
    binary(op, a, b, outShape) {
      const plan = k.binaryPlan(a.shape, b.shape, outShape);
      return output(outShape, k.binaryOutDType(op, a.dtype), (out, n) =>
        elementwise(op, { kind: 'binary', op, a: values(a), b: values(b), out, plan }, n, op === 'pow' ? TRANSCENDENTAL : 1),
      );
    },
    where(cond, a, b, outShape) {
      const plan = k.wherePlan(cond.shape, a.shape, b.shape, outShape);
      return output(outShape, a.dtype, (out, n) => elementwise('where', { kind: 'where', cond: values(cond), a: values(a), b: values(b), out, plan }, n));
    },
    reduce(op, x, axes) {
      if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) throw new Error(`reduce: ${op} takes exactly one axis, got [${axes.join(',')}]`);
      const plan = k.reducePlan(x.shape, axes);
      const outShape = [...x.shape].filter((_, d) => !axes.includes(d)); // spread: filter on a frozen shape is slow
      return output(outShape, k.reduceOutDType(op, x.dtype), (out, n) => launch(op, { kind: 'reduce', op, x: values(x), out, plan }, n, n * plan.size, REDUCE_SPLIT, 16, 4, smallestChunk(plan.size)));
    },
    matmul(a, b, transposeA, transposeB, outShape, triangle) {
      const plan = k.matmulPlan(a.shape, b.shape, transposeA, transposeB, outShape, triangle);
      const av = float32('matmul', a);
      const bv = float32('matmul', b);
      const rows = plan.batch * plan.m;
      const work = rows * plan.n * plan.k;
      return output(outShape, 'float32', (out) => {
        const splits = pool !== null && work >= (forced ?? GEMM_SPLIT) && !closed;
        // m below n (x @ wᵀ at a small batch, [64, 784] @ [784, 256]ᵀ; a weight gradient
        // [768, 128]ᵀ @ [768, 512]): by columns, each thread packing all of op(a) and only its
        // columns of b, since packing b first is one thread's work that the other waits for and
        // then reads across cores, and row chunks of a short product each stream all of it
        // (where b is not transposed, only for at most one row block of the kernel, 128 rows, from
        // twice the threshold: [128, 768]ᵀ @ [768, 512] took 1.14–1.24 ms by columns against 1.45
        // by rows, but [64, 128] @ [128, 256] 0.112 against 0.087, and in the MLP step the 784-256
        // layer's weight gradient [256, 64]ᵀ @ [64, 784] 0.34–0.36 against 0.31–0.34)
        const byColumns = splits && plan.m < plan.n && plan.n >= 2 * MATMUL_COLUMN_GRAIN && (plan.transposeB || (plan.m <= 128 && work >= 2 * GEMM_SPLIT)) && k.matmulColumnsFit(plan);
        const shared = byColumns ? sharedGemm() : null;
        if (shared !== null) {
          stats.columns++;
          launch('matmul', { kind: 'matmulColumns', gemm: shared, a: av, b: bv, out: out as Float32Array, plan }, Math.ceil(plan.n / MATMUL_COLUMN_GRAIN), work, GEMM_SPLIT, 1, 1);
          return;
        }
        // a split unbatched product: pack b once into the shared memory, then every chunk packs
        // only its rows of a, so the chunks can be small enough for a slow thread to take fewer
        const packed = splits && rows >= 2 ? prepack(bv, plan) : null;
        if (packed !== null) stats.packed++;
        if (packed !== null) launch('matmul', { kind: 'matmulPacked', gemm: packed.gemm, a: av, packed: packed.b, out: out as Float32Array, plan }, rows, work, GEMM_SPLIT, 4, 4, smallestChunk(plan.n * plan.k));
        else launch('matmul', { kind: 'matmul', a: av, b: bv, out: out as Float32Array, plan }, rows, work, GEMM_SPLIT, 4, productChunks(work)); // whole 4-row tiles
      });
    },
    permute(x, perm) {
      const plan = k.permutePlan(x.shape, perm);
      return output(
        perm.map((p) => x.shape[p]!),
        x.dtype,
        (out, n) => {
          // the first dim kept (its stride the size of the rest): whole blocks per thread, which
          // backend-cpu copies in WebAssembly (0.4–0.9 ns a float against 1.3–2 for the loop)
          const block = plan.shape.length === 4 ? plan.shape[1]! * plan.shape[2]! * plan.shape[3]! : 0;
          if (block > 0 && plan.strides[0]![0] === block) launch('permute', { kind: 'permuteBlocks', x: values(x), out, plan, block }, n / block, n, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(block));
          else elementwise('permute', { kind: 'copy', x: values(x), out, plan }, n);
        },
      );
    },
    expand(x, shape) {
      const plan = k.expandPlan(x.shape, shape);
      return output(shape, x.dtype, (out, n) => elementwise('expand', { kind: 'copy', x: values(x), out, plan }, n));
    },
    slice(x, begin, size) {
      const plan = k.slicePlan(x.shape, begin, size);
      return output(size, x.dtype, (out, n) => elementwise('slice', { kind: 'copy', x: values(x), out, plan }, n));
    },
    pad(x, padding, value) {
      const plan = k.padPlan(x.shape, padding);
      return output(plan.outShape, x.dtype, (out, n) => elementwise('pad', { kind: 'pad', x: values(x), out, plan, value }, n));
    },
    concat(xs, axis) {
      const plan = k.concatPlan(
        xs.map((x) => x.shape),
        axis,
      );
      const shape = [...xs[0]!.shape];
      shape[axis] = plan.sizes.reduce((s, d) => s + d, 0);
      return output(shape, xs[0]!.dtype, (out, n) => elementwise('concat', { kind: 'concat', xs: xs.map((x) => values(x)), out, plan }, n));
    },
    gather(x, axis, index) {
      const plan = k.gatherPlan(x.shape, axis, index.shape);
      const iv = int32('gather', index);
      return output(index.shape, x.dtype, (out, n) => elementwise('gather', { kind: 'gather', x: values(x), index: iv, out, plan }, n));
    },
    scatterAdd(shape, axis, index, src) {
      const plan = k.gatherPlan(shape, axis, index.shape);
      const iv = int32('scatterAdd', index);
      const sv = float32('scatterAdd', src);
      return output(shape, 'float32', (out) => {
        out.fill(0); // a reused buffer holds old values; scatterAdd only adds
        const lines = k.scatterLines(plan);
        launch('scatterAdd', { kind: 'scatterAdd', index: iv, src: sv, out: out as Float32Array, plan }, lines, iv.length, ELEMENTWISE_SPLIT, 1, 4);
      });
    },
    // every line along the axis is independent: split by lines
    cumsum(x, axis, reverse) {
      if (x.dtype === 'bool') throw new Error('cumsum: expects a float32 or int32 tensor (core casts bool first)');
      const plan = k.linePlan(x.shape, axis);
      return output(x.shape, x.dtype, (out, n) => launch('cumsum', { kind: 'cumsum', x: values(x), out, plan, reverse }, plan.lines, n, ELEMENTWISE_SPLIT, lineGrain(plan), 4, smallestChunk(plan.n)));
    },
    sort(x, axis, descending) {
      if (x.dtype === 'bool') throw new Error('sort: expects a float32 or int32 tensor (core casts bool first)');
      const plan = k.linePlan(x.shape, axis);
      const n = numel(x.shape);
      const perLine = plan.n * SORT_WEIGHT * Math.max(1, Math.log2(plan.n));
      const outIndices = buffers.take('int32', n) as Int32Array;
      let sorted: SharedData;
      try {
        sorted = output(x.shape, x.dtype, (out) =>
          launch('sort', { kind: 'sort', x: values(x), out, outIndices, plan, descending }, plan.lines, plan.lines * perLine, ELEMENTWISE_SPLIT, lineGrain(plan), 4, smallestChunk(perLine)),
        );
      } catch (e) {
        if (!pool?.abandoned) buffers.release(outIndices);
        throw e;
      }
      return [sorted, store(outIndices, x.shape, 'int32')];
    },
    cast(x, dtype) {
      return output(x.shape, dtype, (out, n) => elementwise('cast', { kind: 'cast', x: values(x), out, dtype }, n));
    },
    fill(shape, value, dtype) {
      return output(shape, dtype, (out, n) => elementwise('fill', { kind: 'fill', out, value, dtype }, n));
    },
    randomUniform(shape, seed) {
      return output(shape, 'float32', (out, n) => elementwise('randomUniform', { kind: 'randomUniform', seed, out: out as Float32Array }, n, TRANSCENDENTAL));
    },
    randomNormal(shape, seed) {
      return output(shape, 'float32', (out, n) => elementwise('randomNormal', { kind: 'randomNormal', seed, out: out as Float32Array }, n, TRANSCENDENTAL));
    },
    softmax(x) {
      return softmaxLike(x, 'softmax');
    },
    logSoftmax(x) {
      return softmaxLike(x, 'logSoftmax');
    },
    conv2d(x, w, attrs) {
      const plan = k.conv2dPlan(x.shape, w.shape, attrs);
      const xv = float32('conv2d', x);
      const wv = float32('conv2d', w);
      const planes = plan.n * plan.o;
      const work = planes * plan.oh * plan.ow * plan.c * plan.kh * plan.kw;
      return output(k.conv2dOutShape(plan), 'float32', (out) => launch('conv2d', { kind: 'conv2d', x: xv, w: wv, out: out as Float32Array, plan }, planes, work, MATMUL_SPLIT, 1, productChunks(work)));
    },
    conv2dBackwardInput(dy, w, xShape, attrs) {
      const plan = k.conv2dPlan(xShape, w.shape, attrs);
      const dyv = float32('conv2dBackwardInput', dy);
      const wv = float32('conv2dBackwardInput', w);
      const planes = plan.n * plan.c;
      const work = planes * plan.oh * plan.ow * plan.o * plan.kh * plan.kw;
      return output(xShape, 'float32', (out) =>
        launch('conv2dBackwardInput', { kind: 'conv2dBackwardInput', dy: dyv, w: wv, out: out as Float32Array, plan }, planes, work, MATMUL_SPLIT, 1, productChunks(work)),
      );
    },
    conv2dBackwardWeight(x, dy, wShape, attrs) {
      const plan = k.conv2dPlan(x.shape, wShape, attrs);
      const xv = float32('conv2dBackwardWeight', x);
      const dyv = float32('conv2dBackwardWeight', dy);
      const work = plan.o * plan.n * plan.oh * plan.ow * plan.c * plan.kh * plan.kw;
      return output(wShape, 'float32', (out) =>
        launch('conv2dBackwardWeight', { kind: 'conv2dBackwardWeight', x: xv, dy: dyv, out: out as Float32Array, plan }, plan.o, work, MATMUL_SPLIT, 1, productChunks(work)),
      );
    },
    maxPool2d(x, attrs) {
      return pool2d(x, attrs, 'maxPool2d');
    },
    maxPool2dIndices(x, attrs) {
      return pool2d(x, attrs, 'maxPool2dIndices');
    },
    sgdStep(param, grad, momentumBuffer, attrs) {
      const p = float32('sgdStep', param);
      const g = float32('sgdStep', grad);
      const buf = momentumBuffer === null ? null : float32('sgdStep', momentumBuffer);
      if (g.length !== p.length || (buf !== null && buf.length !== p.length)) throw new Error(`sgdStep: parameter [${param.shape.join(',')}], gradient and momentum buffer differ in size`);
      return outputs(param.shape, attrs.momentum !== 0 ? 2 : 1, ([outP, outBuf = null], n) =>
        launch('sgdStep', { kind: 'sgdStep', p, g, buf, outP: outP!, outBuf, attrs }, n, 2 * n, ELEMENTWISE_SPLIT, 64, 4, smallestChunk(2)),
      );
    },
    adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, attrs) {
      const p = float32('adamStep', param);
      const [g, m, v, vMax = null] = [grad, expAvg, expAvgSq, ...(maxExpAvgSq === null ? [] : [maxExpAvgSq])].map((t) => float32('adamStep', t)) as [Float32Array, Float32Array, Float32Array, Float32Array?];
      if ([g, m, v, vMax ?? g].some((a) => a.length !== p.length)) throw new Error(`adamStep: parameter [${param.shape.join(',')}], gradient and moment averages differ in size`);
      if (attrs.amsgrad !== (maxExpAvgSq !== null)) throw new Error('adamStep: maxExpAvgSq must be given exactly when amsgrad is set');
      return outputs(param.shape, vMax === null ? 3 : 4, ([outP, outM, outV, outVMax = null], n) =>
        launch('adamStep', { kind: 'adamStep', p, g, m, v, vMax, outP: outP!, outM: outM!, outV: outV!, outVMax, attrs }, n, n, OPTIMIZER_SPLIT, 64, 4, smallestChunk(16)),
      );
    },
    lstmCell(inputGates, hiddenGates, c, inputBias, hiddenBias) {
      const hidden = k.lstmCellHidden('lstmCell', inputGates.shape, hiddenGates.shape, c.shape, inputBias?.shape ?? null, hiddenBias?.shape ?? null);
      const [xg, hg, cv] = [inputGates, hiddenGates, c].map((t) => float32('lstmCell', t)) as [Float32Array, Float32Array, Float32Array];
      const [xb = null, hb = null] = [inputBias, hiddenBias].map((t) => (t === null ? null : float32('lstmCell', t)));
      return shapedOutputs([c.shape, c.shape, inputGates.shape], ([outH, outC, outAct]) =>
        launch('lstmCell', { kind: 'lstmCell', xg, hg, xb, hb, c: cv, outH: outH!, outC: outC!, outAct: outAct!, hidden }, c.shape[0]!, xg.length * TRANSCENDENTAL, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(4 * hidden * TRANSCENDENTAL)),
      );
    },
    gelu(x, approximate) {
      const xv = float32('gelu', x);
      const tanh = k.geluTanh('gelu', approximate);
      return shapedOutputs([x.shape, x.shape], ([y, saved]) =>
        launch('gelu', { kind: 'gelu', x: xv, outY: y!, outSaved: saved!, tanh }, xv.length, xv.length * GELU_WEIGHT, ELEMENTWISE_SPLIT, 64, 4, smallestChunk(GELU_WEIGHT)),
      );
    },
    geluBackward(x, saved, dy, approximate) {
      const [xv, sv, dv] = [x, saved, dy].map((t) => float32('geluBackward', t)) as [Float32Array, Float32Array, Float32Array];
      k.sameSizes('geluBackward', [x, saved, dy]);
      const tanh = k.geluTanh('geluBackward', approximate);
      return output(x.shape, 'float32', (out, n) =>
        elementwise('geluBackward', { kind: 'geluBackward', x: xv, saved: sv, dy: dv, out: out as Float32Array, tanh }, n), // one multiply an element: dy times the saved slope
      );
    },
    layerNorm(x, w, b, cols, eps) {
      const xv = float32('layerNorm', x);
      const rows = k.layerNormRows('layerNorm', x, w, b, cols);
      const [wv = null, bv = null] = [w, b].map((t) => (t === null ? null : float32('layerNorm', t)));
      return shapedOutputs([x.shape, [rows], [rows]], ([y, mean, rstd]) =>
        launch('layerNorm', { kind: 'layerNorm', x: xv, w: wv, b: bv, eps, outY: y!, outMean: mean!, outRstd: rstd!, cols }, rows, 4 * xv.length, REDUCE_SPLIT, 1, 4, smallestChunk(4 * cols)),
      );
    },
    layerNormBackward(x, w, mean, rstd, dy, cols) {
      const rows = k.layerNormBackwardRows(x, w, mean, rstd, dy, cols);
      const [xv, mv, rv, dv] = [x, mean, rstd, dy].map((t) => float32('layerNormBackward', t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const wv = w === null ? null : float32('layerNormBackward', w);
      return shapedOutputs([x.shape, [cols], [cols]], ([dx, dw, db]) => {
        // unit 0, the weight and bias gradients, is one pass over every row on one thread (each
        // column summed over the rows in order, as on cpu; a split by columns would stage every row's
        // slice on its own: 9 layer norms of [768, 128], 3.1 ms against 1.9 inline), while the other
        // threads take the input gradient's rows, units 1 to rows
        const task: Task = { kind: 'layerNormBackward', x: xv, w: wv, mean: mv, rstd: rv, dy: dv, outDx: dx!, outDw: dw!, outDb: db!, cols };
        launch('layerNormBackward', task, rows + 1, 8 * xv.length, REDUCE_SPLIT, 1, 4, smallestChunk(6 * cols));
      });
    },
    crossEntropy(logits, target) {
      const [rows, cols] = k.crossEntropyShape('crossEntropy', logits.shape, target.shape);
      const x = float32('crossEntropy', logits);
      const t = int32('crossEntropy', target);
      return shapedOutputs([[rows], logits.shape], ([loss, probs]) =>
        launch('crossEntropy', { kind: 'crossEntropy', x, target: t, outLoss: loss!, outProbs: probs!, cols }, rows, rows * cols * TRANSCENDENTAL, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(cols * TRANSCENDENTAL)),
      );
    },
    crossEntropyBackward(probs, target, dy) {
      const [rows, cols] = k.crossEntropyShape('crossEntropyBackward', probs.shape, target.shape, dy.shape);
      const [p, g] = [probs, dy].map((t) => float32('crossEntropyBackward', t)) as [Float32Array, Float32Array];
      const t = int32('crossEntropyBackward', target);
      return output(probs.shape, 'float32', (out) =>
        launch('crossEntropyBackward', { kind: 'crossEntropyBackward', probs: p, target: t, dy: g, out: out as Float32Array, cols }, rows, rows * cols, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(cols)),
      );
    },
    attentionSoftmax(x, scale, causal) {
      const xs = float32('attentionSoftmax', x);
      const [cols, l] = k.attentionSoftmaxShape('attentionSoftmax', x.shape, causal);
      const weight = k.wasmActivationAvailable() ? SIMD_UNARY_WEIGHT : TRANSCENDENTAL;
      return output(x.shape, 'float32', (out, n) => {
        if (cols > 0 && l > 0) launch('attentionSoftmax', { kind: 'attentionSoftmax', x: xs, out: out as Float32Array, cols, scale, causal, l }, n / cols, n * weight, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(cols * weight));
      });
    },
    softmaxBackward(y, dy, scale) {
      const [yv, dv] = [y, dy].map((t) => float32('softmaxBackward', t)) as [Float32Array, Float32Array];
      k.sameSizes('softmaxBackward', [y, dy]);
      const cols = y.shape.length === 0 ? 1 : y.shape[y.shape.length - 1]!;
      return output(y.shape, 'float32', (out, n) => {
        if (cols > 0) launch('softmaxBackward', { kind: 'softmaxBackward', y: yv, dy: dv, out: out as Float32Array, cols, scale }, n / cols, n * 2, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(cols * 2));
      });
    },
    activationBackward(op, y, dy) {
      const which = k.activationOp(op);
      const [yv, dv] = [y, dy].map((t) => float32('activationBackward', t)) as [Float32Array, Float32Array];
      k.sameSizes('activationBackward', [y, dy]);
      return output(y.shape, 'float32', (out, n) => elementwise('activationBackward', { kind: 'activationBackward', op: which, y: yv, dy: dv, out: out as Float32Array }, n, 2));
    },
    lstmCellBackward(act, c, cNext, dh, dc) {
      const hidden = k.lstmCellHidden('lstmCellBackward', act.shape, act.shape, c.shape, null, null);
      const [av, cv, nv] = [act, c, cNext].map((t) => float32('lstmCellBackward', t)) as [Float32Array, Float32Array, Float32Array];
      const [dhv = null, dcv = null] = [dh, dc].map((t) => (t === null ? null : float32('lstmCellBackward', t)));
      k.lstmCellBackwardCheck(cv.length, nv.length, dh, dc);
      return shapedOutputs([act.shape, c.shape], ([outGates, outC]) =>
        launch('lstmCellBackward', { kind: 'lstmCellBackward', act: av, c: cv, cNext: nv, dh: dhv, dc: dcv, outGates: outGates!, outC: outC!, hidden }, c.shape[0]!, av.length, ELEMENTWISE_SPLIT, 1, 4, smallestChunk(4 * hidden)),
      );
    },
  };

  return {
    name: 'worker',
    threads,
    supports: { syncRead: true, fused: FUSED },
    write(values, shape, dtype) {
      const n = numel(shape);
      if (values.length !== n) throw new Error(`worker.write: ${values.length} values for shape [${shape.join(',')}] of ${n} elements`);
      const copy = buffers.take(dtype, n);
      copy.set(values); // converts when the host array's type differs from dtype's
      return store(copy, shape, dtype);
    },
    async read(id) {
      return data(id).values.slice(); // a plain (unshared) copy; async: a disposed id rejects rather than throws
    },
    readSync(id) {
      return data(id).values.slice();
    },
    dispose(id) {
      const freed = host.release(id);
      if (freed !== null) buffers.release(freed); // every kernel has returned, so no thread still uses it
    },
    lease(id) {
      return host.lease(id);
    },
    collected(bytes) {
      host.collected(bytes);
    },
    memory() {
      return host.memory();
    },
    kernels,
    async ready() {
      // block until every worker has started and run a task, so the first real op pays no start-up
      if (pool === null || closed) return;
      await pool.online();
      pool.run('ready', { kind: 'fill', out: new Uint8Array(new SharedArrayBuffer(threads)), value: 1, dtype: 'bool' }, threads, 1, threads - 1, true);
    },
    async close() {
      closed = true;
      await pool?.close();
      if (gemm) k.releaseSharedGemm(gemm);
      gemm = null;
    },
    _stats() {
      return { ...stats, workerChunks: pool?.workerChunks() ?? 0, lateWorkers: pool?.late ?? 0 };
    },
    _injectFault(kind) {
      if (pool === null) throw new Error(`workerBackend: _injectFault needs a pool: create the backend with threads >= 2`);
      pool.injectFault(kind);
    },
  };
}

