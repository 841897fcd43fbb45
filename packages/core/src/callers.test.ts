// "Nothing is silently ignored" (API.md, Part 2): what a JavaScript caller, who has no type checker,
// may pass — unknown dtypes, unknown option keys, arguments of the wrong kind, PyTorch's positional
// and variadic forms — is honoured or refused with an error naming the op.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import {
  add,
  arange,
  clamp,
  cast,
  cat,
  expand,
  eye,
  full,
  functional as F,
  linspace,
  manualSeed,
  matmul,
  nn,
  ones,
  onesLike,
  optim,
  permute,
  rand,
  randn,
  reshape,
  serialize,
  setBackend,
  sub,
  sum,
  tensor,
  var as variance,
  view,
  zeros,
  zerosLike,
  type Tensor,
} from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const js = (v: unknown): Any => v; // a value as an untyped JavaScript caller passes it

describe('dtypes tensorgrad does not have', () => {
  it("throw at creation, naming the op and the dtype and listing float32, int32 and bool ('float64' once stored bytes and read back [0, 3])", () => {
    const accepted = /'float32', 'int32' or 'bool'/;
    expect(() => tensor([0.5, 3.7], { dtype: js('float64') })).toThrow(/^tensor: dtype "float64" is not supported/);
    expect(() => tensor([0.5, 3.7], { dtype: js('float64') })).toThrow(accepted);
    expect(() => tensor([1, 2], { dtype: js('int64') })).toThrow(/^tensor: dtype "int64" is not supported.*use 'int32'/);
    const makers: [string, () => Tensor][] = [
      ['zeros', () => zeros([2], { dtype: js('float64') })],
      ['ones', () => ones([2], { dtype: js('int64') })],
      ['full', () => full([2], 1, { dtype: js('float64') })],
      ['arange', () => arange(3, { dtype: js('int64') })],
      ['linspace', () => linspace(0, 1, 3, { dtype: js('float64') })],
      ['eye', () => eye(2, { dtype: js('float64') })],
      ['zerosLike', () => zerosLike(ones([2]), { dtype: js('float64') })],
      ['onesLike', () => onesLike(ones([2]), { dtype: js('int64') })],
      ['rand', () => rand([2], { dtype: js('float64') })],
      ['randn', () => randn([2], { dtype: js('float64') })],
    ];
    for (const [op, make] of makers) expect(make, op).toThrow(new RegExp(`^${op}: dtype "(float64|int64)" is not supported`));
  });

  it('throw in conversions: x.to(dtype) and cast', () => {
    const x = tensor([0.5, 3.7]);
    expect(() => x.to(js('float64'))).toThrow(/^to: dtype "float64" is not supported: use 'float32', 'int32' or 'bool'/);
    expect(() => x.to(js('int64'))).toThrow(/^to: dtype "int64" is not supported/);
    expect(() => cast(x, js('double'))).toThrow(/^to: dtype "double" is not supported/);
    expect(x.to('int32').tolist()).toEqual([0, 3]); // the dtypes that exist still convert
  });

  it('rand and randn refuse a dtype they cannot make instead of ignoring it', () => {
    expect(() => rand([2], { dtype: 'int32' })).toThrow(/^rand: dtype 'int32' is not supported: rand makes float32/);
    expect(rand([2], { dtype: 'float32' }).dtype).toBe('float32');
  });
});

