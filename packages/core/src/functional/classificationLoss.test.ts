import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, nllLoss } from './classificationLoss';
import { logSoftmax, softmax } from './softmax';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const ints = (v: number | number[] | number[][]) => tensor(v, { dtype: 'int32' });

function near(t: Tensor | null, want: number[], digits = 5): void {
  const got = Array.from(t!.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, digits));
}

const logits = () => tensor([[1, 2, 3], [1, 1, 1]], { requiresGrad: true });
const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));

describe('crossEntropy', () => {
  it('is the mean of -log softmax at the target, with gradient (softmax - onehot) / N', () => {
    const x = logits();
    const loss = crossEntropy(x, ints([2, 0]));
    expect(loss.item()).toBeCloseTo((lse - 3 + Math.log(3)) / 2, 5);
    loss.backward();
    const p = Array.from(softmax(x.detach(), 1).dataSync());
    near(x.grad, p.map((v, i) => (v - (i === 2 || i === 3 ? 1 : 0)) / 2));
  });

  it("sums with reduction 'sum' and keeps one loss per row with 'none'", () => {
    expect(crossEntropy(logits(), ints([2, 0]), { reduction: 'sum' }).item()).toBeCloseTo(lse - 3 + Math.log(3), 5);
    near(crossEntropy(logits(), ints([2, 0]), { reduction: 'none' }), [lse - 3, Math.log(3)]);
  });

  it('takes a [C] input with a scalar target', () => {
    const loss = crossEntropy(tensor([1, 2, 3]), ints(0));
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo(lse - 1, 5);
  });

  it('reads classes from dim 1 of [N, C, d] logits', () => {
    const x = tensor([[[1, 0], [2, 0], [3, 0]]]); // [1, 3, 2]: the first column is [1, 2, 3]
    near(crossEntropy(x, ints([[2, 1]]), { reduction: 'none' }), [lse - 3, Math.log(3)]);
  });

  it('leaves out targets equal to ignoreIndex, also from the mean', () => {
    expect(crossEntropy(logits(), ints([2, -100])).item()).toBeCloseTo(lse - 3, 5);
    near(crossEntropy(logits(), ints([2, 0]), { ignoreIndex: 0, reduction: 'none' }), [lse - 3, 0]);
  });

  it('weights each class and divides the mean by the total weight', () => {
    const weight = tensor([3, 1, 1]);
    const loss = crossEntropy(logits(), ints([2, 0]), { weight });
    expect(loss.item()).toBeCloseTo((lse - 3 + 3 * Math.log(3)) / 4, 5);
  });

  it('reads a float target of the logits shape as class probabilities', () => {
    const loss = crossEntropy(logits(), tensor([[0, 0, 1], [0.5, 0.5, 0]]));
    expect(loss.item()).toBeCloseTo((lse - 3 + Math.log(3)) / 2, 5);
  });

  it('throws for a target out of range and leaves the graph usable', () => {
    const x = logits();
    const h = x.mul(2);
    expect(() => crossEntropy(h, ints([7, 0]))).toThrow('crossEntropy: target 7 is out of bounds for 3 classes');
    expect(() => crossEntropy(h, ints([0, -1]))).toThrow('crossEntropy: target -1 is out of bounds for 3 classes');
    crossEntropy(h, ints([0, 0])).backward();
    expect(x.grad!.shape).toEqual([2, 3]);
  });

  it('throws naming both shapes when the target does not fit, and for float class indices', () => {
    expect(() => crossEntropy(logits(), ints([1, 2, 0]))).toThrow(/target of shape \[3\] does not match input of shape \[2,3\]: expected target of shape \[2\]/);
    expect(() => crossEntropy(logits(), tensor([1, 2]))).toThrow(/target must hold int32 class indices/);
  });
});

describe('nllLoss', () => {
  it('is crossEntropy applied to log-probabilities', () => {
    const x = logits();
    const t = ints([1, 2]);
    expect(nllLoss(logSoftmax(x, 1), t).item()).toBeCloseTo(crossEntropy(x, t).item(), 6);
    expect(() => nllLoss(x, ints([3, 0]))).toThrow('nllLoss: target 3 is out of bounds for 3 classes');
  });
});

describe('binaryCrossEntropy', () => {
  it('is -(t·log p + (1 - t)·log(1 - p)) with gradient (p - t) / (p(1 - p)) / N', () => {
    const p = tensor([0.8, 0.4], { requiresGrad: true });
    const loss = binaryCrossEntropy(p, tensor([1, 0]));
    expect(loss.item()).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 5);
    loss.backward();
    near(p.grad, [-0.2 / 0.16 / 2, 0.4 / 0.24 / 2], 4);
  });

  it('clamps each log at -100 and keeps the gradient finite at 0 and 1, as PyTorch', () => {
    const p = tensor([0, 1, 1, 0], { requiresGrad: true });
    const loss = binaryCrossEntropy(p, tensor([1, 0, 1, 0]), { reduction: 'none' });
    near(loss, [100, 100, 0, 0]);
    loss.sum().backward();
    near(p.grad!.div(1e12), [-1, 1, 0, 0]); // (p − t) / max(p(1 − p), 1e-12)
  });

  it('throws for probabilities outside [0, 1] and for shapes that differ', () => {
    expect(() => binaryCrossEntropy(tensor([1.5]), tensor([1]))).toThrow(/all elements of input should be between 0 and 1, got 1.5/);
    expect(() => binaryCrossEntropy(tensor([0.5, 0.5]), tensor([[1], [0]]))).toThrow(/input of shape \[2\] and target of shape \[2,1\] differ/);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  it('equals binaryCrossEntropy of the sigmoid, with gradient (sigmoid(x) - t) / N', () => {
    const x = tensor([-2, 0, 3], { requiresGrad: true });
    const t = tensor([0, 1, 0.25]);
    const loss = binaryCrossEntropyWithLogits(x, t);
    expect(loss.item()).toBeCloseTo(binaryCrossEntropy(x.detach().sigmoid(), t).item(), 5);
    loss.backward();
    const s = [-2, 0, 3].map((v) => 1 / (1 + Math.exp(-v)));
    near(x.grad, [s[0]! / 3, (s[1]! - 1) / 3, (s[2]! - 0.25) / 3]);
  });

  it('stays finite for large logits', () => {
    near(binaryCrossEntropyWithLogits(tensor([100, -100, 100]), tensor([0, 0, 1]), { reduction: 'none' }), [100, 0, 0]);
  });

  it('weights positive examples by posWeight', () => {
    const loss = binaryCrossEntropyWithLogits(tensor([0, 0]), tensor([1, 0]), { posWeight: tensor([3]), reduction: 'none' });
    near(loss, [3 * Math.LN2, Math.LN2]);
  });
});
