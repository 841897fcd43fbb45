import { describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import { randn, tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { cpuBackend, expectClose, numbers, withoutFused } from '../fused-testing';

// the fused gradient of tanh, sigmoid and relu and the composition it replaces give the same numbers
describe('fused tanh / sigmoid / relu backward (activationBackward)', () => {
  const programs: [string, () => Tensor[]][] = [
    [
      'first order, through a transposed incoming gradient and a broadcast one',
      () => {
        const out: Tensor[] = [];
        for (const op of ['tanh', 'sigmoid', 'relu'] as const) {
          const x = randn([6, 5]).mul(4).requiresGrad_();
          const y = x[op]();
          y.mT.mul(randn([5, 6])).sum().backward();
          out.push(y, x.grad!);
          x.grad = null;
          x[op]().sum().backward(); // the gradient arrives as an expanded scalar
          out.push(x.grad!);
        }
        return out;
      },
    ],
    [
      'second order (createGraph differentiates the composed derivative)',
      () => {
        const out: Tensor[] = [];
        for (const op of ['tanh', 'sigmoid'] as const) {
          const x = randn([11]).mul(2).requiresGrad_();
          const [g] = grad(x[op]().sum(), [x], { createGraph: true });
          const [gg] = grad(g!.square().sum(), [x]);
          out.push(g!, gg!);
        }
        return out;
      },
    ],
  ];
  for (const [name, program] of programs) {
    it(`${name}: fused and composed agree`, async () => {
      const fused = await numbers(cpuBackend(), program, 7);
      const composed = await numbers(withoutFused(['activationBackward']), program, 7);
      expectClose(fused, composed, 1e-6);
    });
  }

  it('runs the fused kernel on cpu, once per backward of each activation', async () => {
    const b = cpuBackend();
    let calls = 0;
    const k = b.kernels.activationBackward!;
    await setBackend({ ...b, kernels: { ...b.kernels, activationBackward: (...a: Parameters<typeof k>) => (calls++, k(...a)) } });
    const x = randn([4, 3]).requiresGrad_();
    x.tanh().sigmoid().relu().sum().backward();
    expect(calls).toBe(3);
  });

  it("relu's fused gradient equals where(x > 0, g, 0) bit for bit at zeros, infinities and NaNs, in x and in g", async () => {
    const program = () => {
      const x = tensor([-2, -0, 0, 1.5, Infinity, -Infinity, NaN, 3, 1e-45, -1e-45]).requiresGrad_();
      const g = tensor([NaN, Infinity, 5, -Infinity, 2, NaN, 7, -0, NaN, -Infinity]);
      x.relu().backward(g);
      return [x.grad!];
    };
    const fused = await numbers(cpuBackend(), program, 7);
    const composed = await numbers(withoutFused(['activationBackward']), program, 7);
    const bits = (v: number[]) => Array.from(new Int32Array(new Float32Array(v).buffer));
    expect(bits(fused[0]!)).toEqual(bits(composed[0]!));
    expect(Array.from(fused[0]!)).toEqual([0, 0, 0, -Infinity, 2, 0, 0, -0, NaN, 0]);
  });

  it('refuses an unknown op and operands of two sizes, naming them', () => {
    const b = cpuBackend();
    expect(() => b.kernels.activationBackward!('gelu' as never, { id: 0 as never, shape: [1], dtype: 'float32' }, { id: 0 as never, shape: [1], dtype: 'float32' })).toThrow(/activationBackward: op must be 'tanh', 'sigmoid' or 'relu', got 'gelu'/);
  });
});