describe('unknown option keys', () => {
  it('throw for the creation functions, with the nearest accepted key', () => {
    expect(() => tensor([1], js({ dtyp: 'int32' }))).toThrow(/^tensor: unknown option 'dtyp' \(did you mean 'dtype'\?\); accepted options: dtype, requiresGrad, shape/);
    expect(() => zeros([2], js({ requires_grad: true }))).toThrow(/^zeros: unknown option 'requires_grad'/);
    expect(() => arange(3, js({ device: 'cpu' }))).toThrow(/^arange: unknown option 'device'/);
    expect(() => randn(2, 3, js({ generator: null }))).toThrow(/^randn: unknown option 'generator'/);
  });

  it('throw for nn modules and losses', () => {
    expect(() => new nn.Linear(3, 5, js({ bais: false }))).toThrow(/^Linear: unknown option 'bais' \(did you mean 'bias'\?\)/);
    expect(() => new nn.Conv2d(1, 2, 3, js({ strides: 2 }))).toThrow(/^Conv2d: unknown option 'strides' \(did you mean 'stride'\?\)/);
    expect(() => new nn.MaxPool2d(2, js({ pading: 1 }))).toThrow(/^MaxPool2d: unknown option 'pading'/);
    expect(() => new nn.LayerNorm(4, js({ epsilon: 1e-6 }))).toThrow(/^LayerNorm: unknown option 'epsilon'/);
    expect(() => new nn.Dropout(js({ prob: 0.1 }))).toThrow(/^Dropout: unknown option 'prob'/);
    expect(() => new nn.GELU(js({ approx: 'tanh' }))).toThrow(/^GELU: unknown option 'approx'/);
    expect(() => new nn.CrossEntropyLoss(js({ ignoreIndx: 1 }))).toThrow(/^CrossEntropyLoss: unknown option 'ignoreIndx' \(did you mean 'ignoreIndex'\?\)/);
    expect(() => new nn.MSELoss(js({ reduce: 'sum' }))).toThrow(/^MSELoss: unknown option 'reduce'/);
    expect(() => new nn.HuberLoss(js({ beta: 1 }))).toThrow(/^HuberLoss: unknown option 'beta'/);
    expect(() => new nn.Linear(2, 2).loadStateDict({}, js({ strict: false, assign: true }))).toThrow(/^loadStateDict: unknown option 'assign'/);
  });

  it('throw for crossEntropy (the functional form)', () => {
    const logits = tensor([[1, 2, 3]]);
    expect(() => F.crossEntropy(logits, tensor([0], { dtype: 'int32' }), js({ ignoreIndx: 1 }))).toThrow(/crossEntropy: unknown option 'ignoreIndx'/);
  });

  it('throw for optimizers, their parameter groups and schedulers', () => {
    const w = () => [ones([2]).requiresGrad_()];
    expect(() => new optim.SGD(w(), js({ lr: 0.1, momentun: 0.9 }))).toThrow(/^SGD: unknown option 'momentun' \(did you mean 'momentum'\?\)/);
    expect(() => new optim.Adam(w(), js({ learningRate: 1e-3 }))).toThrow(/^Adam: unknown option 'learningRate'/);
    expect(() => new optim.AdamW(w(), js({ weight_decay: 0.1 }))).toThrow(/^AdamW: unknown option 'weight_decay'/);
    expect(() => new optim.RMSprop(w(), js({ beta: 0.9 }))).toThrow(/^RMSprop: unknown option 'beta'/);
    expect(() => new optim.Adagrad(w(), js({ decay: 0.1 }))).toThrow(/^Adagrad: unknown option 'decay'/);
    expect(() => new optim.SGD([{ params: w(), weightDecy: 0.1 }] as Any, { lr: 0.1 })).toThrow(/^SGD: parameter group: unknown option 'weightDecy'/);
    const opt = new optim.SGD(w(), { lr: 0.1 });
    expect(() => new optim.lrScheduler.StepLR(opt, js({ stepSize: 1, gama: 0.5 }))).toThrow(/^StepLR: unknown option 'gama'/);
    expect(() => new optim.lrScheduler.CosineAnnealingLR(opt, js({ T_max: 10 }))).toThrow(/^CosineAnnealingLR: unknown option 'T_max'/);
  });

  it('throw for var, clipGradNorm_ and serialize', () => {
    const x = tensor([1, 2, 3, 4]);
    expect(() => variance(x, 0, false, js({ corection: 0 }))).toThrow(/^var: unknown option 'corection' \(did you mean 'correction'\?\)/);
    expect(() => sum(x, 0, js({ keepDim: true }))).toThrow(/^sum: unknown option 'keepDim' \(did you mean 'keepdim'\?\)/);
    const p = ones([2]).requiresGrad_();
    p.sum().backward();
    expect(() => nn.utils.clipGradNorm_([p], 1, js({ norm_type: 2 }))).toThrow(/^clipGradNorm_: unknown option 'norm_type'/);
    expect(() => serialize({ w: ones([1]) }, js({ metdata: {} }))).toThrow(/^serialize: unknown option 'metdata' \(did you mean 'metadata'\?\)/);
  });
});

