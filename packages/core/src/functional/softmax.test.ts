import { describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { logSoftmax, softmax } from './softmax';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

/** The cpu backend without its fused softmax kernels, so the composition runs. */
function composedBackend(): Backend {
  const b = cpuBackend();
  return { ...b, supports: { ...b.supports, fused: [] }, kernels: { ...b.kernels, softmax: undefined, logSoftmax: undefined } };
}

function near(t: Tensor | null, want: number[], digits = 5): void {
  const got = Array.from(t!.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, digits));
}

const data = [[1, 2, 3], [-1, 0, 4]];
const upstream = [[0.5, -1, 2], [1, 3, -2]];

// values and first and second gradients of sum(f(x) * upstream), on one backend
async function run(backend: Backend, f: (x: Tensor) => Tensor) {
  await setBackend(backend);
  const x = tensor(data, { requiresGrad: true });
  const y = f(x);
  const [g] = grad(y.mul(tensor(upstream)).sum(), [x], { createGraph: true });
  const [gg] = grad(g!.square().sum(), [x]);
  return { y: Array.from(y.dataSync()), g: Array.from(g!.dataSync()), gg: Array.from(gg!.dataSync()) };
}

describe.each([
  ['the fused kernel', cpuBackend],
  ['the composition', composedBackend],
])('softmax through %s', (_name, backend) => {
  it('gives exp(x) / sum(exp(x)) along the last dim', async () => {
    await setBackend(backend());
    near(softmax(tensor([[1, 2, 3]]), -1), [0.0900306, 0.2447285, 0.665241]);
  });

  it('stays finite for large logits', async () => {
    await setBackend(backend());
    near(softmax(tensor([1000, 1001]), 0), [0.2689414, 0.7310586]);
    near(logSoftmax(tensor([1000, 1001]), 0), [-1.3132617, -0.3132617]);
  });

  it('normalises along a dim other than the last', async () => {
    await setBackend(backend());
    near(softmax(tensor([[0, 1], [0, 1]]), 0), [0.5, 0.5, 0.5, 0.5]);
    near(logSoftmax(tensor([[0, 0], [Math.log(3), 0]]), 0), [Math.log(0.25), Math.log(0.5), Math.log(0.75), Math.log(0.5)]);
  });

  it('gives log of the softmax from logSoftmax', async () => {
    await setBackend(backend());
    near(logSoftmax(tensor([1, 2, 3]), 0), [-2.4076059, -1.4076059, -0.4076059]);
  });

  it('gives 1 for a 0-d tensor', async () => {
    await setBackend(backend());
    const y = softmax(tensor(5), 0);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBeCloseTo(1);
  });
});

describe('softmax gradients', () => {
  for (const [name, f] of [
    ['softmax over dim 1', (x: Tensor) => softmax(x, 1)],
    ['softmax over dim 0', (x: Tensor) => softmax(x, 0)],
    ['logSoftmax over dim 1', (x: Tensor) => logSoftmax(x, 1)],
    ['logSoftmax over dim 0', (x: Tensor) => logSoftmax(x, 0)],
  ] as const) {
    it(`agree between the fused kernel and the composition to second order, for ${name}`, async () => {
      const fused = await run(cpuBackend(), f);
      const composed = await run(composedBackend(), f);
      for (const k of ['y', 'g', 'gg'] as const) fused[k].forEach((v, i) => expect(v).toBeCloseTo(composed[k][i]!, 5));
    });
  }

  it('are y * (g - sum(g * y)) for softmax', async () => {
    await setBackend(cpuBackend());
    const x = tensor([0, Math.log(3)], { requiresGrad: true }); // softmax = [0.25, 0.75]
    softmax(x, 0).mul(tensor([1, 0])).sum().backward();
    near(x.grad, [0.25 * (1 - 0.25), 0.75 * (0 - 0.25)]);
  });
});
