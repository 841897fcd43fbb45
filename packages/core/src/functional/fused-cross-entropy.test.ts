import { describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import { randn, tensor } from '../creation';
import { randint } from '../ops/random';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import * as F from './index';
import { cpuBackend, expectClose, numbers, withoutFused } from '../fused-testing';

const FUSED = ['crossEntropy', 'crossEntropyBackward'] as const;

// the fused cross-entropy and the composition it replaces (logSoftmax, gather, neg) give the same numbers
describe('fused cross-entropy', () => {
  const programs: [string, () => Tensor[]][] = [
    [
      'every reduction, forward and backward, with large logits',
      () => {
        const out: Tensor[] = [];
        for (const reduction of ['mean', 'sum', 'none'] as const) {
          const logits = randn([9, 6]).mul(30).requiresGrad_(); // far outside exp's float32 range unshifted
          const target = randint(0, 6, [9]);
          const loss = F.crossEntropy(logits, target, { reduction });
          (reduction === 'none' ? loss.mul(randn([9])).sum() : loss).backward();
          out.push(loss, logits.grad!);
        }
        return out;
      },
    ],
    [
      'second order (createGraph differentiates the composed gradient)',
      () => {
        const logits = randn([5, 4]).requiresGrad_();
        const target = randint(0, 4, [5]);
        const [g] = grad(F.crossEntropy(logits, target), [logits], { createGraph: true });
        const [gg] = grad(g!.square().sum(), [logits]);
        return [g!, gg!];
      },
    ],
  ];
  for (const [name, program] of programs) {
    it(`${name}: fused and composed agree`, async () => {
      const fused = await numbers(cpuBackend(), program, 3);
      const composed = await numbers(withoutFused([...FUSED]), program, 3);
      expectClose(fused, composed, 2e-6);
    });
  }

  it('runs the fused kernels for plain class targets and composes for the rest (weights, ignoreIndex, smoothing, 1-d and k-d inputs)', async () => {
    const b = cpuBackend();
    const calls: string[] = [];
    const spy = Object.fromEntries(FUSED.map((n) => [n, (...a: unknown[]) => (calls.push(n), (b.kernels[n] as (...x: unknown[]) => unknown)(...a))]));
    await setBackend({ ...b, kernels: { ...b.kernels, ...spy } });
    const logits = randn([4, 3]).requiresGrad_();
    const target = tensor([0, 2, 1, 2], { dtype: 'int32' });
    F.crossEntropy(logits, target).backward();
    expect(calls).toEqual(['crossEntropy', 'crossEntropyBackward']);
    calls.length = 0;
    F.crossEntropy(logits, target, { weight: tensor([1, 2, 3]) });
    F.crossEntropy(logits, tensor([0, -100, 1, 2], { dtype: 'int32' }));
    F.crossEntropy(logits, target, { labelSmoothing: 0.1 });
    F.crossEntropy(randn([3]), tensor(1, { dtype: 'int32' }));
    F.crossEntropy(randn([2, 3, 5]), randint(0, 3, [2, 5]));
    expect(calls).toEqual([]);
  });

  it('refuses a target out of range before any kernel runs, naming it', async () => {
    await setBackend(cpuBackend());
    expect(() => F.crossEntropy(randn([2, 3]), tensor([0, 3], { dtype: 'int32' }))).toThrow(/target 3 is out of bounds for 3 classes/);
  });
});
