import { describe, expect, it } from 'vitest';
import { grad, noGrad } from '../autograd';
import type { Backend } from '../backend';
import { ones, randn, tensor } from '../creation';
import { lstmGates } from '../nn/recurrent';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import * as F from './index';
import { cpuBackend, expectClose, numbers, withoutFused } from '../fused-testing';

const FUSED = ['gelu', 'geluBackward', 'layerNorm', 'layerNormBackward'] as const;

// the fused kernels and the compositions they replace give the same numbers, to the second order
describe('fused GELU and layer norm', () => {
  const programs: [string, () => Tensor[]][] = [
    [
      'gelu, exact and tanh, forward and backward through a non-contiguous gradient',
      () => {
        const out: Tensor[] = [];
        for (const approximate of ['none', 'tanh'] as const) {
          const x = randn([5, 7]).mul(3).requiresGrad_();
          const y = F.gelu(x, { approximate });
          y.mT.mul(randn([7, 5])).sum().backward(); // the incoming gradient is a transposed view
          out.push(y, x.grad!);
        }
        return out;
      },
    ],
    [
      'gelu twice differentiated (createGraph)',
      () => {
        const out: Tensor[] = [];
        for (const approximate of ['none', 'tanh'] as const) {
          const x = randn([9]).requiresGrad_();
          const [g] = grad(F.gelu(x, { approximate }).sum(), [x], { createGraph: true });
          const [gg] = grad(g!.square().sum(), [x]);
          out.push(g!, gg!);
        }
        return out;
      },
    ],
    [
      'layer norm over one and two dims, with and without affine parameters',
      () => {
        const out: Tensor[] = [];
        const x = randn([3, 4, 6]).mul(2).add(1).requiresGrad_();
        const w = randn([6]).requiresGrad_();
        const b = randn([6]).requiresGrad_();
        const w2 = randn([4, 6]).requiresGrad_();
        const dy = randn([3, 4, 6]);
        F.layerNorm(x, [6], w, b).mul(dy).sum().backward();
        out.push(F.layerNorm(x, [6], w, b), x.grad!, w.grad!, b.grad!);
        x.grad = null;
        F.layerNorm(x, [4, 6], w2, undefined, 1e-3).mul(dy).sum().backward();
        out.push(x.grad!, w2.grad!);
        x.grad = null;
        F.layerNorm(x.transpose(0, 2), [3]).mul(dy.transpose(0, 2)).sum().backward(); // a non-contiguous input
        out.push(x.grad!);
        return out;
      },
    ],
    [
      'layer norm twice differentiated (createGraph)',
      () => {
        const x = randn([4, 5]).requiresGrad_();
        const w = randn([5]).requiresGrad_();
        const b = randn([5]).requiresGrad_();
        const y = F.layerNorm(x, [5], w, b);
        const [gx, gw] = grad(y.mul(randn([4, 5])).sum(), [x, w], { createGraph: true });
        const [ggx, ggw] = grad(gx!.square().sum().add(gw!.square().sum()), [x, w]);
        return [gx!, gw!, ggx!, ggw!];
      },
    ],
  ];
  for (const [name, program] of programs) {
    it(name, async () => {
      const composed = await numbers(withoutFused(FUSED), program, 11);
      const fused = await numbers(cpuBackend(), program, 11);
      expectClose(fused, composed, 2e-5);
    });
  }

  it('the fused kernels really ran', async () => {
    await setBackend(cpuBackend());
    expect(cpuBackend().supports.fused).toEqual(expect.arrayContaining([...FUSED]));
    const b = cpuBackend();
    let calls = 0;
    const counting: Backend = { ...b, kernels: { ...b.kernels, gelu: (...a) => (calls++, b.kernels.gelu!(...a)), layerNorm: (...a) => (calls++, b.kernels.layerNorm!(...a)) } };
    await setBackend(counting);
    F.layerNorm(F.gelu(randn([2, 3])), [3]);
    expect(calls).toBe(2);
  });

  it('what a fused kernel saves for its backward is freed with the graph, or at once when no graph is kept', async () => {
    const b = cpuBackend();
    await setBackend(b);
    const x = randn([4, 6]).requiresGrad_();
    const w = randn([6]).requiresGrad_();
    const target = tensor([0, 5, 2, 1], { dtype: 'int32' });
    const xg = randn([4, 12]).requiresGrad_();
    const hg = randn([4, 12]).requiresGrad_();
    const c = randn([4, 3]);
    // the saved slope, row statistics, probabilities, gate activations
    const programs: [string, () => Tensor[]][] = [
      ['gelu', () => [F.gelu(x)]],
      ['layer norm', () => [F.layerNorm(x, [6], w)]],
      ['cross-entropy', () => [F.crossEntropy(x, target, { reduction: 'none' })]],
      ['an LSTM cell', () => lstmGates(xg, hg, c, null, null)],
    ];
    for (const [name, program] of programs) {
      const before = b.memory().tensors;
      for (const t of noGrad(program)) t.dispose();
      expect(b.memory().tensors - before, `${name} under noGrad`).toBe(0); // deterministic: no garbage collection needed
      if (name === 'an LSTM cell') continue; // its backward leaves the [n, 2h] placeholder of h' and c', and c's unused gradient, to the garbage collector
      // forward and backward, no tidy: freed when backward frees the graph
      const [y] = program();
      const dy = ones(y!.shape);
      y!.backward(dy);
      for (const t of [y!, dy, x.grad!, ...(w.grad ? [w.grad] : [])]) t.dispose();
      x.grad = null;
      w.grad = null;
      expect(b.memory().tensors - before, `${name} after backward`).toBe(0);
    }
  });

  it('bad input is refused by name', async () => {
    await setBackend(cpuBackend());
    expect(() => F.gelu(randn([2]), { approximate: 'fast' as never })).toThrow(/gelu: approximate must be 'none' or 'tanh', got 'fast'/);
    expect(() => F.gelu(randn([2]), { approximat: 'tanh' } as never)).toThrow(/gelu: .*approximat/); // a misspelled option is not ignored
    expect(() => F.layerNorm(randn([2, 3]), [4])).toThrow(/layerNorm/);
  });
});
