import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { gelu, leakyRelu, silu, softplus } from './activation';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

// value and derivative of f at each point
function valueAndSlope(f: (x: Tensor) => Tensor, points: number[]): [number[], number[]] {
  const x = tensor(points, { requiresGrad: true });
  const y = f(x);
  y.sum().backward();
  return [Array.from(y.dataSync()), Array.from(x.grad!.dataSync())];
}

function near(got: number[], want: number[]): void {
  want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
}

describe('activations', () => {
  it('leakyRelu scales negatives and has slope negativeSlope at 0, as PyTorch', () => {
    const [y, g] = valueAndSlope((x) => leakyRelu(x, 0.1), [-2, 0, 3]);
    near(y, [-0.2, 0, 3]);
    near(g, [0.1, 0.1, 1]);
  });

  it('gelu is x·Φ(x), exactly or by the tanh approximation', () => {
    const [y, g] = valueAndSlope((x) => gelu(x), [1, -1, 0]);
    near(y, [0.8413447, -0.1586553, 0]);
    near(g, [1.0833155, -0.0833155, 0.5]);
    near(valueAndSlope((x) => gelu(x, { approximate: 'tanh' }), [1])[0], [0.841192]);
  });

  it('silu is x·sigmoid(x)', () => {
    near(valueAndSlope(silu, [1])[0], [0.7310586]);
  });

  it('softplus is log(1 + exp(x)) with slope sigmoid(x), and x past the threshold', () => {
    const [y, g] = valueAndSlope((x) => softplus(x), [0, -30, 30, 3]);
    near(y, [Math.LN2, 0, 30, 3.0485874]);
    near(g, [0.5, 0, 1, 0.9525741]);
    near(valueAndSlope((x) => softplus(x, { beta: 2, threshold: 5 }), [1, 3])[0], [Math.log1p(Math.exp(2)) / 2, 3]);
  });
});
