import { HostStorage, ReusePool } from './storage';
import {
  allocate,
  checkBool,
  checkInt,
  checkOptions,
  numel,
  type Backend,
  type Conv2dAttrs,
  type DataId,
  type DType,
  type KernelTable,
  type Shape,
  type TensorInfo,
  type TypedArray,
} from '@tensorgrad/core';
import * as k from './kernels';
import { wasmPermute } from './wasm/elementwise';
import { withoutRelaxedSimd } from './wasm/gemm';

/**
 * What a cpu `DataId` holds: a contiguous row-major array of `numel(shape)` elements of `dtype`.
 *
 * @example
 * ```ts
 * const backend = cpuBackend();
 * const id = backend.write(new Float32Array([1, 2]), [2], 'float32') as CpuData;
 * id.values; // Float32Array [1, 2]
 * ```
 */
export interface CpuData {
  /** The storage; an empty array once disposed. */
  values: TypedArray;
  /** The tensor's shape; `values` holds `numel(shape)` elements, row-major. */
  readonly shape: Shape;
  /** The element type, which fixes the array type: `Float32Array`, `Int32Array` or `Uint8Array` (bool). */
  readonly dtype: DType;
  /** Set by `dispose`; any later use of the id throws. */
  disposed: boolean;
}

/**
 * Options of {@link cpuBackend}.
 *
 * @example
 * ```ts
 * cpuBackend({ poolBytes: 0 }); // no buffer reuse: every output is a fresh array
 * cpuBackend({ wasm: false }); // matrix products, convolutions and optimizer steps in TypeScript
 * cpuBackend({ relaxedSimd: false }); // matrix products on plain WebAssembly SIMD, never relaxed SIMD
 * ```
 */
export interface CpuBackendOptions {
  /**
   * Bytes of disposed arrays kept for reuse by later outputs of the same dtype and length
   * (a training step allocates the same sizes every time; fresh arrays cost zeroing and page
   * faults). Default 256 MiB; 0 turns reuse off. Pooled arrays are not counted by `memory()`.
   * When the pool is full, the sizes released longest ago make room for a newly released array
   * (see {@link ReusePool}), so big arrays used once, early, do not crowd out a loop's own sizes.
   */
  readonly poolBytes?: number;
  /**
   * Run matmul and conv2d (and their gradients) on the WebAssembly SIMD kernel built from
   * `src/wasm/gemm.wat`, and the fused optimizer updates on the one built from
   * `src/wasm/elementwise.wat`, where the engine supports it (default `true`); `false` keeps those
   * in TypeScript. The elementwise kernels (tanh, sigmoid, GELU, the softmaxes, layer norm, and
   * float32 arithmetic and comparisons of 1,024 elements or more) run on WebAssembly SIMD wherever
   * the engine has it either way. Without WebAssembly SIMD the TypeScript kernels run for all.
   */
  readonly wasm?: boolean;
  /**
   * Run the matrix products on the relaxed-SIMD build of the gemm kernel, whose micro-kernel does
   * each multiply-add as one fused `f32x4.relaxed_madd`, where the engine has relaxed SIMD (Node 22+,
   * current browsers; Node 20, whose V8 has it behind `--experimental-wasm-relaxed-simd`, turned
   * on for the gemm module's compile) (default `true`); `false`
   * keeps them on the plain SIMD build (multiply, then add), e.g. to compare the two in one
   * process or to get bit-identical results across machines. `gemmVariant(options)` says which
   * runs. Ignored with `wasm: false`.
   *
   * @example
   * ```ts
   * const plain = cpuBackend({ relaxedSimd: false });
   * gemmVariant({ relaxedSimd: false }); // 'simd': the kernel `plain` multiplies on
   * ```
   */
  readonly relaxedSimd?: boolean;
}

/** What a disposed id holds: one shared empty array per dtype (nothing allocated per dispose). */

