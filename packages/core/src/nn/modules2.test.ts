import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { noGrad } from '../autograd';
import { manualSeed, ones, randn, tensor, zeros } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import * as nn from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
  manualSeed(5);
});

const js = <T>(v: unknown): T => v as T; // what a JavaScript caller may pass
const list = (t: Tensor | null) => Array.from(t!.dataSync());

describe('BatchNorm, GroupNorm, RMSNorm modules', () => {
  it("BatchNorm1d has PyTorch's state-dict keys, counts batches and uses the running statistics in eval", () => {
    const bn = new nn.BatchNorm1d(2);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.parameters()).toHaveLength(2);
    bn.forward(tensor([[1, 10], [3, 20], [5, 60]]));
    expect(list(bn.num_batches_tracked)).toEqual([1]);
    expect(bn.num_batches_tracked!.dtype).toBe('int32');
    // torch.nn.BatchNorm1d(2) after that batch: running_mean [0.3, 3], running_var 0.9 + 0.1·[4, 700]
    expect(list(bn.running_mean).map((v) => +v.toFixed(5))).toEqual([0.3, 3]);
    expect(list(bn.running_var).map((v) => +v.toFixed(4))).toEqual([1.3, 70.9]);
    bn.eval();
    const y = bn.forward(tensor([[0.3, 3]]));
    expect(list(y)).toEqual([0, 0]);
    expect(list(bn.num_batches_tracked)).toEqual([1]); // eval does not count
  });

  it('momentum null is the cumulative average; trackRunningStats false keeps none', () => {
    const bn = new nn.BatchNorm1d(1, { momentum: null });
    bn.forward(tensor([[1], [3]]));
    bn.forward(tensor([[5], [7]]));
    expect(list(bn.running_mean)).toEqual([4]); // mean of the batch means 2 and 6
    const free = new nn.BatchNorm2d(3, 1e-5, 0.1, false, false);
    expect(Object.keys(free.stateDict())).toEqual([]);
    expect(free.eval().forward(randn([2, 3, 2, 2])).shape).toEqual([2, 3, 2, 2]); // batch statistics, as PyTorch
    expect(() => new nn.BatchNorm2d(3).forward(randn([2, 3, 4]))).toThrow(/BatchNorm2d: expected 4D input/);
    expect(() => new nn.BatchNorm1d(3).forward(randn([2, 4]))).toThrow(/BatchNorm1d: expected 3 channels/);
    expect(() => new nn.BatchNorm1d(3, js({ momentun: 0.2 }))).toThrow(/BatchNorm1d: unknown option 'momentun'/);
  });

  it('GroupNorm and RMSNorm: parameters and checks', () => {
    const g = new nn.GroupNorm(2, 4);
    expect(Object.keys(g.stateDict())).toEqual(['weight', 'bias']);
    expect(() => new nn.GroupNorm(3, 4)).toThrow(/GroupNorm: numChannels \(4\) must be divisible by numGroups \(3\)/);
    const r = new nn.RMSNorm([4]);
    expect(Object.keys(r.stateDict())).toEqual(['weight']);
    const y = r.forward(tensor([[2, 2, 2, 2]]));
    expect(list(y).map((v) => +v.toFixed(5))).toEqual([1, 1, 1, 1]);
  });
});

describe('Conv1d, pooling, Identity, LeakyReLU', () => {
  it('Conv1d takes the positional form, padding same and groups (weight shapes as PyTorch)', () => {
    expect(new nn.Conv1d(4, 6, 3, { groups: 2 }).weight.shape).toEqual([6, 2, 3]);
    const c = new nn.Conv1d(2, 3, 5, 1, 'same', 2);
    expect(c.padding).toBe(4);
    expect(c.forward(randn([1, 2, 11])).shape).toEqual([1, 3, 11]);
    expect(new nn.Conv1d(1, 1, 3, 2, 0, 1, 1, false).bias).toBeNull();
    expect(() => new nn.Conv1d(3, 4, 3, { groups: 2 })).toThrow(/Conv1d: inChannels \(3\) must be divisible by groups \(2\)/);
  });

  it('AvgPool2d, AdaptiveAvgPool2d, Identity and LeakyReLU', () => {
    expect(new nn.AvgPool2d(2).forward(ones([1, 1, 4, 4])).shape).toEqual([1, 1, 2, 2]);
    expect(() => new nn.AvgPool2d(2, 2, 1)).toThrow(/AvgPool2d: padding 1 is not supported/);
    expect(new nn.AdaptiveAvgPool2d([1, 2]).forward(tensor([[[[0, 1, 2, 3, 4]]]])).tolist()).toEqual([[[[1, 3]]]]);
    const x = randn([3]);
    expect(new nn.Identity(54, 'unused').forward(x)).toBe(x);
    expect(new nn.LeakyReLU(0.2).forward(tensor([-1, 2])).tolist()).toEqual([-0.20000000298023224, 2]);
    expect(new nn.LeakyReLU().negativeSlope).toBe(0.01);
  });
});

describe('ModuleList, ModuleDict, apply, requiresGrad_', () => {
  it("ModuleList names its children '0', '1', … and is iterable", () => {
    const blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
    blocks.push(new nn.Linear(2, 1));
    expect(blocks.length).toBe(3);
    expect(blocks.at(-1)).toBeInstanceOf(nn.Linear);
    expect(Object.keys(blocks.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias']);
    expect([...blocks]).toHaveLength(3);
    expect(() => blocks.at(3)).toThrow(/ModuleList: index 3 is out of range for a list of 3 modules/);
    expect(() => new nn.ModuleList([js(3)])).toThrow(/ModuleList: entry 0 is not a Module/);
    expect(() => blocks.forward()).toThrow(/ModuleList: has no forward/);
  });

  it("ModuleDict keeps insertion order and PyTorch's keys", () => {
    const d = new nn.ModuleDict({ wte: new nn.Embedding(5, 2), lnF: new nn.LayerNorm(2) });
    expect(d.keys()).toEqual(['wte', 'lnF']);
    expect(Object.keys(d.stateDict())).toEqual(['wte.weight', 'lnF.weight', 'lnF.bias']);
    expect(d.get('wte')).toBeInstanceOf(nn.Embedding);
    expect(() => d.get('wpe')).toThrow(/ModuleDict: no module 'wpe'; keys: wte, lnF/);
    expect(() => d.set('training', new nn.ReLU())).toThrow(/taken by a Module property/);
  });

  it('apply visits children first, then the module; requiresGrad_ freezes every parameter', () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    const seen: string[] = [];
    model.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Linear', 'Sequential']);
    model.apply((m) => {
      if (m instanceof nn.Linear) noGrad(() => m.weight.fill_(0.5));
    });
    expect(list((model[0] as nn.Linear).weight)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    model.requiresGrad_(false);
    expect(model.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(model.forward(zeros([1, 2])).requiresGrad).toBe(false);
  });
});
