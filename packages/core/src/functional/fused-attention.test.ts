import { describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import { ones, randn, tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import * as F from './index';
import { cpuBackend, expectClose, numbers, withoutFused } from '../fused-testing';

const FUSED = ['attentionSoftmax', 'softmaxBackward'] as const;

// the fused attention softmax (scale, causal mask, softmax) and softmax gradient give the numbers of
// the compositions they replace (mul, where, softmax; mul, sum, sub, mul)
describe('fused attention softmax and softmax gradient', () => {
  const programs: [string, () => Tensor[]][] = [
    [
      'causal and not, L = S, L < S and L > S, odd widths, forward and backward',
      () => {
        const out: Tensor[] = [];
        for (const [l, s, e] of [[5, 5, 3], [3, 7, 4], [6, 2, 5], [9, 13, 8]] as const) {
          for (const isCausal of [true, false]) {
            const q = randn([2, 3, l, e]).requiresGrad_();
            const k = randn([2, 3, s, e]).requiresGrad_();
            const v = randn([2, 3, s, e]).requiresGrad_();
            const y = F.scaledDotProductAttention(q, k, v, { isCausal });
            y.mul(randn(y.shape)).sum().backward();
            out.push(y, q.grad!, k.grad!, v.grad!);
          }
        }
        return out;
      },
    ],
    [
      'causal with L = S = 16 and 64: the products told that the weights are triangular',
      () => {
        const out: Tensor[] = [];
        for (const [t, e, ev] of [[16, 8, 8], [64, 32, 16]] as const) {
          const q = randn([2, 2, t, e]).requiresGrad_();
          const k = randn([2, 2, t, e]).requiresGrad_();
          const v = randn([2, 2, t, ev]).requiresGrad_();
          const y = F.scaledDotProductAttention(q, k, v, { isCausal: true });
          y.mul(randn(y.shape)).sum().backward();
          out.push(y, q.grad!, k.grad!, v.grad!);
        }
        return out;
      },
    ],
    [
      'a given scale, and scores far outside exp\'s range',
      () => {
        const q = randn([4, 6, 8]).mul(20).requiresGrad_();
        const k = randn([4, 6, 8]).mul(20).requiresGrad_();
        const v = randn([4, 6, 8]).requiresGrad_();
        const y = F.scaledDotProductAttention(q, k, v, { isCausal: true, scale: 0.7 });
        y.square().sum().backward();
        return [y, q.grad!, k.grad!, v.grad!];
      },
    ],
    [
      'softmax on its own: its gradient on the last dim and on another',
      () => {
        const x = randn([3, 5, 7]).requiresGrad_();
        const a = F.softmax(x, -1);
        const b = F.softmax(x, 1);
        a.mul(randn(a.shape)).sum().add(b.mul(randn(b.shape)).sum()).backward();
        return [a, b, x.grad!];
      },
    ],
    [
      'second order (createGraph differentiates the composed gradient)',
      () => {
        const q = randn([2, 4, 3]).requiresGrad_();
        const k = randn([2, 4, 3]).requiresGrad_();
        const v = randn([2, 4, 3]).requiresGrad_();
        const [gq, gk] = grad(F.scaledDotProductAttention(q, k, v, { isCausal: true }).square().sum(), [q, k], { createGraph: true });
        const [ggq, ggv] = grad(gq!.square().sum().add(gk!.sum()), [q, v]);
        return [gq!, gk!, ggq!, ggv!];
      },
    ],
  ];
  for (const [name, program] of programs) {
    it(`${name}: fused and composed agree`, async () => {
      const fused = await numbers(cpuBackend(), program, 5);
      const composed = await numbers(withoutFused([...FUSED]), program, 5);
      expectClose(fused, composed, 3e-6);
    });
  }

  it('gives with the triangle hints (isCausal) what the same mask as attnMask gives densely', async () => {
    const hinted = await numbers(cpuBackend(), () => run({ isCausal: true }), 7);
    const dense = await numbers(cpuBackend(), () => run({ attnMask: ones([64, 64], { dtype: 'bool' }).tril() }), 7);
    expectClose(hinted, dense, 3e-6);
    function run(o: F.ScaledDotProductAttentionOptions): Tensor[] {
      const [q, k, v] = [randn([2, 2, 64, 32]).requiresGrad_(), randn([2, 2, 64, 32]).requiresGrad_(), randn([2, 2, 64, 16]).requiresGrad_()];
      const y = F.scaledDotProductAttention(q, k, v, o);
      y.mul(randn(y.shape)).sum().backward();
      return [y, q.grad!, k.grad!, v.grad!];
    }
  });

  it('tells the matmul kernel which causal products have a triangular left operand (and no others)', async () => {
    const b = cpuBackend();
    const hints: (string | undefined)[] = [];
    const matmul = b.kernels.matmul;
    await setBackend({ ...b, kernels: { ...b.kernels, matmul: (...a: Parameters<typeof matmul>) => (hints.push(a[5]), matmul(...a)) } });
    const [q, k, v] = [randn([2, 8, 4]).requiresGrad_(), randn([2, 8, 4]).requiresGrad_(), randn([2, 8, 4]).requiresGrad_()];
    F.scaledDotProductAttention(q, k, v, { isCausal: true }).sum().backward();
    // q·kᵀ, P·v; then dP = g·vᵀ, dv = Pᵀ·g, dq = dS·k, dk = dSᵀ·q
    expect(hints).toEqual([undefined, 'lower', undefined, 'upper', 'lower', 'upper']);
    hints.length = 0;
    F.scaledDotProductAttention(q, k, v).sum().backward(); // not causal
    F.scaledDotProductAttention(q, k.narrow(1, 0, 6), v.narrow(1, 0, 6), { isCausal: true }); // L ≠ S
    F.scaledDotProductAttention(q, k.sum(0), v.sum(0), { isCausal: true }); // broadcast keys
    expect(hints.every((h) => h === undefined)).toBe(true);
  });

  it('runs the fused kernels without a mask and composes with one (bool or float) and under createGraph', async () => {
    const b = cpuBackend();
    const calls: string[] = [];
    const spy = Object.fromEntries(FUSED.map((n) => [n, (...a: unknown[]) => (calls.push(n), (b.kernels[n] as (...x: unknown[]) => unknown)(...a))]));
    await setBackend({ ...b, kernels: { ...b.kernels, ...spy } });
    const q = randn([1, 4, 3]).requiresGrad_();
    F.scaledDotProductAttention(q, q, q, { isCausal: true }).sum().backward();
    expect(calls).toEqual(['attentionSoftmax', 'softmaxBackward']);
    calls.length = 0;
    F.softmax(q, -1).square().sum().backward();
    expect(calls).toEqual(['softmaxBackward']);
    calls.length = 0;
    F.scaledDotProductAttention(q, q, q, { attnMask: tensor([[true, false, true, true]], { dtype: 'bool' }) });
    F.scaledDotProductAttention(q, q, q, { attnMask: randn([4, 4]) });
    grad(F.softmax(q, -1).square().sum(), [q], { createGraph: true });
    expect(calls).toEqual([]);
  });
});
