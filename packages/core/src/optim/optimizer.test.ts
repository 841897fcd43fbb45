import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { getBackend, memory, optim, setBackend, tensor, tidy, type Tensor } from '../index';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

interface Golden {
  shape: number[];
  data: number[];
}
interface OptimizerCase {
  optimizer: string;
  options: Record<string, unknown>;
  A: Golden;
  y: Golden;
  w0: Golden;
  losses: number[];
  trajectory: number[][];
}
const golden = JSON.parse(readFileSync(new URL('../../../conformance/fixtures/torch-cases.json', import.meta.url), 'utf8')) as {
  programs: { optimizers: OptimizerCase[] };
};
const cases = golden.programs.optimizers;

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const optionsOf = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));

function make(name: string, params: Tensor[], options: Record<string, unknown>): optim.Optimizer<any> {
    const Ctor = (optim as any)[name];
  return new Ctor(params, options);
}

function closeTo(got: number[], want: number[], atol = 1e-5, rtol = 1e-4): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (Math.abs(g - want[i]!) > atol + rtol * Math.abs(want[i]!)) {
      throw new Error(`element ${i}: got ${g}, want ${want[i]} (all: got [${got.join(', ')}], want [${want.join(', ')}])`);
    }
  });
}

// Adds branches the golden file does not reach; computed by PyTorch 1.13's torch.optim in float64 on the golden problem.
const more = [
  { optimizer: 'SGD', options: {lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.05}, trajectory: [[1.46682271191, 0.588303348994, 0.292070552332], [1.333542114573, 0.155334296704, 0.064734265608], [1.168222566848, -0.281843646902, -0.190210045939], [0.985403757259, -0.620174990845, -0.432235145574], [0.79887395113, -0.78843512121, -0.62933954359], [0.620678447162, -0.760405861303, -0.762478464476]] },
  { optimizer: 'SGD', options: {lr: 0.05, maximize: true}, trajectory: [[1.637380565431, 1.218843104625, 0.606230379562], [1.729136570114, 1.636109454867, 0.79765327054], [1.830511008775, 2.189479279917, 1.033344552656], [1.942961309299, 2.922379660233, 1.325434297944], [2.068275224369, 3.89199055777, 1.689671004348], [2.208664318872, 5.173588828611, 2.1465394648]] },
  { optimizer: 'Adam', options: {lr: 0.1, amsgrad: true}, trajectory: [[1.454044194513, 0.804704107102, 0.349712607025], [1.354483437523, 0.705196048388, 0.250196943934], [1.255738993114, 0.606612149663, 0.15158973959], [1.158264541344, 0.509481364658, 0.054408741315], [1.062600811382, 0.414443829296, -0.040720923328], [0.969383815886, 0.322261781402, -0.133056341867]] },
  { optimizer: 'AdamW', options: {lr: 0.1, weightDecay: 0.1, amsgrad: true, betas: [0.8, 0.95]}, trajectory: [[1.438503752574, 0.795657066033, 0.345215480958], [1.32486935139, 0.688473761098, 0.242500912322], [1.21376267607, 0.583799631049, 0.142177200916], [1.105924324225, 0.482406326264, 0.044964463554], [1.002226629157, 0.38520476241, -0.048295697495], [0.903679823292, 0.29324986695, -0.136637975471]] },
  { optimizer: 'RMSprop', options: {lr: 0.01, centered: true, momentum: 0.3, weightDecay: 0.1}, trajectory: [[1.453540417931, 0.804200327002, 0.34920882836], [1.355701398916, 0.706868072282, 0.251892883673], [1.27416878251, 0.626391760912, 0.171451061244], [1.206824327511, 0.560541913019, 0.105650813109], [1.150010653815, 0.505547422723, 0.050717737142], [1.100939439745, 0.458537223267, 0.003778328683]] },
  { optimizer: 'Adagrad', options: {lr: 0.1, lrDecay: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.5}, trajectory: [[1.460817825162, 0.805313968089, 0.352103535558], [1.402184933911, 0.745163579282, 0.292535126855], [1.35917232749, 0.701715532174, 0.249385876746], [1.325348291852, 0.667860814348, 0.215716056006], [1.297635163142, 0.640299733687, 0.188281883982], [1.274291083289, 0.617197240423, 0.165272481943]] },];

// the optimizer that trained each tensor, to read its state
const optimizers = new WeakMap<Tensor, optim.Optimizer<{ lr: number }>>();
const trajectoryState = (w: Tensor): optim.OptimizerStateDict => optimizers.get(w)!.stateDict();

