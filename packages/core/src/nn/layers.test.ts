import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { functional as F, manualSeed, nn, ones, randn, setBackend, tensor, zeros } from '../index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

describe('layers', () => {
  it('give the shapes PyTorch gives on a small CNN', () => {
    manualSeed(0);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(4 * 4 * 4, 10),
    );
    expect(model.forward(randn([2, 1, 8, 8])).shape).toEqual([2, 10]);
    expect(model.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual(['0.weight:4,1,3,3', '0.bias:4', '4.weight:10,64', '4.bias:10']);
  });

  it("initialise Conv2d uniformly in ±1/√(in·k·k), PyTorch's default", () => {
    const conv = new nn.Conv2d(2, 8, 3, { bias: false });
    const w = Array.from(conv.weight.dataSync());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(18));
    expect(conv.bias).toBeNull();
  });

  it('compute what the functional forms compute', () => {
    const x = tensor([[-1, 0.5, 2]]);
    expect(new nn.ReLU().forward(x).tolist()).toEqual([[0, 0.5, 2]]);
    expect(new nn.Sigmoid().forward(x).tolist()).toEqual(F.sigmoid(x).tolist());
    expect(new nn.Tanh().forward(x).tolist()).toEqual(F.tanh(x).tolist());
    expect(new nn.GELU({ approximate: 'tanh' }).forward(x).tolist()).toEqual(F.gelu(x, { approximate: 'tanh' }).tolist());
    expect(new nn.SiLU().forward(x).tolist()).toEqual(F.silu(x).tolist());
    expect(new nn.Softmax(-1).forward(x).tolist()).toEqual(F.softmax(x, -1).tolist());
  });

  it('Dropout zeroes in training and is the identity after eval()', () => {
    const drop = new nn.Dropout(0.5);
    const x = ones([1000]);
    const kept = Array.from(drop.forward(x).dataSync()).filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).toBe(true);
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
    expect(drop.eval().forward(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow(/between 0 and 1, but got 1.5/);
  });

  it('Embedding looks up rows of an N(0, 1) weight', () => {
    const emb = new nn.Embedding(10, 3);
    const out = emb.forward(tensor([[1, 2]], { dtype: 'int32' }));
    expect(out.shape).toEqual([1, 2, 3]);
    expect(out.tolist()).toEqual([(emb.weight.tolist() as number[][]).slice(1, 3)]);
  });

  it('LayerNorm starts as plain normalisation with weight 1 and bias 0', () => {
    const norm = new nn.LayerNorm(4);
    expect(norm.namedParameters().map(([n, p]) => [n, p.tolist()])).toEqual([
      ['weight', [1, 1, 1, 1]],
      ['bias', [0, 0, 0, 0]],
    ]);
    const y = norm.forward(tensor([[1, 2, 3, 4]]));
    expect(y.sum().item()).toBeCloseTo(0, 5);
    expect(new nn.LayerNorm([2, 2], { elementwiseAffine: false }).parameters()).toHaveLength(0);
  });
});

describe('loss modules', () => {
  const pred = () => tensor([[0.5, -1], [2, 0]]);
  const target = () => tensor([[1, 1], [1, 1]]);
  it('MSELoss, L1Loss and HuberLoss reduce as asked', () => {
    expect(new nn.MSELoss().forward(pred(), target()).item()).toBeCloseTo((0.25 + 4 + 1 + 1) / 4, 6);
    expect(new nn.MSELoss({ reduction: 'sum' }).forward(pred(), target()).item()).toBeCloseTo(6.25, 6);
    expect(new nn.L1Loss({ reduction: 'none' }).forward(pred(), target()).tolist()).toEqual([[0.5, 2], [1, 1]]);
    expect(new nn.HuberLoss({ delta: 1 }).forward(pred(), target()).item()).toBeCloseTo((0.125 + 1.5 + 0.5 + 0.5) / 4, 6);
  });

  it('CrossEntropyLoss and NLLLoss take int32 class targets', () => {
    const labels = tensor([1, 0], { dtype: 'int32' });
    const ce = new nn.CrossEntropyLoss().forward(pred(), labels).item();
    expect(ce).toBeCloseTo(F.crossEntropy(pred(), labels).item(), 6);
    expect(new nn.NLLLoss().forward(pred().logSoftmax(1), labels).item()).toBeCloseTo(ce, 6);
  });

  it('BCEWithLogitsLoss matches its functional form', () => {
    const t = tensor([[1, 0], [0, 1]]);
    expect(new nn.BCEWithLogitsLoss().forward(pred(), t).item()).toBeCloseTo(F.binaryCrossEntropyWithLogits(pred(), t).item(), 6);
  });

  it('refuses an unknown reduction', () => {
    expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow(/reduction must be 'mean', 'sum' or 'none'/);
  });

  it('have no parameters', () => {
    expect(new nn.CrossEntropyLoss().parameters()).toEqual([]);
    expect(new nn.CrossEntropyLoss({ weight: zeros([3]) }).namedBuffers().map(([n]) => n)).toEqual(['weight']);
  });
});
