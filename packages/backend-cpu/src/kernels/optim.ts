import type { AdamStepAttrs, SgdStepAttrs } from '@tensorgrad/core';
import { wasmAdamStep, wasmSgdStep } from '../wasm/elementwise';

/**
 * One SGD update (PyTorch 1.13's rule, see `SgdStepAttrs`) for elements `[start, end)`: reads the
 * parameter `p`, its gradient `g` and the momentum buffer `buf` (null on the first step with
 * momentum, when the buffer starts as the step direction), writes the new parameter to `outP`
 * and, with momentum, the new buffer to `outBuf`. One pass instead of one per elementwise op.
 * With `wasm` (the default) it runs on the WebAssembly SIMD kernel where the engine has it, which
 * gives the composed tensor-op update's float32 results bit for bit; `false` keeps it in TypeScript.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * const attrs = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
 * sgdStepRange(new Float32Array([1, 2]), new Float32Array([10, 20]), null, out, null, attrs, 0, 2); // [0, 0]
 * ```
 */
export function sgdStepRange(
  p: Float32Array,
  g: Float32Array,
  buf: Float32Array | null,
  outP: Float32Array,
  outBuf: Float32Array | null,
  attrs: SgdStepAttrs,
  start: number,
  end: number,
  wasm = true,
): void {
  if (wasm && end > start && wasmSgdStep(p, g, buf, outP, outBuf, attrs, start, end)) return;
  const { lr, momentum, weightDecay: wd, nesterov } = attrs;
  const sign = attrs.maximize ? -1 : 1;
  const keep = 1 - attrs.dampening;
  if (momentum === 0 || outBuf === null) {
    for (let i = start; i < end; i++) {
      const pi = p[i]!;
      const d = wd === 0 ? sign * g[i]! : sign * g[i]! + wd * pi;
      outP[i] = pi - lr * d;
    }
    return;
  }
  if (buf === null) {
    for (let i = start; i < end; i++) {
      const pi = p[i]!;
      const d = wd === 0 ? sign * g[i]! : sign * g[i]! + wd * pi;
      outBuf[i] = d;
      outP[i] = pi - lr * (nesterov ? d + momentum * Math.fround(d) : d);
    }
    return;
  }
  if (wd === 0 && !nesterov && sign === 1 && keep === 1) {
    // the trainer's case, written out: buf = momentum·buf + g; p −= lr·buf
    for (let i = start; i < end; i++) {
      const b = Math.fround(momentum * buf[i]! + g[i]!);
      outBuf[i] = b;
      outP[i] = p[i]! - lr * b;
    }
    return;
  }
  for (let i = start; i < end; i++) {
    const pi = p[i]!;
    const d = wd === 0 ? sign * g[i]! : sign * g[i]! + wd * pi;
    const b = Math.fround(momentum * buf[i]! + keep * d);
    outBuf[i] = b;
    outP[i] = pi - lr * (nesterov ? d + momentum * b : b);
  }
}

/**
 * One Adam/AdamW update (PyTorch 1.13's rule, see `AdamStepAttrs`) for elements `[start, end)`:
 * reads the parameter, gradient and moment averages (and the running maximum with amsgrad),
 * writes their new values to the `out*` arrays. One pass instead of about fifteen. `wasm` as
 * for {@link sgdStepRange}.
 *
 * @example
 * ```ts
 * const z = () => new Float32Array(1);
 * const attrs = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false, maximize: false, step: 1 };
 * const outP = z();
 * adamStepRange(new Float32Array([1]), new Float32Array([5]), z(), z(), null, outP, z(), z(), null, attrs, 0, 1); // outP ≈ [0.9]
 * ```
 */
export function adamStepRange(
  p: Float32Array,
  g: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null,
  outP: Float32Array,
  outExpAvg: Float32Array,
  outExpAvgSq: Float32Array,
  outMaxExpAvgSq: Float32Array | null,
  attrs: AdamStepAttrs,
  start: number,
  end: number,
  wasm = true,
): void {
  if (wasm && end > start && wasmAdamStep(p, g, expAvg, expAvgSq, maxExpAvgSq, outP, outExpAvg, outExpAvgSq, outMaxExpAvgSq, attrs, start, end)) return;
  const { lr, beta1, beta2, eps, weightDecay: wd, step } = attrs;
  const sign = attrs.maximize ? -1 : 1;
  const l2 = attrs.decoupled ? 0 : wd; // added to the gradient
  const shrink = attrs.decoupled ? 1 - lr * wd : 1; // applied to the weights first
  const stepSize = lr / (1 - beta1 ** step);
  const correction2 = Math.sqrt(1 - beta2 ** step);
  const amsgrad = attrs.amsgrad && maxExpAvgSq !== null && outMaxExpAvgSq !== null;
  for (let i = start; i < end; i++) {
    const pi = shrink === 1 ? p[i]! : Math.fround(p[i]! * shrink);
    const d = l2 === 0 ? sign * g[i]! : sign * g[i]! + l2 * pi;
    const m = Math.fround(beta1 * expAvg[i]! + (1 - beta1) * d);
    const v = Math.fround(beta2 * expAvgSq[i]! + (1 - beta2) * d * d);
    outExpAvg[i] = m;
    outExpAvgSq[i] = v;
    let second = v;
    if (amsgrad) {
      second = Math.max(maxExpAvgSq![i]!, v);
      outMaxExpAvgSq![i] = second;
    }
    outP[i] = pi - (stepSize * m) / (Math.sqrt(second) / correction2 + eps);
  }
}