// the golden problem: minimise mean((A @ w - y)²) from w0
const problem = cases[0]!;
function trajectory(opt: (w: Tensor) => optim.Optimizer<{ lr: number }>, steps = 6): { losses: number[]; ws: number[][]; w: Tensor } {
  const A = tensor(problem.A.data, { shape: problem.A.shape });
  const y = tensor(problem.y.data, { shape: problem.y.shape });
  const w = tensor(problem.w0.data, { requiresGrad: true });
  const optimizer = opt(w);
  optimizers.set(w, optimizer);
  const losses: number[] = [];
  const ws: number[][] = [];
  for (let i = 0; i < steps; i++) {
    optimizer.zeroGrad();
    const loss = A.matmul(w).sub(y).pow(2).mean();
    losses.push(loss.item());
    loss.backward();
    optimizer.step();
    ws.push(Array.from(w.dataSync()));
  }
  return { losses, ws, w };
}

/** The cpu backend without its fused optimizer kernels, so each update is composed of tensor ops. */
function composedBackend(): Backend {
  const b = cpuBackend();
  return { ...b, supports: { ...b.supports, fused: [] }, kernels: { ...b.kernels, sgdStep: undefined, adamStep: undefined } };
}

describe.each([
  ['with the fused update kernels', cpuBackend],
  ['composed of tensor ops', composedBackend],
])('optimizers follow PyTorch step for step, %s', (_name, backend) => {
  beforeAll(async () => {
    await setBackend(backend());
  });
  afterAll(async () => {
    await setBackend(cpuBackend());
  });
  for (const c of cases) {
    it(`${c.optimizer} ${JSON.stringify(c.options)} matches the golden trajectory`, () => {
      const { losses, ws } = trajectory((w) => make(c.optimizer, [w], optionsOf(c.options)));
      closeTo(losses, c.losses);
      ws.forEach((w, i) => closeTo(w, c.trajectory[i]!));
    });
  }
  for (const c of more) {
    it(`${c.optimizer} ${JSON.stringify(c.options)} matches PyTorch's trajectory`, () => {
      const { ws } = trajectory((w) => make(c.optimizer, [w], c.options));
      ws.forEach((w, i) => closeTo(w, c.trajectory[i]!));
    });
  }
  it('SGD with Nesterov momentum and weight decay, and AdamW without amsgrad, agree with the composed update', async () => {
    const configs: [string, Record<string, unknown>][] = [
      ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1 }],
      ['SGD', { lr: 0.05, momentum: 0.5, maximize: true }],
      ['AdamW', { lr: 0.05, weightDecay: 0.2, maximize: true }],
      ['Adam', { lr: 0.05, weightDecay: 0.2 }],
    ];
    for (const [name, options] of configs) {
      const here = trajectory((w) => make(name, [w], options)).ws;
      const previous = getBackend();
      await setBackend(composedBackend());
      const reference = trajectory((w) => make(name, [w], options)).ws;
      await setBackend(previous);
      here.forEach((w, i) => closeTo(w, reference[i]!, 1e-6, 1e-5));
    }
  });
});