describe('arguments of the wrong kind', () => {
  it('throw naming the op and what was given', () => {
    expect(() => zeros(js('2'))).toThrow(/^zeros: shape must be integers.*got "2"/);
    expect(() => zeros([2, 3], js('int32'))).toThrow(/^zeros: expected a shape as one array/);
    expect(() => tensor(js('abc'))).toThrow(/^tensor: data must be a number, a boolean, nested arrays or a typed array, got "abc"/);
    expect(() => full(js(3), 7)).toThrow(/^full: shape must be an array/);
    expect(() => new nn.Linear(js('3'), 5)).toThrow(/^Linear: inFeatures must be a non-negative integer, got "3"/);
    expect(() => new nn.Linear(3, 5, js('false'))).toThrow(/^Linear: bias must be true or false, got "false"/);
    expect(() => new nn.Dropout(js('0.5'))).toThrow(/^Dropout: p must be a number, got "0.5"/);
    expect(() => new nn.Conv2d(1, 2, 3, js('2'))).toThrow(/^Conv2d: stride must be an integer >= 1 or a pair/);
    expect(() => new optim.SGD([ones([1]).requiresGrad_()], js({ lr: '0.1' }))).toThrow(/^SGD: lr must be a number, got "0.1"/);
    expect(() => new optim.Adam([ones([1]).requiresGrad_()], js({ betas: 0.9 }))).toThrow(/^Adam: betas must be a pair \[a, b\] of numbers, got 0.9/);
    expect(() => new optim.SGD(js(new nn.Linear(2, 2)), { lr: 0.1 })).toThrow(/^SGD: params must be an iterable of Tensors \(model.parameters\(\)\)/);
    expect(() => sum(tensor([1, 2]), 0, js('yes'))).toThrow(/^sum: keepdim must be true or false/);
    expect(() => sum(tensor([1, 2]), js('0'))).toThrow(/^sum: dim must be an integer, an array of integers, or omitted/);
    expect(() => matmul(ones([2, 2]), js(2))).toThrow(/^matmul: argument 'other' must be a Tensor/);
    expect(() => cat(js(ones([2])), js(ones([2])))).toThrow(/^cat: expected an array of Tensors.*pass the tensors as one array: cat\(\[a, b\], dim\)/);
    expect(() => reshape(ones([6]), js('2,3'))).toThrow(/^reshape: shape must be integers/);
  });

  it('an options object in the keepdim slot is read as PyTorch keywords, not as a truthy keepdim', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(sum(x, 1, js({ keepdim: false })).shape).toEqual([2]);
    expect(sum(x, 1, js({ keepdim: true })).shape).toEqual([2, 1]);
    // x.var(0, correction=0): PyTorch gives 1.25 (biased) for [1, 2, 3, 4]
    expect(variance(tensor([1, 2, 3, 4]), 0, js({ correction: 0 })).item()).toBeCloseTo(1.25, 6);
    expect(variance(tensor([1, 2, 3, 4]), 0, false, { correction: 0 }).item()).toBeCloseTo(1.25, 6);
  });
});

