import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { manualSeed, nn, optim, setBackend, tensor, tidy, zeros, type Tensor } from '../index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

class MLP extends nn.Module {
  fc1 = new nn.Linear(4, 3);
  act = new nn.ReLU();
  fc2 = new nn.Linear(3, 2);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

describe('Module registration', () => {
  it('names attribute parameters with dots, in the order they were assigned', () => {
    expect(new MLP().namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['fc1.weight', [3, 4]],
      ['fc1.bias', [3]],
      ['fc2.weight', [2, 3]],
      ['fc2.bias', [2]],
    ]);
  });

  it("names a Sequential's children '0', '1', ...", () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh(), new nn.Linear(3, 1, { bias: false }));
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(model.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    expect(model[2]).toBeInstanceOf(nn.Linear);
    expect(model.length).toBe(3);
  });

  it('finds Parameters and Buffers assigned as properties, modules in arrays, and ignores plain tensors', () => {
    class Custom extends nn.Module {
      scale = nn.Parameter(tensor([2]));
      blocks = [new nn.Linear(1, 1), new nn.Linear(1, 1, { bias: false })];
      count = nn.Buffer(zeros([1]));
      scratch = zeros([5]); // not registered, as in PyTorch
      forward(x: Tensor) {
        return x.mul(this.scale);
      }
    }
    const m = new Custom();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['count']);
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'count', 'blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight']);
    expect(m.scale.requiresGrad).toBe(true);
  });

  it('lists a parameter shared by two layers once', () => {
    const a = new nn.Linear(2, 2);
    const b = new nn.Linear(2, 2);
    b.weight = a.weight;
    const model = new nn.Sequential(a, b);
    expect(model.parameters()).toHaveLength(3);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.bias']);
  });

  it('registers under computed names with registerParameter and registerModule', () => {
    class Tower extends nn.Module {
      constructor() {
        super();
        for (let i = 0; i < 2; i++) this.registerModule(`layer${i}`, new nn.Linear(2, 2));
        this.registerParameter('gain', tensor([1]));
        this.registerParameter('unused', null);
      }
      forward(x: Tensor) {
        return x;
      }
    }
    expect(new Tower().namedParameters().map(([n]) => n)).toEqual(['gain', 'layer0.weight', 'layer0.bias', 'layer1.weight', 'layer1.bias']);
  });

  it('keeps parameters of a model built inside tidy, and frees the rest', () => {
    const model = tidy(() => {
      const m = new MLP();
      m.forward(zeros([1, 4])); // an intermediate that tidy frees
      return m;
    });
    expect(model.parameters().every((p) => !p.isDisposed)).toBe(true);
    expect(model.forward(zeros([1, 4])).shape).toEqual([1, 2]);
  });

  it('zeroGrad sets every gradient to null', () => {
    const model = new MLP();
    model.forward(zeros([1, 4])).sum().backward();
    expect(model.fc1.weight.grad).not.toBeNull();
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('train() and eval() set training on every submodule', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Dropout(0.5)));
    model.eval();
    expect(model.modules().map((m) => m.training)).toEqual([false, false, false, false]);
    expect(model.train()).toBe(model);
    expect(model.modules().every((m) => m.training)).toBe(true);
  });

  it('prints a tree like PyTorch', () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(String(model)).toBe('Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)');
  });
});

