import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { ones, randn, tensor, zeros, manualSeed } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import * as F from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
  manualSeed(3);
});

const js = <T>(v: unknown): T => v as T; // what a JavaScript caller may pass
const near = (a: Tensor, b: Tensor, tol = 1e-5) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(tol);
};

describe('F.batchNorm', () => {
  it('updates the running statistics in training mode (unbiased variance) and uses them in eval mode', () => {
    const x = tensor([[1, 10], [3, 20], [5, 60]]);
    const rm = zeros([2]);
    const rv = ones([2]);
    F.batchNorm(x, rm, rv, { training: true, momentum: 0.5 });
    // torch: running_mean = 0.5·0 + 0.5·[3, 30]; running_var = 0.5·1 + 0.5·[4, 700]
    expect(Array.from(rm.dataSync())).toEqual([1.5, 15]);
    expect(Array.from(rv.dataSync())).toEqual([2.5, 350.5]);
    const y = F.batchNorm(tensor([[1.5, 15]]), rm, rv, { eps: 0 });
    expect(Array.from(y.dataSync())).toEqual([0, 0]);
  });

  it('refuses eval without statistics, one value per channel when training, and unknown options', () => {
    expect(() => F.batchNorm(ones([2, 3]), null, null)).toThrow(/batchNorm: eval mode .* give them, or pass \{ training: true \}/);
    expect(() => F.batchNorm(ones([1, 3]), null, null, { training: true })).toThrow(/more than 1 value per channel/);
    expect(() => F.batchNorm(ones([2, 3]), zeros([3]), ones([3]), js({ trainig: true }))).toThrow(/batchNorm: unknown option 'trainig' \(did you mean 'training'\?\)/);
    expect(() => F.batchNorm(ones([2, 3]), zeros([2]), ones([2]))).toThrow(/runningMean of shape \[2\] must be \[3\]/);
  });
});

describe('F.scaledDotProductAttention', () => {
  it('isCausal is the lower-triangular bool mask, and a float mask of 0 / −∞ the same', () => {
    const [q, k, v] = [randn([2, 4, 3]), randn([2, 4, 3]), randn([2, 4, 5])];
    const allowed = tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]).bool();
    const causal = F.scaledDotProductAttention(q, k, v, { isCausal: true });
    expect(causal.shape).toEqual([2, 4, 5]);
    near(causal, F.scaledDotProductAttention(q, k, v, { attnMask: allowed }));
    const additive = tensor([[0, -Infinity, -Infinity, -Infinity], [0, 0, -Infinity, -Infinity], [0, 0, 0, -Infinity], [0, 0, 0, 0]]);
    near(causal, F.scaledDotProductAttention(q, k, v, { attnMask: additive }));
    // the first query sees only the first key: its output is the first value
    near(causal.narrow(1, 0, 1), v.narrow(1, 0, 1));
  });

  it('refuses a misspelt option, both masks at once, and an int mask', () => {
    const q = ones([1, 2, 3]);
    expect(() => F.scaledDotProductAttention(q, q, q, js({ isCasual: true }))).toThrow(/scaledDotProductAttention: unknown option 'isCasual'/);
    expect(() => F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: ones([2, 2]).bool() })).toThrow(/not both/);
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: ones([2, 2]).int() })).toThrow(/attnMask must be bool .* or float32/);
  });
});