describe("PyTorch's positional forms", () => {
  it('new nn.Linear(3, 5, false) has no bias, and its stateDict no bias key', () => {
    const fc = new nn.Linear(3, 5, false);
    expect(fc.bias).toBeNull();
    expect(Object.keys(fc.stateDict())).toEqual(['weight']);
    expect(fc.forward(ones([2, 3])).shape).toEqual([2, 5]);
    expect(Object.keys(new nn.Linear(3, 5, true).stateDict())).toEqual(['weight', 'bias']);
    expect(() => new nn.Linear(3, 5, false, { bias: true })).toThrow(/^Linear: 'bias' given twice/);
    expect(() => new nn.Linear(3, 5, false, js(7))).toThrow(/^Linear: takes at most 1 positional argument after the required ones \(bias\)/);
  });

  it('new nn.Conv2d(1, 32, 3, 2) strides by 2: a 28×28 input gives 13×13, as PyTorch', () => {
    const conv = new nn.Conv2d(1, 32, 3, 2);
    expect(conv.stride).toBe(2);
    expect(conv.forward(randn([1, 1, 28, 28])).shape).toEqual([1, 32, 13, 13]);
    expect(new nn.Conv2d(1, 4, 3, 1, 1).forward(randn([1, 1, 28, 28])).shape).toEqual([1, 4, 28, 28]);
    const noBias = new nn.Conv2d(1, 2, 3, 1, 0, 1, 1, false);
    expect(noBias.bias).toBeNull();
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
  });

  it('nn.Conv2d takes dilation, groups, [h, w] pairs and padding "same" (weight shapes as PyTorch)', () => {
    expect(new nn.Conv2d(4, 8, 3, { groups: 2 }).weight.shape).toEqual([8, 2, 3, 3]);
    expect(new nn.Conv2d(1, 2, [3, 5], { stride: [2, 1] }).weight.shape).toEqual([2, 1, 3, 5]);
    expect(new nn.Conv2d(1, 2, 3, { dilation: 2, padding: 'same' }).padding).toBe(2);
    expect(() => new nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow(/^Conv2d: inChannels \(3\) must be divisible by groups \(2\)/);
    expect(() => new nn.Conv2d(1, 2, 3, { paddingMode: js('reflect') })).toThrow(/^Conv2d: paddingMode must be one of 'zeros'/);
    // torch.nn.Conv2d(1, 2, 3, dilation=2)(randn(1, 1, 7, 7)).shape == [1, 2, 3, 3]
    expect(new nn.Conv2d(1, 2, 3, 1, 0, 2).forward(randn([1, 1, 7, 7])).shape).toEqual([1, 2, 3, 3]);
  });

  const grid = () =>
    tensor([[[[0, 7, 3, 10, 6], [2, 9, 5, 1, 8], [4, 0, 7, 3, 10], [6, 2, 9, 5, 1], [8, 4, 0, 7, 3]]]]);
  // torch.nn.functional.max_pool2d(grid, 3, 1, 1)
  const pooled = [[[[9, 9, 10, 10, 10], [9, 9, 10, 10, 10], [9, 9, 9, 10, 10], [8, 9, 9, 10, 10], [8, 9, 9, 9, 7]]]];

  it('new nn.MaxPool2d(3, 1, 1) honours stride and padding, as PyTorch', () => {
    const pool = new nn.MaxPool2d(3, 1, 1);
    expect([pool.kernelSize, pool.stride, pool.padding]).toEqual([3, 1, 1]);
    expect(pool.forward(grid()).tolist()).toEqual(pooled);
    expect(() => new nn.MaxPool2d(3, 1, 2)).toThrow(/^MaxPool2d: padding 2 should be at most half of kernelSize 3/);
    expect(() => new nn.MaxPool2d(2, { ceilMode: true })).toThrow(/^MaxPool2d: ceilMode: true is not supported/);
  });

  it('F.maxPool2d(x, 3, 1, 1) honours padding', () => {
    const pool = F.maxPool2d as (x: Tensor, k: number, s: number, p: number) => Tensor;
    expect(pool(grid(), 3, 1, 1).tolist()).toEqual(pooled);
  });

  it('Dropout(p, inplace), LayerNorm(shape, eps, elementwiseAffine), Flatten(start, end), GELU(approximate), Softmax({ dim })', () => {
    expect(new nn.Dropout(0.2).p).toBe(0.2);
    expect(new nn.Dropout({ p: 0.3 }).p).toBe(0.3);
    expect(new nn.Dropout(0.2).eval().forward(ones([3])).tolist()).toEqual([1, 1, 1]);
    const norm = new nn.LayerNorm(4, 1e-6, false);
    expect(norm.eps).toBe(1e-6);
    expect(norm.parameters()).toHaveLength(0);
    expect(new nn.Flatten(0, 1).forward(zeros([2, 3, 4])).shape).toEqual([6, 4]);
    expect(new nn.GELU('tanh').approximate).toBe('tanh');
    expect(() => new nn.GELU(js('erf'))).toThrow(/^GELU: approximate must be one of 'none', 'tanh', got "erf"/);
    expect(new nn.Softmax({ dim: 0 }).dim).toBe(0);
    expect(() => new nn.Softmax(js(undefined))).toThrow(/^Softmax: dim is required/);
    expect(() => new nn.ReLU(js({ inplce: true }))).toThrow(/^ReLU: unknown option 'inplce'/);
    expect(() => new (nn.Tanh as Any)(1)).toThrow(/^Tanh: takes no positional arguments/);
  });

  it('ReLU(true) overwrites its input, recorded for autograd, as relu_', () => {
    const x = tensor([-1, 2, -3], { requiresGrad: true });
    const h = x.mul(1);
    const y = new nn.ReLU(true).forward(h);
    expect(y).toBe(h);
    expect(h.tolist()).toEqual([0, 2, 0]);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 1, 0]);
  });

  it('Embedding(n, d, paddingIdx): the padding row starts at zero and gets no gradient', () => {
    manualSeed(0);
    const emb = new nn.Embedding(4, 2, 1);
    expect(emb.paddingIdx).toBe(1);
    expect((emb.weight.tolist() as number[][])[1]).toEqual([0, 0]);
    emb.forward(tensor([1, 2, 1], { dtype: 'int32' })).sum().backward();
    // torch: Embedding(4, 2, padding_idx=1)(tensor([1, 2, 1])).sum().backward() -> grad rows [0, 0], [0, 0], [1, 1], [0, 0]
    expect(emb.weight.grad!.tolist()).toEqual([[0, 0], [0, 0], [1, 1], [0, 0]]);
    expect(new nn.Embedding(4, 2, -1).paddingIdx).toBe(3);
    expect(() => new nn.Embedding(4, 2, { maxNorm: 1 })).toThrow(/^Embedding: maxNorm \(1\) is not supported/);
  });

  it('losses: HuberLoss(reduction, delta), CrossEntropyLoss(weight)', () => {
    const huber = new nn.HuberLoss('sum', 0.5);
    expect([huber.reduction, huber.delta]).toEqual(['sum', 0.5]);
    const w = tensor([1, 2, 3]);
    expect(new nn.CrossEntropyLoss(w).weight!.tolist()).toEqual([1, 2, 3]);
    expect(() => new nn.MSELoss(js('sum'))).toThrow(/^MSELoss: takes no positional arguments, only an options object \{ reduction \}; got "sum"/);
  });

  it('optimizers and schedulers take their PyTorch positional arguments', () => {
    const w = () => [ones([2]).requiresGrad_()];
    const sgd = new optim.SGD(w(), 0.1, 0.9);
    expect([sgd.defaults.lr, sgd.defaults.momentum]).toEqual([0.1, 0.9]);
    expect(new optim.Adam(w(), 1e-2, [0.8, 0.99]).defaults.betas).toEqual([0.8, 0.99]);
    expect(new optim.Adam(w(), 1e-2).defaults.lr).toBe(1e-2);
    const opt = new optim.SGD(w(), { lr: 1 });
    const step = new optim.lrScheduler.StepLR(opt, 2, 0.5);
    step.step();
    step.step();
    expect(opt.paramGroups[0]!.lr).toBe(0.5);
    expect(new optim.lrScheduler.ExponentialLR(new optim.SGD(w(), { lr: 1 }), 0.9).gamma).toBe(0.9);
  });

  it('clipGradNorm_(params, maxNorm, normType) and loadStateDict(dict, strict)', () => {
    const p = tensor([3, -4], { requiresGrad: true });
    p.sum().backward();
    expect(nn.utils.clipGradNorm_([p], 100, Infinity).item()).toBe(1);
    expect(nn.utils.clipGradNorm_([p], 100, 'inf').item()).toBe(1);
    expect(nn.utils.clipGradNorm_([p], 100, { normType: 1 }).item()).toBe(2);
    const fc = new nn.Linear(2, 2);
    expect(fc.loadStateDict({ weight: zeros([2, 2]) }, false).missingKeys).toEqual(['bias']);
  });
});