const FUSED = [
  'softmax',
  'logSoftmax',
  'softmaxBackward',
  'attentionSoftmax',
  'conv2d',
  'conv2dBackwardInput',
  'conv2dBackwardWeight',
  'maxPool2d',
  'maxPool2dIndices',
  'sgdStep',
  'adamStep',
  'lstmCell',
  'lstmCellBackward',
  'gelu',
  'geluBackward',
  'activationBackward',
  'crossEntropy',
  'crossEntropyBackward',
  'layerNorm',
  'layerNormBackward',
] as const;

/**
 * The CPU backend: contiguous typed arrays, synchronous kernels, the range kernels of this
 * package run over each whole output. Matrix products and optimizer updates run on WebAssembly
 * SIMD kernels where the engine has it (`wasm: false` opts out), everything else in TypeScript.
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { cpuBackend } from '@tensorgrad/backend-cpu';
 * await setBackend(cpuBackend());
 * ```
 */
export function cpuBackend(options: CpuBackendOptions = {}): Backend {
  checkOptions('cpuBackend', options, ['poolBytes', 'wasm', 'relaxedSimd']);
  const pool = new ReusePool<string, TypedArray>(checkInt('cpuBackend', 'poolBytes', options.poolBytes ?? 256 * 1024 * 1024, 0));
  const wasm = checkBool('cpuBackend', 'wasm', options.wasm ?? true);
  const relaxedSimd = checkBool('cpuBackend', 'relaxedSimd', options.relaxedSimd ?? true);
  const host = new HostStorage('cpu');
  const { store, data, values, float32, int32 } = host;

  /** An array of `dtype` and length `n` whose contents are garbage (every kernel overwrites all of it). */
  function allocateOutput(dtype: DType, n: number): TypedArray {
    return pool.take(`${dtype}:${n}`) ?? allocate(dtype, n);
  }


  /** Allocate the output, run `fill` over its whole range, store it. */
  function output(shape: Shape, dtype: DType, fill: (out: TypedArray, n: number) => void): CpuData {
    const n = numel(shape);
    const out = allocateOutput(dtype, n);
    fill(out, n);
    return store(out, shape, dtype);
  }

  function softmaxLike(x: TensorInfo, range: typeof k.softmaxRange, op: string): DataId {
    const xs = float32(op, x);
    const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1]!;
    return output(x.shape, 'float32', (out, n) => {
      if (cols > 0) range(xs, out as Float32Array, cols, 0, n / cols);
    });
  }

  const kernels: KernelTable = {
    unary(op, x) {
      return output(x.shape, k.unaryOutDType(op, x.dtype), (out, n) => k.unaryRange(op, values(x), out, 0, n));
    },
    binary(op, a, b, outShape) {
      const plan = k.binaryPlan(a.shape, b.shape, outShape);
      return output(outShape, k.binaryOutDType(op, a.dtype), (out, n) => k.binaryRange(op, values(a), values(b), out, plan, 0, n));
    },
    where(cond, a, b, outShape) {
      const plan = k.wherePlan(cond.shape, a.shape, b.shape, outShape);
      return output(outShape, a.dtype, (out, n) => k.whereRange(values(cond), values(a), values(b), out, plan, 0, n));
    },
    reduce(op, x, axes) {
      if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) throw new Error(`reduce: ${op} takes exactly one axis, got [${axes.join(',')}]`);
      const plan = k.reducePlan(x.shape, axes);
      const outShape = [...x.shape].filter((_, d) => !axes.includes(d)); // spread: filter on a frozen shape is slow
      return output(outShape, k.reduceOutDType(op, x.dtype), (out, n) => k.reduceRange(op, values(x), out, plan, 0, n));
    },
    matmul(a, b, transposeA, transposeB, outShape, triangle) {
      const plan = k.matmulPlan(a.shape, b.shape, transposeA, transposeB, outShape, triangle);
      const av = float32('matmul', a);
      const bv = float32('matmul', b);
      return output(outShape, 'float32', (out) => k.matmulRange(av, bv, out as Float32Array, plan, 0, plan.batch * plan.m, wasm));
    },
    permute(x, perm) {
      const plan = k.permutePlan(x.shape, perm);
      return output(
        perm.map((p) => x.shape[p]!),
        x.dtype,
        (out, n) => wasmPermute(values(x), out, plan, 0, n) || k.stridedCopyRange(values(x), out, plan, 0, n),
      );
    },
    expand(x, shape) {
      const plan = k.expandPlan(x.shape, shape);
      return output(shape, x.dtype, (out, n) => k.stridedCopyRange(values(x), out, plan, 0, n));
    },
    slice(x, begin, size) {
      const plan = k.slicePlan(x.shape, begin, size);
      return output(size, x.dtype, (out, n) => k.stridedCopyRange(values(x), out, plan, 0, n));
    },
    pad(x, padding, value) {
      const plan = k.padPlan(x.shape, padding);
      return output(plan.outShape, x.dtype, (out, n) => k.padRange(values(x), out, plan, value, 0, n));
    },
    concat(xs, axis) {
      if (xs.length === 0) throw new Error('concat: needs at least one tensor');
      const plan = k.concatPlan(
        xs.map((x) => x.shape),
        axis,
      );
      const shape = [...xs[0]!.shape];
      shape[axis] = plan.sizes.reduce((s, d) => s + d, 0);
      return output(shape, xs[0]!.dtype, (out, n) =>
        k.concatRange(
          xs.map((x) => values(x)),
          out,
          plan,
          0,
          n,
        ),
      );
    },
    gather(x, axis, index) {
      const plan = k.gatherPlan(x.shape, axis, index.shape);
      const iv = int32('gather', index);
      return output(index.shape, x.dtype, (out, n) => k.gatherRange(values(x), iv, out, plan, 0, n));
    },
    scatterAdd(shape, axis, index, src) {
      const plan = k.gatherPlan(shape, axis, index.shape);
      const iv = int32('scatterAdd', index);
      const sv = float32('scatterAdd', src);
      return output(shape, 'float32', (out) => {
        out.fill(0); // a reused buffer holds old values; scatterAdd only adds
        k.scatterAddRange(iv, sv, out as Float32Array, plan, 0, k.scatterLines(plan));
      });
    },
    cumsum(x, axis, reverse) {
      if (x.dtype === 'bool') throw new Error('cumsum: expects a float32 or int32 tensor (core casts bool first)');
      const plan = k.linePlan(x.shape, axis);
      return output(x.shape, x.dtype, (out) => k.cumsumRange(values(x), out, plan, reverse, 0, plan.lines));
    },
    sort(x, axis, descending) {
      if (x.dtype === 'bool') throw new Error('sort: expects a float32 or int32 tensor (core casts bool first)');
      const plan = k.linePlan(x.shape, axis);
      const n = numel(x.shape);
      const vals = allocateOutput(x.dtype, n);
      const idx = allocateOutput('int32', n) as Int32Array;
      k.sortRange(values(x), vals, idx, plan, descending, 0, plan.lines);
      return [store(vals, x.shape, x.dtype), store(idx, x.shape, 'int32')];
    },
    cast(x, dtype) {
      return output(x.shape, dtype, (out, n) => k.castRange(values(x), out, dtype, 0, n));
    },
    fill(shape, value, dtype) {
      return output(shape, dtype, (out, n) => k.fillRange(out, value, dtype, 0, n));
    },
    randomUniform(shape, seed) {
      return output(shape, 'float32', (out, n) => k.uniformRange(seed, out as Float32Array, 0, n));
    },
    randomNormal(shape, seed) {
      return output(shape, 'float32', (out, n) => k.normalRange(seed, out as Float32Array, 0, n));
    },
    softmax(x) {
      return softmaxLike(x, k.softmaxRange, 'softmax');
    },
    logSoftmax(x) {
      return softmaxLike(x, k.logSoftmaxRange, 'logSoftmax');
    },
    attentionSoftmax(x, scale, causal) {
      const xs = float32('attentionSoftmax', x);
      const [cols, l] = k.attentionSoftmaxShape('attentionSoftmax', x.shape, causal);
      return output(x.shape, 'float32', (out, n) => {
        if (cols > 0 && l > 0) k.attentionSoftmaxRange(xs, out as Float32Array, cols, scale, causal, l, 0, n / cols);
      });
    },
    softmaxBackward(y, dy, scale) {
      const [yv, dv] = [y, dy].map((t) => float32('softmaxBackward', t)) as [Float32Array, Float32Array];
      k.sameSizes('softmaxBackward', [y, dy]);
      const cols = y.shape.length === 0 ? 1 : y.shape[y.shape.length - 1]!;
      const out = allocateOutput('float32', yv.length) as Float32Array;
      if (cols > 0) k.softmaxBackwardRange(yv, dv, out, cols, scale, 0, yv.length / cols);
      return store(out, y.shape, 'float32');
    },
    conv2d(x, w, attrs: Conv2dAttrs) {
      const plan = k.conv2dPlan(x.shape, w.shape, attrs);
      const xv = float32('conv2d', x);
      const wv = float32('conv2d', w);
      return output(k.conv2dOutShape(plan), 'float32', (out) => k.conv2dRange(xv, wv, out as Float32Array, plan, 0, plan.n * plan.o, wasm));
    },
    conv2dBackwardInput(dy, w, xShape, attrs) {
      const plan = k.conv2dPlan(xShape, w.shape, attrs);
      const dyv = float32('conv2dBackwardInput', dy);
      const wv = float32('conv2dBackwardInput', w);
      return output(xShape, 'float32', (out) => k.conv2dBackwardInputRange(dyv, wv, out as Float32Array, plan, 0, plan.n * plan.c, wasm));
    },
    conv2dBackwardWeight(x, dy, wShape, attrs) {
      const plan = k.conv2dPlan(x.shape, wShape, attrs);
      const xv = float32('conv2dBackwardWeight', x);
      const dyv = float32('conv2dBackwardWeight', dy);
      return output(wShape, 'float32', (out) => k.conv2dBackwardWeightRange(xv, dyv, out as Float32Array, plan, 0, plan.o, wasm));
    },
    maxPool2d(x, attrs) {
      const plan = k.pool2dPlan(x.shape, attrs);
      const xv = float32('maxPool2d', x);
      return output([x.shape[0]!, x.shape[1]!, plan.oh, plan.ow], 'float32', (out) => k.maxPool2dRange(xv, out as Float32Array, plan, 0, plan.planes));
    },
    maxPool2dIndices(x, attrs) {
      const plan = k.pool2dPlan(x.shape, attrs);
      const xv = float32('maxPool2dIndices', x);
      return output([x.shape[0]!, x.shape[1]!, plan.oh, plan.ow], 'int32', (out) => k.maxPool2dIndicesRange(xv, out as Int32Array, plan, 0, plan.planes));
    },
    sgdStep(param, grad, momentumBuffer, attrs) {
      const p = float32('sgdStep', param);
      const g = float32('sgdStep', grad);
      const buf = momentumBuffer === null ? null : float32('sgdStep', momentumBuffer);
      const n = p.length;
      if (g.length !== n || (buf !== null && buf.length !== n)) throw new Error(`sgdStep: parameter [${param.shape.join(',')}], gradient and momentum buffer differ in size`);
      const outP = allocateOutput('float32', n) as Float32Array;
      const outBuf = attrs.momentum !== 0 ? (allocateOutput('float32', n) as Float32Array) : null;
      k.sgdStepRange(p, g, buf, outP, outBuf, attrs, 0, n, wasm);
      const ids: DataId[] = [store(outP, param.shape, 'float32')];
      if (outBuf !== null) ids.push(store(outBuf, param.shape, 'float32'));
      return ids;
    },
    adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, attrs) {
      const p = float32('adamStep', param);
      const arrays = [grad, expAvg, expAvgSq, ...(maxExpAvgSq === null ? [] : [maxExpAvgSq])].map((t) => float32('adamStep', t));
      const n = p.length;
      if (arrays.some((a) => a.length !== n)) throw new Error(`adamStep: parameter [${param.shape.join(',')}], gradient and moment averages differ in size`);
      if (attrs.amsgrad !== (maxExpAvgSq !== null)) throw new Error('adamStep: maxExpAvgSq must be given exactly when amsgrad is set');
      const outs = arrays.map(() => allocateOutput('float32', n) as Float32Array); // p, expAvg, expAvgSq[, max]
      const [g, m, v, vMax = null] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array?];
      k.adamStepRange(p, g, m, v, vMax, outs[0]!, outs[1]!, outs[2]!, outs[3] ?? null, attrs, 0, n, wasm);
      return outs.map((o) => store(o, param.shape, 'float32'));
    },
    lstmCell(inputGates, hiddenGates, c, inputBias, hiddenBias) {
      const hidden = k.lstmCellHidden('lstmCell', inputGates.shape, hiddenGates.shape, c.shape, inputBias?.shape ?? null, hiddenBias?.shape ?? null);
      const [xg, hg, cv] = [inputGates, hiddenGates, c].map((t) => float32('lstmCell', t)) as [Float32Array, Float32Array, Float32Array];
      const [xb = null, hb = null] = [inputBias, hiddenBias].map((t) => (t === null ? null : float32('lstmCell', t)));
      const [outH, outC, outAct] = [cv.length, cv.length, xg.length].map((n) => allocateOutput('float32', n) as Float32Array) as [Float32Array, Float32Array, Float32Array];
      k.lstmCellRange(xg, hg, xb, hb, cv, outH, outC, outAct, hidden, 0, c.shape[0]!);
      return [store(outH, c.shape, 'float32'), store(outC, c.shape, 'float32'), store(outAct, inputGates.shape, 'float32')];
    },
    gelu(x, approximate) {
      const xv = float32('gelu', x);
      const [out, saved] = [allocateOutput('float32', xv.length), allocateOutput('float32', xv.length)] as [Float32Array, Float32Array];
      k.geluRange(xv, out, saved, k.geluTanh('gelu', approximate), 0, xv.length);
      return [store(out, x.shape, 'float32'), store(saved, x.shape, 'float32')];
    },
    geluBackward(x, saved, dy, approximate) {
      const [xv, sv, dv] = [x, saved, dy].map((t) => float32('geluBackward', t)) as [Float32Array, Float32Array, Float32Array];
      k.sameSizes('geluBackward', [x, saved, dy]);
      const out = allocateOutput('float32', xv.length) as Float32Array;
      k.geluBackwardRange(xv, sv, dv, out, k.geluTanh('geluBackward', approximate), 0, xv.length);
      return store(out, x.shape, 'float32');
    },
    crossEntropy(logits, target) {
      const [rows, cols] = k.crossEntropyShape('crossEntropy', logits.shape, target.shape);
      const xv = float32('crossEntropy', logits);
      const tv = int32('crossEntropy', target);
      const [loss, probs] = [allocateOutput('float32', rows), allocateOutput('float32', rows * cols)] as [Float32Array, Float32Array];
      k.crossEntropyRange(xv, tv, loss, probs, cols, 0, rows);
      return [store(loss, [rows], 'float32'), store(probs, logits.shape, 'float32')];
    },
    crossEntropyBackward(probs, target, dy) {
      const [rows, cols] = k.crossEntropyShape('crossEntropyBackward', probs.shape, target.shape, dy.shape);
      const [pv, dv] = [probs, dy].map((t) => float32('crossEntropyBackward', t)) as [Float32Array, Float32Array];
      const out = allocateOutput('float32', rows * cols) as Float32Array;
      k.crossEntropyBackwardRange(pv, int32('crossEntropyBackward', target), dv, out, cols, 0, rows);
      return store(out, probs.shape, 'float32');
    },
    activationBackward(op, y, dy) {
      const which = k.activationOp(op);
      const [yv, dv] = [y, dy].map((t) => float32('activationBackward', t)) as [Float32Array, Float32Array];
      k.sameSizes('activationBackward', [y, dy]);
      const out = allocateOutput('float32', yv.length) as Float32Array;
      k.activationBackwardRange(which, yv, dv, out, 0, yv.length);
      return store(out, y.shape, 'float32');
    },
    layerNorm(x, w, b, cols, eps) {
      const xv = float32('layerNorm', x);
      const rows = k.layerNormRows('layerNorm', x, w, b, cols);
      const [wv = null, bv = null] = [w, b].map((t) => (t === null ? null : float32('layerNorm', t)));
      const out = allocateOutput('float32', xv.length) as Float32Array;
      const [mean, rstd] = [allocateOutput('float32', rows), allocateOutput('float32', rows)] as [Float32Array, Float32Array];
      k.layerNormRange(xv, wv, bv, eps, out, mean, rstd, cols, 0, rows);
      return [store(out, x.shape, 'float32'), store(mean, [rows], 'float32'), store(rstd, [rows], 'float32')];
    },
    layerNormBackward(x, w, mean, rstd, dy, cols) {
      const rows = k.layerNormBackwardRows(x, w, mean, rstd, dy, cols);
      const [xv, mv, rv, dv] = [x, mean, rstd, dy].map((t) => float32('layerNormBackward', t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const wv = w === null ? null : float32('layerNormBackward', w);
      const dx = allocateOutput('float32', xv.length) as Float32Array;
      const [dw, db] = [allocateOutput('float32', cols), allocateOutput('float32', cols)] as [Float32Array, Float32Array];
      k.layerNormBackwardRange(xv, wv, mv, rv, dv, dx, cols, 0, rows);
      k.layerNormParamGradRange(xv, mv, rv, dv, dw, db, rows, cols, 0, cols);
      return [store(dx, x.shape, 'float32'), store(dw, [cols], 'float32'), store(db, [cols], 'float32')];
    },
    lstmCellBackward(act, c, cNext, dh, dc) {
      const hidden = k.lstmCellHidden('lstmCellBackward', act.shape, act.shape, c.shape, null, null);
      const [av, cv, nv] = [act, c, cNext].map((t) => float32('lstmCellBackward', t)) as [Float32Array, Float32Array, Float32Array];
      const [dhv, dcv] = [dh, dc].map((t) => (t === null ? null : float32('lstmCellBackward', t)));
      k.lstmCellBackwardCheck(cv.length, nv.length, dh, dc);
      const outG = allocateOutput('float32', av.length) as Float32Array;
      const outC = allocateOutput('float32', cv.length) as Float32Array;
      k.lstmCellBackwardRange(av, cv, nv, dhv ?? null, dcv ?? null, outG, outC, hidden, 0, c.shape[0]!);
      return [store(outG, act.shape, 'float32'), store(outC, c.shape, 'float32')];
    },
  };

  if (!relaxedSimd) {
    // every kernel runs inside the plain-SIMD scope (the products are the ones it changes; the rest pass through)
    const table = kernels as unknown as Record<string, (...args: never[]) => unknown>;
    for (const name of Object.keys(table)) {
      const kernel = table[name]!;
      table[name] = (...args: never[]) => withoutRelaxedSimd(() => kernel(...args));
    }
  }

  return {
    name: 'cpu',
    supports: { syncRead: true, fused: FUSED },
    write(values, shape, dtype) {
      const n = numel(shape);
      if (values.length !== n) throw new Error(`cpu.write: ${values.length} values for shape [${shape.join(',')}] of ${n} elements`);
      const copy = allocateOutput(dtype, n);
      copy.set(values); // converts when the host array's type differs from dtype's
      return store(copy, shape, dtype);
    },
    async read(id) {
      return data(id).values.slice(); // async: a disposed id rejects rather than throws
    },
    readSync(id) {
      return data(id).values.slice();
    },
    dispose(id) {
      const freed = host.release(id);
      if (freed === null) return;
      pool.put(`${(id as CpuData).dtype}:${freed.length}`, freed);
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
  };
}