describe('F.pad, F.oneHot, F.normalize', () => {
  it('pad pads the last dim first and crops with negative amounts', () => {
    const x = tensor([[1, 2, 3]]);
    expect(F.pad(x, [1, 2]).tolist()).toEqual([[0, 1, 2, 3, 0, 0]]);
    expect(F.pad(x, [-1, 1, 1, 0], { value: 9 }).tolist()).toEqual([[9, 9, 9], [2, 3, 9]]);
    expect(() => F.pad(x, [1, 2, 3])).toThrow(/pad: pads must have an even length/);
    expect(() => F.pad(x, [0, 0, 0, 0, 1, 1])).toThrow(/pad 3 dims but the input of shape \[1,3\] has only 2/);
    expect(() => F.pad(x, [1, 1], js({ mode: 'reflect' }))).toThrow(/pad: mode must be one of 'constant'/);
  });

  it('oneHot infers the number of classes and refuses float or out-of-range indices', () => {
    expect(F.oneHot(tensor([0, 2], { dtype: 'int32' })).tolist()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(F.oneHot(tensor([1], { dtype: 'int32' }), 3).dtype).toBe('int32');
    expect(() => F.oneHot(tensor([0.5]), 3)).toThrow(/oneHot: expects an int32 tensor/);
    expect(() => F.oneHot(tensor([3], { dtype: 'int32' }), 3)).toThrow(/class value 3 is out of range for numClasses 3/);
  });

  it('normalize divides by the p-norm along dim (default p = 2, dim = 1)', () => {
    expect(F.normalize(tensor([[3, 4]])).tolist()).toEqual([[0.6000000238418579, 0.800000011920929]]);
    expect(F.normalize(tensor([[0, 0]])).tolist()).toEqual([[0, 0]]); // eps keeps it finite
    expect(F.normalize(tensor([[1, 3]]), { p: 1, dim: -1 }).tolist()).toEqual([[0.25, 0.75]]);
  });
});

describe('F.conv1d, grouped and dilated F.conv2d, F.adaptiveAvgPool2d, F.groupNorm, F.rmsNorm', () => {
  it('conv1d is conv2d of height 1; a depthwise conv is one conv per channel', () => {
    const x = randn([2, 4, 9]);
    const w = randn([6, 2, 3]);
    const y = F.conv1d(x, w, null, { padding: 2, dilation: 2, groups: 2 });
    near(y, F.conv2d(x.unsqueeze(2), w.unsqueeze(2), null, { padding: [0, 2], dilation: [1, 2], groups: 2 }).squeeze(2));
    const img = randn([1, 3, 5, 5]);
    const dw = randn([3, 1, 3, 3]);
    const depthwise = F.conv2d(img, dw, null, { groups: 3 });
    for (let c = 0; c < 3; c++) near(depthwise.narrow(1, c, 1), F.conv2d(img.narrow(1, c, 1), dw.narrow(0, c, 1)), 1e-5);
    expect(() => F.conv1d(randn([1, 4, 5]), randn([3, 1, 2]), null, { groups: 3 })).toThrow(/conv1d: groups 3 must divide both the input's 4 channels/);
    expect(() => F.conv2d(img, dw, null, js({ group: 3 }))).toThrow(/conv2d: unknown option 'group' \(did you mean 'groups'\?\)/);
  });

  it('adaptiveAvgPool2d to 1 is the global mean; uneven windows overlap as PyTorch', () => {
    const x = randn([2, 3, 5, 7]);
    near(F.adaptiveAvgPool2d(x, 1), x.mean([2, 3], true));
    // torch.nn.functional.adaptive_avg_pool2d(torch.arange(5.).view(1, 1, 1, 5), (1, 2)) == [[[[1, 3]]]]
    expect(F.adaptiveAvgPool2d(tensor([[[[0, 1, 2, 3, 4]]]]), [1, 2]).tolist()).toEqual([[[[1, 3]]]]);
  });

  it('groupNorm with one group per channel is instance norm; rmsNorm scales to unit root mean square', () => {
    const x = randn([2, 4, 6]);
    const inst = x.sub(x.mean(2, true)).div(x.var(2, true, { correction: 0 }).add(1e-5).sqrt());
    near(F.groupNorm(x, 4), inst, 1e-4);
    expect(() => F.groupNorm(x, 3)).toThrow(/groupNorm: expected the number of channels \(4\) .* divisible by numGroups \(3\)/);
    const r = F.rmsNorm(x, [6], null, 0);
    near(r.square().mean(-1), ones([2, 4]), 1e-5);
  });
});