describe('Module.stateDict and loadStateDict', () => {
  it('round-trips: a second model loaded from the first computes the same outputs', () => {
    manualSeed(1);
    const a = new MLP();
    const b = new MLP();
    const x = tensor([[1, -2, 3, 0.5]]);
    expect(b.forward(x).tolist()).not.toEqual(a.forward(x).tolist());
    b.loadStateDict(a.stateDict());
    expect(b.forward(x).tolist()).toEqual(a.forward(x).tolist());
    expect(b.fc1.weight.requiresGrad).toBe(true);
    expect(b.fc1.weight).not.toBe(a.fc1.weight);
  });

  it('holds a snapshot of the values: training afterwards leaves it alone', () => {
    const model = new nn.Linear(1, 1);
    const sd = model.stateDict();
    const before = sd.weight!.item();
    const opt = new optim.SGD(model.parameters(), { lr: 1 });
    model.forward(tensor([[1]])).sum().backward();
    opt.step();
    expect(sd.weight!.item()).toBe(before);
    expect(model.weight.item()).not.toBe(before);
  });

  it('names the key and both shapes on a size mismatch', () => {
    const model = new MLP();
    const sd = model.stateDict();
    sd['fc1.weight'] = zeros([4, 3]);
    expect(() => model.loadStateDict(sd)).toThrow("loadStateDict: size mismatch for 'fc1.weight': checkpoint has [4,3], the module has [3,4]");
  });

  it('names a missing key and an unexpected key', () => {
    const model = new MLP();
    const sd = model.stateDict();
    delete sd['fc2.bias'];
    expect(() => model.loadStateDict(sd)).toThrow("loadStateDict: missing key 'fc2.bias'");
    const extra = { ...model.stateDict(), 'fc3.weight': zeros([1]) };
    expect(() => model.loadStateDict(extra)).toThrow("loadStateDict: unexpected key 'fc3.weight'");
  });

  it('with strict: false reports missing and unexpected keys instead of throwing', () => {
    const model = new MLP();
    const { 'fc2.bias': _dropped, ...rest } = model.stateDict();
    const result = model.loadStateDict({ ...rest, other: zeros([1]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ['fc2.bias'], unexpectedKeys: ['other'] });
  });

  it('loads nothing when any key is wrong', () => {
    const model = new nn.Linear(2, 1);
    const before = model.weight.tolist();
    expect(() => model.loadStateDict({ weight: zeros([1, 2]), bias: zeros([2]) })).toThrow(/'bias'/);
    expect(model.weight.tolist()).toEqual(before);
  });
});

describe('Module.to', () => {
  it('moves every parameter and gradient in place, so an optimizer made before keeps working', () => {
    const other: Backend = { ...cpuBackend(), name: 'cpu-other' };
    const model = new MLP();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = tensor([[1, 2, 3, 4]]);
    model.forward(x).sum().backward();
    opt.step();
    const weight = model.fc1.weight;
    const values = weight.tolist();
    expect(model.to(other)).toBe(model);
    expect(model.fc1.weight).toBe(weight);
    expect(model.parameters().map((p) => p.backend)).toEqual(['cpu-other', 'cpu-other', 'cpu-other', 'cpu-other']);
    expect(weight.grad!.backend).toBe('cpu-other');
    expect(weight.tolist()).toEqual(values);
    expect(weight.requiresGrad).toBe(true);
    opt.zeroGrad();
    model.forward(x.to(other)).sum().backward();
    opt.step(); // the momentum buffers follow the parameters
    expect(weight.backend).toBe('cpu-other');
    expect(weight.tolist()).not.toEqual(values);
  });
});

describe('Module.to with a dtype', () => {
  it('refuses, saying that to() moves between backends', () => {
    expect(() => new MLP().to('int32')).toThrow(/Module.to: 'int32' is a dtype/);
  });
});

describe('Linear initialisation', () => {
  it("draws weight and bias uniformly in ±1/√in, PyTorch's Kaiming-uniform bound", () => {
    manualSeed(0);
    const fc = new nn.Linear(16, 64);
    const w = Array.from(fc.weight.dataSync());
    const b = Array.from(fc.bias!.dataSync());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.24);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.abs(w.reduce((s, v) => s + v, 0) / w.length)).toBeLessThan(0.02);
  });

  it('repeats under manualSeed', () => {
    manualSeed(7);
    const a = new nn.Linear(3, 3).weight.tolist();
    manualSeed(7);
    expect(new nn.Linear(3, 3).weight.tolist()).toEqual(a);
  });
});