describe('more of the same', () => {
  it("add and sub take PyTorch's { alpha }; clamp, to, Sequential and setBackend check what they are given", async () => {
    const x = tensor([1, 2]);
    const y = tensor([10, 20]);
    // torch.add(x, y, alpha=2) == [21, 42]; torch.sub(x, y, alpha=0.5) == [-4, -8]
    expect(add(x, y, { alpha: 2 }).tolist()).toEqual([21, 42]);
    expect(sub(x, y, { alpha: 0.5 }).tolist()).toEqual([-4, -8]);
    expect(() => add(x, y, js({ alhpa: 2 }))).toThrow(/^add: unknown option 'alhpa' \(did you mean 'alpha'\?\)/);
    expect(() => clamp(x, js('0'))).toThrow(/^clamp: min must be a number, a Tensor or null, got "0"/);
    expect(clamp(tensor([-1, 5]), tensor([0, 0]), tensor([3, 3])).tolist()).toEqual([0, 3]);
    expect(() => x.to(js(5))).toThrow(/^to: expected a dtype \('float32', 'int32', 'bool'\), a backend name or a backend, got 5/);
    expect(() => new nn.Sequential(js([new nn.ReLU()]))).toThrow(/^Sequential: argument 0 is not a Module.*new nn.Sequential\(\.\.\.layers\)/);
    await expect(setBackend(js({ name: 'cpu' }))).rejects.toThrow(/^setBackend: expected a backend/);
    expect(() => new nn.Linear(2, 2).train(js('false'))).toThrow(/^train: mode must be true or false/);
  });
});