describe('Optimizer', () => {
  it('updates the parameter object in place, so every holder sees the new values', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const holder = { w };
    const opt = new optim.SGD([w], { lr: 0.5 });
    w.grad = tensor([1, 1]);
    opt.step();
    expect(holder.w.tolist()).toEqual([0.5, 1.5]);
    expect(holder.w.requiresGrad).toBe(true);
    expect(holder.w.isLeaf).toBe(true);
  });

  it('zeroGrad frees the gradients backward made at once, but leaves one the caller read alive', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const opt = new optim.SGD([a, b], { lr: 0.1 });
    const before = memory().tensors;
    tidy(() => a.mul(b).sum().backward()); // frees the graph's intermediates; the gradients survive
    const read = b.grad!; // handed out: it must stay usable
    expect(memory().tensors).toBe(before + 2);
    opt.zeroGrad();
    expect(memory().tensors).toBe(before + 1); // a's gradient freed now, not whenever the GC runs
    expect(read.tolist()).toEqual([1, 2]);
    read.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('zeroGrad sets every gradient to null', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    a.mul(b).sum().backward();
    const opt = new optim.Adam([a, b]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it('skips parameters without a gradient', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const opt = new optim.SGD([a, b], { lr: 1 });
    a.grad = tensor([1]);
    opt.step();
    expect(a.tolist()).toEqual([0]);
    expect(b.tolist()).toEqual([2]);
    expect(opt.state.has(b)).toBe(false);
  });

  it('takes parameter groups with their own options and the defaults for the rest', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.1 }], { lr: 1, momentum: 0.5 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[1, 0.5], [0.1, 0.5]]);
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    expect(a.item()).toBeCloseTo(0);
    expect(b.item()).toBeCloseTo(0.9);
  });

  it('reads a changed learning rate from paramGroups on the next step', () => {
    const w = tensor([0], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    opt.paramGroups[0]!.lr = 0.25;
    w.grad = tensor([1]);
    opt.step();
    expect(w.item()).toBeCloseTo(-0.25);
  });

  it('frees every intermediate of a step: the tensor count stays flat once state exists', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1, amsgrad: true, weightDecay: 0.1 });
    w.grad = tensor([0.1, 0.2, 0.3]);
    opt.step();
    const before = memory().tensors;
    for (let i = 0; i < 5; i++) opt.step();
    expect(memory().tensors).toBe(before);
  });

  it('runs a closure with grad mode on and returns its loss', () => {
    const w = tensor([3], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = w.square().sum();
      l.backward();
      return l;
    });
    expect(loss!.item()).toBe(9);
    expect(w.item()).toBeCloseTo(3 - 0.1 * 6);
  });

  it('refuses bad arguments with messages that say what to pass', () => {
    const w = tensor([1], { requiresGrad: true });
    expect(() => new optim.SGD([w], {} as { lr: number })).toThrow(/SGD: options.lr is required/);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
    expect(() => new optim.SGD([w], { lr: -1 })).toThrow(/invalid learning rate: -1/);
    expect(() => new optim.SGD([w], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum/);
    expect(() => new optim.Adam([w], { betas: [1, 0.9] })).toThrow(/invalid beta parameter at index 0: 1/);
    expect(() => new optim.SGD([{ params: [w] }, { params: [w] }], { lr: 0.1 })).toThrow(/more than one parameter group/);
    expect(() => new optim.SGD([w.mul(2)], { lr: 0.1 })).toThrow(/non-leaf/);
  });
});

describe('Optimizer.stateDict', () => {
  it('round-trips: a new optimizer loaded from it continues the same trajectory', () => {
    const full = trajectory((w) => new optim.Adam([w], { lr: 0.1, amsgrad: true }), 6).ws;
    const first = trajectory((w) => new optim.Adam([w], { lr: 0.1, amsgrad: true }), 3);
    // a fresh optimizer over a fresh tensor holding the same values
    const A = tensor(problem.A.data, { shape: problem.A.shape });
    const y = tensor(problem.y.data, { shape: problem.y.shape });
    const w = tensor(Array.from(first.w.dataSync()), { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.5 });
    const saved = trajectoryState(first.w);
    opt.loadStateDict(saved);
    expect(opt.paramGroups[0]!.lr).toBe(0.1);
    expect(opt.paramGroups[0]!.amsgrad).toBe(true);
    for (let i = 3; i < 6; i++) {
      opt.zeroGrad();
      A.matmul(w).sub(y).pow(2).mean().backward();
      opt.step();
      closeTo(Array.from(w.dataSync()), full[i]!, 1e-6, 1e-6);
    }
  });

  it('holds the state keyed by parameter position and the options of each group', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    a.grad = tensor([1, 1]);
    b.grad = tensor([2]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => [g.params, g.lr])).toEqual([[[0], 0.1], [[1], 0.5]]);
    expect((sd.state[0]!.momentumBuffer as Tensor).tolist()).toEqual([1, 1]);
    expect((sd.state[1]!.momentumBuffer as Tensor).tolist()).toEqual([2]);
    // a snapshot: later steps leave it alone
    opt.step();
    expect((sd.state[0]!.momentumBuffer as Tensor).tolist()).toEqual([1, 1]);
  });

  it('refuses a state dict for a different set of groups', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const sd = new optim.SGD([a, b], { lr: 0.1 }).stateDict();
    expect(() => new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 }).loadStateDict(sd)).toThrow(/1 parameter groups but the optimizer has 2/);
    expect(() => new optim.SGD([a], { lr: 0.1 }).loadStateDict(sd)).toThrow(/group 0 has 2 parameters but the optimizer's group has 1/);
  });
});

