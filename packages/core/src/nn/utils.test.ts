import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { nn, optim, setBackend, tensor } from '../index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

interface Golden {
  shape: number[];
  data: number[];
}
const programs = (
  JSON.parse(readFileSync(new URL('../../../conformance/fixtures/torch-cases.json', import.meta.url), 'utf8')) as {
    programs: {
      clip_grad_norm: { grads: Golden[]; max_norm: number; total_norm: number; clipped: Golden[] };
      linear_regression_seed: {
        weight0: number;
        bias0: number;
        x: Golden;
        y: Golden;
        lr: number;
        max_norm: number;
        epochs: number;
        losses: number[];
        weight: number;
        bias: number;
      };
    };
  }
).programs;

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const near = (got: number, want: number, atol = 1e-5, rtol = 1e-4) => expect(Math.abs(got - want)).toBeLessThanOrEqual(atol + rtol * Math.abs(want));

describe('clipGradNorm_', () => {
  it("scales the gradients to the golden clipped values and returns PyTorch's total norm", () => {
    const c = programs.clip_grad_norm;
    const params = c.grads.map((g) => {
      const p = tensor(new Float32Array(g.data.length), { shape: g.shape, requiresGrad: true });
      p.grad = tensor(g.data, { shape: g.shape });
      return p;
    });
    const total = nn.utils.clipGradNorm_(params, c.max_norm);
    near(total.item(), c.total_norm);
    params.forEach((p, i) => Array.from(p.grad!.dataSync()).forEach((v, k) => near(v, c.clipped[i]!.data[k]!)));
  });

  it('leaves gradients alone (up to 1e-6) when their norm is already below maxNorm', () => {
    const p = tensor([0, 0], { requiresGrad: true });
    p.grad = tensor([0.3, 0.4]);
    expect(nn.utils.clipGradNorm_([p], 1).item()).toBeCloseTo(0.5, 6);
    expect(p.grad.tolist()).toEqual([0.30000001192092896, 0.4000000059604645]);
  });

  it('takes normType Infinity (the largest absolute value) and other p-norms', () => {
    const a = tensor([0, 0], { requiresGrad: true });
    const b = tensor([0], { requiresGrad: true });
    a.grad = tensor([3, -4]);
    b.grad = tensor([2]);
    expect(nn.utils.clipGradNorm_([a, b], 2, Infinity).item()).toBeCloseTo(4, 5);
    Array.from(a.grad.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([1.5, -2][i]!, 5));
    a.grad = tensor([3, -4]);
    b.grad = tensor([2]);
    expect(nn.utils.clipGradNorm_([a, b], 100, 1).item()).toBeCloseTo(9, 5);
  });

  it('updates the gradient object every holder sees, and skips parameters without one', () => {
    const a = tensor([0], { requiresGrad: true });
    const b = tensor([0], { requiresGrad: true });
    a.grad = tensor([10]);
    const g = a.grad;
    nn.utils.clipGradNorm_([a, b], 1);
    expect(g.item()).toBeCloseTo(1, 5);
    expect(b.grad).toBeNull();
  });
});

describe('clipGradValue_', () => {
  it('clamps every gradient into [-clipValue, clipValue]', () => {
    const p = tensor([0, 0, 0], { requiresGrad: true });
    p.grad = tensor([-2, 0.5, 3]);
    nn.utils.clipGradValue_([p], 1);
    expect(p.grad.tolist()).toEqual([-1, 0.5, 1]);
  });
});

describe('the seed example', () => {
  it("reproduces every epoch's loss and the final weight and bias of PyTorch's run", () => {
    const g = programs.linear_regression_seed;
    const model = new nn.Linear(1, 1);
    model.loadStateDict({ weight: tensor([[g.weight0]]), bias: tensor([g.bias0]) });
    const optimizer = new optim.SGD(model.parameters(), { lr: g.lr });
    const criterion = new nn.MSELoss();
    const xTrain = tensor(g.x.data, { shape: g.x.shape });
    const yTrain = tensor(g.y.data, { shape: g.y.shape });
    const losses: number[] = [];
    for (let epoch = 0; epoch < g.epochs; epoch++) {
      const loss = criterion.forward(model.forward(xTrain), yTrain);
      optimizer.zeroGrad();
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), g.max_norm);
      optimizer.step();
      losses.push(loss.item());
    }
    losses.forEach((l, i) => near(l, g.losses[i]!));
    near(model.weight.item(), g.weight);
    near(model.bias!.item(), g.bias);
  });
});