describe('variadic shapes', () => {
  it('zeros(2, 3), ones(3, 2), rand(2, 3), randn(2, 3)', () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(zeros(2, 3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(ones(3, 2).tolist()).toEqual([[1, 1], [1, 1], [1, 1]]);
    expect(rand(2, 3).shape).toEqual([2, 3]);
    expect(randn(2, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(zeros([2, 3]).shape).toEqual([2, 3]);
    expect(full([2, 3], 7).shape).toEqual([2, 3]);
    expect(() => zeros(2, -1)).toThrow(/^zeros: shape must be an array of non-negative integers/);
  });

  it('reshape, view, permute and expand take the sizes as arguments too', () => {
    const x = arange(6);
    expect(reshape(x, 2, 3).shape).toEqual([2, 3]);
    expect(reshape(x, [3, -1]).shape).toEqual([3, 2]);
    expect(view(x, 3, 2).shape).toEqual([3, 2]);
    expect(permute(reshape(x, 2, 3), 1, 0).tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(expand(ones([3, 1]), 3, 4).shape).toEqual([3, 4]);
    expect(() => view(x, js({ length: 2 }))).toThrow(/^view: shape must be integers/);
  });
});

describe('Tensor methods', () => {
  it('x.view(2, 3) and x.permute(1, 0) (once "target.slice is not a function")', () => {
    const x = arange(6) as Any;
    expect(x.view(2, 3).shape).toEqual([2, 3]);
    expect(x.view(2, 3).permute(1, 0).shape).toEqual([3, 2]);
    expect(x.reshape(3, 2).shape).toEqual([3, 2]);
  });

  it('dim() size() T mT contiguous() long() viewAs()', () => {
    const x = reshape(arange(6).float(), 2, 3) as Any;
    expect(x.dim()).toBe(2);
    expect(x.size()).toEqual([2, 3]);
    expect(x.size(1)).toBe(3);
    expect(x.size(-1)).toBe(3);
    expect(x.T.shape).toEqual([3, 2]);
    expect(x.T.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect((reshape(arange(24), 2, 3, 4) as Any).mT.shape).toEqual([2, 4, 3]);
    expect(x.contiguous().tolist()).toEqual(x.tolist());
    expect(x.long().dtype).toBe('int32');
    expect(x.viewAs(zeros([3, 2])).shape).toEqual([3, 2]);
  });

  it('p.data = p.data + 1 throws instead of turning the method into a string', () => {
    const p = new nn.Linear(2, 2).weight as Any;
    expect(() => p.data + 1).toThrow(/data/);
    expect(() => {
      p.data = p.add(1);
    }).toThrow(/data/);
    expect(typeof p.data).toBe('function'); // still the async read
  });
});

describe("a tensor's shape", () => {
  it('is frozen: writing to it throws and leaves the tensor as it was, through ops that copy it', () => {
    const x = randn([2, 3]);
    for (const t of [x, x.add(1), x.sum(0), matmul(x, randn([3, 4])), cat([x, x], 0), x.reshape([3, 2]), F.layerNorm(x, [3])]) {
      expect(Object.isFrozen(t.shape)).toBe(true);
      const before = [...t.shape];
      expect(() => {
        (t.shape as number[])[0] = 99;
      }).toThrow(TypeError);
      expect(() => (t.shape as number[]).push(1)).toThrow(TypeError);
      expect([...t.shape]).toEqual(before);
    }
    // shapes that ops compute from frozen ones (a broadcast, a cat) still come out right
    expect(x.add(randn([3])).shape).toEqual([2, 3]);
    expect(cat([x, x], 1).shape).toEqual([2, 6]);
  });
});
